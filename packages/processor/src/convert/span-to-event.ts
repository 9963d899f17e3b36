import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  computeCost,
  EVENT_TYPES,
  type EventType,
  formatHrTime,
  hrDurationMs,
  type JsonValue,
  OPERATION_EVENT_TYPES,
  type PriceTable,
  type ServiceInfo,
  type UnsealedRecord,
  type Usage,
  uuidv7,
} from '@auditrail/core';
import { semconv as sc } from '@auditrail/instrumentation';
import { contentValue, int, num, str, strings, toJson, wellFormed } from './attribute-values.js';

const CONTENT = new Set(sc.CONTENT_ATTRIBUTES);
const APP_EVENT_TYPES = new Set<string>(EVENT_TYPES.filter((t) => !t.startsWith('audit.')));
const STATUS = ['unset', 'ok', 'error'] as const;

/** What a span becomes: the record before sealing, and the content kept beside it. */
export interface ConvertedSpan {
  readonly record: Omit<UnsealedRecord, 'payload'>;
  readonly payload: { [key: string]: JsonValue } | null;
}

export interface ConvertContext {
  readonly tenantId: string;
  readonly prices: readonly PriceTable[];
}

/** The event type a span produces, or undefined for spans the audit does not record. */
export function eventTypeOf(attributes: Attributes): EventType | undefined {
  const own = attributes[sc.ATTR_AUDITRAIL_EVENT_TYPE];
  if (typeof own === 'string') {
    // audit.* events are auditrail's own: an app span can never claim to be one.
    return APP_EVENT_TYPES.has(own) ? (own as EventType) : 'error';
  }
  const op = attributes[sc.ATTR_GEN_AI_OPERATION_NAME];
  if (typeof op !== 'string') return undefined;
  // An operation we do not know yet is still a GenAI call: recorded, never dropped.
  return OPERATION_EVENT_TYPES[op] ?? 'agent.invoke';
}

function usageOf(a: Attributes): Usage | null {
  const usage: Usage = {
    input_tokens: int(a, sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, 'gen_ai.usage.prompt_tokens'),
    output_tokens: int(a, sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, 'gen_ai.usage.completion_tokens'),
    cache_read_tokens: int(a, sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    cache_write_tokens: int(a, sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, 'gen_ai.usage.cache_write.input_tokens'),
    reasoning_tokens: int(a, sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
  };
  return Object.values(usage).every((v) => v === null) ? null : usage;
}

function dataOf(type: EventType, a: Attributes): { [key: string]: JsonValue } {
  switch (type) {
    case 'llm.completion':
    case 'llm.embedding':
      return {
        response_id: str(a, sc.ATTR_GEN_AI_RESPONSE_ID),
        finish_reasons: strings(a, sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS),
        temperature: num(a, sc.ATTR_GEN_AI_REQUEST_TEMPERATURE),
        max_tokens: int(a, sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS),
        top_p: num(a, sc.ATTR_GEN_AI_REQUEST_TOP_P),
      };
    case 'tool.call':
      return {
        tool_name: str(a, sc.ATTR_GEN_AI_TOOL_NAME),
        tool_call_id: str(a, sc.ATTR_GEN_AI_TOOL_CALL_ID),
        tool_type: str(a, sc.ATTR_GEN_AI_TOOL_TYPE),
      };
    case 'decision':
      return {
        decision_name: str(a, sc.ATTR_AUDITRAIL_DECISION_NAME),
        outcome: str(a, sc.ATTR_AUDITRAIL_DECISION_OUTCOME),
        based_on: strings(a, sc.ATTR_AUDITRAIL_DECISION_BASED_ON) ?? [],
        policy_version: str(a, sc.ATTR_AUDITRAIL_DECISION_POLICY_VERSION),
        model_version: str(a, sc.ATTR_AUDITRAIL_DECISION_MODEL_VERSION),
        confidence: num(a, sc.ATTR_AUDITRAIL_DECISION_CONFIDENCE),
        reviewer: str(a, sc.ATTR_AUDITRAIL_DECISION_REVIEWER),
      };
    default:
      return {};
  }
}

/** The service a span's resource names (`service.name`, `service.version`, deployment environment). */
export function serviceOf(span: ReadableSpan): ServiceInfo {
  const res = span.resource.attributes;
  return {
    name: str(res, 'service.name'),
    version: str(res, 'service.version'),
    environment: str(res, 'deployment.environment.name', 'deployment.environment'),
  };
}

/** The parent span id under OTel SDK 2.x (`parentSpanContext`) and 1.x (`parentSpanId`). */
function parentOf(span: ReadableSpan): string | null {
  const s = span as ReadableSpan & { parentSpanId?: string };
  return s.parentSpanContext?.spanId ?? s.parentSpanId ?? null;
}

/**
 * Turns an ended span into an audit record. Content attributes (messages, tool arguments and
 * results) move to the payload; every other attribute is kept as it came.
 */
export function spanToEvent(span: ReadableSpan, type: EventType, ctx: ConvertContext): ConvertedSpan {
  const a = span.attributes;
  const attributes: { [key: string]: JsonValue } = {};
  let payload: { [key: string]: JsonValue } | null = null;
  for (const key of Object.keys(a)) {
    if (CONTENT.has(key)) (payload ??= {})[key] = contentValue(a[key]);
    else attributes[wellFormed(key)] = toJson(a[key]);
  }
  const provider = str(a, sc.ATTR_GEN_AI_PROVIDER_NAME, sc.ATTR_GEN_AI_SYSTEM);
  const requestModel = str(a, sc.ATTR_GEN_AI_REQUEST_MODEL);
  const responseModel = str(a, sc.ATTR_GEN_AI_RESPONSE_MODEL);
  const usage = usageOf(a);
  const priced = type === 'llm.completion' || type === 'llm.embedding';
  const cost = priced ? computeCost(ctx.prices, provider, responseModel ?? requestModel, usage) : { cost_usd: null, price_source: null };
  const { traceId, spanId } = span.spanContext();
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
      user_id: str(a, sc.ATTR_USER_ID, 'enduser.id'),
      session_id: str(a, sc.ATTR_SESSION_ID, sc.ATTR_GEN_AI_CONVERSATION_ID),
      request_id: str(a, sc.ATTR_AUDITRAIL_REQUEST_ID),
      trace_id: traceId,
      span_id: spanId,
      parent_span_id: parentOf(span),
      name: wellFormed(span.name.slice(0, 1024)),
      service: serviceOf(span),
      status,
      error_type: str(a, sc.ATTR_ERROR_TYPE) ?? (status === 'error' ? '_OTHER' : null),
      operation: str(a, sc.ATTR_GEN_AI_OPERATION_NAME),
      provider,
      request_model: requestModel,
      response_model: responseModel,
      usage,
      cost_usd: cost.cost_usd,
      price_source: cost.price_source,
      data: dataOf(type, a),
      attributes,
    },
    payload,
  };
}
