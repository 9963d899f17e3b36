import { trace } from '@opentelemetry/api';
import { withAgentInvocation } from '@auditrail/instrumentation';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../../packages/instrumentation/src/openai/index.ts';
import { API_KEY, expectedCost, OpenAIHarness, oneTurn, recordUsage, streamedText, succeeded, summary, textAnswer } from './fixtures/openai-harness.ts';

let h: OpenAIHarness;
let client: OpenAI;
beforeAll(async () => {
  ({ h, client } = await OpenAIHarness.withClient(OpenAI));
});
afterAll(() => h.close());

const cityTool = (name: string, description: string): ChatCompletionTool => ({
  type: 'function',
  function: { name, description, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
});
const TOOLS = [cityTool('get_weather', 'Current weather in a city'), cityTool('get_time', 'Local time in a city')];
const FLAT_TOOLS = TOOLS.map((t) => ({ type: 'function', ...(t as { function: object }).function }));

const QUESTION: ChatCompletionCreateParamsNonStreaming = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is an audit trail?' },
  ],
};

describe('chat.completions.create', () => {
  it('records the request as sent, the answer as served, usage, cost and the messages', async () => {
    const body = { ...QUESTION, temperature: 0.2, top_p: 0.9, max_completion_tokens: 200, seed: 7, stop: ['END'], frequency_penalty: 0.1, presence_penalty: 0.2 };
    const r = await h.record(() => client.chat.completions.create(body));
    const served = r.served[0]!.response as ChatCompletion;
    expect(r.value).toEqual(served);
    expect(r.events.map(summary)).toEqual([succeeded(r.requestId, 'chat', 'gpt-4o-mini', served)]);
    const [e] = r.events;
    expect(e!.cost_usd).not.toBeNull();
    expect(e!.cost_usd).toBe(expectedCost(e!));
    expect(e!.data).toMatchObject({ temperature: 0.2, top_p: 0.9, max_tokens: 200 });
    expect(e!.attributes).toMatchObject({
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.frequency_penalty': 0.1,
      'gen_ai.request.presence_penalty': 0.2,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(h.mock.url).port),
      'openai.response.system_fingerprint': 'fp_mock',
    });
    // Set only when the app asked for other than one choice.
    expect(e!.attributes['gen_ai.request.choice.count']).toBeUndefined();
    // Content lives beside the record, in the conventions' message structure.
    expect(Object.keys(e!.attributes).filter((k) => k.includes('messages') || k.includes('instructions'))).toEqual([]);
    expect(await h.content(e!)).toEqual(oneTurn('You are terse.', 'What is an audit trail?', served.choices[0]!.message.content));
  });

  it('records parallel tool calls, their definitions, and the tool results of the next turn', async () => {
    const first: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Use get_weather and get_time for Paris' }];
    const r = await h.record(async () => {
      const a = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: first, tools: TOOLS });
      const calls = a.choices[0]!.message.tool_calls!.filter((c) => c.type === 'function');
      const results: ChatCompletionMessageParam[] = calls.map((c) => ({ role: 'tool', tool_call_id: c.id, content: JSON.stringify({ tool: c.function.name, ok: true }) }));
      const b = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [...first, a.choices[0]!.message, ...results], tools: TOOLS });
      return { calls, results, b };
    });
    const { calls, results, b } = r.value;
    expect(calls.map((c) => c.function.name)).toEqual(['get_weather', 'get_time']);
    expect(r.events.map((e) => [e.name, e.data['finish_reasons']])).toEqual([
      ['chat gpt-4o-mini', ['tool_calls']],
      ['chat gpt-4o-mini', ['stop']],
    ]);
    const toolCallParts = calls.map((c) => ({ type: 'tool_call', id: c.id, name: c.function.name, arguments: c.function.arguments }));
    const [one, two] = await Promise.all(r.events.map((e) => h.content(e)));
    expect(one).toEqual({
      'gen_ai.tool.definitions': FLAT_TOOLS,
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Use get_weather and get_time for Paris' }] }],
      'gen_ai.output.messages': [{ role: 'assistant', parts: toolCallParts, finish_reason: 'tool_call' }],
    });
    expect(two!['gen_ai.input.messages']).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Use get_weather and get_time for Paris' }] },
      { role: 'assistant', parts: toolCallParts },
      ...results.map((m) => ({ role: 'tool', parts: [{ type: 'tool_call_response', id: (m as { tool_call_id: string }).tool_call_id, response: m.content }] })),
    ]);
    expect(two!['gen_ai.output.messages']).toEqual(textAnswer(b.choices[0]!.message.content));
    expect(b.choices[0]!.message.content).toContain('(using 2 tool results)');
  });

  it('counts cached and reasoning tokens as the provider reported them, and prices them', async () => {
    const system = 'Policy. '.repeat(700); // > 4096 bytes: the mock caches the prefix, as the API does past 1024 tokens
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: 'gpt-5-mini',
      reasoning_effort: 'low',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: 'First question' },
        { role: 'assistant', content: 'First answer' },
        { role: 'user', content: 'Second question' },
      ],
    };
    const r = await h.record(() => client.chat.completions.create(body));
    const served = r.served[0]!.response as ChatCompletion;
    const [e] = r.events;
    expect(e!.usage).toEqual(recordUsage(served.usage as never, 'chat'));
    expect(e!.usage!.cache_read_tokens).toBeGreaterThan(0);
    expect(e!.usage!.reasoning_tokens).toBe(32);
    expect(e!.cost_usd).not.toBeNull();
    expect(e!.cost_usd).toBe(expectedCost(e!));
  });
});

