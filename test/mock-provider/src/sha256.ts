import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * A deterministic id: `prefix` + the first `length` hex chars of sha256(`key` + `salt`).
 * `key` is the JSON of the request body, `salt` tells apart the ids one body needs.
 */
export function derivedId(prefix: string, key: string, salt = '', length = 24): string {
  return prefix + sha256Hex(key + salt).slice(0, length);
}
