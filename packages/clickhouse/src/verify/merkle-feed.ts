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
 * recomputed from what is stored, and are not compared). Pairs of leaves come as one node when
 * the database computed it (`pair` at each odd seq), after checking the link it rests on.
 */
export class MerkleFeed {
  readonly tree: TreeChecker;
  #next: number;
  #prevLeafHex: string | undefined;
  /** The leaf at an even seq, waiting for its odd neighbour (and the node over both). */
  #held: Uint8Array | undefined;
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

  /** Rows taken into the tree so far (its size, counting a held leaf). */
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
    const pair = 'pair' in row ? row.pair : undefined;
    if (this.#held !== undefined) {
      // A root wanted between the two leaves needs them one at a time.
      if (pair !== undefined && this.tree.nextWanted !== seq) this.tree.addSubtree(pair, 2);
      else {
        this.tree.addLeaf(this.#held);
        this.tree.addLeaf(leaf);
      }
      this.#held = undefined;
    } else if (seq % 2 === 0) {
      this.#held = leaf;
    } else {
      this.tree.addLeaf(leaf);
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
    if (this.#held !== undefined) this.tree.addLeaf(this.#held);
    this.#held = undefined;
    this.#broken = true;
  }
}