describe('chat.completions.create with stream: true', () => {
  it('is recorded when the stream ends, complete: text, finish reason, usage of the include_usage chunk', async () => {
    const r = await h.record(async (requestId) => {
      const stream = await client.chat.completions.create({ ...QUESTION, stream: true, stream_options: { include_usage: true } });
      await h.app.provider.forceFlush();
      const before = await h.store.trace({ requestId }); // the answer has not been read yet
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return { before, chunks };
    });
    const { before, chunks } = r.value;
    expect(before).toEqual([]);
    expect(chunks).toEqual(r.served[0]!.response);
    expect(r.events.map(summary)).toEqual([succeeded(r.requestId, 'chat', 'gpt-4o-mini', chunks.at(-1)!)]);
    expect(r.events[0]!.cost_usd).toBe(expectedCost(r.events[0]!));
    expect((await h.content(r.events[0]!))['gen_ai.output.messages']).toEqual(textAnswer(streamedText(chunks)));
  });

  it('without include_usage records no usage (unknown, not zero) and so no cost', async () => {
    const r = await h.record(async () => {
      const stream = await client.chat.completions.create({ ...QUESTION, stream: true });
      for await (const _ of stream) void _;
    });
    expect([r.events[0]!.usage, r.events[0]!.cost_usd, r.events[0]!.data['finish_reasons']]).toEqual([null, null, ['stop']]);
  });

  it('reassembles parallel tool calls from argument fragments, by index', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Use get_weather and get_time for Paris' }];
    const r = await h.record(async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: TOOLS, stream: true, stream_options: { include_usage: true } });
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    });
    const fragments = r.value.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(fragments.length).toBeGreaterThan(4); // really sent in pieces
    const calls = [0, 1].map((i) => {
      const parts = fragments.filter((f) => f.index === i);
      return { type: 'tool_call', id: parts[0]!.id, name: parts[0]!.function!.name, arguments: parts.map((f) => f.function?.arguments ?? '').join('') };
    });
    // The same arguments the model gives without streaming.
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: TOOLS });
    expect(calls.map((c) => [c.name, c.arguments])).toEqual(whole.choices[0]!.message.tool_calls!.map((c) => c.type === 'function' && [c.function.name, c.function.arguments]));
    expect(r.events[0]!.data['finish_reasons']).toEqual(['tool_calls']);
    expect((await h.content(r.events[0]!))['gen_ai.output.messages']).toEqual([{ role: 'assistant', parts: calls, finish_reason: 'tool_call' }]);
  });
});

