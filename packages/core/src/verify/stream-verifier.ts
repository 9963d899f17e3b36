import { canonicalJson } from '../canonical.js';
import { GENESIS_HASH, leafHash } from '../chain/leaf-hash.js';
import type { ChainRow, Finding, FindingKind } from './finding.js';

interface Placed {
  readonly row: ChainRow;
  readonly hash: string;
}

/** Broken links further apart than this are not tested as a swap of positions. */
const REORDER_WINDOW = 64;
/** Past this many broken links a stream is reported as it is found, without pairing swaps. */
const MAX_TRACKED_BREAKS = 10_000;

/**
 * Verifies one stream from its rows in `seq` order (rows sharing a seq may come in any order).
 *
 * Each record's leaf hash is recomputed from its stored bytes (or taken from the row, when the
 * database computed it) and compared with the `prev_hash` of the record after it. Findings:
 * - `missing`: a gap in `seq`;
 * - `inserted`: a second record claiming a position that another record holds in the chain;
 * - `reordered`: authentic records whose positions were exchanged (the chain is whole again once
 *   they are put back);
 * - `modified`: a record whose bytes no longer hash to what its successor committed to.
 *
 * The last record of a stream is committed to only by a checkpoint, which this verifier does not
 * see: a change to it is found by checkpoint verification. Telling a swap from a change needs the
 * records themselves: fed leaf hashes only, every broken link is reported as `modified`.
 */
export class StreamVerifier {
  readonly streamId: string;
  readonly #findings: Finding[] = [];
  #group: ChainRow[] = [];
  #groupSeq = -1;
  #expected = 0;
  #prev: Placed | null = null;
  #records = 0;
  /** Positions s where the link from s-1 to s is broken. */
  readonly #breaks: number[] = [];
  /** Rows around broken links (s-1, s, s+1), kept to explain them. */
  readonly #kept = new Map<number, Placed>();
  #keepNext = false;

  /**
   * `from`: go on from a position verified before — the next row is expected at `from.seq`, and
   * links to `from.prevLeafHash` (the leaf hash of the record at `from.seq - 1`).
   */
  constructor(streamId: string, from?: { seq: number; prevLeafHash: string }) {
    this.streamId = streamId;
    if (from !== undefined && from.seq > 0) {
      this.#expected = from.seq;
      this.#groupSeq = from.seq - 1;
      this.#prev = { row: { seq: from.seq - 1, prevHash: '', leafHash: from.prevLeafHash, leaf: Buffer.from(from.prevLeafHash, 'hex'), block: undefined }, hash: from.prevLeafHash };
    }
  }

  /** Records read so far. */
  get records(): number {
    return this.#records;
  }

  /** Feeds the next row. Rows must come in non-decreasing `seq` order. */
  push(row: ChainRow): void {
    this.#records++;
    if (row.seq === this.#groupSeq) {
      this.#group.push(row);
      return;
    }
    if (row.seq < this.#groupSeq) {
      throw new RangeError(`rows out of order: seq ${row.seq} after ${this.#groupSeq}`);
    }
    if (this.#group.length > 0) this.#resolve(row.seq === this.#groupSeq + 1 ? row.prevHash : null);
    this.#group = [row];
    this.#groupSeq = row.seq;
  }

  /** Ends the stream and returns every finding, ordered by seq. */
  finish(): Finding[] {
    if (this.#group.length > 0) this.#resolve(null);
    this.#group = [];
    this.#explainBreaks();
    return this.#findings.sort((a, b) => a.seq - b.seq);
  }

  #add(seq: number, kind: FindingKind, detail: string): void {
    this.#findings.push({ stream_id: this.streamId, seq, kind, detail });
  }

  /** Places the group at #groupSeq. `nextPrev` is the prev_hash of the following row, if adjacent. */
  #resolve(nextPrev: string | null): void {
    const seq = this.#groupSeq;
    if (seq > this.#expected) {
      const n = seq - this.#expected;
      this.#add(
        this.#expected,
        'missing',
        n === 1 ? `event ${this.#expected} is missing` : `events ${this.#expected}..${seq - 1} are missing (${n})`,
      );
      this.#prev = null;
    }
    const linkTo = seq === 0 ? GENESIS_HASH : (this.#prev?.hash ?? null);
    const candidates = this.#group.map((row) => ({ row, hash: 'leafHash' in row ? row.leafHash : leafHash(row.record) }));
    let chosen = candidates[0]!;
    if (candidates.length > 1) {
      // The genuine record links back to its predecessor and is committed to by its successor.
      const score = (c: Placed) => (linkTo !== null && c.row.prevHash === linkTo ? 1 : 0) + (c.hash === nextPrev ? 2 : 0);
      chosen = candidates.reduce((best, c) => (score(c) > score(best) ? c : best), chosen);
      for (const c of candidates) {
        if (c === chosen) continue;
        this.#add(seq, 'inserted', `a second record claims seq ${seq} (leaf hash ${c.hash.slice(0, 16)}…)`);
      }
    }
    if (this.#keepNext) {
      this.#keep(seq, chosen);
      this.#keepNext = false;
    }
    if (linkTo !== null && chosen.row.prevHash !== linkTo) {
      if (this.#breaks.length < MAX_TRACKED_BREAKS) {
        this.#breaks.push(seq);
        if (this.#prev) this.#keep(seq - 1, this.#prev);
        this.#keep(seq, chosen);
        this.#keepNext = true;
      } else {
        this.#add(seq - 1, 'modified', `event ${seq - 1} does not hash to the prev_hash of event ${seq}`);
      }
    }
    this.#prev = chosen;
    this.#expected = seq + 1;
  }

  #keep(seq: number, placed: Placed): void {
    this.#kept.set(seq, placed);
  }

