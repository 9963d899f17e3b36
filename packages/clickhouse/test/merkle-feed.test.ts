import { type ChainRow, GENESIS_HASH, nodeHash, rootOf } from '@auditrail/core';
import { describe, expect, it } from 'vitest';
import { MerkleFeed } from '../src/verify/merkle-feed.ts';

/** A fixed pseudo-random sequence (mulberry32): the same sizes on every run. */
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A chain of n rows as the database returns them: leaf hashes, and at each seq ≡ 3 (mod 4) the node over the four leaves ending there (when `blocks`). */
function chain(n: number, blocks: boolean): { rows: ChainRow[]; leaves: Buffer[] } {
  const leaves = Array.from({ length: n }, (_, i) => Buffer.alloc(32, i).fill(Math.floor(random() * 256), 0, 1));
  const rows = leaves.map((leaf, seq): ChainRow => {
    const prevHash = seq === 0 ? GENESIS_HASH : leaves[seq - 1]!.toString('hex');
    const block = blocks && seq % 4 === 3 ? nodeHash(nodeHash(leaves[seq - 3]!, leaves[seq - 2]!), nodeHash(leaves[seq - 1]!, leaf)) : undefined;
    return { seq, prevHash, leafHash: leaf.toString('hex'), leaf, block };
  });
  return { rows, leaves };
}

describe('MerkleFeed: the tree a verifier recomputes from stored rows', () => {
  it('has the RFC 9162 root at every size asked for, with or without block nodes, and resumed from any of them', () => {
    for (let n = 1; n <= 70; n++) {
      for (const blocks of [false, true]) {
        const { rows, leaves } = chain(n, blocks);
        const sizes = [...new Set([n, 1 + Math.floor(random() * n), 1 + Math.floor(random() * n), n - (n % 2)])].filter((s) => s > 0);
        const feed = new MerkleFeed(sizes);
        for (const r of rows) feed.push(r);
        feed.finish();
        for (const s of sizes) expect(feed.headAt(s)?.root, `n=${n} size=${s} blocks=${blocks}`).toBe(rootOf(leaves, 0, s).toString('hex'));
        // Resumed from each head, fed the rest: the same roots further on.
        for (const from of sizes) {
          const resumed = new MerkleFeed(sizes, feed.headAt(from)!);
          for (const r of rows.slice(from)) resumed.push(r);
          resumed.finish();
          for (const s of sizes.filter((x) => x > from)) expect(resumed.headAt(s)?.root, `resumed n=${n} from=${from} size=${s}`).toBe(rootOf(leaves, 0, s).toString('hex'));
        }
      }
    }
  });

  it('stops at a gap, a second row for one seq, or a broken link: no root past it', () => {
    const { rows } = chain(16, true);
    for (const broken of [
      rows.filter((r) => r.seq !== 5),
      [...rows.slice(0, 6), rows[5]!, ...rows.slice(6)],
      rows.map((r) => (r.seq === 9 ? { ...r, prevHash: 'ab'.repeat(32) } : r)),
    ]) {
      const feed = new MerkleFeed([4, 16]);
      for (const r of broken) feed.push(r);
      feed.finish();
      expect(feed.headAt(4)).toBeDefined();
      expect(feed.headAt(16)).toBeUndefined();
      expect(feed.broken).toBe(true);
    }
  });

  it('never trusts a block node whose links do not hold', () => {
    const { rows, leaves } = chain(8, true);
    // A forged block at seq 3 with a prev_hash that is not record 2's leaf hash: the link check stops the tree first.
    const forged = rows.map((r) => (r.seq === 3 ? { ...r, prevHash: 'cd'.repeat(32), block: nodeHash(Buffer.alloc(32, 0xcd), leaves[3]!) } : r));
    const feed = new MerkleFeed([8]);
    for (const r of forged) feed.push(r);
    feed.finish();
    expect(feed.headAt(8)).toBeUndefined();
  });
});
