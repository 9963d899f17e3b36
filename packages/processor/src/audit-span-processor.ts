import { type Context, context, createContextKey, diag } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor, StartedSpan } from './span-types.js';
import { AuditrailError, CheckpointPublisher, type CheckpointRecord, Checkpointer, type EventBatch, type EventType, failClosed, ownEvent, type PayloadRow, RedactionThread, sealPayload, type SealedPayload, type ServiceInfo, StreamSequencer, type TreeHead, type UnsealedRecord, parseSignerKey } from '@auditrail/core';
import { getRequestContext, semconv as sc } from '@auditrail/instrumentation';
import { resolveProcessorConfig, type ResolvedProcessorConfig } from './config.js';
import { wellFormed } from './convert/attribute-values.js';
import { NestedCalls } from './convert/nested-calls.js';
import { eventTypeOf, serviceOf, spanToEvent, type ConvertedSpan } from './convert/span-to-event.js';
import { RecentEvents } from './recent-events.js';
import { logContentOf } from './logs/registry.js';
import type { AuditSpanProcessorOptions, ProcessorLogger, ProcessorStats } from './types.js';
import { PACKAGE_VERSION } from './version.js';

const MAX_BACKOFF_MS = 5000;
/**
 * Signed checkpoints held for the store while it refuses them (besides the batch being sent); past
 * `max` the oldest are dropped and counted: a later checkpoint of the stream covers everything an
 * older one does, and the publication sinks still have them. Internal (the package does not export
 * it): a test lowers it to reach the bound without a thousand inserts.
 */
export const unstoredCheckpointLimit = { max: 1000 };
/** Checkpoints the store is given per call (one call at a time, a failed one retried whole with the same records). */
const CHECKPOINT_STORE_BATCH = 100;

/**
 * The OTel SDK's suppress-tracing flag (`suppressTracing()` of @opentelemetry/core): the same
 * registered symbol in SDK 1.x, 2.x and 3.x, so no SDK package is needed to set it.
 */
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** Records sealed together, in seq order, waiting to be written. */
interface SealedChunk {
  /** performance.now() when sealed. */
  readonly sealedAt: number;
  readonly firstSeq: number;
  readonly records: string[];
  readonly payloads: PayloadRow[];
  /** The stream's Merkle tree after this chunk (when checkpoints are on). */
  readonly head: TreeHead | undefined;
}

/** A converted chunk in redaction; sealed once its payloads are known (and every chunk before it is sealed). */
interface RedactionStage {
  readonly events: ConvertedSpan[];
  payloads: (SealedPayload | null)[] | undefined;
  done: Promise<void>;
}

/** A batch being written: its events end before seq `end`; `head` is the tree at `end`. */
type Batch = EventBatch & { readonly end: number; readonly head: TreeHead | undefined };

const diagLogger: ProcessorLogger = { warn: (m) => diag.warn(m), error: (m) => diag.error(m) };

/**
 * An OTel `SpanProcessor` that turns ended GenAI and auditrail spans into audit events, seals them
 * in its own stream (seq, prev_hash, observed_at) and writes them in batches to a sink.
 *
 * On the app's thread, `onEnd` only checks the span's kind and queues it; conversion, hashing and
 * I/O happen later in a timer. Nothing is dropped silently: when the queue is full, spans are
 * counted and the loss is written as an `audit.load_shed` event. A sink that is down is retried
 * with backoff; the processor never throws into the app.
 *
 * Register it with a sampler that records every span (the SDK default, `AlwaysOn`): a span that
 * is not sampled never reaches any processor.
 *
 * @example
 * const store = await createStore({ kind: 'embedded', path: './.auditrail' });
 * const provider = new NodeTracerProvider({ spanProcessors: [new AuditSpanProcessor({ sink: store, tenantId: 'acme' })] });
 */
