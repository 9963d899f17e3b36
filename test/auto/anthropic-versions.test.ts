import { createRequire } from 'node:module';
import AnthropicV0 from 'anthropic-v0';
import AnthropicV039 from 'anthropic-v039';
import { isWrapped } from '@opentelemetry/instrumentation';
import { type AuditRecord, computeCost } from '@auditrail/core';
import type { Store } from '@auditrail/clickhouse';
import { withRequestContext } from '@auditrail/instrumentation';
import { createMessage, type MessageObject, type MessageStreamEvent, type MockProvider, type ServedExchange, startMockProvider } from '@auditrail/mock-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation } from '../../packages/instrumentation/src/anthropic/index.ts';
import { deltaText, outputOf, payloadContent, semconvUsage } from './fixtures/anthropic-harness.ts';
import { type AuditedApp, auditedApp, freshStore } from '../support/audited-app.ts';

/**
 * The core scenarios against the 0.x SDKs apps still run, patched with manuallyInstrument — the
 * same instrumentation instance patches both, side by side:
 *
 * - 0.137: the 1.x layout (`core/api-promise`, native fetch), and it traces itself
 *   (`anthropic.messages.create`): the instrumentation must replace that span, as on 1.x;
 * - 0.39: the old layout (`core.js` APIPromise, `_shims` over node-fetch), no tracing of its own.
 */

delete process.env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'];

const API_KEY = `sk-ant-api03-${'V3rs-K3y_'.repeat(11)}abcd${'AA'}`;
const MODEL = 'claude-haiku-4-5';

type Json = Record<string, any>;
/** The part of the client the scenarios use, the same in both versions. */
interface MessagesResource {
  create(body: Json, options?: Json): Promise<any> & { withResponse(): Promise<{ data: any }> };
  stream(body: Json, options?: Json): { on(event: 'text', listener: (text: string) => void): unknown; finalMessage(): Promise<any> };
}
interface Client {
  messages: MessagesResource;
  beta: { messages: MessagesResource };
}
type ClientClass = new (options: Json) => Client;

/** The ESM builds imported above, and the versions installed, by alias. */
const AnthropicEsm = { 'anthropic-v0': AnthropicV0, 'anthropic-v039': AnthropicV039 } as unknown as Record<string, { Messages: { prototype: Json } }>;
const VERSIONS: Record<string, string> = { 'anthropic-v0': '0.137.0', 'anthropic-v039': '0.39.0' };

const instrumentation = new AnthropicInstrumentation({ captureMessageContent: true });
instrumentation.manuallyInstrument(AnthropicV0);
instrumentation.manuallyInstrument(AnthropicV039);

let mock: MockProvider;
let store: Store;
let app: AuditedApp;

beforeAll(async () => {
  mock = await startMockProvider();
  store = await freshStore();
  app = auditedApp({ sink: store, tenantId: 'fallback' });
  instrumentation.setTracerProvider(app.provider);
});
afterAll(async () => {
  await app.provider.shutdown();
  await store.close();
  await mock.close();
});
afterEach(() => instrumentation.setConfig({ captureMessageContent: true }));

/** Runs `fn` in a request context of its own; returns its value, the exchanges served and the records written. */
async function record<T>(requestId: string, fn: () => Promise<T>): Promise<{ value: T; served: ServedExchange[]; events: AuditRecord[] }> {
  mock.clearServed();
  const value = await withRequestContext({ requestId }, fn);
  await app.provider.forceFlush();
  return { value, served: mock.served.filter((x) => x.path.startsWith('/v1/messages')), events: await store.trace({ requestId }) };
}

/** The content attributes of a record's payload, parsed. */
const content = (e: AuditRecord) => payloadContent(store, e);

