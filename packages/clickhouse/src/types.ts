import type { AuditRecord, ChainRow, CheckpointRecord, ErasedPayload, EventBatch, EventSink, PayloadRow } from '@auditrail/core';

/** Filters shared by search, requests and cost. Every value reaches SQL as a query parameter. */
export interface EventFilter {
  tenant?: string;
  user?: string;
  session?: string;
  requestId?: string;
  /** Event type, e.g. `llm.completion`. */
  type?: string;
  /** Matches the request or the response model. */
  model?: string;
  since?: Date;
  until?: Date;
  /** Any of these event types, e.g. `['llm.completion', 'llm.embedding']`. */
  types?: readonly string[];
  /**
   * Decimal USD; on events for `search`, on the request total for `requests`. Costs are after
   * corrections: an event's latest `cost.correction`, if any, replaces its recorded cost.
   */
  minCost?: string;
  /** Default 100, at most 100000. */
  limit?: number;
}

export interface RequestSummary {
  request_id: string;
  tenant_id: string;
  user_id: string;
  session_id: string;
  first_at: string;
  last_at: string;
  events: number;
  llm_calls: number;
  tool_calls: number;
  cost_usd: string;
  unpriced: number;
}

export type CostGroup = 'user' | 'tenant' | 'model' | 'day';

/** Where an event sits: its stream and sequence number (unique in a store). */
export interface StreamPosition {
  stream_id: string;
  seq: number;
}

/** The latest `cost.correction` of one event. */
export interface CorrectionRow extends StreamPosition {
  /** The corrected cost, decimal USD, and where its price came from. */
  cost_usd: string;
  price_source: string;
  /** The event id of the latest correction, and how many corrections the event has had. */
  correction_event_id: string;
  corrections: number;
}

export interface ScanOptions {
  /** Continue after this position (keyset paging in stream order). */
  after?: StreamPosition;
  /** Records per page. Default 10000, at most 100000. */
  limit?: number;
}

export interface CostRow {
  key: string;
  cost_usd: string;
  /** LLM events counted, and those among them without a price (their cost is unknown, not zero). */
  calls: number;
  unpriced: number;
  input_tokens: number;
  output_tokens: number;
}

export interface StreamSummary {
  stream_id: string;
  events: number;
  first_seq: number;
  last_seq: number;
}

/** A stored event whose columns no longer equal what its record derives. */
export interface ColumnDrift {
  stream_id: string;
  seq: number;
  columns: string[];
}

/**
 * An event whose payload row is gone (`missing`: no row with its digest) or no longer the content
 * it committed to (`altered`: a row with its digest whose nonce and content hash to something else).
 * A removal recorded by an erasure or retention purge (`Store.erasures`) shows up as `missing` too:
 * telling the two apart is the verifier's work.
 */
export interface PayloadProblem extends StreamPosition {
  digest: string;
  problem: 'missing' | 'altered';
}

export interface PayloadProblemOptions {
  /**
   * Incremental check: only events at or past these positions in their streams, and every event of
   * a stream not listed. Default: every event.
   */
  after?: readonly StreamPosition[];
  /** Only the events at these positions. */
  at?: readonly StreamPosition[];
  /**
   * Leave out the events at these positions whose payload row is missing under exactly this digest
   * (removals a recorded erasure names: the verifier accounts for them itself, so they never fill
   * the limit). An altered row is always returned.
   */
  exclude?: readonly (StreamPosition & { readonly digest: string })[];
  /** Default 10000, at most 100000. */
  limit?: number;
}

/** A stored `audit.erasure` or `audit.retention_purge` event and the payload rows it names. */
export interface RecordedErasure extends StreamPosition {
  event_id: string;
  event_type: string;
  /** RFC 3339 UTC, microseconds. */
  observed_at: string;
  payloads: ErasedPayload[];
}

/** A stream's `audit.stream_open` event: where it is, and the data its writer declared (unchecked JSON). */
export interface StreamOpening extends StreamPosition {
  data: unknown;
}

/** What `readChain` returns per row besides seq and prev_hash. */
export type ChainRead = 'records' | 'leaf-hashes';

/**
 * The audit store: append-only writes of sealed batches, and the reads the CLI and verify need.
 * Both connections (embedded chDB and ClickHouse server) run the same SQL behind it.
 */
