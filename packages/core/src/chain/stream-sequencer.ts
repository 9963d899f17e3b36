import { canonicalJson } from '../canonical.js';
import { AuditrailError } from '../errors.js';
import type { AuditRecord, UnsealedRecord } from '../event/schema.js';
import { uuidv7 } from '../ids.js';
import { formatUtcMicros } from '../time.js';
import { GENESIS_HASH, leafHash } from './leaf-hash.js';
import { type Clock, wallClockMicros } from './wall-clock.js';

/** A record placed in its stream: the object, its canonical JSON and its leaf hash. */
export interface SealedRecord {
  readonly record: AuditRecord;
  /** RFC 8785 canonical JSON of `record`: exactly the bytes that are stored and hashed. */
  readonly canonical: string;
  /** RFC 9162 leaf hash of `canonical`, hex. */
  readonly hash: string;
}

export interface StreamSequencerOptions {
  /** Defaults to a fresh UUIDv7: one stream per writer instance. */
  streamId?: string;
  /** Microseconds since the epoch; defaults to the monotonic wall clock. */
  clock?: Clock;
}

/**
 * Places records in one stream: gap-free `seq` from 0, `prev_hash` linking each record to the one
 * before, and `observed_at` stamped here — never taken from the client — and never decreasing.
 */
export class StreamSequencer {
  readonly streamId: string;
  #clock: Clock;
  #next = 0;
  #prevHash = GENESIS_HASH;
  #lastMicros = 0;

  constructor(options: StreamSequencerOptions = {}) {
    this.streamId = options.streamId ?? uuidv7();
    this.#clock = options.clock ?? wallClockMicros;
  }

  /** Sequence number the next sealed record will get. */
  get nextSeq(): number {
    return this.#next;
  }

  /** Seals one record. Records are sealed in the order they will be stored. */
  seal(unsealed: UnsealedRecord): SealedRecord {
    if (this.#next >= Number.MAX_SAFE_INTEGER) {
      throw new AuditrailError('SEQUENCE_OVERFLOW', `stream ${this.streamId} is full`);
    }
    const micros = Math.max(this.#clock(), this.#lastMicros);
    this.#lastMicros = micros;
    const record: AuditRecord = {
      ...unsealed,
      observed_at: formatUtcMicros(micros),
      stream_id: this.streamId,
      seq: this.#next,
      prev_hash: this.#prevHash,
    };
    const canonical = canonicalJson(record);
    const hash = leafHash(canonical);
    this.#next++;
    this.#prevHash = hash;
    return { record, canonical, hash };
  }
}
