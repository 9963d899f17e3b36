import { Buffer } from 'node:buffer';

/** Size, in code points, of each streamed text / arguments piece. */
const PIECE = 8;

/**
 * The first `max` characters of `text`, counted in code points so a surrogate
 * pair is never split (which would put a lone surrogate into the JSON output).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count >= max) break;
    out += ch;
    count += 1;
  }
  return out;
}

/** Longest prefix of `text` whose UTF-8 encoding fits in `maxBytes` (never splits a code point). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/** `text` split into the pieces a stream sends it in: {@link PIECE} code points each. */
export function pieces(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let count = 0;
  for (const ch of text) {
    current += ch;
    count += 1;
    if (count === PIECE) {
      out.push(current);
      current = '';
      count = 0;
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}