describe('errors, timeouts and aborts', () => {
  it.each([
    ['mock-error-429', 'RateLimitError', 429],
    ['mock-error-500', 'InternalServerError', 500],
    ['mock-error-400', 'BadRequestError', 400],
  ])('%s: the app gets the SDK error, the record its class as error.type', async (model, type, status) => {
    const r = await h.record(() => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e));
    expect(r.value).toBeInstanceOf(OpenAI.APIError);
    expect([(r.value as Error).constructor.name, (r.value as { status: number }).status]).toEqual([type, status]);
    expect(r.events.map((e) => [e.status, e.error_type, e.attributes['auditrail.call.aborted'] ?? false, e.usage, e.request_model])).toEqual([['error', type, false, null, model]]);
  });

  it('a timeout is recorded as APIConnectionTimeoutError', async () => {
    const r = await h.record(() => client.chat.completions.create({ model: 'mock-slow', messages: [{ role: 'user', content: 'hi' }] }, { timeout: 50 }).catch((e: unknown) => e));
    expect(r.value).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(r.events.map((e) => [e.status, e.error_type])).toEqual([['error', 'APIConnectionTimeoutError']]);
  });

  it('a request aborted before the answer is recorded as aborted', async () => {
    const r = await h.record(() => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 30);
      return client.chat.completions.create({ model: 'mock-slow', messages: [{ role: 'user', content: 'hi' }] }, { signal: ac.signal }).catch((e: unknown) => e);
    });
    expect(r.value).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(r.events.map((e) => [e.status, e.error_type, e.attributes['auditrail.call.aborted']])).toEqual([['error', 'APIUserAbortError', true]]);
  });

  const slowStream = { model: 'mock-slow-stream', messages: [{ role: 'user' as const, content: 'Tell me about tamper-evident logs, please' }], stream: true as const };

  /** Reads a stream, calling `onChunk` after each chunk; returns the text received and how it ended. */
  async function read(stream: AsyncIterable<ChatCompletionChunk>, onChunk: (n: number) => boolean | void = () => {}) {
    let text = '';
    let n = 0;
    try {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (onChunk(++n) === true) break;
      }
      return { text, threw: null };
    } catch (e) {
      return { text, threw: (e as Error).message };
    }
  }

  async function outputText(e: Parameters<OpenAIHarness['content']>[0]) {
    const [message] = (await h.content(e))['gen_ai.output.messages'] as { parts: { content: string }[]; finish_reason: string }[];
    return [message!.parts.map((p) => p.content).join(''), message!.finish_reason];
  }

  it('a stream the server cuts: the app gets the error, the record what had arrived, aborted', async () => {
    const r = await h.record(async () => read(await client.chat.completions.create({ ...slowStream, model: 'mock-stream-abort' })));
    expect(r.value.threw).toBe('terminated');
    expect(r.served[0]!.aborted).toBe('server');
    expect(r.value.text).toBe(streamedText(r.served[0]!.response));
    const [e] = r.events;
    expect([e!.status, e!.error_type, e!.attributes['auditrail.call.aborted'], e!.usage]).toEqual(['error', 'TypeError', true, null]);
    expect(await outputText(e!)).toEqual([r.value.text, 'error']);
  });

  it('a stream the app aborts with its AbortController', async () => {
    const ac = new AbortController();
    const r = await h.record(async () => read(await client.chat.completions.create(slowStream, { signal: ac.signal }), () => ac.abort()), { served: 1 });
    expect(r.value).toMatchObject({ threw: null }); // the SDK ends an aborted stream quietly
    expect(r.served[0]!.aborted).toBe('client');
    const [e] = r.events;
    expect([e!.status, e!.error_type, e!.attributes['auditrail.call.aborted']]).toEqual(['error', 'APIUserAbortError', true]);
    expect(await outputText(e!)).toEqual([r.value.text, 'error']);
  });

  it('a stream the app aborts with stream.controller.abort()', async () => {
    const r = await h.record(async () => {
      const stream = await client.chat.completions.create(slowStream);
      return read(stream, () => stream.controller.abort());
    }, { served: 1 });
    expect(r.served[0]!.aborted).toBe('client');
    expect(r.events.map((e) => [e.status, e.error_type, e.attributes['auditrail.call.aborted']])).toEqual([['error', 'APIUserAbortError', true]]);
  });

  it('a stream the app stops reading (break) is recorded as abandoned, with what it read', async () => {
    const r = await h.record(async () => read(await client.chat.completions.create({ ...slowStream, model: 'gpt-4o-mini' }), (n) => n === 3));
    const [e] = r.events;
    expect([e!.status, e!.error_type, e!.attributes['auditrail.call.aborted']]).toEqual(['error', 'stream_abandoned', true]);
    expect(await outputText(e!)).toEqual([r.value.text, 'error']);
  });
});

