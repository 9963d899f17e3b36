import { randomFillSync } from 'node:crypto';

/**
 * Random bytes from a pool refilled 4 KiB at a time: one call into the CSPRNG per 256 UUIDs
 * instead of one per id, which on the sealing path saves about 1 µs per event.
 */
const POOL = Buffer.allocUnsafe(4096);
let offset = POOL.length;

/** `n` (≤ 4096) cryptographically random bytes. The returned view is valid until the next call. */
export function randomView(n: number): Buffer {
  if (offset + n > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const view = POOL.subarray(offset, offset + n);
  offset += n;
  return view;
}
