import * as crypto from 'node:crypto';

/** Hash that links record 0 of a stream to nothing: 32 zero bytes, hex. */
export const GENESIS_HASH = '0'.repeat(64);

const LEAF_PREFIX = Buffer.from([0x00]);

/** One-shot `crypto.hash` (Node ≥ 20.12): a third faster than a Hash object for ~1 KB records. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/**
 * RFC 9162 §2.1.1 leaf hash, SHA-256(0x00 ‖ canonical record bytes), as lowercase hex.
 * `record` is the canonical JSON text (UTF-8 encoded here) or its bytes.
 */
export function leafHash(record: string | Uint8Array): string {
  // U+0000 encodes to the single byte 0x00 in UTF-8: the prefix joins the text without a copy of the bytes.
  if (typeof record === 'string' && oneShot !== undefined) return oneShot('sha256', `\u0000${record}`, 'hex');
  return crypto.createHash('sha256').update(LEAF_PREFIX).update(record).digest('hex');
}
