import type { EventType } from './event-types.js';
import type { JsonValue, ServiceInfo, UnsealedRecord } from './schema.js';
import { uuidv7 } from '../ids.js';

/** What an event auditrail writes itself states; every field not named here is null (attributes `{}`). */
export interface OwnEventInput {
  readonly event_type: EventType;
  /** Default: the event type. */
  readonly name?: string;
  readonly tenant_id: string;
  /** The writer, e.g. `{ name: 'auditrail reprice', version: '0.1.0', environment: null }`. */
  readonly service: ServiceInfo;
  readonly data: { [key: string]: JsonValue };
  /** Default `'ok'`. */
  readonly status?: 'ok' | 'error';
  /** Default null. */
  readonly error_type?: string | null;
  /** The call the event is about (a cost correction names the corrected call's): default null. */
  readonly provider?: string | null;
  readonly request_model?: string | null;
  readonly response_model?: string | null;
  /** The cost the event states (a cost correction's new cost): default null. */
  readonly cost_usd?: string | null;
  readonly price_source?: string | null;
}

/**
 * The unsealed record of an event auditrail writes itself (stream open, load shed, a span that
 * could not be recorded, cost correction). It is part of no request or trace: no user, session,
 * request, trace or span ids, no times of its own (the sequencer stamps `observed_at`), no usage.
 *
 * @example ownEvent({ event_type: 'audit.stream_open', tenant_id: 'acme', service, data: { writer: '@auditrail/processor' } })
 */
export function ownEvent(input: OwnEventInput): UnsealedRecord {
  return {
    v: 1,
    event_id: uuidv7(),
    event_type: input.event_type,
    started_at: null,
    ended_at: null,
    duration_ms: null,
    tenant_id: input.tenant_id,
    user_id: null,
    session_id: null,
    request_id: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    name: input.name ?? input.event_type,
    service: input.service,
    status: input.status ?? 'ok',
    error_type: input.error_type ?? null,
    operation: null,
    provider: input.provider ?? null,
    request_model: input.request_model ?? null,
    response_model: input.response_model ?? null,
    usage: null,
    cost_usd: input.cost_usd ?? null,
    price_source: input.price_source ?? null,
    data: input.data,
    attributes: {},
    payload: null,
  };
}