export interface Store extends EventSink {
  readonly kind: 'embedded' | 'server';
  readonly database: string;
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  append(batch: EventBatch): Promise<void>;
  /** Every event of one request (or one trace), oldest first. */
  trace(by: { requestId: string } | { traceId: string }): Promise<AuditRecord[]>;
  /** Events matching the filter, newest first. */
  search(filter: EventFilter): Promise<AuditRecord[]>;
  /** Requests matching the filter, with their total cost; `minCost` applies to the total. */
  requests(filter: EventFilter): Promise<RequestSummary[]>;
  /** Cost of LLM calls per group. */
  cost(by: CostGroup, filter: EventFilter): Promise<CostRow[]>;
  /**
   * The latest cost correction of each of these events that has one. Records are never changed:
   * every cost that `search` (min cost), `requests` and `cost` compute already takes the latest
   * correction of each event instead of its recorded cost; this tells which events that is.
   */
  latestCorrections(positions: readonly StreamPosition[]): Promise<CorrectionRow[]>;
  /** Events matching the filter in stream order (stream_id, seq), a page at a time; `limit` and `minCost` of the filter are ignored. */
  scan(filter: EventFilter, options?: ScanOptions): Promise<AuditRecord[]>;
  streams(): Promise<StreamSummary[]>;
  /** A stream's last seq + 1 (0 when it has no event): the most events a checkpoint of it can cover. One primary-key range read. */
  streamLength(streamId: string): Promise<number>;
  /**
   * Rows of a stream with `fromSeq <= seq < toSeq`, in seq order, for verification: with the raw
   * records (`'records'`, the default), or with the leaf hash the database computes from each
   * record (`'leaf-hashes'`: a tenth of the bytes to move, hashed on the database's cores).
   */
  readChain(streamId: string, fromSeq: number, toSeq: number, read?: ChainRead): Promise<ChainRow[]>;
  /**
   * Events whose derived columns were changed after insert (at most `limit`, default 1000): by
   * default found through derived_hash (a cheap column scan); with `deep`, by comparing every column
   * with its record. With `after`, only events at or past the seq given for their stream, and every
   * event of a stream not listed (what an incremental verify has not seen yet).
   */
  columnDrift(options?: { limit?: number; deep?: boolean; after?: readonly StreamPosition[] }): Promise<ColumnDrift[]>;
  /** Derived columns no longer MATERIALIZED from the record, or derived_hash out of the sorting key. */
  schemaDrift(): Promise<string[]>;
  payloads(digests: readonly string[]): Promise<PayloadRow[]>;
  /**
   * Events whose payload row is missing or altered, in stream order (at most `limit`). Each stored
   * row's nonce and content are hashed in the database and compared with its digest.
   */
  payloadProblems(options?: PayloadProblemOptions): Promise<PayloadProblem[]>;
  /** Every erasure and retention purge stored, in stream order, with the payload rows each names. */
  erasures(): Promise<RecordedErasure[]>;
  /** Every `audit.stream_open` event (through the event_type skip index), with its data. */
  streamOpenings(): Promise<StreamOpening[]>;
  /**
   * Removes payload rows by digest; events are never touched. Store the `audit.erasure` or
   * `audit.retention_purge` event naming them first (`erasureEvent` of @auditrail/core): a crash in
   * between then leaves a recorded removal not yet done (run it again), never an unrecorded one.
   * Refuses (StoreError `QUERY`, nothing removed) when a digest is named by no stored erasure.
   * Rows are rewritten out of the active data before it returns; the engine unlinks the old files
   * after `old_parts_lifetime` (default 8 minutes).
   */
  erasePayloads(digests: readonly string[]): Promise<void>;
  /** Stores signed checkpoints; idempotent (the same checkpoints stored twice are stored once). */
  appendCheckpoints(records: readonly CheckpointRecord[]): Promise<void>;
  /** Stored checkpoints, by stream and size (and signing time); of one stream, or of all. */
  checkpoints(options?: { streamId?: string; minSize?: number }): Promise<CheckpointRecord[]>;
  /** Where an event is: its stream and seq, or undefined when no stored event has that id. */
  locate(eventId: string): Promise<StreamPosition | undefined>;
  close(): Promise<void>;
}