export class AuditSpanProcessor implements SpanProcessor {
  readonly #config: ResolvedProcessorConfig;
  readonly #logger: ProcessorLogger;
  readonly #sequencer: StreamSequencer;
  readonly #tenants = new WeakMap<object, string>();
  readonly #nested = new NestedCalls();
  readonly #recent = new RecentEvents();
  #queue: ReadableSpan[] = [];
  /** The event type of each queued span, as `onEnd` found it (so sealing does not detect it again). */
  readonly #types: EventType[] = [];
  /** Sealed chunks not yet in a write, in seq order. */
  readonly #chunks: SealedChunk[] = [];
  /** The batch being written (and retried with the same token until it is). */
  #inflight: Batch | undefined;
  /** Every event with seq below this is durably written (batches are written in seq order). */
  #durable = 0;
  /** Flushes waiting for the events up to their seq to be written. */
  readonly #waiters: { readonly seq: number; readonly resolve: () => void }[] = [];
  #sealedEvents = 0;
  #accepted = 0;
  #written = 0;
  #dropped = 0;
  #unrecordedDrops = 0;
  #writeFailures = 0;
  /** The next tick: after the scheduled delay, or soon (a full batch is waiting). */
  #timer: { readonly soon: boolean; cancel(): void } | undefined;
  #writing: Promise<void> | undefined;
  /** Ends a linger early (someone now waits for the writes). */
  #wake: (() => void) | undefined;
  #opened = false;
  #warnedDrop = false;
  #failing = false;
  #shutdown: Promise<void> | undefined;
  /** Redacts every event before it is sealed; undefined when turned off (`redaction: false`). */
  readonly #redaction: RedactionThread | undefined;
  /** Converted chunks in redaction, oldest first. */
  readonly #redacting: RedactionStage[] = [];
  #redactingEvents = 0;
  /** Signs checkpoints of the stream; undefined when checkpoints are off. */
  readonly #checkpointer: Checkpointer | undefined;
  /** Signed checkpoints waiting to be stored beside the events, oldest first (at most unstoredCheckpointLimit.max). */
  readonly #unstoredCheckpoints: CheckpointRecord[] = [];
  /** The checkpoints being stored (and retried, the same ones, until they are); older than every waiting one. */
  #storingCheckpoints: readonly CheckpointRecord[] = [];
  #checkpointStats = { signed: 0, stored: 0, storeFailures: 0, storeDropped: 0 };
  #checkpointTimer: ReturnType<typeof setInterval> | undefined;
  /** Publishes checkpoints outside the database; undefined without sinks. */
  #publisher: CheckpointPublisher | undefined;
  /** The checkpoints' own store loop, apart from the events' (#write): never awaited by it. */
  #storing: Promise<void> | undefined;
  /** Ends the checkpoint loop's backoff early (shutdown). */
  #checkpointWake: (() => void) | undefined;
  #checkpointBackoff: number;
  /** Since the checkpoints' store first failed, until it succeeds: the failure and the recovery are logged once each. */
  #checkpointsFailing = false;
  #warnedCheckpointsDropped = false;

  constructor(options: AuditSpanProcessorOptions) {
    this.#config = resolveProcessorConfig(options);
    this.#logger = this.#config.logger ?? diagLogger;
    try {
      const { redaction, redactionWorker, redactionWorkerUrl } = this.#config;
      this.#redaction = redaction === false ? undefined : new RedactionThread(redaction, { worker: redactionWorker, logger: this.#logger, ...(redactionWorkerUrl === undefined ? {} : { workerUrl: redactionWorkerUrl }) });
    } catch (e) {
      throw new TypeError(`AuditSpanProcessor ${e instanceof AuditrailError ? e.message : String(e)}`);
    }
    this.#sequencer = new StreamSequencer(this.#config.streamId === undefined ? {} : { streamId: this.#config.streamId });
    this.#checkpointBackoff = this.#config.retryBackoffMillis;
    this.#checkpointer = this.#makeCheckpointer();
  }