describe('where the call sits', () => {
  it('is a child of the app span it runs in, and the parent of the SDK HTTP request', async () => {
    const inFetch: string[] = [];
    const traced = new OpenAI({
      baseURL: h.mock.url,
      apiKey: API_KEY,
      maxRetries: 0,
      // What an HTTP instrumentation would see: the span active when the SDK sends the request.
      fetch: (url, init) => {
        inFetch.push(trace.getActiveSpan()?.spanContext().spanId ?? 'none');
        return fetch(url, init);
      },
    });
    const r = await h.record(() => withAgentInvocation({ name: 'support-agent' }, () => traced.chat.completions.create(QUESTION)));
    const [call, agent] = r.events;
    expect([call!.event_type, agent!.event_type]).toEqual(['llm.completion', 'agent.invoke']);
    expect(call!.parent_span_id).toBe(agent!.span_id);
    expect(call!.trace_id).toBe(agent!.trace_id);
    expect(inFetch).toEqual([call!.span_id]);
  });
});

describe('content capture', () => {
  it('off: usage, models and finish reasons are recorded, streamed or not, and no content at all', async () => {
    h.instrumentation.setConfig({ captureMessageContent: false });
    try {
      const r = await h.record(async () => {
        await client.chat.completions.create({ ...QUESTION, tools: TOOLS });
        const chunks: ChatCompletionChunk[] = [];
        for await (const chunk of await client.chat.completions.create({ ...QUESTION, stream: true, stream_options: { include_usage: true } })) chunks.push(chunk);
        const events: unknown[] = [];
        for await (const event of await client.responses.create({ model: 'gpt-4o-mini', instructions: 'secret', input: 'private', stream: true })) events.push(event);
        return { chunks, events };
      });
      expect(r.events.map((e) => [e.payload, Object.keys(e.attributes).filter((k) => /messages|instructions|definitions/.test(k))])).toEqual([
        [null, []],
        [null, []],
        [null, []],
      ]);
      expect(r.events.map((e) => [e.usage, e.data['finish_reasons']])).toEqual([
        [recordUsage((r.served[0]!.response as ChatCompletion).usage as never, 'chat'), ['tool_calls']],
        [recordUsage(r.value.chunks.at(-1)!.usage as never, 'chat'), ['stop']],
        [recordUsage((r.value.events.at(-1) as { response: { usage: never } }).response.usage, 'responses'), ['stop']],
      ]);
    } finally {
      h.instrumentation.setConfig({ captureMessageContent: true });
    }
  });

  it('is off by default, and OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true turns it on', async () => {
    const payloads: boolean[] = [];
    h.instrumentation.disable();
    try {
      for (const env of [undefined, 'true']) {
        if (env === undefined) delete process.env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'];
        else process.env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'] = env;
        const other = new OpenAIInstrumentation();
        other.setTracerProvider(h.app.provider);
        other.manuallyInstrument(OpenAI);
        const r = await h.record(() => client.chat.completions.create(QUESTION));
        other.disable();
        payloads.push(r.events[0]!.payload !== null);
      }
    } finally {
      delete process.env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'];
      h.instrumentation.enable();
      h.instrumentation.manuallyInstrument(OpenAI);
    }
    expect(payloads).toEqual([false, true]);
  });
});
