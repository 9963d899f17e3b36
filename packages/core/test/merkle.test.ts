import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consistencyProof, EMPTY_ROOT, inclusionProof, leafHashOf, nodeHash, rootOf, TreeChecker, verifyConsistency, verifyInclusion } from '../src/index.ts';
import { prng, vectorsFile } from './fixtures.ts';

interface Vectors {
  empty_tree_root_hex: string;
  leaves_hex: string[];
  node_hashes_by_level_hex: string[][];
  roots: { tree_size: number; root_hex: string }[];
  inclusion_proofs: { index: number; tree_size: number; path_hex: string[] }[];
  consistency_proofs: { size1: number; size2: number; path_hex: string[] }[];
  extra_consistency_proofs: { size1: number; size2: number; root1_base64: string; root2_base64: string; path_hex: string[] }[];
  rfc9162_section_2_1_5_example: { inclusion: { index: number; tree_size: number; path_labels: string[] }[]; consistency: { size1: number; size2: number; path_labels: string[] }[] };
}

const v = JSON.parse(readFileSync(vectorsFile('merkle-vectors.json'), 'utf8')) as Vectors;
const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');
const fromHex = (s: string) => Buffer.from(s, 'hex');
const leaves = v.leaves_hex.map((l) => leafHashOf(fromHex(l)));

describe('Merkle tree hashing (RFC 9162 §2.1)', () => {
  it('hashes the standard leaves and every node', () => {
    expect(leaves.map(hex)).toEqual(v.node_hashes_by_level_hex[0]);
    // Level k holds the roots of the complete subtrees of 2^k leaves.
    for (const [level, hashes] of v.node_hashes_by_level_hex.entries()) {
      expect(hashes.map((_, i) => hex(rootOf(leaves, i * 2 ** level, (i + 1) * 2 ** level)))).toEqual(hashes);
    }
    expect(hex(nodeHash(leaves[0]!, leaves[1]!))).toBe(v.node_hashes_by_level_hex[1]![0]);
  });

  it('computes the root of every size 0–8', () => {
    expect(hex(EMPTY_ROOT)).toBe(v.empty_tree_root_hex);
    for (const r of v.roots) expect([r.tree_size, hex(rootOf(leaves.slice(0, r.tree_size)))]).toEqual([r.tree_size, r.root_hex]);
  });

  it('generates and verifies the standard inclusion proofs', () => {
    for (const p of v.inclusion_proofs) {
      const proof = inclusionProof(leaves, p.index, p.tree_size);
      expect(proof.map(hex)).toEqual(p.path_hex);
      expect(verifyInclusion(p.index, p.tree_size, leaves[p.index]!, proof, rootOf(leaves.slice(0, p.tree_size)))).toBe(true);
    }
  });

  it('generates and verifies the standard consistency proofs, and the witness proof 5 → 8', () => {
    for (const p of v.consistency_proofs) {
      const proof = consistencyProof(leaves, p.size1, p.size2);
      expect(proof.map(hex)).toEqual(p.path_hex);
      expect(verifyConsistency(p.size1, p.size2, rootOf(leaves.slice(0, p.size1)), rootOf(leaves.slice(0, p.size2)), proof)).toBe(true);
    }
    for (const p of v.extra_consistency_proofs) {
      const proof = p.path_hex.map(fromHex);
      const [root1, root2] = [Buffer.from(p.root1_base64, 'base64'), Buffer.from(p.root2_base64, 'base64')];
      expect(verifyConsistency(p.size1, p.size2, root1, root2, proof)).toBe(true);
      expect(verifyConsistency(p.size1, p.size2, root2, root1, proof)).toBe(false);
    }
  });

  it('gives the paths of the example in RFC 9162 §2.1.5', () => {
    const [a, b, c, d, e, f, j] = leaves;
    const g = nodeHash(a!, b!);
    const h = nodeHash(c!, d!);
    const i = nodeHash(e!, f!);
    const labels: Record<string, Buffer> = { a: a!, b: b!, c: c!, d: d!, e: e!, f: f!, j: j!, g, h, i, k: nodeHash(g, h), l: nodeHash(i, j!) };
    const ex = v.rfc9162_section_2_1_5_example;
    for (const p of ex.inclusion) expect(inclusionProof(leaves, p.index, p.tree_size)).toEqual(p.path_labels.map((l) => labels[l]));
    for (const p of ex.consistency) expect(consistencyProof(leaves, p.size1, p.size2)).toEqual(p.path_labels.map((l) => labels[l]));
  });
});