  #makeCheckpointer(): Checkpointer | undefined {
    const c = this.#config.checkpoints;
    if (c === false) return undefined;
    if (c.key === undefined) {
      this.#logger.warn(`auditrail: checkpoints are off: no signing key (checkpoints.key, $AUDITRAIL_CHECKPOINT_KEY or $AUDITRAIL_CHECKPOINT_KEY_FILE; \`auditrail keys generate\` makes one). Without signed checkpoints, verify cannot detect truncation or a re-chained stream.`);
      return undefined;
    }
    let checkpointer: Checkpointer;
    try {
      checkpointer = new Checkpointer({ signer: parseSignerKey(c.key), streamId: this.streamId, everyEvents: c.everyEvents, ...(c.originPrefix === undefined ? {} : { originPrefix: c.originPrefix }) });
    } catch (e) {
      throw new TypeError(`AuditSpanProcessor option checkpoints: ${e instanceof AuditrailError ? e.message : String(e)}`);
    }
    if (c.sinks.length > 0) {
      try {
        this.#publisher = new CheckpointPublisher(c.sinks, { logger: this.#logger });
      } catch (e) {
        throw new TypeError(`AuditSpanProcessor option checkpoints.sinks: ${(e as Error).message}`);
      }
    }
    // A checkpoint at least every everyMillis while events are written; unref-ed: never keeps the app alive.
    this.#checkpointTimer = setInterval(() => this.#checkpoint(true), c.everyMillis);
    this.#checkpointTimer.unref?.();
    return checkpointer;
  }

  /** Id of this processor's stream. */
  get streamId(): string {
    return this.#sequencer.streamId;
  }

  stats(): ProcessorStats {
    return {
      streamId: this.streamId,
      accepted: this.#accepted,
      written: this.#written,
      dropped: this.#dropped,
      pending: this.#queue.length + this.#redactingEvents + this.#sealedEvents,
      writeFailures: this.#writeFailures,
      ...(this.#checkpointer === undefined ? {} : { checkpoints: { ...this.#checkpointStats, size: this.#checkpointer.signedSize, sinks: this.#publisher?.stats().sinks ?? [] } }),
    };
  }

  /** Signs a checkpoint of what is durable now (`head`: the tree the last write made durable), when one is due (or any new event, when `force`). */
  #checkpoint(force: boolean, head?: TreeHead): void {
    try {
      const record = this.#checkpointer?.durable(head, force);
      if (record === undefined) return;
      this.#checkpointStats.signed++;
      // The sinks' own I/O (an HTTP POST) must not be traced back into this processor.
      if (this.#publisher !== undefined) context.with(context.active().setValue(SUPPRESS_TRACING, true), () => this.#publisher!.publish(record));
      if (this.#config.sink.appendCheckpoints !== undefined) {
        this.#unstoredCheckpoints.push(record);
        this.#trimCheckpoints();
        void this.#storeCheckpoints();
      }
    } catch (e) {
      this.#logger.error(`auditrail: signing a checkpoint failed: ${(e as Error).message}`);
    }
  }

  onStart(span: StartedSpan, parentContext: Context): void {
    this.#nested.onStart(span, parentContext);
    const rc = getRequestContext(parentContext);
    if (rc === undefined) return;
    try {
      if (rc.tenantId !== undefined) this.#tenants.set(span, wellFormed(rc.tenantId));
      // Spans of other instrumentations carry the request context too.
      const a = span.attributes;
      if (rc.requestId !== undefined && a[sc.ATTR_AUDITRAIL_REQUEST_ID] === undefined) span.setAttribute(sc.ATTR_AUDITRAIL_REQUEST_ID, rc.requestId);
      if (rc.userId !== undefined && a[sc.ATTR_USER_ID] === undefined) span.setAttribute(sc.ATTR_USER_ID, rc.userId);
      if (rc.sessionId !== undefined && a[sc.ATTR_SESSION_ID] === undefined) span.setAttribute(sc.ATTR_SESSION_ID, rc.sessionId);
    } catch {
      // Never into the app.
    }
  }

  onEnd(span: ReadableSpan): void {
    // Hot path: the event-type lookups (six misses for a span that is not GenAI) and two array
    // pushes. Everything else happens in #sealBatch.
    const type = eventTypeOf(span.attributes);
    if (type === undefined) return;
    if (this.#shutdown !== undefined || this.#queue.length + this.#redactingEvents + this.#sealedEvents >= this.#config.maxQueueSize) {
      this.#drop();
      return;
    }
    this.#queue.push(span);
    this.#types.push(type);
    // One timer at a time: the hot path never clears and re-arms timers span after span.
    if (this.#queue.length >= this.#config.sealChunkSize) {
      if (this.#timer?.soon !== true) this.#tickSoon();
    } else if (this.#timer === undefined) this.#schedule(this.#config.scheduledDelayMillis);
  }

  /** Seals everything queued and waits until it is written (or the export timeout passes). */
  forceFlush(): Promise<void> {
    return this.#flush(performance.now() + this.#config.exportTimeoutMillis);
  }

  /** forceFlush, waiting until `deadline` (a performance.now() time) at the latest. */
  async #flush(deadline: number): Promise<void> {
    this.#clearTimer();
    // What was queued when the flush was asked for: spans that keep arriving meanwhile go on in the
    // usual ticks, so a flush under sustained load still ends.
    let chunks = Math.max(1, Math.ceil(this.#queue.length / this.#config.sealChunkSize));
    while (chunks-- > 0 && (this.#queue.length > 0 || this.#unrecordedDrops > 0)) {
      this.#sealNext();
      void this.#write();
      // Yield between batches so the write of one batch overlaps the sealing of the next.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.#queue.length > 0 && this.#timer === undefined) this.#schedule(this.#config.scheduledDelayMillis);
    await this.#waitForWrites(deadline);
  }

  /**
   * Idempotent: flushes what was accepted and stops accepting. Spans ended afterwards are counted as
   * dropped. Resolves within about exportTimeoutMillis: one deadline for the writes, the last
   * checkpoint's store and the publication sinks, each getting what the one before left of it.
   */
  shutdown(): Promise<void> {
    const deadline = performance.now() + this.#config.exportTimeoutMillis;
    this.#shutdown ??= this.#flush(deadline).then(async () => {
      // The last checkpoint covers every event written, and is stored before the processor ends.
      clearInterval(this.#checkpointTimer);
      this.#checkpoint(true);
      await this.#waitForCheckpoints(deadline);
      await this.#publisher?.close(remaining(deadline));
      await this.#redaction?.close();
      const left = this.#redactingEvents + this.#sealedEvents;
      if (left > 0) this.#logger.error(`auditrail: shut down with ${left} events of stream ${this.streamId} not written`);
    });
    return this.#shutdown;
  }

  #drop(): void {
    this.#dropped++;
    this.#unrecordedDrops++;
    if (!this.#warnedDrop) {
      this.#warnedDrop = true;
      this.#logger.warn(`auditrail: audit queue full (${this.#config.maxQueueSize}); shedding spans, the count is recorded as an audit.load_shed event`);
    }
  }

  #schedule(delay: number): void {
    this.#clearTimer();
    const handle = setTimeout(() => this.#tick(), delay);
    // Unref: an idle audit timer never keeps the app alive. Apps flush with shutdown().
    handle.unref?.();
    this.#timer = { soon: false, cancel: () => clearTimeout(handle) };
  }

  /** Ticks right after pending I/O callbacks, so a store write that completed is seen first. */
  #tickSoon(): void {
    this.#clearTimer();
    // Not unref-ed: Node lets the event loop sleep in its poll phase while only unref-ed immediates
    // are pending, so an unref-ed tick waited for the app's next timer or I/O (~8 ms between chunks
    // under load: sealing stalled at ~16,000 spans/s with the main thread 25% idle). A chunk is
    // queued whenever this runs, and the chain ends once less than one chunk is left.
    const handle = setImmediate(() => this.#tick());
    this.#timer = { soon: true, cancel: () => clearImmediate(handle) };
  }

  /**
   * Seals one chunk and starts a write. While a full chunk is still queued the next tick comes
   * soon: sealing never holds the event loop for more than one chunk (256 spans, a few ms), and the
   * store inserts one batch while the next chunks are being sealed.
   */
  #tick(): void {
    this.#timer = undefined;
    this.#sealNext();
    void this.#write();
    if (this.#queue.length >= this.#config.sealChunkSize) this.#tickSoon();
    else if (this.#queue.length > 0) this.#schedule(this.#config.scheduledDelayMillis);
  }

  #clearTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /**
   * Converts the oldest chunk of queued spans (and any pending own record), then redacts it — in
   * the redaction worker, so the chunk is sealed when its answer comes — and seals it. Chunks are
   * sealed in the order they were converted, whatever order redaction finishes them in.
   */
  #sealNext(): void {
    const spans = this.#queue.splice(0, this.#config.sealChunkSize);
    const types = this.#types.splice(0, spans.length);
    let events: ConvertedSpan[];
    try {
      events = this.#convert(spans, types);
    } catch (e) {
      this.#logger.error(`auditrail: sealing failed: ${(e as Error).message}`);
      return;
    }
    if (events.length === 0) return;
    const redaction = this.#redaction;
    if (redaction === undefined) {
      // Redaction off: nothing is ever in a stage, so sealing in place keeps the order.
      this.#seal(events, events.map((e) => (e.payload === null ? null : sealPayload(e.payload))));
      return;
    }
    const stage: RedactionStage = { events, payloads: undefined, done: undefined! };
    this.#redacting.push(stage);
    this.#redactingEvents += events.length;
    stage.done = redaction
      .redact(events)
      .catch((e: unknown) => {
        // Never stuck, never unredacted: events whose redaction failed keep no content.
        this.#logger.error(`auditrail: redaction failed; ${events.length} events stored without their content: ${(e as Error).message}`);
        return events.map((e) => failClosed(e.record));
      })
      .then((payloads) => {
        stage.payloads = payloads;
        this.#sealRedacted();
      });
  }

  /** Seals the chunks whose redaction is done, oldest first, up to the first that is not. */
  #sealRedacted(): void {
    while (this.#redacting[0]?.payloads !== undefined) {
      const stage = this.#redacting.shift()!;
      this.#redactingEvents -= stage.events.length;
      try {
        this.#seal(stage.events, stage.payloads!);
      } catch (e) {
        this.#logger.error(`auditrail: sealing failed: ${(e as Error).message}`);
      }
    }
    void this.#write();
  }

  /** The chunk's events, unsealed: own records first (stream open, load shed), then one per span. */
  #convert(spans: ReadableSpan[], types: EventType[]): ConvertedSpan[] {
    const events: ConvertedSpan[] = [];
    const service = spans[0] ? serviceOf(spans[0]) : { name: null, version: null, environment: null };
    if (!this.#opened) {
      this.#opened = true;
      events.push({
        record: ownEvent({
          event_type: 'audit.stream_open',
          tenant_id: this.#config.tenantId,
          service,
          data: { checkpoints: this.#checkpointsDeclared(), max_queue_size: this.#config.maxQueueSize, writer: '@auditrail/processor', writer_version: PACKAGE_VERSION },
        }),
        payload: null,
      });
    }
    if (this.#unrecordedDrops > 0) {
      events.push({
        record: ownEvent({
          event_type: 'audit.load_shed',
          tenant_id: this.#config.tenantId,
          service,
          data: {
            dropped_spans: this.#unrecordedDrops,
            max_queue_size: this.#config.maxQueueSize,
            reason: this.#shutdown !== undefined ? 'after_shutdown' : 'queue_full',
          },
        }),
        payload: null,
      });
      this.#unrecordedDrops = 0;
    }
    const logs = logContentOf(this);
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      const type = types[i]!;
      const tenantId = this.#tenants.get(span) ?? this.#config.tenantId;
      try {
        const converted = spanToEvent(span, type, { tenantId, prices: this.#config.priceTables, logs, nested: this.#nested, recent: this.#recent });
        events.push(converted);
        const r = converted.record;
        if (r.trace_id !== null && r.span_id !== null) this.#recent.remember(r.trace_id, r.span_id, r.event_id);
      } catch (e) {
        // A span that cannot be converted becomes an error event instead (redacted like any other).
        try {
          events.push({ record: this.#errorEvent(tenantId, serviceOf(span), wellFormed(span.name), `span could not be recorded: ${wellFormed(String((e as Error).message))}`), payload: null });
        } catch {
          this.#drop();
          continue;
        }
      }
      this.#accepted++;
    }
    return events;
  }

  /**
   * What the stream's first event declares about its checkpoints (null when off): the origin, the
   * verifier key and how often. With that key trusted, verify reports a stream whose unsigned end
   * is longer than a healthy writer leaves (every_events + max_queue_size): checkpoints removed.
   */
  #checkpointsDeclared(): { every_events: number; every_millis: number; origin: string; verifier_key: string } | null {
    const c = this.#config.checkpoints;
    if (this.#checkpointer === undefined || c === false) return null;
    // Keys in canonical order (see StreamSequencer.seal).
    return { every_events: c.everyEvents, every_millis: c.everyMillis, origin: this.#checkpointer.origin, verifier_key: this.#checkpointer.verifierKey };
  }

  #errorEvent(tenantId: string, service: ServiceInfo, name: string, reason: string): UnsealedRecord {
    return ownEvent({ event_type: 'error', name, tenant_id: tenantId, service, status: 'error', error_type: 'auditrail.conversion', data: { reason, span_name: name } });
  }

  /** Seals redacted events in order: each takes the next seq of the stream. */
  #seal(events: readonly ConvertedSpan[], payloads: readonly (SealedPayload | null)[]): void {
    const records: string[] = [];
    const payloadRows: PayloadRow[] = [];
    const firstSeq = this.#sequencer.nextSeq;
    const add = (record: UnsealedRecord, content: SealedPayload | null) => {
      if (content !== null) record.payload = { bytes: content.bytes, digest: content.digest };
      const sealed = this.#sequencer.seal(record);
      this.#checkpointer?.append(sealed.hash);
      records.push(sealed.canonical);
      if (content !== null) {
        const r = sealed.record;
        payloadRows.push({ digest: content.digest, nonce: content.nonce, content: content.content, tenant_id: r.tenant_id, stream_id: r.stream_id, seq: r.seq, observed_at: r.observed_at });
      }
    };
    try {
      for (let i = 0; i < events.length; i++) {
        const record = events[i]!.record;
        try {
          add(record, payloads[i] ?? null);
        } catch (e) {
          // Sealing is atomic per record (seq advances only once a record is encoded), so an event
          // that cannot be encoded leaves no gap: it becomes an error event (from what redaction
          // left of it), and if even that fails it is counted as shed (and recorded as such).
          try {
            add(this.#errorEvent(record.tenant_id, record.service, record.name, `event could not be encoded: ${wellFormed(String((e as Error).message))}`), null);
          } catch {
            this.#drop();
          }
        }
      }
    } finally {
      // Whatever was sealed is kept even if something above threw: its seqs are taken.
      if (records.length > 0) {
        this.#chunks.push({ sealedAt: performance.now(), firstSeq, records, payloads: payloadRows, head: this.#checkpointer?.head() });
        this.#sealedEvents += records.length;
      }
    }
  }

  /**
   * Writes in order, one batch at a time. A batch takes every chunk sealed since the last write, up
   * to maxBatchSize events: under load, inserts grow large (ClickHouse's per-insert cost is what
   * limits throughput: 1,000-row inserts cost about twice as much per event as 10,000-row ones);
   * when idle, each chunk goes out as soon as it is sealed. A failed batch is retried whole, with
   * the same token, so a retry never duplicates it.
   */
  #write(): Promise<void> {
    this.#writing ??= (async () => {
      let backoff = this.#config.retryBackoffMillis;
      while (this.#inflight !== undefined || this.#chunks.length > 0) {
        if (this.#inflight === undefined) {
          const linger = this.#lingerMillis();
          if (linger > 0) {
            await sleepUnlessWoken(linger, (wake) => (this.#wake = wake));
            continue;
          }
        }
        const batch = (this.#inflight ??= this.#nextBatch());
        try {
          // The sink's own I/O (HTTP to ClickHouse) must not be traced back into this processor.
          await context.with(context.active().setValue(SUPPRESS_TRACING, true), () => this.#config.sink.append(batch));
          this.#inflight = undefined;
          this.#sealedEvents -= batch.records.length;
          this.#written += batch.records.length;
          this.#durable = batch.end;
          if (batch.head !== undefined) this.#checkpoint(false, batch.head);
          for (let i = this.#waiters.length - 1; i >= 0; i--) {
            if (this.#waiters[i]!.seq <= this.#durable) this.#waiters.splice(i, 1)[0]!.resolve();
          }
          backoff = this.#config.retryBackoffMillis;
          if (this.#failing) {
            this.#failing = false;
            this.#logger.warn(`auditrail: audit sink recovered; writing resumed`);
          }
        } catch (e) {
          this.#writeFailures++;
          if (!this.#failing) {
            this.#failing = true;
            this.#logger.error(`auditrail: audit sink write failed, retrying with backoff: ${(e as Error).message}`);
          }
          await sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      }
    })().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  /**
   * How long to wait before the next write, so that a busy stream writes fewer, larger batches
   * (each insert costs the store a fixed amount, and every part it creates is merged again later):
   * while fewer than minBatchSize events are sealed, wait until the oldest has waited
   * batchLingerMillis. Never while someone waits for the writes (forceFlush, shutdown).
   */
  #lingerMillis(): number {
    const { minBatchSize, batchLingerMillis } = this.#config;
    if (this.#waiters.length > 0 || this.#shutdown !== undefined || this.#sealedEvents >= minBatchSize) return 0;
    const waited = performance.now() - this.#chunks[0]!.sealedAt;
    return Math.max(0, batchLingerMillis - waited);
  }

  /** Merges the oldest sealed chunks into one batch of at most maxBatchSize events (at least one chunk). */
  #nextBatch(): Batch {
    const first = this.#chunks.shift()!;
    if (this.#chunks.length === 0) {
      return { token: `${this.streamId}:${first.firstSeq}`, records: first.records, payloads: first.payloads, end: first.firstSeq + first.records.length, head: first.head };
    }
    const records = [...first.records];
    const payloads = [...first.payloads];
    let head = first.head;
    while (this.#chunks.length > 0 && records.length + this.#chunks[0]!.records.length <= this.#config.maxBatchSize) {
      const next = this.#chunks.shift()!;
      for (const r of next.records) records.push(r);
      for (const p of next.payloads) payloads.push(p);
      head = next.head;
    }
    return { token: `${this.streamId}:${first.firstSeq}`, records, payloads, end: first.firstSeq + records.length, head };
  }

  /**
   * Stores the signed checkpoints beside the events, in their own loop: in order, one call at a
   * time, a failed call retried whole (the same records, so the store's insert token makes a retry
   * a no-op) after a backoff from retryBackoffMillis doubling to 5 s. The events' loop never waits
   * for it, so a checkpoints table that is slow, hangs or refuses them never holds back the events.
   */
  #storeCheckpoints(): Promise<void> {
    this.#storing ??= (async () => {
      // Whoever signed the checkpoint (the events' loop, a timer, shutdown) goes on before the store is called.
      await undefined;
      try {
        while (this.#storingCheckpoints.length > 0 || this.#unstoredCheckpoints.length > 0) {
          if (this.#storingCheckpoints.length === 0) this.#storingCheckpoints = this.#unstoredCheckpoints.splice(0, CHECKPOINT_STORE_BATCH);
          const records = this.#storingCheckpoints;
          try {
            await context.with(context.active().setValue(SUPPRESS_TRACING, true), () => this.#config.sink.appendCheckpoints!(records));
            this.#storingCheckpoints = [];
            this.#checkpointStats.stored += records.length;
            this.#checkpointBackoff = this.#config.retryBackoffMillis;
            if (this.#checkpointsFailing) {
              this.#checkpointsFailing = false;
              this.#warnedCheckpointsDropped = false;
              this.#logger.warn(`auditrail: storing checkpoints recovered; storing resumed`);
            }
          } catch (e) {
            this.#checkpointStats.storeFailures++;
            if (!this.#checkpointsFailing) {
              this.#checkpointsFailing = true;
              this.#logger.error(`auditrail: storing checkpoints failed, retrying with backoff: ${(e as Error).message}`);
            }
            const wait = this.#checkpointBackoff;
            this.#checkpointBackoff = Math.min(wait * 2, MAX_BACKOFF_MS);
            await sleepUnlessWoken(wait, (wake) => (this.#checkpointWake = wake));
          }
        }
      } finally {
        // At once when the loop ends (no microtask between): a checkpoint signed after it starts a new loop.
        this.#storing = undefined;
      }
    })();
    return this.#storing;
  }

  /** Drops the oldest waiting checkpoints past unstoredCheckpointLimit.max, counted, with one warning per outage. */
  #trimCheckpoints(): void {
    const { max } = unstoredCheckpointLimit;
    const over = this.#unstoredCheckpoints.length - max;
    if (over <= 0) return;
    this.#unstoredCheckpoints.splice(0, over);
    this.#checkpointStats.storeDropped += over;
    if (!this.#warnedCheckpointsDropped) {
      this.#warnedCheckpointsDropped = true;
      this.#logger.warn(`auditrail: more than ${max} checkpoints of stream ${this.streamId} not stored; dropping the oldest (counted as storeDropped; later checkpoints cover them, and the publication sinks have them)`);
    }
  }

  /** At shutdown: retries the store now and waits until the last checkpoints are stored, or `deadline` passes. */
  async #waitForCheckpoints(deadline: number): Promise<void> {
    if (this.#storing === undefined) return;
    this.#checkpointBackoff = this.#config.retryBackoffMillis;
    this.#checkpointWake?.();
    if (!(await settlesWithin(this.#storing, remaining(deadline)))) {
      this.#logger.error(`auditrail: ${this.#storingCheckpoints.length + this.#unstoredCheckpoints.length} checkpoints of stream ${this.streamId} not stored within ${this.#config.exportTimeoutMillis} ms`);
    }
  }

  /**
   * Waits until everything accepted so far is written — the chunks still in redaction are sealed
   * first, which gives them their seqs — or `deadline` passes: one deadline for both.
   */
  async #waitForWrites(deadline: number): Promise<void> {
    if (this.#redacting.length === 0 && this.#durable >= this.#sequencer.nextSeq) return;
    let waiter: { seq: number; resolve: () => void } | undefined;
    let gaveUp = false;
    const written = (async (): Promise<void> => {
      await Promise.all(this.#redacting.map((s) => s.done));
      const seq = this.#sequencer.nextSeq;
      // Past the deadline nobody waits any more: no waiter to leave behind.
      if (gaveUp || this.#durable >= seq) return;
      return new Promise<void>((resolve) => {
        waiter = { seq, resolve };
        this.#waiters.push(waiter);
        void this.#write();
        this.#wake?.();
      });
    })();
    if (!(await settlesWithin(written, remaining(deadline)))) {
      gaveUp = true;
      const i = waiter === undefined ? -1 : this.#waiters.indexOf(waiter);
      if (i >= 0) this.#waiters.splice(i, 1);
      this.#logger.error(`auditrail: ${this.#redactingEvents + this.#sealedEvents} events not written within ${this.#config.exportTimeoutMillis} ms; still retrying`);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/** A sleep of `ms` (its timer unref-ed: an idle wait never keeps the app alive) that the function handed to `setWake` ends early. */
function sleepUnlessWoken(ms: number, setWake: (wake: (() => void) | undefined) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      setWake(undefined);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref?.();
    setWake(done);
  });
}

/**
 * Whether `promise` settles within `ms`; the timer is cleared either way. Not unref-ed: the app
 * asked to wait, so the process stays up until the work is done or the time is up.
 */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds left until `deadline` (a performance.now() time), never negative. */
function remaining(deadline: number): number {
  return Math.max(0, deadline - performance.now());
}
