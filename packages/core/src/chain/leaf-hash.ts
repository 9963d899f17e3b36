import * as crypto from 'node:crypto';

/** Hash that links record 0 of a stream to nothing: 32 zero bytes, hex. */
export const GENESIS_HASH = '0'.repeat(64);

const LEAF_PREFIX = Buffer.from([0x00]);

/**
 * One-shot SHA-256 (Node 20.12+): no Hash object per call. The writer hashes every record it
 * seals, and each Hash object carries a native handle the garbage collector has to track and
 * finalize (ingest ~1–2% less CPU in alternating runs). Older Node 20 releases use createHash.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/**
 * RFC 9162 §2.1.1 leaf hash, SHA-256(0x00 ‖ canonical record bytes), as lowercase hex.
 * `record` is the canonical JSON text (UTF-8 encoded here) or its bytes.
 */
export function leafHash(record: string | Uint8Array): string {
  // U+0000 is the single byte 0x00 in UTF-8.
  if (oneShot !== undefined && typeof record === 'string') return oneShot('sha256', `\u0000${record}`, 'hex');
  return crypto.createHash('sha256').update(LEAF_PREFIX).update(record).digest('hex');
}
