import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '../span-types.js';
import {
  computeCost,
  type EventType,
  formatHrTime,
  hrDurationMs,
  type JsonValue,
  type PriceTable,
  type ServiceInfo,
  type UnsealedRecord,
  uuidv7,
} from '@auditrail/core';
import { semconv as sc } from '@auditrail/instrumentation';
import type { CapturedLog } from '../logs/captured-log.js';
import { contentValue, str, toJson, wellFormed } from './attribute-values.js';
import { isContentKey } from './content-keys.js';
import { dialectOf } from './dialects/detect.js';
import { withField } from './dialects/record-data.js';
import { contentOfLogs } from './dialects/otel-openai-logs.js';
import type { ContentKey, DerivedContent, Normalized, SpanView } from './dialects/types.js';
import type { NestedCalls } from './nested-calls.js';
import type { RecentEvents } from '../recent-events.js';

export { eventTypeOf } from './dialects/detect.js';

const STATUS = ['unset', 'ok', 'error'] as const;
const DERIVED_KEYS: readonly ContentKey[] = [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
];

/**
 * What a span becomes: the record before sealing, and the content kept beside it. `record.payload`
 * is null until the writer commits to the content (a fresh record: the writer fills it in place).
 */
export interface ConvertedSpan {
  readonly record: UnsealedRecord;
  readonly payload: { [key: string]: JsonValue } | null;
}

/** Where the log records of a span wait for it (`AuditLogRecordProcessor`). */
export interface LogContentSource {
  take(span: object, traceId: string, spanId: string): CapturedLog[] | undefined;
}

export interface ConvertContext {
  readonly tenantId: string;
  readonly prices: readonly PriceTable[];
  /** GenAI log records captured for spans, when a log record processor is attached. */
  readonly logs?: LogContentSource | undefined;
  /** Model calls nested in model calls (one call seen by two instrumentations). */
  readonly nested?: NestedCalls | undefined;
  /** Event ids of recently sealed spans: a decision's record names the calls it rests on by event id too. */
  readonly recent?: RecentEvents | undefined;
}

/** The service a span's resource names (`service.name`, `service.version`, deployment environment). */
export function serviceOf(span: ReadableSpan): ServiceInfo {
  const res = span.resource.attributes;
  // Keys in canonical (sorted) order, like every object a record is built from: see core's canonicalJson.
  return {
    environment: str(res, 'deployment.environment.name', 'deployment.environment'),
    name: str(res, 'service.name'),
    version: str(res, 'service.version'),
  };
}

/** The parent span id under OTel SDK 2.x (`parentSpanContext`) and 1.x (`parentSpanId`). */
function parentOf(span: ReadableSpan): string | null {
  return span.parentSpanContext?.spanId ?? span.parentSpanId ?? null;
}

/** The instrumentation scope under OTel SDK 2.x (`instrumentationScope`) and 1.x (`instrumentationLibrary`). */
function scopeOf(span: ReadableSpan): string | undefined {
  return span.instrumentationScope?.name ?? span.instrumentationLibrary?.name;
}

/**
 * Splits a span's attributes: content (messages, tool arguments and results, in any dialect)
 * moves to the payload as the exact text recorded; everything else stays in the record as it came.
 */
function splitAttributes(a: Attributes): { attributes: { [key: string]: JsonValue }; payload: { [key: string]: JsonValue } | null } {
  const attributes: { [key: string]: JsonValue } = {};
  let payload: { [key: string]: JsonValue } | null = null;
  // In sorted order, so both objects are built in canonical order (see core's canonicalJson).
  for (const key of Object.keys(a).sort()) {
    if (isContentKey(key)) (payload ??= {})[wellFormed(key)] = contentValue(a[key]);
    else attributes[wellFormed(key)] = toJson(a[key]);
  }
  return { attributes, payload };
}

/**
 * Adds the normalized content to the payload under the semconv attribute names, as JSON text like
 * a semconv span carries it, wherever the span has no such attribute of its own; the keys added
 * are listed in `auditrail.derived`. The log records the content came from are kept whole in
 * `auditrail.log_records`.
 */
