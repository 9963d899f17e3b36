import * as anthropicModule from '@anthropic-ai/sdk';
import Anthropic from '@anthropic-ai/sdk';
import { trace } from '@opentelemetry/api';
import { type AuditRecord, computeCost } from '@auditrail/core';
import { type Store, verifyStore } from '@auditrail/clickhouse';
import { withAgentInvocation, withRequestContext, withToolCall } from '@auditrail/instrumentation';
import { createMessage, type MessageObject, type MessageStreamEvent, type MessageUsage, type MockProvider, type ServedExchange, startMockProvider } from '@auditrail/mock-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation } from '../../packages/instrumentation/src/anthropic/index.ts';
import { deltaText, outputOf, payloadContent, semconvUsage } from './fixtures/anthropic-harness.ts';
import { type AuditedApp, auditedApp, freshStore } from '../support/audited-app.ts';

delete process.env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'];

/** A fake key in Anthropic's shape: `sk-ant-api03-`, 93 base64url characters, `AA`. */
const API_KEY = `sk-ant-api03-${'T3st-K3y_'.repeat(11)}abcd${'AA'}`;
const MODEL = 'claude-haiku-4-5';

const instrumentation = new AnthropicInstrumentation({ captureMessageContent: true });
instrumentation.manuallyInstrument(anthropicModule);

let mock: MockProvider;
let client: Anthropic;
let app: AuditedApp;
let store: Store;
const stores: Store[] = [];

beforeAll(async () => {
  mock = await startMockProvider({ slowMs: 400 });
});
afterAll(async () => {
  await mock.close();
  for (const s of stores) await s.close();
});
afterEach(async () => {
  instrumentation.setConfig({ captureMessageContent: true });
  await app?.provider.shutdown();
});

/**
 * A fresh store and app, with the instrumentation sending to the app's tracer provider (as
 * registerInstrumentations does), and a client made after the provider is registered, as in an app:
 * its own native tracing (on by default) is then live.
 */
async function audited(): Promise<void> {
  store = await freshStore();
  stores.push(store);
  app = auditedApp({ sink: store, tenantId: 'fallback' });
  instrumentation.setTracerProvider(app.provider);
  client = new Anthropic({ baseURL: mock.anthropicUrl, apiKey: API_KEY, maxRetries: 0 });
  mock.clearServed();
}

async function events(requestId: string): Promise<AuditRecord[]> {
  await app.provider.forceFlush();
  return store.trace({ requestId });
}

/** The content attributes of an event, parsed. */
const content = (e: AuditRecord) => payloadContent(store, e);

function messagesServed(): ServedExchange[] {
  return mock.served.filter((x) => x.path === '/v1/messages');
}

/** Anthropic's own figures, kept beside the semconv ones. */
function rawUsage(u: MessageUsage) {
  return {
    'anthropic.usage.input_tokens': u.input_tokens,
    'anthropic.usage.cache_read_input_tokens': u.cache_read_input_tokens,
    'anthropic.usage.cache_creation_input_tokens': u.cache_creation_input_tokens,
    'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': u.cache_creation.ephemeral_5m_input_tokens,
    'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': u.cache_creation.ephemeral_1h_input_tokens,
    'anthropic.response.service_tier': u.service_tier,
  };
}

/** The events of a served stream. */
function sse(x: ServedExchange): MessageStreamEvent[] {
  return x.response as MessageStreamEvent[];
}

const POLICY = `You are a travel assistant. ${'Answer briefly and cite the tool you used. '.repeat(40)}`;
const TOOLS = [
  { name: 'get_weather', description: 'Current weather in a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } },
  { name: 'get_time', description: 'Local time in a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } },
];
const TOOL_DEFINITIONS = TOOLS.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.input_schema }));

