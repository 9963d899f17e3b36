/** What `verify` can find wrong in a stream. */
export type FindingKind = 'modified' | 'missing' | 'inserted' | 'reordered';

export interface Finding {
  readonly stream_id: string;
  readonly seq: number;
  readonly kind: FindingKind;
  /** One sentence for a person: what does not hold. */
  readonly detail: string;
}

/** One stored row of a stream as verify reads it: the `seq` and `prev_hash` columns and the raw record. */
export interface ChainRow {
  readonly seq: number;
  readonly prevHash: string;
  /** The stored canonical record, as UTF-8 bytes or text. */
  readonly record: Uint8Array | string;
}
