import { type Context, diag, isSpanContextValid, trace } from '@opentelemetry/api';
import { formatHrTime } from '@auditrail/core';
import { toJsonValue, wellFormed } from '../convert/attribute-values.js';
import type { CapturedLog } from './captured-log.js';
import { resolveLogOptions } from './config.js';
import type { LogContentStore } from './log-content-store.js';
import { attachLogContent } from './registry.js';
import type { AuditLogRecordProcessorOptions, LogRecordLike, LogRecordStats } from './types.js';

/** The span processor a log record processor joins content to (an `AuditSpanProcessor`). */
export interface LogJoinTarget {
  readonly streamId: string;
}

function eventNameOf(record: LogRecordLike): string | undefined {
  const name = record.eventName ?? record.attributes?.['event.name'];
  return typeof name === 'string' && name.startsWith('gen_ai.') ? name : undefined;
}

function capture(record: LogRecordLike, eventName: string): CapturedLog {
  const attributes = toJsonValue(record.attributes ?? {});
  return {
    eventName: wellFormed(eventName),
    attributes: attributes !== null && typeof attributes === 'object' && !Array.isArray(attributes) ? attributes : {},
    body: toJsonValue(record.body) ?? null,
    time: record.hrTime === undefined ? new Date().toISOString() : formatHrTime([record.hrTime[0], record.hrTime[1]]),
  };
}

/**
 * An OTel `LogRecordProcessor` (structurally: no dependency on `@opentelemetry/sdk-logs`) that
 * joins GenAI log events to their span's audit record. Instrumentations that put message content
 * in log records rather than on spans — the official `@opentelemetry/instrumentation-openai` emits
 * `gen_ai.user.message`, `gen_ai.choice`, … and `gen_ai.client.inference.operation.details` —
 * have that content reach the record's payload, in the same semconv structure as everywhere else,
 * with the original records kept beside it (`auditrail.log_records`).
 *
 * Only records whose event name starts with `gen_ai.` and that carry a span context are kept;
 * everything else passes by untouched. Records wait for their span in a bounded, time-limited
 * buffer (see the options); what is late, evicted or dropped is counted in `stats()`. Never throws
 * into the app.
 *
 * @example
 * const audit = new AuditSpanProcessor({ sink: store });
 * new NodeTracerProvider({ spanProcessors: [audit] }).register();
 * logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [new AuditLogRecordProcessor(audit)] }));
 */
export class AuditLogRecordProcessor {
  readonly #store: LogContentStore;
  #warnedLate = false;

  constructor(spanProcessor: LogJoinTarget, options?: AuditLogRecordProcessorOptions) {
    this.#store = attachLogContent(spanProcessor, resolveLogOptions(options));
  }

  stats(): LogRecordStats {
    return this.#store.stats();
  }

  onEmit(record: LogRecordLike, context?: Context): void {
    try {
      const eventName = eventNameOf(record);
      const sc = record.spanContext;
      if (eventName === undefined || sc === undefined || !isSpanContextValid({ ...sc, traceFlags: 0 })) return;
      const outcome = this.#store.add(this.#liveSpan(sc.spanId, context), sc.traceId, sc.spanId, capture(record, eventName));
      if (outcome === 'late' && !this.#warnedLate) {
        this.#warnedLate = true;
        diag.warn('auditrail: a GenAI log record came after its span was sealed; its content is not in the audit record (counted in stats().late)');
      }
    } catch {
      // Never into the app; a record that cannot be read is counted.
      this.#store.countDropped();
    }
  }

  /** Nothing of its own to flush: content is written with its span's record. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.#store.clear();
    return Promise.resolve();
  }

  /** The SDK span object the record was emitted under, when it is the record's span. */
  #liveSpan(spanId: string, context: Context | undefined): object | undefined {
    const span = context === undefined ? undefined : trace.getSpan(context);
    // Only an SDK span (one that has attributes) is the object the span processor will seal.
    if (span === undefined || span.spanContext().spanId !== spanId || !('attributes' in span)) return undefined;
    return span;
  }
}