/** What one completed call's record must say, from the message the mock answered with. */
function recorded(m: MessageObject) {
  return { event_type: 'llm.completion', name: `chat ${MODEL}`, provider: 'anthropic', request_model: MODEL, response_model: m.model, response_id: m.id, finish_reasons: [m.stop_reason], usage: semconvUsage(m.usage), status: 'unset', error_type: null };
}

function summary(e: AuditRecord) {
  return { event_type: e.event_type, name: e.name, provider: e.provider, request_model: e.request_model, response_model: e.response_model, response_id: e.data['response_id'], finish_reasons: e.data['finish_reasons'], usage: e.usage, status: e.status, error_type: e.error_type };
}

const POLICY = `You are a travel assistant. ${'Answer briefly and cite the tool you used. '.repeat(40)}`;
const TOOLS = ['get_weather', 'get_time'].map((name) => ({ name, description: `${name} in a city`, input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }));
const TOOL_DEFINITIONS = TOOLS.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.input_schema }));

describe.each([
  ['0.137', AnthropicV0 as unknown as ClientClass, true],
  ['0.39', AnthropicV039 as unknown as ClientClass, false],
])('@anthropic-ai/sdk %s', (version, Anthropic, tracesItself) => {
  let client: Client;
  // Made after the app's tracer provider is registered: 0.137's own tracing is then live.
  beforeAll(() => {
    client = new Anthropic({ baseURL: mock.anthropicUrl, apiKey: API_KEY, maxRetries: 0 });
  });

  it('messages.create: tool_use, tool_result follow-up and prompt caching, recorded as served, one span per call', async () => {
    const question = 'Use get_weather and get_time for Paris, please';
    const system = [{ type: 'text', text: POLICY, cache_control: { type: 'ephemeral' } }];
    const r = await record(`req-tools-${version}`, async () => {
      const first = await client.messages.create({ model: MODEL, max_tokens: 512, system, tools: TOOLS, messages: [{ role: 'user', content: question }] });
      const results: Json[] = first.content.map((b: Json) => ({ type: 'tool_result', tool_use_id: b['id'], content: b['name'] === 'get_weather' ? 'sunny, 21°C' : '14:05' }));
      // A second breakpoint on the latest turn: the system prompt is read from the cache, the turns since are written.
      results.at(-1)!['cache_control'] = { type: 'ephemeral' };
      const second = await client.messages.create({
        model: MODEL,
        max_tokens: 512,
        system,
        tools: TOOLS,
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: first.content },
          { role: 'user', content: results },
        ],
      });
      return [first, second] as MessageObject[];
    });
    const served = r.served.map((x) => x.response as MessageObject);
    expect(r.value).toEqual(served);
    const [first, second] = served as [MessageObject, MessageObject];
    expect(first.content.map((b) => b.type)).toEqual(['tool_use', 'tool_use']);
    expect([second.usage.cache_read_input_tokens, second.usage.cache_creation_input_tokens].every((n) => n > 0)).toBe(true);
    expect(r.events.map(summary)).toEqual(served.map(recorded));
    for (const [i, e] of r.events.entries()) {
      const m = served[i]!;
      expect(e.attributes).toMatchObject({
        'anthropic.usage.input_tokens': m.usage.input_tokens,
        'anthropic.usage.cache_read_input_tokens': m.usage.cache_read_input_tokens,
        'anthropic.usage.cache_creation_input_tokens': m.usage.cache_creation_input_tokens,
        'anthropic.request.id': expect.stringMatching(/^req_[0-9a-f]{32}$/),
      });
      expect(e.cost_usd).not.toBeNull();
      expect(e.cost_usd).toBe(computeCost([], 'anthropic', m.model, e.usage).cost_usd);
    }
    const toolCalls = outputOf(first)[0]!.parts;
    const ids = first.content.map((b) => (b.type === 'tool_use' ? b.id : null));
    expect(await content(r.events[0]!)).toEqual({
      'gen_ai.system_instructions': [{ type: 'text', content: POLICY }],
      'gen_ai.tool.definitions': TOOL_DEFINITIONS,
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: question }] }],
      'gen_ai.output.messages': outputOf(first),
    });
    expect(await content(r.events[1]!)).toEqual({
      'gen_ai.system_instructions': [{ type: 'text', content: POLICY }],
      'gen_ai.tool.definitions': TOOL_DEFINITIONS,
      'gen_ai.input.messages': [
        { role: 'user', parts: [{ type: 'text', content: question }] },
        { role: 'assistant', parts: toolCalls },
        {
          role: 'user',
          parts: [
            { type: 'tool_call_response', id: ids[0], response: 'sunny, 21°C' },
            { type: 'tool_call_response', id: ids[1], response: '14:05' },
          ],
        },
      ],
      'gen_ai.output.messages': outputOf(second),
    });
  });

  it('create stream: true and messages.stream().finalMessage(): one record each, whole at the end', async () => {
    const body = { model: MODEL, max_tokens: 256, tools: TOOLS, messages: [{ role: 'user', content: 'get_time and get_weather in Tokyo' }] };
    const r = await record(`req-stream-${version}`, async () => {
      const events: Json[] = [];
      for await (const event of (await client.messages.create({ ...body, stream: true })) as AsyncIterable<Json>) events.push(event);
      const helper = client.messages.stream({ model: MODEL, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Describe Porto in one sentence' }] });
      const texts: string[] = [];
      helper.on('text', (t) => texts.push(t));
      const final = await helper.finalMessage();
      return { events, final, texts };
    });
    expect(r.served.map((x) => x.stream)).toEqual([true, true]);
    const [streamed, helper] = r.served.map((x) => createMessage(x.request)) as [MessageObject, MessageObject];
    expect(r.value.events).toEqual((r.served[0]!.response as MessageStreamEvent[]).filter((x) => x.type !== 'ping'));
    // 0.137 adds the structured-output field of messages.parse() to the final message.
    expect(r.value.final).toEqual(version === '0.137' ? { ...helper, parsed_output: null } : helper);
    expect(r.value.texts.join('')).toBe(helper.content[0]!.type === 'text' ? helper.content[0]!.text : null);
    expect(streamed.content.map((b) => b.type)).toEqual(['tool_use', 'tool_use']);
    expect(r.events.map(summary)).toEqual([streamed, helper].map(recorded));
    expect(r.events.map((e) => e.attributes['auditrail.call.aborted'] ?? null)).toEqual([null, null]);
    expect((await content(r.events[0]!))['gen_ai.output.messages']).toEqual(outputOf(streamed));
    expect(await content(r.events[1]!)).toEqual({
      'gen_ai.system_instructions': [{ type: 'text', content: 'Be brief.' }],
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Describe Porto in one sentence' }] }],
      'gen_ai.output.messages': outputOf(helper),
    });
  });

  it('beta.messages.create and withResponse(): recorded like messages.create', async () => {
    const r = await record(`req-beta-${version}`, async () => {
      const beta = await client.beta.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'beta hello' }], betas: ['context-1m-2025-08-07'] });
      const { data } = await client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'with response' }] }).withResponse();
      return [beta, data] as MessageObject[];
    });
    const served = r.served.map((x) => x.response as MessageObject);
    expect(r.value).toEqual(served);
    expect(r.events.map(summary)).toEqual(served.map(recorded));
  });

  it('an API error by its SDK class; a stream the server cut, recorded as aborted with what arrived', async () => {
    const body = { max_tokens: 128, messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper' }] };
    const r = await record(`req-errors-${version}`, async () => {
      const error = await client.messages.create({ ...body, model: 'mock-error-429' }).catch((e: Error) => e.constructor.name);
      let text = '';
      const cut = await (async () => {
        try {
          for await (const event of (await client.messages.create({ ...body, model: 'mock-stream-abort', stream: true })) as AsyncIterable<Json>) {
            if (event['type'] === 'content_block_delta') text += event['delta'].text;
          }
          return null;
        } catch (e) {
          return e as Error;
        }
      })();
      return { error, cut, text };
    });
    expect(r.value.error).toBe('RateLimitError');
    const [, cutServed] = r.served as [ServedExchange, ServedExchange];
    expect(cutServed.aborted).toBe('server');
    expect(r.value.cut).toBeInstanceOf(Error);
    expect(r.value.text).toBe(deltaText(cutServed));
    expect(r.value.text).not.toBe('');
    const [start] = cutServed.response as MessageStreamEvent[];
    const partial = start!['message'] as MessageObject;
    expect(r.events.map((e) => [e.event_type, e.request_model, e.status, e.error_type, e.attributes['auditrail.call.aborted'] ?? false, e.usage, e.data['response_id'] ?? null])).toEqual([
      ['llm.completion', 'mock-error-429', 'error', 'RateLimitError', false, null, null],
      // Native fetch fails a cut body with `TypeError: terminated`; node-fetch (0.39) with a plain Error: the conventions' `_OTHER`.
      ['llm.completion', 'mock-stream-abort', 'error', version === '0.39' ? '_OTHER' : 'TypeError', true, { ...semconvUsage(partial.usage), output_tokens: null }, partial.id],
    ]);
    expect((await content(r.events[1]!))['gen_ai.output.messages']).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: r.value.text }] }]);
  });

  it(`with sdkSpans: 'keep', ${tracesItself ? "the SDK's own span is there too" : 'there is no SDK span to keep'}`, async () => {
    instrumentation.setConfig({ captureMessageContent: true, sdkSpans: 'keep' });
    const r = await record(`req-native-${version}`, () => client.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'kept' }] }));
    // Kept, 0.137's own span is a second GenAI span, a child of the recorded call: what the other tests' one record per call rules out.
    const chat = r.events.find((e) => e.name === `chat ${MODEL}`)!;
    expect(r.events.map((e) => [e.name, e.parent_span_id === chat.span_id])).toEqual(tracesItself ? [['anthropic.messages.create', true], [`chat ${MODEL}`, false]] : [[`chat ${MODEL}`, false]]);
  });
});

