import type { Attributes } from '@opentelemetry/api';
import { EVENT_TYPES, type EventType, OWN_EVENT_TYPES } from '@auditrail/core';
import { semconv as sc } from '@auditrail/instrumentation';
import { openinference } from './openinference.js';
import { openllmetry } from './openllmetry.js';
import { semconv } from './semconv.js';
import type { Dialect, SpanView } from './types.js';
import { vercelAi } from './vercel-ai.js';

/** Event types an app span may claim: any but auditrail's own. */
const APP_EVENT_TYPES = new Set<string>(EVENT_TYPES.filter((t) => !OWN_EVENT_TYPES.has(t)));

/**
 * The order in which dialects are asked for a span's event type: the library-specific markers
 * first (`ai.operationId`, `openinference.span.kind`), then `gen_ai.operation.name`, then
 * OpenLLMetry's older `llm.request.type` / `traceloop.span.kind`.
 */
const BY_TYPE: readonly Dialect[] = [vercelAi, openinference, semconv, openllmetry];
/** The order in which they claim a span for normalization; semconv takes the rest. */
const BY_OWNER: readonly Dialect[] = [vercelAi, openinference, openllmetry, semconv];

/**
 * The event type a span produces, or undefined for spans the audit does not record. Runs on the
 * app's thread in `onEnd`: a handful of attribute lookups.
 */
export function eventTypeOf(attributes: Attributes): EventType | undefined {
  const own = attributes[sc.ATTR_AUDITRAIL_EVENT_TYPE];
  if (typeof own === 'string') {
    // auditrail's own events: an app span can never claim to be one.
    return APP_EVENT_TYPES.has(own) ? (own as EventType) : 'error';
  }
  for (const d of BY_TYPE) {
    const type = d.eventType(attributes);
    if (type !== undefined) return type;
  }
  return undefined;
}

/** The dialect that reads `span` (semconv when none claims it). */
export function dialectOf(span: SpanView): Dialect {
  if (typeof span.attributes[sc.ATTR_AUDITRAIL_EVENT_TYPE] === 'string') return semconv;
  return BY_OWNER.find((d) => d.owns(span)) ?? semconv;
}
