import { describe, expect, it } from 'vitest';
import { consistencyPathFlat, consistencyProof, EMPTY_ROOT, inclusionPathFlat, inclusionProof, leafHashOf, rootOf, rootOfFlat } from '../src/index.ts';

const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');
const leaves = Array.from({ length: 40 }, (_, i) => leafHashOf(`event ${i}`));
const flat = Buffer.concat(leaves);

describe('Merkle proofs over one flat buffer of leaf hashes', () => {
  it('computes the root of every range of every tree up to 40 leaves, as rootOf does', () => {
    expect(hex(rootOfFlat(flat, 0, 0))).toBe(hex(EMPTY_ROOT));
    for (let from = 0; from < 40; from++) {
      for (let to = from + 1; to <= 40; to++) expect(hex(rootOfFlat(flat, from, to)), `[${from}, ${to})`).toBe(hex(rootOf(leaves, from, to)));
    }
    expect(hex(rootOfFlat(flat))).toBe(hex(rootOf(leaves)));
  });

  it('gives the inclusion path of every index of every tree up to 40 leaves, as inclusionProof does, and the root', () => {
    for (let size = 1; size <= 40; size++) {
      const root = hex(rootOf(leaves, 0, size));
      for (let index = 0; index < size; index++) {
        const got = inclusionPathFlat(flat, index, size);
        expect({ path: got.path.map(hex), root: hex(got.root) }, `${index} of ${size}`).toEqual({ path: inclusionProof(leaves, index, size).map(hex), root });
      }
    }
  });

  it('gives the consistency proof between every two sizes up to 40, as consistencyProof does, and both roots', () => {
    for (let size2 = 1; size2 <= 40; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const got = consistencyPathFlat(flat, size1, size2);
        expect({ path: got.path.map(hex), root1: hex(got.root1), root2: hex(got.root2) }, `${size1} → ${size2}`).toEqual({
          path: consistencyProof(leaves, size1, size2).map(hex),
          root1: hex(rootOf(leaves, 0, size1)),
          root2: hex(rootOf(leaves, 0, size2)),
        });
      }
    }
  });

  it('reads a Uint8Array view at an offset without copying it, and leaves its input as it was', () => {
    const backing = new Uint8Array(16 + flat.length);
    backing.set(flat, 16);
    const view = backing.subarray(16);
    expect(hex(inclusionPathFlat(view, 7, 40).root)).toBe(hex(rootOf(leaves)));
    expect(hex(rootOfFlat(view, 3, 29))).toBe(hex(rootOf(leaves, 3, 29)));
    expect(Buffer.from(view).equals(flat)).toBe(true);
  });

  it('refuses a buffer that is not whole hashes, and indices and sizes outside it', () => {
    expect(() => rootOfFlat(flat.subarray(0, 33))).toThrow(/32 bytes each; got 33 bytes/);
    expect(() => rootOfFlat(flat, 0, 41)).toThrow(/no range \[0, 41\) in 40 leaves/);
    expect(() => inclusionPathFlat(flat, 40, 40)).toThrow(/no leaf 40 in a tree of 40/);
    expect(() => inclusionPathFlat(flat, 0, 41)).toThrow(/no leaf 0 in a tree of 41 \(of 40 known\)/);
    expect(() => consistencyPathFlat(flat, 0, 10)).toThrow(/no consistency proof from 0 to 10/);
    expect(() => consistencyPathFlat(flat, 11, 10)).toThrow(/no consistency proof from 11 to 10/);
  });
});
