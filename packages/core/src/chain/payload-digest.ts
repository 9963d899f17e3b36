import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical.js';
import { randomView } from '../random-pool.js';
import type { JsonValue } from '../event/schema.js';

/** Content kept beside a record (messages, tool arguments and results), and its commitment. */
export interface SealedPayload {
  /** `sha256:` + hex SHA-256(nonce ‖ content), the value the record carries. */
  readonly digest: string;
  /** 16 random bytes, hex. Stored only with the payload, so an erased payload leaves a digest nobody can test guesses against. */
  readonly nonce: string;
  /** Canonical JSON of the payload. */
  readonly content: string;
  readonly bytes: number;
}

/** Commits to `payload` with a hiding commitment: SHA-256 over a random nonce and the canonical content. */
export function sealPayload(payload: { [key: string]: JsonValue }): SealedPayload {
  const content = canonicalJson(payload);
  const nonce = randomView(16).toString('hex');
  return {
    digest: payloadDigest(nonce, content),
    nonce,
    content,
    bytes: Buffer.byteLength(content),
  };
}

/** Recomputes a payload commitment, to check a stored payload against its record. */
export function payloadDigest(nonceHex: string, content: string): string {
  return 'sha256:' + createHash('sha256').update(Buffer.from(nonceHex, 'hex')).update(content).digest('hex');
}