/** Every probe file under shared/vectors/merkle-probes, sizes beyond 2^53 kept exact (as bigints). */
function probes(): { name: string; kind: 'inclusion' | 'consistency'; probe: Record<string, unknown> }[] {
  const root = dirname(vectorsFile('merkle-probes/inclusion'));
  const out: { name: string; kind: 'inclusion' | 'consistency'; probe: Record<string, unknown> }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        // JSON numbers lose precision past 2^53 (a probe's 2^64 − 1): read them as strings.
        const text = readFileSync(path, 'utf8').replace(/("(?:leafIdx|treeSize|size1|size2)":\s*)(\d+)/g, '$1"$2"');
        const name = relative(root, path);
        out.push({ name, kind: name.startsWith('inclusion') ? 'inclusion' : 'consistency', probe: JSON.parse(text) as Record<string, unknown> });
      }
    }
  };
  walk(root);
  return out;
}

describe('the transparency-dev probe corpus', () => {
  const all = probes();
  const b64 = (s: unknown) => Buffer.from(String(s ?? ''), 'base64');
  const list = (xs: unknown) => ((xs as string[] | null) ?? []).map(b64);

  it('has 196 probes: 12 to accept, 184 to reject', () => {
    expect(all).toHaveLength(196);
    expect(all.filter((p) => p.probe['wantErr'] === false)).toHaveLength(12);
  });

  it.each(all.map((p) => [p.name, p] as const))('%s', (_name, { kind, probe }) => {
    const ok =
      kind === 'inclusion'
        ? verifyInclusion(BigInt(probe['leafIdx'] as string), BigInt(probe['treeSize'] as string), b64(probe['leafHash']), list(probe['proof']), b64(probe['root']))
        : verifyConsistency(BigInt(probe['size1'] as string), BigInt(probe['size2'] as string), b64(probe['root1']), b64(probe['root2']), list(probe['proof']));
    expect(ok).toBe(probe['wantErr'] === false);
  });
});

describe('proofs on every tree up to 64 leaves', () => {
  const rand = prng(0x6d65726b);
  const many = Array.from({ length: 65 }, (_, i) => leafHashOf(`leaf ${i} ${rand()}`));

  it('every inclusion proof verifies; a changed leaf, index, size or path element does not', () => {
    for (let size = 1; size <= 64; size++) {
      const root = rootOf(many, 0, size);
      // The size is bound by the root that goes with it (a checkpoint signs both): the proof of a
      // leaf in one tree does not show it in the next tree, whose root differs.
      const next = rootOf(many, 0, size + 1);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(many, index, size);
        expect(verifyInclusion(index, size, many[index]!, proof, root)).toBe(true);
        expect(verifyInclusion(index, size, many[(index + 1) % many.length]!, proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, many[index]!, proof, root)).toBe(false);
        expect(verifyInclusion(index, size + 1, many[index]!, proof, next)).toBe(false);
        if (proof.length > 0) {
          const bent = proof.map((p, i) => (i === proof.length - 1 ? Buffer.from(p.map((x, j) => (j === 0 ? x ^ 1 : x))) : p));
          expect(verifyInclusion(index, size, many[index]!, bent, root)).toBe(false);
          expect(verifyInclusion(index, size, many[index]!, proof.slice(1), root)).toBe(false);
        }
        expect(verifyInclusion(index, size, many[index]!, [...proof, root], root)).toBe(false);
      }
    }
  });

  it('every consistency proof verifies; swapped roots, other sizes or a cut path do not', () => {
    for (let size2 = 1; size2 <= 64; size2++) {
      const root2 = rootOf(many, 0, size2);
      const next = rootOf(many, 0, size2 + 1);
      for (let size1 = 1; size1 <= size2; size1++) {
        const root1 = rootOf(many, 0, size1);
        const proof = consistencyProof(many, size1, size2);
        expect(verifyConsistency(size1, size2, root1, root2, proof)).toBe(true);
        if (size1 < size2) {
          expect(verifyConsistency(size1, size2, root2, root1, proof)).toBe(false);
          expect(verifyConsistency(size1, size2 + 1, root1, next, proof)).toBe(false);
          expect(verifyConsistency(size1, size2, root1, root2, proof.slice(0, -1))).toBe(false);
          if (size1 > 1) expect(verifyConsistency(size1 - 1, size2, root1, root2, proof)).toBe(false);
        }
      }
      expect(verifyConsistency(0, size2, EMPTY_ROOT, root2, [])).toBe(false);
    }
  });

  it('refuses to generate what does not exist', () => {
    expect(() => inclusionProof(many, 8, 8)).toThrow(RangeError);
    expect(() => inclusionProof(many, 0, 66)).toThrow(RangeError);
    expect(() => consistencyProof(many, 0, 8)).toThrow(RangeError);
    expect(() => consistencyProof(many, 9, 8)).toThrow(RangeError);
  });
});

