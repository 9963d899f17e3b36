import type { CheckpointSink, EventSink, PriceTable, RedactionConfig } from '@auditrail/core';

/** Receives the processor's own diagnostics. Defaults to OTel's `diag`. */
export interface ProcessorLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface AuditSpanProcessorOptions {
  /** Where sealed batches go, e.g. a `Store` from `@auditrail/clickhouse`. */
  sink: EventSink;
  /**
   * Tenant for events whose request context names none. Tenants come from this configuration or
   * the in-process request context, never from span attributes. Default `default`.
   */
  tenantId?: string;
  /** Stream id of this processor instance. Default: a fresh UUIDv7. */
  streamId?: string;
  /**
   * Local price tables (`{ source, prices: { 'provider/model': { input, output, cache_read?, cache_write? } } }`,
   * USD per million tokens), searched in order before the bundled `@pydantic/genai-prices` data.
   * Validated at construction: a malformed table throws naming the field.
   */
  prices?: PriceTable[];
  /** Spans and unwritten events held in memory at most; beyond it spans are shed, counted and recorded. Default 20000. */
  maxQueueSize?: number;
  /** Most events written to the sink in one batch. Default 10000. */
  maxBatchSize?: number;
  /** Spans sealed per tick on the app's thread, bounding each pause of its event loop. Default 256. */
  sealChunkSize?: number;
  /**
   * A write waits until this many events are sealed or the oldest has waited `batchLingerMillis`
   * (fewer, larger inserts: the store's cost per event halves from 1,000- to 10,000-row inserts).
   * Default 5000; forceFlush and shutdown never wait.
   */
  minBatchSize?: number;
  /** Default 200. 0 writes each chunk as soon as it is sealed. */
  batchLingerMillis?: number;
  /** Milliseconds between scheduled writes. Default 500. */
  scheduledDelayMillis?: number;
  /** Milliseconds forceFlush and shutdown wait for the sink. Default 30000. */
  exportTimeoutMillis?: number;
  /** First retry delay after a failed write, doubling up to 5 s. Default 100. */
  retryBackoffMillis?: number;
  /**
   * Redaction before anything is stored (DESIGN.md invariant 3): secrets always become typed
   * placeholders, PII follows the policy (by default `[EMAIL]`, `[PHONE]`, …); see
   * `RedactionConfig` in `@auditrail/core`. Applied to every event's attributes, data, name,
   * service and identity fields and to its payload, before it is sealed. Default `{}`: on, with the
   * default policy and no key (then nothing can be pseudonymized and records carry no digests).
   * The key is `redaction.key`, or else the environment variable `AUDITRAIL_REDACTION_KEY`; with
   * a key, PII in user and session ids is pseudonymized (`[EMAIL:3f9a2c1b]`) so per-user queries
   * keep working, and records carry keyed digests of what was changed.
   * `false` turns it off (for spans already redacted upstream). Validated at construction.
   */
  redaction?: RedactionConfig | false;
  /**
   * Redact in a worker thread (default `true`): off the app's thread, on another core. `false`
   * redacts in the processor's deferred work on the app's thread.
   */
  redactionWorker?: boolean;
  /** Where the redaction worker's entry file is, for a bundle that moved it (default: beside `@auditrail/core`'s own module). */
  redactionWorkerUrl?: URL;
  /**
   * Signed checkpoints of this processor's stream (DESIGN.md invariant 2): every `everyEvents`
   * durably written events, every `everyMillis` when any were written since, and at shutdown, the
   * processor signs a C2SP checkpoint (origin `<key name>/<stream id>`, size, Merkle root) with its
   * Ed25519 key, stores it beside the events (the `checkpoints` table, when the sink is a store) and
   * publishes it to `sinks` outside the database. The key is `key` (a signer key from
   * `auditrail keys generate`), else `$AUDITRAIL_CHECKPOINT_KEY`, else the file named by
   * `$AUDITRAIL_CHECKPOINT_KEY_FILE`; with none, checkpoints are off (a warning says so), and
   * `false` turns them off without one.
   */
  checkpoints?: CheckpointOptions | false;
  logger?: ProcessorLogger;
}

export interface CheckpointOptions {
  /** Signer key text, `PRIVATE+KEY+name+hash+base64`. Default: from the environment (see above). */
  key?: string;
  /** The log name before `/<stream id>` in each checkpoint's origin. Default: the key's name. */
  originPrefix?: string;
  /** Default 10000. */
  everyEvents?: number;
  /** Default 60000. */
  everyMillis?: number;
  /** Publication outside the database (file, syslog, HTTP; see `checkpointSinkFromUrl` in `@auditrail/core`). A sink that is down never stops ingest: its checkpoints are retried and counted. */
  sinks?: CheckpointSink[];
}

/** Counters of the processor, for health checks and tests. */
export interface ProcessorStats {
  readonly streamId: string;
  /** Spans turned into events. */
  readonly accepted: number;
  /** Events (including auditrail's own) durably written. */
  readonly written: number;
  /** Spans shed because the queue was full; each shedding is recorded as an `audit.load_shed` event. */
  readonly dropped: number;
  /** Events sealed or queued but not yet written. */
  readonly pending: number;
  /** Failed writes, each retried. */
  readonly writeFailures: number;
  /**
   * Checkpoints: signed, stored beside the events, failed stores (retried), dropped unstored (past
   * 1,000 waiting while the store refuses them, the oldest; later checkpoints cover them and the
   * publication sinks still have them), and per publication sink. Absent when checkpoints are off.
   */
  readonly checkpoints?: {
    readonly signed: number;
    readonly size: number;
    readonly stored: number;
    readonly storeFailures: number;
    readonly storeDropped: number;
    readonly sinks: readonly { readonly name: string; readonly published: number; readonly failedAttempts: number; readonly pending: number; readonly dropped: number }[];
  };
}
