import { type ChainRow, leafHashOf, TreeChecker } from '@auditrail/core';

/** Where a stream's verified tree ends: enough to go on from there next time. */
export interface VerifiedHead {
  readonly size: number;
  /** Lowercase hex. */
  readonly root: string;
  /** The right edge of the tree at `size` (subtree roots, largest first), hex. */
  readonly edge: readonly string[];
  /** Leaf hash of the record at seq size-1, hex: the next record must link to it. */
  readonly lastLeaf: string;
}

/**
 * Feeds a stream's rows, in seq order, into the Merkle tree over its leaf hashes, as long as the
 * rows form an unbroken chain from where it started: at a gap, a second row for one seq, or a
 * broken link, the tree stops (the chain verifier reports why; roots past that point cannot be
 * recomputed from what is stored, and are not compared). An aligned block of four leaves comes as
 * one node when the database computed it (`block` at each seq ≡ 3 mod 4), used only once the four
 * rows were taken in order, each linked to the one before.
 */
export class MerkleFeed {
  readonly tree: TreeChecker;
  #next: number;
  #prevLeafHex: string | undefined;
  /** Leaves of the current aligned block of four, waiting for its last row (and the node over all four). */
  readonly #held: Uint8Array[] = [];
  #broken = false;
  readonly #lastLeaves = new Map<number, string>();

  constructor(sizes: Iterable<number>, from?: VerifiedHead) {
    const wanted = [...sizes];
    this.tree = new TreeChecker(wanted, from === undefined ? undefined : { size: from.size, hashes: from.edge.map((h) => Buffer.from(h, 'hex')) });
    this.#next = from?.size ?? 0;
    this.#prevLeafHex = from?.lastLeaf;
    for (const s of wanted) this.#lastLeaves.set(s, '');
  }

  /** True once the rows stopped forming a chain the tree can follow. */
  get broken(): boolean {
    return this.#broken;
  }

  /** Rows taken into the tree so far (its size, counting held leaves). */
  get size(): number {
    return this.#next;
  }

  push(row: ChainRow): void {
    if (this.#broken) return;
    const hex = 'leafHash' in row ? row.leafHash : undefined;
    const leaf = 'leaf' in row ? row.leaf : leafHashOf(row.record);
    const leafHex = hex ?? Buffer.from(leaf).toString('hex');
    if (row.seq !== this.#next || (this.#prevLeafHex !== undefined && row.prevHash !== this.#prevLeafHex)) {
      this.#stop();
      return;
    }
    const seq = row.seq;
    if (this.#lastLeaves.has(seq + 1)) this.#lastLeaves.set(seq + 1, leafHex);
    this.#held.push(leaf);
    if (seq % 4 === 3) {
      const block = 'block' in row ? row.block : undefined;
      const size = this.tree.size;
      // The database's node only for a whole aligned block, and no root wanted inside it.
      const wantedInside = this.tree.nextWanted > size && this.tree.nextWanted < size + 4;
      if (block !== undefined && this.#held.length === 4 && size % 4 === 0 && !wantedInside) this.tree.addSubtree(block, 4);
      else for (const h of this.#held) this.tree.addLeaf(h);
      this.#held.length = 0;
    }
    this.#prevLeafHex = leafHex;
    this.#next = seq + 1;
  }

  /** Ends the stream: a held leaf goes into the tree. */
  finish(): void {
    this.#stop();
  }

  /** The tree at `size`, if it was reached with the chain unbroken. */
  headAt(size: number): VerifiedHead | undefined {
    const root = this.tree.roots.get(size);
    const edge = this.tree.edgeAt(size);
    const lastLeaf = this.#lastLeaves.get(size);
    if (root === undefined || edge === undefined || lastLeaf === undefined || lastLeaf === '') return undefined;
    return { size, root: root.toString('hex'), edge: edge.map((h) => h.toString('hex')), lastLeaf };
  }

  #stop(): void {
    for (const h of this.#held) this.tree.addLeaf(h);
    this.#held.length = 0;
    this.#broken = true;
  }
}
