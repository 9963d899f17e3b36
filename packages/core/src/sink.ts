import type { CheckpointRecord } from './checkpoint/checkpoint-record.js';

/** A payload row: content kept beside a record, committed to by the record's `payload.digest`. */
export interface PayloadRow {
  readonly digest: string;
  readonly nonce: string;
  readonly content: string;
  readonly tenant_id: string;
  readonly stream_id: string;
  readonly seq: number;
  /** `observed_at` of the record, as stored in it. */
  readonly observed_at: string;
}

/** Sealed records ready to store, with the content they commit to. */
export interface EventBatch {
  /**
   * Identifies the batch: storing the same token twice stores the batch once, so a retry after a
   * timeout or a crash never duplicates events.
   */
  readonly token: string;
  /** Canonical records, in seq order. */
  readonly records: readonly string[];
  readonly payloads: readonly PayloadRow[];
}

/** Where sealed batches go. A ClickHouse store is one; tests may use another real one. */
export interface EventSink {
  append(batch: EventBatch): Promise<void>;
  /** Stores signed checkpoints of the stream beside its events (a store has a `checkpoints` table). Idempotent. */
  appendCheckpoints?(records: readonly CheckpointRecord[]): Promise<void>;
}
