import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { UnsealedRecord } from '../src/index.ts';

/** A complete unsealed record; tests override what they look at. */
export function unsealed(overrides: Partial<UnsealedRecord> = {}): UnsealedRecord {
  return {
    v: 1,
    event_id: '01937a5e-7a6b-7c2d-8e9f-0a1b2c3d4e5f',
    event_type: 'llm.completion',
    started_at: '2026-11-24T12:00:00.000000001Z',
    ended_at: '2026-11-24T12:00:01.5Z',
    duration_ms: 1500,
    tenant_id: 'acme',
    user_id: 'user-1',
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
    attributes: { 'gen_ai.operation.name': 'chat' },
    payload: null,
    ...overrides,
  };
}

/**
 * The record an event of auditrail's own is expected to be: a fresh UUIDv7, null wherever the
 * event states nothing (it is part of no request or trace), no attributes and no payload. Written
 * out here, not taken from `ownEvent`, so that a test of the builder can fail.
 */
export function expectedOwnEvent(fields: Partial<UnsealedRecord> & Pick<UnsealedRecord, 'event_type' | 'name' | 'tenant_id' | 'service' | 'data'>): unknown {
  return {
    v: 1,
    event_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    started_at: null,
    ended_at: null,
    duration_ms: null,
    user_id: null,
    session_id: null,
    request_id: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    status: 'ok',
    error_type: null,
    operation: null,
    provider: null,
    request_model: null,
    response_model: null,
    usage: null,
    cost_usd: null,
    price_source: null,
    attributes: {},
    payload: null,
    ...fields,
  };
}

/** A small seeded PRNG (mulberry32): the generated values are the same on every run. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A file of the shared test vectors, in `shared/vectors/` beside the repository (as in CI). */
export function vectorsFile(name: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'vectors', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`shared/vectors/${name} not found beside the repository: clone it next to the shared/ folder`);
}