function withDerived(payload: { [key: string]: JsonValue } | null, fromSpan: DerivedContent, logs: CapturedLog[] | undefined): { [key: string]: JsonValue } | null {
  const fromLogs = logs === undefined || logs.length === 0 ? {} : contentOfLogs(logs);
  const derived: string[] = [];
  for (const key of DERIVED_KEYS) {
    const value = fromSpan[key] ?? fromLogs[key];
    if (value === undefined || payload?.[key] !== undefined) continue;
    (payload ??= {})[key] = JSON.stringify(value);
    derived.push(key);
  }
  if (derived.length > 0) payload!['auditrail.derived'] = derived;
  if (logs !== undefined && logs.length > 0) {
    (payload ??= {})['auditrail.log_records'] = logs.map((l) => ({ event_name: l.eventName, time: l.time, attributes: l.attributes, body: l.body }));
  }
  return payload;
}

/**
 * Accounts a model call once when two instrumentations saw it (see `NestedCalls`): the inner span
 * reports to the outer and keeps no usage of its own; the outer takes what the inner measured.
 */
function accountOnce(span: ReadableSpan, type: EventType, n: Normalized, nested: NestedCalls | undefined): Normalized {
  if (nested === undefined || (type !== 'llm.completion' && type !== 'llm.embedding')) return n;
  const outer = nested.outerOf(span);
  if (outer !== null) {
    nested.report(span, { usage: n.usage, responseModel: n.responseModel, responseId: typeof n.data['response_id'] === 'string' ? n.data['response_id'] : null });
    return { ...n, usage: null, data: withField(n.data, 'duplicate_of', outer) };
  }
  const inner = nested.reportsFor(span);
  if (inner === undefined) return n;
  return {
    ...n,
    usage: inner.usage ?? n.usage,
    responseModel: n.responseModel ?? inner.responseModel,
    data: n.data['response_id'] === null && inner.responseId !== null ? { ...n.data, response_id: inner.responseId } : n.data,
  };
}

/**
 * Turns an ended span into an audit record, whatever GenAI dialect it speaks: the dialect's
 * attributes are normalized into the record's fields; content attributes (messages, tool arguments
 * and results) move to the payload, where the normalized semconv content is added beside them;
 * every other attribute is kept as it came.
 */
export function spanToEvent(span: ReadableSpan, type: EventType, ctx: ConvertContext): ConvertedSpan {
  const a = span.attributes;
  const view: SpanView = { name: span.name, attributes: a, scope: scopeOf(span) };
  const { traceId, spanId } = span.spanContext();
  const n = accountOnce(span, type, dialectOf(view).normalize(view, type), ctx.nested);
  const basedOn = n.data['based_on'];
  const data = type === 'decision' && ctx.recent !== undefined && Array.isArray(basedOn) ? withField(n.data, 'based_on_event_ids', ctx.recent.eventIds(basedOn)) : n.data;
  const split = splitAttributes(a);
  const payload = withDerived(split.payload, n.content, ctx.logs?.take(span, traceId, spanId));
  const priced = (type === 'llm.completion' || type === 'llm.embedding') && n.data['duplicate_of'] === undefined;
  const cost = priced ? computeCost(ctx.prices, n.provider, n.responseModel ?? n.requestModel, n.usage) : { cost_usd: null, price_source: null };
  const status = STATUS[span.status.code] ?? 'unset';
  return {
    record: {
      v: 1,
      event_id: uuidv7(),
      event_type: type,
      started_at: formatHrTime(span.startTime),
      ended_at: formatHrTime(span.endTime),
      duration_ms: hrDurationMs(span.startTime, span.endTime),
      tenant_id: ctx.tenantId,
      user_id: str(a, sc.ATTR_USER_ID, 'enduser.id', 'ai.telemetry.metadata.userId'),
      session_id: str(a, sc.ATTR_SESSION_ID, sc.ATTR_GEN_AI_CONVERSATION_ID, 'ai.telemetry.metadata.sessionId'),
      request_id: str(a, sc.ATTR_AUDITRAIL_REQUEST_ID),
      trace_id: traceId,
      span_id: spanId,
      parent_span_id: parentOf(span),
      name: wellFormed(span.name.slice(0, 1024)),
      service: serviceOf(span),
      status,
      error_type: str(a, sc.ATTR_ERROR_TYPE) ?? (status === 'error' ? '_OTHER' : null),
      operation: n.operation,
      provider: n.provider,
      request_model: n.requestModel,
      response_model: n.responseModel,
      usage: n.usage,
      cost_usd: cost.cost_usd,
      price_source: cost.price_source,
      data,
      attributes: split.attributes,
      payload: null,
    },
    payload,
  };
}
