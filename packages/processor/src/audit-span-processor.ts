import { type Context, context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type EventBatch, type PayloadRow, type ServiceInfo, sealPayload, StreamSequencer } from '@auditrail/core';
import { getRequestContext, semconv as sc } from '@auditrail/instrumentation';
import { resolveProcessorConfig, type ResolvedProcessorConfig } from './config.js';
import { ownEvent } from './convert/own-events.js';
import { eventTypeOf, spanToEvent, type ConvertedSpan } from './convert/span-to-event.js';
import type { AuditSpanProcessorOptions, ProcessorLogger, ProcessorStats } from './types.js';
import { PACKAGE_VERSION } from './version.js';

const MAX_BACKOFF_MS = 5000;

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
  #queue: ReadableSpan[] = [];
  readonly #sealed: EventBatch[] = [];
  #sealedEvents = 0;
  #accepted = 0;
  #written = 0;
  #dropped = 0;
  #unrecordedDrops = 0;
  #writeFailures = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | undefined;
  #opened = false;
  #warnedDrop = false;
  #failing = false;
  #shutdown: Promise<void> | undefined;

  constructor(options: AuditSpanProcessorOptions) {
    this.#config = resolveProcessorConfig(options);
    this.#logger = this.#config.logger ?? diagLogger;
    this.#sequencer = new StreamSequencer(this.#config.streamId === undefined ? {} : { streamId: this.#config.streamId });
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
      pending: this.#queue.length + this.#sealedEvents,
      writeFailures: this.#writeFailures,
    };
  }

  onStart(span: Span, parentContext: Context): void {
    const rc = getRequestContext(parentContext);
    if (rc === undefined) return;
    try {
      if (rc.tenantId !== undefined) this.#tenants.set(span, rc.tenantId);
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
    // Hot path: two attribute lookups and an array push. Everything else happens in #seal.
    if (eventTypeOf(span.attributes) === undefined) return;
    if (this.#shutdown !== undefined || this.#queue.length + this.#sealedEvents >= this.#config.maxQueueSize) {
      this.#drop();
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#config.maxBatchSize) this.#schedule(0);
    else if (this.#timer === undefined) this.#schedule(this.#config.scheduledDelayMillis);
  }

  /** Seals everything queued and waits until it is written (or the export timeout passes). */
  async forceFlush(): Promise<void> {
    this.#clearTimer();
    try {
      this.#seal();
    } catch (e) {
      this.#logger.error(`auditrail: sealing failed: ${(e as Error).message}`);
    }
    await this.#waitForWrites();
  }

  /** Idempotent: flushes what was accepted and stops accepting. Spans ended afterwards are counted as dropped. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.forceFlush().then(() => {
      const left = this.#sealedEvents;
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
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.#seal();
      } catch (e) {
        this.#logger.error(`auditrail: sealing failed: ${(e as Error).message}`);
      }
      void this.#write();
      if (this.#queue.length > 0) this.#schedule(this.#config.scheduledDelayMillis);
    }, delay);
    // Unref: an idle audit timer never keeps the app alive. Apps flush with shutdown().
    this.#timer.unref?.();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Converts queued spans and seals them into batches, in order. */
  #seal(): void {
    const spans = this.#queue;
    this.#queue = [];
    const size = this.#config.maxBatchSize;
    for (let i = 0; i < spans.length || (i === 0 && this.#unrecordedDrops > 0); i += size) {
      this.#sealBatch(spans.slice(i, i + size));
    }
  }

  #sealBatch(spans: ReadableSpan[]): void {
    const records: string[] = [];
    const payloads: PayloadRow[] = [];
    const firstSeq = this.#sequencer.nextSeq;
    const add = (converted: ConvertedSpan) => {
      let payloadRef = null;
      let content = null;
      if (converted.payload !== null) {
        content = sealPayload(converted.payload);
        payloadRef = { digest: content.digest, bytes: content.bytes };
      }
      const sealed = this.#sequencer.seal({ ...converted.record, payload: payloadRef });
      records.push(sealed.canonical);
      if (content !== null) {
        const r = sealed.record;
        payloads.push({ digest: content.digest, nonce: content.nonce, content: content.content, tenant_id: r.tenant_id, stream_id: r.stream_id, seq: r.seq, observed_at: r.observed_at });
      }
    };
    const service = spans[0] ? this.#serviceOf(spans[0]) : { name: null, version: null, environment: null };
    if (!this.#opened) {
      this.#opened = true;
      add({
        record: ownEvent('audit.stream_open', 'audit.stream_open', this.#config.tenantId, service, {
          writer: '@auditrail/processor',
          writer_version: PACKAGE_VERSION,
          max_queue_size: this.#config.maxQueueSize,
        }),
        payload: null,
      });
    }
    if (this.#unrecordedDrops > 0) {
      add({
        record: ownEvent('audit.load_shed', 'audit.load_shed', this.#config.tenantId, service, {
          dropped_spans: this.#unrecordedDrops,
          reason: this.#shutdown !== undefined ? 'after_shutdown' : 'queue_full',
          max_queue_size: this.#config.maxQueueSize,
        }),
        payload: null,
      });
      this.#unrecordedDrops = 0;
    }
    for (const span of spans) {
      const type = eventTypeOf(span.attributes)!;
      const tenantId = this.#tenants.get(span) ?? this.#config.tenantId;
      let converted: ConvertedSpan;
      try {
        converted = spanToEvent(span, type, { tenantId, prices: this.#config.priceTables });
      } catch (e) {
        converted = {
          record: ownEvent('error', span.name, tenantId, this.#serviceOf(span), { reason: `span could not be converted: ${(e as Error).message}`, span_name: span.name }, 'error'),
          payload: null,
        };
      }
      add(converted);
      this.#accepted++;
    }
    if (records.length === 0) return;
    this.#sealed.push({ token: `${this.streamId}:${firstSeq}`, records, payloads });
    this.#sealedEvents += records.length;
  }

  #serviceOf(span: ReadableSpan): ServiceInfo {
    const r = span.resource.attributes;
    const s = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : null);
    return { name: s('service.name'), version: s('service.version'), environment: s('deployment.environment.name') ?? s('deployment.environment') };
  }

  /** Writes sealed batches in order, one at a time, retrying a failed batch (same token) with backoff. */
  #write(): Promise<void> {
    this.#writing ??= (async () => {
      let backoff = this.#config.retryBackoffMillis;
      while (this.#sealed.length > 0) {
        const batch = this.#sealed[0]!;
        try {
          // The sink's own I/O (HTTP to ClickHouse) must not be traced back into this processor.
          await context.with(suppressTracing(context.active()), () => this.#config.sink.append(batch));
          this.#sealed.shift();
          this.#sealedEvents -= batch.records.length;
          this.#written += batch.records.length;
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

  async #waitForWrites(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      // Not unref-ed: the app asked to wait, so the process stays up until the writes or the timeout.
      timer = setTimeout(() => resolve('timeout'), this.#config.exportTimeoutMillis);
    });
    const result = await Promise.race([this.#write().then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.#logger.error(`auditrail: ${this.#sealedEvents} events not written within ${this.#config.exportTimeoutMillis} ms; still retrying`);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
