import { createHash } from 'node:crypto';

/** Hash that links record 0 of a stream to nothing: 32 zero bytes, hex. */
export const GENESIS_HASH = '0'.repeat(64);

const LEAF_PREFIX = Buffer.from([0x00]);

/**
 * RFC 9162 §2.1.1 leaf hash, SHA-256(0x00 ‖ canonical record bytes), as lowercase hex.
 * `record` is the canonical JSON text (UTF-8 encoded here) or its bytes.
 */
export function leafHash(record: string | Uint8Array): string {
  return createHash('sha256').update(LEAF_PREFIX).update(record).digest('hex');
}