// The require hook checks SUPPORTED_VERSIONS: the CommonJS builds (separate classes from the ESM
// builds imported above) are patched when a CommonJS app requires them. The aliases resolve to
// `…/node_modules/@anthropic-ai/sdk`, so the hook sees the package by its own name and version.
it('the require hook patches the 0.x CommonJS builds (SUPPORTED_VERSIONS covers them)', async () => {
  const load = createRequire(import.meta.url);
  const r = await record('req-require', async () => {
    const ids: string[] = [];
    for (const alias of ['anthropic-v0', 'anthropic-v039']) {
      const { Anthropic } = load(alias) as { Anthropic: ClientClass & { Messages: { prototype: Json }; Beta: { Messages: { prototype: Json } } } };
      const { VERSION } = load(`${alias}/version`) as { VERSION: string };
      expect([VERSION, Anthropic.Messages.prototype['create'] === AnthropicEsm[alias]!.Messages.prototype['create']]).toEqual([VERSIONS[alias], false]);
      expect([isWrapped(Anthropic.Messages.prototype['create']), isWrapped(Anthropic.Messages.prototype['stream']), isWrapped(Anthropic.Beta.Messages.prototype['create'])]).toEqual([true, true, true]);
      const client = new Anthropic({ baseURL: mock.anthropicUrl, apiKey: API_KEY, maxRetries: 0 });
      ids.push((await client.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: `required ${alias}` }] })).id);
    }
    return ids;
  });
  expect(r.value).toEqual(r.served.map((x) => (x.response as MessageObject).id));
  expect(r.events.map(summary)).toEqual(r.served.map((x) => recorded(x.response as MessageObject)));
});
