import { type EventBatch, type SealedRecord, StreamSequencer, type UnsealedRecord } from '@auditrail/core';

/** A complete unsealed LLM-call record; tests override what they look at. */
export function llmCall(overrides: Partial<UnsealedRecord> = {}): UnsealedRecord {
  return {
    v: 1,
    event_id: '01937a5e-7a6b-7c2d-8e9f-0a1b2c3d4e5f',
    event_type: 'llm.completion',
    started_at: '2026-11-24T12:00:00.000000001Z',
    ended_at: '2026-11-24T12:00:01.5Z',
    duration_ms: 1500,
    tenant_id: 'acme',
    user_id: 'alice',
    session_id: 'sess-1',
    request_id: 'req-1',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    parent_span_id: null,
    name: 'chat gpt-4o-mini',
    service: { name: 'agent', version: '1.0.0', environment: 'test' },
    status: 'ok',
    error_type: null,
    operation: 'chat',
    provider: 'openai',
    request_model: 'gpt-4o-mini',
    response_model: 'gpt-4o-mini-2024-07-18',
    usage: { input_tokens: 100, output_tokens: 20, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null },
    cost_usd: '0.000027',
    price_source: 'auditrail-builtin@2026-11-01',
    data: {},
    attributes: {},
    payload: null,
    ...overrides,
  };
}

/** Seals records into one stream at fixed microsecond times (one millisecond apart from `startMicros`). */
export function sealAll(records: UnsealedRecord[], streamId = 'stream-1', startMicros = Date.UTC(2026, 10, 24, 12) * 1000): SealedRecord[] {
  let t = startMicros;
  const seq = new StreamSequencer({ streamId, clock: () => (t += 1000) });
  return records.map((r) => seq.seal(r));
}

export function batchOf(sealed: SealedRecord[], token = `${sealed[0]!.record.stream_id}:${sealed[0]!.record.seq}`): EventBatch {
  return { token, records: sealed.map((s) => s.canonical), payloads: [] };
}
