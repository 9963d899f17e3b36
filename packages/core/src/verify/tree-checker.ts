import * as crypto from 'node:crypto';
import { EMPTY_ROOT, nodeHash } from '../merkle/merkle.js';

/** One-shot SHA-256 (Node 20.12+), about half the cost of a Hash object per 65-byte node. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;

/**
 * A stream's Merkle tree (RFC 9162) as its leaves come in seq order — the writer's as it seals, the
 * verifier's as it reads — keeping its root at each size asked for (the sizes of the stream's
 * checkpoints). Holds only the right edge of the tree. Leaves come one by one, or as the root of a complete, aligned subtree of 2^k leaves
 * that the database computed (`addSubtree`): a verifier then hashes one node per 2^k leaves.
 */
export class TreeChecker {
  #size = 0;
  /** Roots of the complete subtrees, largest first, and their sizes. */
  readonly #hashes: Uint8Array[] = [];
  readonly #sizes: number[] = [];
  readonly #wanted: number[];
  #nextWanted = 0;
  readonly #roots = new Map<number, Buffer>();
  readonly #edges = new Map<number, Buffer[]>();
  readonly #node = Buffer.alloc(65);

  /**
   * `sizes`: where to take the root (checkpoint sizes), any order; 0 is the empty tree. `resume`:
   * the right edge of the tree at some size (from `edgeAt`), to go on from there.
   */
  constructor(sizes: Iterable<number>, resume?: { size: number; hashes: readonly Uint8Array[] }) {
    this.#node[0] = 0x01;
    if (resume !== undefined) {
      const bits = [...resume.size.toString(2)].map((b, i, all) => (b === '1' ? 2 ** (all.length - 1 - i) : 0)).filter((n) => n > 0);
      if (!Number.isSafeInteger(resume.size) || bits.length !== resume.hashes.length || !resume.hashes.every((h) => h.length === 32)) {
        throw new RangeError(`a tree of size ${resume.size} has ${bits.length} subtree roots of 32 bytes on its right edge, got ${resume.hashes.length}`);
      }
      this.#size = resume.size;
      this.#hashes.push(...resume.hashes.map((h) => Buffer.from(h)));
      this.#sizes.push(...bits);
    }
    const all = new Set(sizes);
    this.#wanted = [...all].filter((s) => s > this.#size).sort((a, b) => a - b);
    if (all.has(this.#size)) this.#roots.set(this.#size, this.root());
  }

  get size(): number {
    return this.#size;
  }

  /** The next size whose root is wanted, or Infinity. */
  get nextWanted(): number {
    return this.#wanted[this.#nextWanted] ?? Infinity;
  }

  /** Roots at the wanted sizes reached so far. */
  get roots(): ReadonlyMap<number, Buffer> {
    return this.#roots;
  }

  /** The next leaf hash (32 bytes). */
  addLeaf(leaf: Uint8Array): void {
    this.addSubtree(leaf, 1);
  }

  /**
   * The root of the next `leaves` leaves, a complete subtree: `leaves` a power of two that divides
   * the current size, and no wanted size strictly inside it (take those leaf by leaf).
   */
  addSubtree(root: Uint8Array, leaves: number): void {
    let h = root;
    let n = leaves;
    while (this.#sizes.length > 0 && this.#sizes[this.#sizes.length - 1] === n) {
      h = this.#hash(this.#hashes.pop()!, h);
      this.#sizes.pop();
      n *= 2;
    }
    this.#hashes.push(h);
    this.#sizes.push(n);
    this.#size += leaves;
    if (this.#size === this.nextWanted) {
      this.#roots.set(this.#size, this.root());
      this.#edges.set(this.#size, this.edge());
      this.#nextWanted++;
    }
  }

  /** The right edge of the tree now: its complete subtrees' roots, largest first (what `resume` takes). */
  edge(): Buffer[] {
    return this.#hashes.map((x) => Buffer.from(x));
  }

  /** The right edge of the tree at a wanted size reached (to resume from it later). */
  edgeAt(size: number): Buffer[] | undefined {
    return this.#edges.get(size);
  }

  /** MTH of the leaves so far (the empty tree's root at size 0). */
  root(): Buffer {
    if (this.#hashes.length === 0) return Buffer.from(EMPTY_ROOT);
    let root = this.#hashes[this.#hashes.length - 1]!;
    for (let i = this.#hashes.length - 2; i >= 0; i--) root = this.#hash(this.#hashes[i]!, root);
    return Buffer.from(root);
  }

  #hash(left: Uint8Array, right: Uint8Array): Uint8Array {
    if (oneShot === undefined) return nodeHash(left, right);
    this.#node.set(left, 1);
    this.#node.set(right, 33);
    return oneShot('sha256', this.#node, 'buffer');
  }
}
