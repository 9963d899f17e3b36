import { type Attributes, SpanKind } from '@opentelemetry/api';
import { contextAttributes, safely, tracer } from './run-span.js';
import { json } from './values.js';
import * as sc from './semconv.js';
import type { DecisionOptions, SpanReference } from './types.js';

/**
 * Records a decision the system made — its outcome, and the calls it rests on — as a `decision`
 * span of auditrail's own. Returns a reference later decisions can rest on. Never throws.
 *
 * @example
 * recordDecision({ name: 'refund', outcome: 'approved', basedOn: [llmCall, policyLookup], policyVersion: 'refunds-v3', confidence: 0.92 });
 */
export function recordDecision(options: DecisionOptions): SpanReference | undefined {
  let ref: SpanReference | undefined;
  safely(() => {
    const a: Attributes = {
      ...contextAttributes(),
      [sc.ATTR_AUDITRAIL_EVENT_TYPE]: 'decision',
      [sc.ATTR_AUDITRAIL_DECISION_NAME]: options.name,
      [sc.ATTR_AUDITRAIL_DECISION_OUTCOME]: options.outcome,
    };
    if (options.basedOn) a[sc.ATTR_AUDITRAIL_DECISION_BASED_ON] = options.basedOn.map((r) => `${r.traceId}-${r.spanId}`);
    const inputs = json(options.inputs);
    if (inputs !== undefined) a[sc.ATTR_AUDITRAIL_DECISION_INPUTS] = inputs;
    if (options.policyVersion !== undefined) a[sc.ATTR_AUDITRAIL_DECISION_POLICY_VERSION] = options.policyVersion;
    if (options.modelVersion !== undefined) a[sc.ATTR_AUDITRAIL_DECISION_MODEL_VERSION] = options.modelVersion;
    if (options.confidence !== undefined) a[sc.ATTR_AUDITRAIL_DECISION_CONFIDENCE] = options.confidence;
    if (options.reviewer !== undefined) a[sc.ATTR_AUDITRAIL_DECISION_REVIEWER] = options.reviewer;
    const span = tracer().startSpan(`decision ${options.name}`, { kind: SpanKind.INTERNAL, attributes: a });
    const { traceId, spanId } = span.spanContext();
    ref = { traceId, spanId };
    span.end();
  });
  return ref;
}
