import { readdirSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { delimiter, join } from 'node:path';
import { type AuditRecord, computeCost, type JsonValue } from '@auditrail/core';
import type { Store } from '@auditrail/clickhouse';
import { withAgentInvocation, withRequestContext } from '@auditrail/instrumentation';
import { expect } from 'vitest';

/** Fake credentials shaped like real ones: they must never reach a record. */
export const OPENAI_KEY = 'sk-proj-Xq7vT2mN8pR4sW1yZ6bC3dF9gH5jK0lA2eU8iO4nM7qS1tV6';
export const ANTHROPIC_KEY = 'sk-ant-api03-Zt4mQ8vN2pR6sW9yB3cD7fG1hJ5kL0aE4iO8uT2nM6qS1xV3-AbCdEf12';

/** A system prompt long enough (> 4096 bytes) for the mock to serve cached input tokens. */
export const LONG_SYSTEM = `You are the weather desk of a travel agency. ${'Answer briefly, name the city, and never invent a forecast. '.repeat(80)}`;

export const WEATHER_PARAMETERS = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };

/** The request context every dialect test runs its calls in. */
export const REQUEST = { userId: 'alice', sessionId: 'sess-42', tenantId: 'acme' } as const;

/**
 * Runs `fn` as one request (`requestId`, plus REQUEST's user, session and tenant) inside an
 * `invoke_agent weather-agent` span of our own: every third-party span must hang beneath it.
 */
export function inRequest<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  return withRequestContext({ requestId, ...REQUEST }, () => withAgentInvocation({ name: 'weather-agent' }, fn));
}

/** The events of one request, oldest first, with the payload of each parsed (null when it has none). */
export async function requestEvents(store: Store, requestId: string): Promise<{ events: AuditRecord[]; payloads: Map<AuditRecord, { [key: string]: JsonValue } | null> }> {
  const events = await store.trace({ requestId });
  const rows = await store.payloads(events.flatMap((e) => (e.payload ? [e.payload.digest] : [])));
  const byDigest = new Map(rows.map((r) => [r.digest, JSON.parse(r.content) as { [key: string]: JsonValue }]));
  return { events, payloads: new Map(events.map((e) => [e, e.payload ? (byDigest.get(e.payload.digest) ?? null) : null])) };
}

/** A payload's semconv content attribute (JSON text, as a semconv span carries it), parsed. */
export function content(payload: { [key: string]: JsonValue } | null | undefined, key: string): unknown {
  const v = payload?.[key];
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/** Every event of the request carries the request context, the app's service, and hangs beneath `parent` in its trace. */
export function expectRequestContext(events: AuditRecord[], requestId: string): void {
  for (const e of events) {
    expect([e.request_id, e.user_id, e.session_id, e.tenant_id]).toEqual([requestId, REQUEST.userId, REQUEST.sessionId, REQUEST.tenantId]);
    expect(e.service).toEqual({ name: 'test-agent', version: '2.3.4', environment: 'test' });
  }
}

/** The agent span of our own is the root; `children` are its direct children, in its trace. */
export function expectChildrenOf(agent: AuditRecord, children: AuditRecord[]): void {
  expect(agent.parent_span_id).toBeNull();
  for (const e of children) expect([e.trace_id, e.parent_span_id]).toEqual([agent.trace_id, agent.span_id]);
}

/** The cost the pricer gives for an event's provider, model and usage: never null for the priced models the tests use. */
export function expectPriced(e: AuditRecord): void {
  const expected = computeCost([], e.provider, e.response_model ?? e.request_model, e.usage);
  expect(expected.cost_usd).not.toBeNull();
  expect([e.cost_usd, e.price_source]).toEqual([expected.cost_usd, expected.price_source]);
}

/** No content in the record: the content keys of every dialect are absent from its attributes, and no key is. */
export function expectNoContentInRecord(e: AuditRecord): void {
  const text = JSON.stringify(e);
  expect(text).not.toContain(OPENAI_KEY);
  expect(text).not.toContain(ANTHROPIC_KEY);
  for (const key of Object.keys(e.attributes)) {
    expect(key).not.toMatch(/^(gen_ai\.(input|output)\.messages|gen_ai\.system_instructions|gen_ai\.tool\.(definitions|call\.(arguments|result))|gen_ai\.(prompt|completion)(\.|$)|llm\.(input_messages|output_messages|tools|invocation_parameters)|input\.value|output\.value|embedding\.embeddings|ai\.prompt|ai\.response\.(text|toolCalls|providerMetadata)|ai\.toolCall\.(args|result)|ai\.values?$|ai\.embeddings?$)/);
  }
}

/**
 * The pnpm install this repository was developed on left `tslib` unlinked for OpenLLMetry's
 * packages (their CommonJS builds `require('tslib')`): point Node's CommonJS resolution at the
 * store's copy when, and only when, it cannot be found. A correct install makes this a no-op.
 */
export function ensureTslibResolvable(): void {
  const require = createRequire(import.meta.url);
  const traceloop = require.resolve('@traceloop/instrumentation-openai');
  try {
    createRequire(traceloop).resolve('tslib');
  } catch {
    const store = traceloop.slice(0, traceloop.indexOf('/.pnpm/') + '/.pnpm/'.length);
    const version = readdirSync(store).find((d) => d.startsWith('tslib@'));
    if (version === undefined) return;
    process.env['NODE_PATH'] = [join(store, version, 'node_modules'), process.env['NODE_PATH']].filter(Boolean).join(delimiter);
    (require('node:module') as { _initPaths(): void })._initPaths();
  }
}

/**
 * Lets third-party packages that publish a `source` export condition load inside vitest, whose
 * workers run with `--conditions source` for our workspace packages (see
 * third-party-conditions.mjs). Import such packages dynamically after calling this.
 */
export function resolveThirdPartyWithoutSourceCondition(): void {
  register('./third-party-conditions.mjs', import.meta.url);
}
