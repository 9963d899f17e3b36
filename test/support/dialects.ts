import type Anthropic from '@anthropic-ai/sdk';
import { type AuditRecord, computeCost, type JsonValue, type Usage } from '@auditrail/core';
import type { Store } from '@auditrail/clickhouse';
import { withAgentInvocation, withRequestContext } from '@auditrail/instrumentation';
import { type MockProvider, startMockProvider } from '@auditrail/mock-provider';
import type OpenAI from 'openai';
import { expect } from 'vitest';
import { type AuditedApp, auditedApp, freshStore } from './audited-app.ts';

/** Fake credentials shaped like real ones: they must never reach a record. */
export const OPENAI_KEY = 'sk-proj-Xq7vT2mN8pR4sW1yZ6bC3dF9gH5jK0lA2eU8iO4nM7qS1tV6';
export const ANTHROPIC_KEY = 'sk-ant-api03-Zt4mQ8vN2pR6sW9yB3cD7fG1hJ5kL0aE4iO8uT2nM6qS1xV3-AbCdEf12';

/** A system prompt long enough (> 4096 bytes) for the mock to serve cached input tokens. */
export const LONG_SYSTEM = `You are the weather desk of a travel agency. ${'Answer briefly, name the city, and never invent a forecast. '.repeat(80)}`;

export const WEATHER_PARAMETERS = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };
/** get_weather as a Chat Completions tool. */
export const WEATHER_TOOLS = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_PARAMETERS } }];
/** A question the mock answers with a get_weather call for Paris. */
export const WEATHER_QUESTION = 'What is the weather in Paris? Use get_weather.';
/** LONG_SYSTEM and WEATHER_QUESTION as semconv input messages. */
export const WEATHER_INPUT = [
  { role: 'system', parts: [{ type: 'text', content: LONG_SYSTEM }] },
  { role: 'user', parts: [{ type: 'text', content: WEATHER_QUESTION }] },
];

/** The request context every dialect test runs its calls in. */
export const REQUEST = { userId: 'alice', sessionId: 'sess-42', tenantId: 'acme' } as const;

/**
 * Runs `fn` as one request (`requestId`, plus REQUEST's user, session and tenant) inside an
 * `invoke_agent weather-agent` span of our own: every third-party span must hang beneath it.
 */
export function inRequest<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  return withRequestContext({ requestId, ...REQUEST }, () => withAgentInvocation({ name: 'weather-agent' }, fn));
}

/** What a dialect test installs its instrumentation into: the mock provider, and an audited app writing to a fresh store. */
export interface DialectRig {
  readonly mock: MockProvider;
  readonly store: Store;
  readonly app: AuditedApp;
}

/**
 * Starts the mock provider and an audited app writing to a fresh store. The app's fallback tenant
 * (`fallback-tenant`) never shows in a record: every call runs in REQUEST's context.
 */
export async function startRig(): Promise<DialectRig> {
  const mock = await startMockProvider();
  const store = await freshStore();
  return { mock, store, app: auditedApp({ sink: store, tenantId: 'fallback-tenant' }) };
}

/** Shuts the app down (its last spans written), then the mock and the store. */
export async function stopRig(rig: DialectRig): Promise<void> {
  await rig.app.provider.shutdown();
  await rig.mock.close();
  await rig.store.close();
}

type RequestEvents = { events: AuditRecord[]; payloads: Map<AuditRecord, { [key: string]: JsonValue } | null> };

/**
 * Runs `fn` as request `requestId` (inRequest), writes the app's spans, and reads back the
 * request's events with their payloads (requestEvents). With a mock, what it served before is
 * cleared first: its `served` then holds this request's calls only.
 */
export async function recordRequest<T>(rig: { readonly app: AuditedApp; readonly store: Store; readonly mock?: MockProvider }, requestId: string, fn: () => Promise<T>): Promise<{ result: T } & RequestEvents> {
  rig.mock?.clearServed();
  const result = await inRequest(requestId, fn);
  await rig.app.provider.forceFlush();
  return { result, ...(await requestEvents(rig.store, requestId)) };
}

/**
 * A tool loop of two chat calls with WEATHER_TOOLS: LONG_SYSTEM and WEATHER_QUESTION (the mock
 * answers with a get_weather call), then the same with that call and its result `{"tempC":21}`
 * appended. `params` go into both requests.
 */
export async function weatherToolLoop(
  client: OpenAI,
  params: Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, 'model' | 'messages' | 'tools'>,
): Promise<{ first: OpenAI.Chat.Completions.ChatCompletion; second: OpenAI.Chat.Completions.ChatCompletion }> {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
    { role: 'system', content: LONG_SYSTEM },
    { role: 'user', content: WEATHER_QUESTION },
  ];
  const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: WEATHER_TOOLS, ...params });
  const call = first.choices[0]!.message.tool_calls![0]!;
  messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"tempC":21}' });
  const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: WEATHER_TOOLS, ...params });
  return { first, second };
}

/**
 * The events of a weatherToolLoop request: its two chat calls, named `name`, then our agent span
 * as their parent, all in the request's context. Returns the two calls and the agent.
 */
export function expectToolLoopEvents(events: AuditRecord[], requestId: string, name: string): [AuditRecord, AuditRecord, AuditRecord] {
  expect(events.map((e) => [e.event_type, e.name, e.operation])).toEqual([
    ['llm.completion', name, 'chat'],
    ['llm.completion', name, 'chat'],
    ['agent.invoke', 'invoke_agent weather-agent', 'invoke_agent'],
  ]);
  const [c1, c2, agent] = events as [AuditRecord, AuditRecord, AuditRecord];
  expectChildrenOf(agent, [c1, c2]);
  expectRequestContext(events, requestId);
  return [c1, c2, agent];
}

/** A streamed chat call, 'Tell me about Lyon', with the usage chunk asked for; returns the text streamed. */
export async function streamLyon(client: OpenAI): Promise<string> {
  let text = '';
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Tell me about Lyon' }] });
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

/** The record's usage of a chat completion when the instrumentation records input and output tokens only (cached tokens stay inside input_tokens, not broken out). */
export function inputOutputUsage(u: OpenAI.CompletionUsage): Usage {
  return { input_tokens: u.prompt_tokens, output_tokens: u.completion_tokens, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null };
}

/** The record's usage of an Anthropic message: the semconv convention, input tokens including cache reads and writes (Anthropic's leave them out). */
export function anthropicUsage(u: Anthropic.Messages.Usage): Usage {
  return { input_tokens: u.input_tokens + u.cache_read_input_tokens! + u.cache_creation_input_tokens!, output_tokens: u.output_tokens, cache_read_tokens: u.cache_read_input_tokens, cache_write_tokens: u.cache_creation_input_tokens, reasoning_tokens: null };
}

/** The events of one request, oldest first, with the payload of each parsed (null when it has none). */
export async function requestEvents(store: Store, requestId: string): Promise<RequestEvents> {
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