describe('AnthropicInstrumentation → AuditSpanProcessor → embedded store', () => {
  it('records an agent turn with parallel tool_use, tool_result follow-up and prompt caching exactly as served', async () => {
    await audited();
    const question = 'Use get_weather and get_time for Paris, please';
    const system = [{ type: 'text' as const, text: POLICY, cache_control: { type: 'ephemeral' as const } }];
    const [first, second] = await withRequestContext({ requestId: 'req-tools', userId: 'alice', sessionId: 'sess-1', tenantId: 'acme' }, () =>
      withAgentInvocation({ name: 'travel-agent' }, async () => {
        // The 1.x types no longer list temperature / top_p / top_k (API version 2026-10-21); apps on 0.x
        // send them, and the SDK sends the body as it is given.
        const sampling = { temperature: 0.2, top_p: 0.9, top_k: 40 } as object;
        const first = await client.messages.create({ model: MODEL, max_tokens: 512, ...sampling, stop_sequences: ['END'], system, tools: TOOLS, messages: [{ role: 'user', content: question }] });
        const results: Anthropic.ToolResultBlockParam[] = [];
        for (const block of first.content) {
          if (block.type !== 'tool_use') continue;
          const output = await withToolCall({ name: block.name, callId: block.id, arguments: block.input }, () => (block.name === 'get_weather' ? 'sunny, 21°C' : '14:05'));
          results.push({ type: 'tool_result', tool_use_id: block.id, content: output });
        }
        // A second breakpoint on the latest turn: the system prompt is read from the cache, the turns since are written.
        results[results.length - 1]!.cache_control = { type: 'ephemeral' };
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
        return [first, second] as const;
      }),
    );

    const stored = await events('req-tools');
    expect(stored.map((e) => [e.event_type, e.name])).toEqual([
      ['llm.completion', `chat ${MODEL}`],
      ['tool.call', 'execute_tool get_weather'],
      ['tool.call', 'execute_tool get_time'],
      ['llm.completion', `chat ${MODEL}`],
      ['agent.invoke', 'invoke_agent travel-agent'],
    ]);
    const agent = stored.at(-1)!;
    for (const e of stored.slice(0, -1)) expect([e.parent_span_id, e.trace_id]).toEqual([agent.span_id, agent.trace_id]);
    for (const e of stored) expect([e.request_id, e.user_id, e.session_id, e.tenant_id]).toEqual(['req-tools', 'alice', 'sess-1', 'acme']);

    // What the mock served is what the app got and what was recorded.
    const served = messagesServed().map((x) => x.response as MessageObject);
    expect([first, second]).toEqual(served);
    expect(first.content.map((b) => b.type)).toEqual(['tool_use', 'tool_use']);
    expect(served[1]!.usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(served[1]!.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    const llm = [stored[0]!, stored[3]!];
    for (const [i, e] of llm.entries()) {
      const m = served[i]!;
      expect({ provider: e.provider, request_model: e.request_model, response_model: e.response_model, status: e.status, error_type: e.error_type, usage: e.usage }).toEqual({
        provider: 'anthropic',
        request_model: MODEL,
        response_model: m.model,
        status: 'unset',
        error_type: null,
        usage: semconvUsage(m.usage),
      });
      expect(e.data).toMatchObject({ response_id: m.id, finish_reasons: [m.stop_reason] });
      expect(e.attributes).toMatchObject({ ...rawUsage(m.usage), 'anthropic.request.id': expect.stringMatching(/^req_[0-9a-f]{32}$/) });
      // Priced from the semconv usage (cache reads and writes at their own rates).
      expect(e.cost_usd).not.toBeNull();
      expect(e.cost_usd).toBe(computeCost([], 'anthropic', m.model, e.usage).cost_usd);
    }
    expect(llm[0]!.data).toMatchObject({ temperature: 0.2, max_tokens: 512, top_p: 0.9 });
    expect(llm[0]!.attributes).toMatchObject({
      'gen_ai.request.top_k': 40,
      'gen_ai.request.stop_sequences': ['END'],
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(mock.anthropicUrl).port),
    });

    // Messages, system, tools and tool calls in the payload, in the semconv message structure.
    const toolCalls = first.content.map((b) => (b.type === 'tool_use' ? { type: 'tool_call', id: b.id, name: b.name, arguments: b.input } : null));
    expect(await content(llm[0]!)).toEqual({
      'gen_ai.system_instructions': [{ type: 'text', content: POLICY }],
      'gen_ai.tool.definitions': TOOL_DEFINITIONS,
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: question }] }],
      'gen_ai.output.messages': [{ role: 'assistant', parts: toolCalls, finish_reason: 'tool_use' }],
    });
    expect(await content(llm[1]!)).toEqual({
      'gen_ai.system_instructions': [{ type: 'text', content: POLICY }],
      'gen_ai.tool.definitions': TOOL_DEFINITIONS,
      'gen_ai.input.messages': [
        { role: 'user', parts: [{ type: 'text', content: question }] },
        { role: 'assistant', parts: toolCalls },
        {
          role: 'user',
          parts: [
            { type: 'tool_call_response', id: toolCalls[0]!.id, response: 'sunny, 21°C' },
            { type: 'tool_call_response', id: toolCalls[1]!.id, response: '14:05' },
          ],
        },
      ],
      'gen_ai.output.messages': outputOf(second),
    });
    // The app's tool calls carry the ids the model gave.
    expect([stored[1]!.data['tool_call_id'], stored[2]!.data['tool_call_id']]).toEqual(toolCalls.map((t) => t!.id));
    expect((await verifyStore(store)).intact).toBe(true);
  });

  it('streams (create stream: true): the record is written when the stream ends, complete', async () => {
    await audited();
    const body = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: 'Tell me about the weather in Lisbon in spring, in a few words' }] };
    const stream = await withRequestContext({ requestId: 'req-stream' }, () => client.messages.create({ ...body, stream: true }));
    const iterator = stream[Symbol.asyncIterator]();
    const received: unknown[] = [(await iterator.next()).value];
    expect(await events('req-stream')).toEqual([]); // still streaming: nothing recorded yet
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) received.push(r.value);

    const [e] = await events('req-stream');
    const [served] = messagesServed();
    expect(received).toEqual(sse(served!).filter((x) => x.type !== 'ping'));
    // The message the events make up: the one the mock answers this body with.
    const whole = createMessage(served!.request);
    expect([e!.usage, e!.response_model, e!.data['response_id'], e!.data['finish_reasons'], e!.status]).toEqual([semconvUsage(whole.usage), whole.model, whole.id, [whole.stop_reason], 'unset']);
    expect(e!.attributes).toMatchObject(rawUsage(whole.usage));
    expect(e!.attributes['auditrail.call.aborted']).toBeUndefined();
    expect((await content(e!))['gen_ai.output.messages']).toEqual(outputOf(whole));
  });

  it('streams parallel tool_use input_json_delta into whole tool calls', async () => {
    await audited();
    const body = { model: MODEL, max_tokens: 256, tools: TOOLS, messages: [{ role: 'user' as const, content: 'get_time and get_weather in Tokyo' }] };
    const stream = await withRequestContext({ requestId: 'req-stream-tools' }, () => client.messages.create({ ...body, stream: true }));
    for await (const _ of stream) void _;
    const [e] = await events('req-stream-tools');
    const whole = createMessage(messagesServed()[0]!.request);
    expect(whole.content.map((b) => b.type)).toEqual(['tool_use', 'tool_use']);
    expect((await content(e!))['gen_ai.output.messages']).toEqual(outputOf(whole));
    expect([e!.usage, e!.data['finish_reasons']]).toEqual([semconvUsage(whole.usage), ['tool_use']]);
  });

  it('records messages.stream() once (it calls create internally), complete at the end, with the SDK helpers untouched', async () => {
    await audited();
    const texts: string[] = [];
    const final = await withRequestContext({ requestId: 'req-helper' }, async () => {
      const ms = client.messages.stream({ model: MODEL, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Describe Porto in one sentence' }] });
      ms.on('text', (t) => texts.push(t));
      return ms.finalMessage();
    });
    const stored = await events('req-helper');
    expect(stored.map((e) => [e.event_type, e.name])).toEqual([['llm.completion', `chat ${MODEL}`]]);
    const whole = createMessage(messagesServed()[0]!.request);
    expect(final).toEqual({ ...whole, parsed_output: null });
    expect(texts.join('')).toBe((whole.content[0] as { text: string }).text);
    const [e] = stored;
    expect([e!.usage, e!.data['response_id']]).toEqual([semconvUsage(whole.usage), whole.id]);
    expect(await content(e!)).toEqual({
      'gen_ai.system_instructions': [{ type: 'text', content: 'Be brief.' }],
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Describe Porto in one sentence' }] }],
      'gen_ai.output.messages': outputOf(whole),
    });
  });

  it('records images without their bytes, beta.messages and parse() like messages.create', async () => {
    await audited();
    const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' } };
    const byUrl = { type: 'image' as const, source: { type: 'url' as const, url: 'https://example.com/cat.png' } };
    await withRequestContext({ requestId: 'req-misc' }, async () => {
      await client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: [image, byUrl, { type: 'text', text: 'What is in these pictures?' }] }] });
      await client.beta.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'beta hello' }], betas: ['context-1m-2025-08-07'] });
      await client.messages.parse({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'parse hello' }] });
    });
    const stored = await events('req-misc');
    expect(stored.map((e) => e.name)).toEqual([`chat ${MODEL}`, `chat ${MODEL}`, `chat ${MODEL}`]);
    expect((await content(stored[0]!))['gen_ai.input.messages']).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'blob', modality: 'image', mime_type: 'image/png' },
          { type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' },
          { type: 'text', content: 'What is in these pictures?' },
        ],
      },
    ]);
    const served = messagesServed().map((x) => x.response as MessageObject);
    expect(stored.map((e) => e.data['response_id'])).toEqual(served.map((m) => m.id));
    expect(stored.map((e) => e.usage)).toEqual(served.map((m) => semconvUsage(m.usage)));
  });

  it('records nothing of the content when capture is off, and everything else', async () => {
    await audited();
    instrumentation.setConfig({ captureMessageContent: false });
    await withRequestContext({ requestId: 'req-private' }, async () => {
      await client.messages.create({ model: MODEL, max_tokens: 64, system: 'secret system prompt', tools: TOOLS, messages: [{ role: 'user', content: 'my card is 4111 1111 1111 1111' }] });
      const s = await client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'stream me a secret' }], stream: true });
      for await (const _ of s) void _;
    });
    const stored = await events('req-private');
    const served = messagesServed();
    expect(stored.map((e) => [e.payload, e.usage])).toEqual([
      [null, semconvUsage((served[0]!.response as MessageObject).usage)],
      [null, semconvUsage(createMessage(served[1]!.request).usage)],
    ]);
    // (Whole phrases: ids are random hex, and may hold any short digit string.)
    expect(JSON.stringify(stored)).not.toMatch(/secret system prompt|my card is|stream me a secret|get_weather|Mock answer/);
  });

  it('records API errors with the SDK error class as error.type', async () => {
    await audited();
    const failures: string[] = [];
    await withRequestContext({ requestId: 'req-errors' }, async () => {
      for (const model of ['mock-error-429', 'mock-error-500', 'mock-error-400']) {
        await client.messages.create({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).catch((e: Error) => failures.push(e.constructor.name));
      }
      await client.messages.create({ model: 'mock-slow', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }, { timeout: 50 }).catch((e: Error) => failures.push(e.constructor.name));
    });
    expect(failures).toEqual(['RateLimitError', 'InternalServerError', 'BadRequestError', 'APIConnectionTimeoutError']);
    const stored = await events('req-errors');
    expect(stored.map((e) => [e.event_type, e.request_model, e.status, e.error_type, e.usage, e.attributes['auditrail.call.aborted'] ?? null])).toEqual([
      ['llm.completion', 'mock-error-429', 'error', 'RateLimitError', null, null],
      ['llm.completion', 'mock-error-500', 'error', 'InternalServerError', null, null],
      ['llm.completion', 'mock-error-400', 'error', 'BadRequestError', null, null],
      ['llm.completion', 'mock-slow', 'error', 'APIConnectionTimeoutError', null, null],
    ]);
  });

  describe('aborted calls are recorded as aborted, with what arrived before the cut', () => {
    const body = { model: 'mock-slow-stream', max_tokens: 128, messages: [{ role: 'user' as const, content: 'Tell me a long story about a lighthouse keeper' }] };
    /** Usage from message_start (input and cache); output is unknown before message_delta. */
    const partialUsage = (served: ServedExchange) => {
      const [start] = sse(served);
      expect(start!.type).toBe('message_start');
      return { ...semconvUsage((start!['message'] as MessageObject).usage), output_tokens: null };
    };

    it('the server cuts the stream (mock-stream-abort)', async () => {
      await audited();
      const thrown = await withRequestContext({ requestId: 'req-cut' }, async () => {
        const s = await client.messages.create({ ...body, model: 'mock-stream-abort', stream: true });
        try {
          for await (const _ of s) void _;
        } catch (error) {
          return error as Error;
        }
      });
      expect([thrown?.name, thrown?.message]).toEqual(['TypeError', 'terminated']);
      const [e] = await events('req-cut');
      const [served] = messagesServed();
      expect(served!.aborted).toBe('server');
      expect([e!.status, e!.error_type, e!.attributes['auditrail.call.aborted'], e!.usage, e!.data['finish_reasons']]).toEqual(['error', 'TypeError', true, partialUsage(served!), null]);
      // The partial answer is recorded as it arrived.
      expect(deltaText(served!)).not.toBe('');
      expect((await content(e!))['gen_ai.output.messages']).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: deltaText(served!) }] }]);

      // A JSON answer cut half-way: the body never parses.
      const json = await withRequestContext({ requestId: 'req-cut-json' }, () => client.messages.create({ ...body, model: 'mock-stream-abort' }).catch((error: Error) => error));
      const [j] = await events('req-cut-json');
      expect([(json as Error).name, j!.status, j!.error_type, j!.attributes['auditrail.call.aborted'], j!.usage]).toEqual(['TypeError', 'error', 'TypeError', true, null]);
    });

    it('the body ends cleanly before message_stop (a proxy that drops the rest): stream_incomplete', async () => {
      await audited();
      // A fetch that passes on the first four SSE events and then ends the body normally.
      const truncating = new Anthropic({
        baseURL: mock.anthropicUrl,
        apiKey: API_KEY,
        maxRetries: 0,
        fetch: async (url, init) => {
          const res = await fetch(url, init);
          const text = (await res.text()).split('\n\n').slice(0, 4).join('\n\n') + '\n\n';
          return new Response(text, { status: res.status, headers: res.headers });
        },
      });
      const received = await withRequestContext({ requestId: 'req-short' }, async () => {
        const types: string[] = [];
        for await (const event of await truncating.messages.create({ ...body, model: MODEL, stream: true })) types.push(event.type);
        return types;
      });
      expect(received).toEqual(['message_start', 'content_block_start', 'content_block_delta']); // (the ping is not yielded)
      const [e] = await events('req-short');
      expect([e!.status, e!.error_type, e!.attributes['auditrail.call.aborted'], e!.usage?.output_tokens]).toEqual(['error', 'stream_incomplete', true, null]);
    });

    it('the app aborts: stream.controller.abort(), an AbortSignal, MessageStream.abort(), a JSON call', async () => {
      await audited();
      await withRequestContext({ requestId: 'req-abort' }, async () => {
        const a = await client.messages.create({ ...body, stream: true });
        for await (const event of a) if (event.type === 'content_block_delta') a.controller.abort();

        const controller = new AbortController();
        const b = await client.messages.create({ ...body, stream: true }, { signal: controller.signal });
        for await (const event of b) if (event.type === 'content_block_delta') controller.abort();

        const c = client.messages.stream(body);
        c.on('text', () => c.abort());
        await c.done().catch(() => undefined);

        const d = new AbortController();
        setTimeout(() => d.abort(), 50);
        await client.messages.create({ ...body, model: 'mock-slow' }, { signal: d.signal }).catch(() => undefined);
      });
      const stored = await events('req-abort');
      expect(stored.map((e) => [e.request_model, e.status, e.error_type, e.attributes['auditrail.call.aborted']])).toEqual([
        ['mock-slow-stream', 'error', 'APIUserAbortError', true],
        ['mock-slow-stream', 'error', 'APIUserAbortError', true],
        ['mock-slow-stream', 'error', 'APIUserAbortError', true],
        ['mock-slow', 'error', 'APIUserAbortError', true],
      ]);
      const streamed = messagesServed().filter((x) => x.stream);
      expect(stored.slice(0, 3).map((e) => e.usage)).toEqual(streamed.map(partialUsage));
    });

    it('the app stops reading (break): abandoned', async () => {
      await audited();
      await withRequestContext({ requestId: 'req-break' }, async () => {
        const s = await client.messages.create({ ...body, model: MODEL, stream: true });
        for await (const event of s) if (event.type === 'content_block_delta') break;
      });
      const [e] = await events('req-break');
      expect([e!.status, e!.error_type, e!.attributes['auditrail.call.aborted']]).toEqual(['error', 'stream_abandoned', true]);
      expect(e!.usage?.input_tokens).toBeGreaterThan(0);
    });

    it('a stream aborted before anyone read it', async () => {
      await audited();
      await withRequestContext({ requestId: 'req-unread' }, async () => {
        const s = await client.messages.create({ ...body, model: MODEL, stream: true });
        s.controller.abort();
      });
      const [e] = await events('req-unread');
      expect([e!.status, e!.error_type, e!.attributes['auditrail.call.aborted']]).toEqual(['error', 'APIUserAbortError', true]);
    });
  });

  it('gives the app exactly what it gets without instrumentation', async () => {
    await audited();
    const body = { model: MODEL, max_tokens: 128, tools: TOOLS, messages: [{ role: 'user' as const, content: 'get_weather in Oslo' }] };
    const run = async () => {
      const json = await client.messages.create(body);
      const streamed: unknown[] = [];
      for await (const event of await client.messages.create({ ...body, stream: true })) streamed.push(event);
      const helper = client.messages.stream(body);
      const helperEvents: unknown[] = [];
      helper.on('streamEvent', (event) => helperEvents.push(event));
      const final = await helper.finalMessage();
      const { data, response } = await client.messages.create(body).withResponse();
      const raw = await (await client.messages.create(body).asResponse()).json();
      const error = await client.messages.create({ ...body, model: 'mock-error-429' }).catch((e: Error) => [e.constructor.name, e.message]);
      return { json, requestId: typeof json._request_id, streamed, final, helperEvents, data, status: response.status, raw, error };
    };
    await withRequestContext({ requestId: 'req-same' }, async () => {
      const withIt = await run();
      instrumentation.disable();
      try {
        expect(await run()).toEqual(withIt);
      } finally {
        instrumentation.enable();
      }
      expect(await run()).toEqual(withIt);
    });
    // Recorded by us while enabled (twice six calls); while disabled, the SDK's own spans were recorded instead.
    const stored = await events('req-same');
    const names: Record<string, number> = {};
    for (const e of stored) names[e.name] = (names[e.name] ?? 0) + 1;
    expect(names).toEqual({ [`chat ${MODEL}`]: 10, 'chat mock-error-429': 2, 'anthropic.messages.create': 6 });
    // asResponse(): the body is the app's, unread; the call is recorded without a response.
    const unread = stored.filter((e) => e.name.startsWith('chat') && e.usage === null && e.status === 'unset');
    expect(unread.length).toBe(2);
  });

  it('turns content capture on from OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT; patching twice records once', async () => {
    expect(new AnthropicInstrumentation({ enabled: false }).getConfig().captureMessageContent).toBe(false);
    process.env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'] = 'TRUE';
    try {
      expect(new AnthropicInstrumentation({ enabled: false }).getConfig()).toMatchObject({ captureMessageContent: true, sdkSpans: 'replace' });
    } finally {
      delete process.env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'];
    }
    await audited();
    instrumentation.manuallyInstrument(Anthropic); // the default export this time: the same classes
    const other = new AnthropicInstrumentation();
    other.manuallyInstrument(anthropicModule);
    await withRequestContext({ requestId: 'req-twice' }, () => client.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'once' }] }));
    expect((await events('req-twice')).map((e) => e.name)).toEqual([`chat ${MODEL}`]);
    other.disable(); // leaves the first instrumentation's wrappers in place
    await withRequestContext({ requestId: 'req-twice-2' }, () => client.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'still' }] }));
    expect((await events('req-twice-2')).map((e) => e.name)).toEqual([`chat ${MODEL}`]);
  });

  it('replaces the SDK’s own span (one GenAI span per call); the request carries the call’s trace context', async () => {
    await audited();
    const seen: { active?: string; traceparent: string | null }[] = [];
    const spy = new Anthropic({
      baseURL: mock.anthropicUrl,
      apiKey: API_KEY,
      maxRetries: 0,
      fetch: async (url, init) => {
        seen.push({ active: trace.getActiveSpan()?.spanContext().spanId, traceparent: new Headers(init?.headers).get('traceparent') });
        return fetch(url, init);
      },
    });
    const body = { model: MODEL, max_tokens: 64, messages: [{ role: 'user' as const, content: 'hello' }] };
    await withRequestContext({ requestId: 'req-native' }, async () => {
      await spy.messages.create(body);
      await spy.messages.stream(body).finalMessage();
      instrumentation.setConfig({ captureMessageContent: true, sdkSpans: 'keep' });
      await spy.messages.create(body);
    });
    const stored = await events('req-native');
    expect(stored.map((e) => e.name)).toEqual([`chat ${MODEL}`, `chat ${MODEL}`, 'anthropic.messages.create', `chat ${MODEL}`]);
    const [a, b, native, c] = stored;
    // During the HTTP request the recorded call is the active span, and traceparent names it.
    expect(seen.slice(0, 2)).toEqual([a!, b!].map((e) => ({ active: e.span_id, traceparent: `00-${e.trace_id}-${e.span_id}-01` })));
    // Kept, the SDK's span is a second GenAI span: a child of the recorded call.
    expect(native!.parent_span_id).toBe(c!.span_id);
  });
});
