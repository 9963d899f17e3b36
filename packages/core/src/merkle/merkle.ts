import { createHash } from 'node:crypto';
import { leafHash } from '../chain/leaf-hash.js';

/**
 * RFC 9162 §2.1 Merkle tree hashing over SHA-256: leaves are hashed as SHA-256(0x00 ‖ data)
 * (`leafHash`, the same hash that chains records), interior nodes as SHA-256(0x01 ‖ left ‖ right).
 *
 * Sizes and indices: generation takes JavaScript numbers (exact up to 2^53; a stream of that many
 * events is beyond any store), verification takes numbers or bigints and computes in bigints, so
 * a proof for a tree beyond 2^32 or 2^53 — or a hostile size near 2^64 — is checked exactly. No
 * bitwise operator is used on a size or index anywhere: they are 32-bit in JavaScript.
 */

/** A 32-byte SHA-256 digest. */
export type Hash = Uint8Array;

const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Hash, right: Hash): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** SHA-256(0x00 ‖ data) as bytes: `leafHash` (the records' leaf hash), for the tree. */
export function leafHashOf(data: Uint8Array | string): Buffer {
  return Buffer.from(leafHash(data), 'hex');
}

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * MTH(D[from:to]) from the leaf hashes: one pass, keeping the roots of the complete subtrees seen
 * so far (at most log2 n), as RFC 9162 §2.1.1 defines the tree (left subtree complete, of the
 * largest power of two below the size).
 */
export function rootOf(leaves: readonly Hash[], from = 0, to = leaves.length): Buffer {
  if (from >= to) return EMPTY_ROOT;
  // The complete subtrees so far: their roots and sizes, sizes decreasing.
  const hashes: Hash[] = [];
  const sizes: number[] = [];
  for (let i = from; i < to; i++) {
    let h: Hash = leaves[i]!;
    let size = 1;
    while (sizes.length > 0 && sizes[sizes.length - 1] === size) {
      h = nodeHash(hashes.pop()!, h);
      size += sizes.pop()!;
    }
    hashes.push(h);
    sizes.push(size);
  }
  // Fold the incomplete right edge: the smaller subtrees are the right children.
  let root = hashes.pop()!;
  while (hashes.length > 0) root = nodeHash(hashes.pop()!, root);
  return Buffer.from(root);
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the first `size` leaves. */
export function inclusionProof(leaves: readonly Hash[], index: number, size = leaves.length): Buffer[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || size > leaves.length || index < 0 || index >= size) {
    throw new RangeError(`no leaf ${index} in a tree of ${size} (of ${leaves.length} known)`);
  }
  // Iterative PATH: descend from the whole range, collecting the sibling subtree at each level.
  let from = 0;
  let to = size;
  let m = index;
  const siblings: Buffer[] = [];
  while (to - from > 1) {
    const k = splitPoint(to - from);
    if (m < k) {
      siblings.push(rootOf(leaves, from + k, to));
      to = from + k;
    } else {
      siblings.push(rootOf(leaves, from, from + k));
      from += k;
      m -= k;
    }
  }
  // The path lists them from the leaf up.
  return siblings.reverse();
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: that the first `size1` leaves are a prefix of the first `size2`. */
export function consistencyProof(leaves: readonly Hash[], size1: number, size2 = leaves.length): Buffer[] {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size2 > leaves.length || size1 < 1 || size1 > size2) {
    throw new RangeError(`no consistency proof from ${size1} to ${size2} (of ${leaves.length} known)`);
  }
  if (size1 === size2) return [];
  return subproof(leaves, size1, 0, size2, true);
}

/** SUBPROOF(m, D[from:to], b). */
function subproof(leaves: readonly Hash[], m: number, from: number, to: number, whole: boolean): Buffer[] {
  const n = to - from;
  if (m === n) return whole ? [] : [rootOf(leaves, from, to)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(leaves, m, from, from + k, whole), rootOf(leaves, from + k, to)];
  return [...subproof(leaves, m - k, from + k, to, false), rootOf(leaves, from, from + k)];
}

const big = (v: number | bigint): bigint | undefined => {
  if (typeof v === 'bigint') return v >= 0n ? v : undefined;
  return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined;
};

const equal = (a: Hash, b: Hash): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

const isHash = (h: Hash): boolean => h.length === 32;

/**
 * RFC 9162 §2.1.3.2: whether `proof` shows the leaf with hash `leaf` at `index` in the tree of
 * `size` leaves with root `root`. False for anything malformed (an index outside the tree, a path
 * too long or too short, an element that is not 32 bytes).
 */
export function verifyInclusion(index: number | bigint, size: number | bigint, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  const i = big(index);
  const n = big(size);
  if (i === undefined || n === undefined || i >= n || !isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let r: Hash = leaf;
  const walked = walkUp(i, n - 1n, proof, (p, left) => {
    r = left ? nodeHash(p, r) : nodeHash(r, p);
  });
  return walked && equal(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows the tree of `size1` leaves with root `root1` to be a
 * prefix of the tree of `size2` leaves with root `root2`. Equal sizes need an empty proof and equal
 * roots; a proof from the empty tree is refused (there is nothing to prove), as is anything
 * malformed.
 */
export function verifyConsistency(size1: number | bigint, size2: number | bigint, root1: Hash, root2: Hash, proof: readonly Hash[]): boolean {
  const m = big(size1);
  const n = big(size2);
  if (m === undefined || n === undefined || m === 0n || m > n) return false;
  // The same tree: nothing to prove, the roots must be the same bytes.
  if (m === n) return proof.length === 0 && equal(root1, root2);
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (proof.length === 0) return false;
  // A first tree of a power-of-two size is a complete subtree of the second: its root starts the path.
  const path = isPowerOfTwo(m) ? [root1, ...proof] : proof;
  let fn = m - 1n;
  let sn = n - 1n;
  while (fn % 2n === 1n) {
    fn /= 2n;
    sn /= 2n;
  }
  let fr: Hash = path[0]!;
  let sr: Hash = path[0]!;
  const walked = walkUp(fn, sn, path.slice(1), (c, left) => {
    if (left) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
    } else {
      sr = nodeHash(sr, c);
    }
  });
  return walked && equal(fr, root1) && equal(sr, root2);
}

/**
 * The walk of RFC 9162 §2.1.3.2 (and §2.1.4.2) up a path from node fn of the last node sn: each
 * element is visited with whether it is the left sibling; false if the path runs past the root
 * or stops short of it.
 */
function walkUp(fn: bigint, sn: bigint, path: readonly Hash[], visit: (element: Hash, left: boolean) => void): boolean {
  for (const element of path) {
    if (sn === 0n) return false;
    const left = fn % 2n === 1n || fn === sn;
    visit(element, left);
    if (left) [fn, sn] = skipRightEdge(fn, sn);
    fn /= 2n;
    sn /= 2n;
  }
  return sn === 0n;
}

/**
 * Right-shifts fn and sn together until fn is odd or 0 (RFC 9162 §2.1.3.2 step 4.b.ii): the levels
 * where the node is the last of the tree and has no sibling.
 */
function skipRightEdge(fn: bigint, sn: bigint): [bigint, bigint] {
  while (fn % 2n === 0n && fn !== 0n) {
    fn /= 2n;
    sn /= 2n;
  }
  return [fn, sn];
}

function isPowerOfTwo(v: bigint): boolean {
  while (v > 1n && v % 2n === 0n) v /= 2n;
  return v === 1n;
}
