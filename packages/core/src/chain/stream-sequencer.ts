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
    const u = unsealed;
    // Every field of the (strict) record schema, in canonical (sorted) order: canonicalJson writes a
    // record built in that order with one JSON.stringify call instead of sorting and concatenating.
    const record: AuditRecord = {
      attributes: u.attributes,
      cost_usd: u.cost_usd,
      data: u.data,
      duration_ms: u.duration_ms,
      ended_at: u.ended_at,
      error_type: u.error_type,
      event_id: u.event_id,
      event_type: u.event_type,
      name: u.name,
      observed_at: formatUtcMicros(micros),
      operation: u.operation,
      parent_span_id: u.parent_span_id,
      payload: u.payload,
      prev_hash: this.#prevHash,
      price_source: u.price_source,
      provider: u.provider,
      redaction: u.redaction,
      request_id: u.request_id,
      request_model: u.request_model,
      response_model: u.response_model,
      seq: this.#next,
      service: u.service,
      session_id: u.session_id,
      span_id: u.span_id,
      started_at: u.started_at,
      status: u.status,
      stream_id: this.streamId,
      tenant_id: u.tenant_id,
      trace_id: u.trace_id,
      usage: u.usage,
      user_id: u.user_id,
      v: u.v,
    };
    const canonical = canonicalJson(record);
    const hash = leafHash(canonical);
    this.#next++;
    this.#prevHash = hash;
    return { record, canonical, hash };
  }
}
