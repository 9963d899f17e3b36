/** What `verify` can find wrong in a stream. */
export type FindingKind =
  | 'modified'
  | 'missing'
  | 'inserted'
  | 'reordered'
  /** The stream holds fewer events than a signed checkpoint says it had. */
  | 'truncated'
  /** Two signed checkpoints of one stream and size with different roots: two histories. */
  | 'forked'
  /** A checkpoint whose signature a trusted key rejects, or that is not a well-formed signed note. */
  | 'bad_signature'
  /** A checkpoint signed by no trusted key. */
  | 'unknown_key'
  /** A signed checkpoint names a stream the store does not hold. */
  | 'stream_missing';

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
      /** The same 32 bytes. */
      readonly leaf: Uint8Array;
      /**
       * At a seq ≡ 3 (mod 4): the Merkle node over the four records ending here, as the database
       * computed it from the rows' own prev_hash (each pair's node is SHA-256(0x01 ‖ prev_hash ‖
       * leaf) at its odd seq). It is that node only while those four rows are consecutive and the
       * chain holds (each prev_hash is then the previous record's leaf hash), which the verifier
       * checks before using it.
       */
      readonly block: Uint8Array | undefined;
    };