describe('trees beyond 2^32 leaves', () => {
  // A tree whose leaves are all the same has one hash per level: its proofs can be written down
  // without building it. h[k] is the root of any complete subtree of 2^k leaves.
  const h = [leafHashOf('the same leaf')];
  for (let k = 1; k <= 62; k++) h.push(nodeHash(h[k - 1]!, h[k - 1]!));

  it('verifies inclusion at indices past 2^32 and 2^53', () => {
    expect(verifyInclusion(2 ** 40 + 12_345, 2 ** 41, h[0]!, h.slice(0, 41), h[41]!)).toBe(true);
    // One more leaf: the old tree is the left subtree, the new leaf the right one.
    expect(verifyInclusion(2 ** 40 + 12_345, 2 ** 41 + 1, h[0]!, [...h.slice(0, 41), h[0]!], nodeHash(h[41]!, h[0]!))).toBe(true);
    expect(verifyInclusion(2 ** 41, 2 ** 41 + 1, h[0]!, [h[41]!], nodeHash(h[41]!, h[0]!))).toBe(true);
    expect(verifyInclusion(2n ** 61n + 7n, 2n ** 62n, h[0]!, h.slice(0, 62), h[62]!)).toBe(true);
    // A 32-bit truncation of the index or size would change the path: these must fail.
    expect(verifyInclusion(2 ** 40 + 12_345, 2 ** 41, h[0]!, h.slice(0, 40), h[41]!)).toBe(false);
    expect(verifyInclusion(2 ** 32, 2 ** 32, h[0]!, h.slice(0, 32), h[32]!)).toBe(false);
  });

  it('verifies consistency between sizes past 2^32', () => {
    expect(verifyConsistency(2 ** 40, 2 ** 41, h[40]!, h[41]!, [h[40]!])).toBe(true);
    expect(verifyConsistency(2 ** 40, 2 ** 41 + 1, h[40]!, nodeHash(h[41]!, h[0]!), [h[40]!, h[0]!])).toBe(true);
    expect(verifyConsistency(2 ** 40, 2 ** 41, h[40]!, h[41]!, [h[39]!])).toBe(false);
  });
});

describe('TreeChecker: the right edge of a growing tree (the writer\'s and the verifier\'s)', () => {
  it('gives the root of every size as leaves are appended, and resumes from its stored state', () => {
    const leaves = Array.from({ length: 300 }, (_, i) => leafHashOf(`event ${i}`));
    const frontier = new TreeChecker([]);
    expect(frontier.root()).toEqual(EMPTY_ROOT);
    for (let i = 0; i < leaves.length; i++) {
      frontier.addLeaf(leaves[i]!);
      expect([i + 1, hex(frontier.root())]).toEqual([i + 1, hex(rootOf(leaves, 0, i + 1))]);
      if (i === 136) {
        // A restart: a new frontier from the stored state goes on the same.
        const resumed = new TreeChecker([], { size: frontier.size, hashes: frontier.edge() });
        for (let j = i + 1; j < leaves.length; j++) resumed.addLeaf(leaves[j]!);
        expect(resumed.root()).toEqual(rootOf(leaves));
        expect(resumed.size).toBe(300);
      }
    }
    expect(frontier.edge()).toHaveLength(4); // 300 = 256 + 32 + 8 + 4
  });

  it('matches the standard roots, and refuses a state that cannot be', () => {
    const f = new TreeChecker([]);
    for (const [i, leaf] of leaves.entries()) {
      f.addLeaf(leaf);
      expect(hex(f.root())).toBe(v.roots.find((r) => r.tree_size === i + 1)!.root_hex);
    }
    expect(() => new TreeChecker([], { size: 3, hashes: [leaves[0]!] })).toThrow(RangeError);
    expect(() => new TreeChecker([], { size: 2, hashes: [Buffer.alloc(31)] })).toThrow(RangeError);
  });

  it('grows past 2^32 leaves from a stored state (a tree of identical leaves)', () => {
    const h = [leafHashOf('the same leaf')];
    for (let k = 1; k <= 40; k++) h.push(nodeHash(h[k - 1]!, h[k - 1]!));
    const f = new TreeChecker([], { size: 2 ** 40 - 1, hashes: h.slice(0, 40).reverse() });
    f.addLeaf(h[0]!);
    expect(f.size).toBe(2 ** 40);
    expect(f.root()).toEqual(h[40]);
    f.addLeaf(h[0]!);
    expect(f.root()).toEqual(nodeHash(h[40]!, h[0]!));
  });
});
