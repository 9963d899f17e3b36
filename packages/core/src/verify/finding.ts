/** What `verify` can find wrong in a stream. */
export type FindingKind = 'modified' | 'missing' | 'inserted' | 'reordered';

export interface Finding {
  readonly stream_id: string;
  readonly seq: number;
  readonly kind: FindingKind;
  /** One sentence for a person: what does not hold. */
  readonly detail: string;
}

/**
 * One stored row of a stream as verify reads it: the `seq` and `prev_hash` columns, and either the
 * raw record (hashed here) or the leaf hash the database computed from it.
 */
export type ChainRow =
  | {
      readonly seq: number;
      readonly prevHash: string;
      /** The stored canonical record, as UTF-8 bytes or text. */
      readonly record: Uint8Array | string;
    }
  | {
      readonly seq: number;
      readonly prevHash: string;
      /** SHA-256(0x00 ‖ stored record), lowercase hex, as the database computed it. */
      readonly leafHash: string;
    };