  /**
   * Finds the fewest records that explain every broken link (a link s-1→s breaks when record s-1
   * or record s changed), then tells swaps of position apart from changed content.
   */
  #explainBreaks(): void {
    const suspects: number[] = [];
    const breaks = this.#breaks;
    for (let i = 0; i < breaks.length; i++) {
      const s = breaks[i]!;
      if (breaks[i + 1] === s + 1) {
        suspects.push(s); // record s explains both s-1→s and s→s+1
        i++;
      } else {
        suspects.push(s - 1);
      }
    }
    const reordered = new Set<number>();
    for (let i = 0; i < suspects.length; i++) {
      for (let j = i + 1; j < suspects.length && suspects[j]! - suspects[i]! <= REORDER_WINDOW; j++) {
        const a = suspects[i]!;
        const b = suspects[j]!;
        if (reordered.has(a) || reordered.has(b)) continue;
        if (this.#swapRestoresChain(a, b)) {
          reordered.add(a).add(b);
          this.#add(a, 'reordered', `events at seq ${a} and ${b} exchanged positions`);
          this.#add(b, 'reordered', `events at seq ${b} and ${a} exchanged positions`);
        }
      }
    }
    for (const s of suspects) {
      if (reordered.has(s) || s < 0) continue;
      this.#add(s, 'modified', `event ${s} does not match the hash its successor committed to`);
    }
  }

  /** True when putting record b at position a and record a at position b makes every link hold. */
  #swapRestoresChain(a: number, b: number): boolean {
    const atA = this.#kept.get(b);
    const atB = this.#kept.get(a);
    if (!atA || !atB) return false;
    const moved = new Map<number, Placed>([
      [a, reposition(atA, a)],
      [b, reposition(atB, b)],
    ]);
    const at = (s: number) => moved.get(s) ?? this.#kept.get(s);
    for (const s of [a, a + 1, b, b + 1]) {
      const cur = at(s);
      if (!cur) continue;
      const before = s === 0 ? GENESIS_HASH : at(s - 1)?.hash;
      if (before === undefined || cur.row.prevHash !== before) return false;
    }
    return true;
  }
}

/** The record as it would be at position `seq`: same content, `seq` field set, rehashed. */
function reposition(placed: Placed, seq: number): Placed {
  // Without the record (a leaf hash computed by the database) no repositioning can be tried.
  if (!('record' in placed.row)) return placed;
  try {
    const text = typeof placed.row.record === 'string' ? placed.row.record : Buffer.from(placed.row.record).toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const canonical = canonicalJson({ ...parsed, seq });
    return { row: { seq, prevHash: String(parsed['prev_hash']), record: canonical }, hash: leafHash(canonical) };
  } catch {
    return placed;
  }
}
