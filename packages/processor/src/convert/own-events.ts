import type { EventType, JsonValue, ServiceInfo, UnsealedRecord } from '@auditrail/core';
import { uuidv7 } from '@auditrail/core';

/** A record of auditrail's own (stream open, load shed, conversion failure). */
export function ownEvent(type: EventType, name: string, tenantId: string, service: ServiceInfo, data: { [key: string]: JsonValue }, status: 'ok' | 'error' = 'ok'): Omit<UnsealedRecord, 'payload'> {
  return {
    v: 1,
    event_id: uuidv7(),
    event_type: type,
    started_at: null,
    ended_at: null,
    duration_ms: null,
    tenant_id: tenantId,
    user_id: null,
    session_id: null,
    request_id: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    name,
    service,
    status,
    error_type: status === 'error' ? 'auditrail.conversion' : null,
    operation: null,
    provider: null,
    request_model: null,
    response_model: null,
    usage: null,
    cost_usd: null,
    price_source: null,
    data,
    attributes: {},
  };
}
