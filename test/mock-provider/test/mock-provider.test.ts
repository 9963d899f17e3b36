import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startMockProvider, type MockProvider } from '../src/index.ts';
import { API_KEY, hex, intendedEmbedding as intended, openaiClient, TOOLS, USAGE_DETAILS } from './fixtures.ts';

let provider: MockProvider;
let client: OpenAI;

beforeAll(async () => {
  provider = await startMockProvider();
  client = openaiClient(provider);
});

afterAll(() => provider.close());

/** A non-streaming gpt-4o request with one user message. */
const ask = (content: string, extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}) =>
  client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], ...extra });
/** [name, arguments] of the function tool calls of a completion's first choice. */
const fnCalls = (completion: OpenAI.Chat.ChatCompletion): Array<[string, string]> =>
  (completion.choices[0]?.message.tool_calls ?? []).flatMap((c) =>
    c.type === 'function' ? [[c.function.name, c.function.arguments] as [string, string]] : [],
  );

describe('mock provider: chat completions', () => {
  it('listens on 127.0.0.1 and answers a plain completion with the full expected object', async () => {
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const params: ChatCompletionCreateParamsNonStreaming = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hello, mock!' },
      ],
    };
    const completion = await client.chat.completions.create(params);
    expect(completion).toEqual({
      id: 'chatcmpl-' + hex(JSON.stringify(params)).slice(0, 24),
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-4o-2024-08-06',
      system_fingerprint: 'fp_mock',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Mock answer to: Hello, mock!', refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      // 'You are terse.' = 14 bytes -> 4, 'Hello, mock!' = 12 -> 3; the 28-byte answer -> 7.
      usage: { prompt_tokens: 7, completion_tokens: 7, total_tokens: 14, ...USAGE_DETAILS },
    });
  });

  it('is deterministic: identical requests give identical responses, down to the bytes', async () => {
    const params: ChatCompletionCreateParamsNonStreaming = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Same question' }] }],
    };
    const [a, b] = await Promise.all([client.chat.completions.create(params), client.chat.completions.create(params)]);
    expect(a).toEqual(b);
    const raw = async (): Promise<{ text: string; requestId: string | null }> => {
      const res = await fetch(`${provider.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
      });
      return { text: await res.text(), requestId: res.headers.get('x-request-id') };
    };
    const [first, second] = [await raw(), await raw()];
    expect(first.text).toBe(second.text);
    expect(first.requestId).toMatch(/^req_[0-9a-f]{32}$/);
    expect(first.requestId).not.toBe(second.requestId);
  });

  it('calls a tool, then answers the follow-up turn that carries the tool result', async () => {
    const question = 'What is the weather in Lyon? Use get_weather.';
    const params: ChatCompletionCreateParamsNonStreaming = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: question }],
      tools: TOOLS,
    };
    const turn = await client.chat.completions.create(params);
    const choice = turn.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const calls = choice?.message.tool_calls ?? [];
    expect(calls).toEqual([
      {
        id: 'call_' + hex(JSON.stringify(params) + '0').slice(0, 24),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
    ]);
    expect(turn.usage?.completion_tokens).toBe(4); // '{"city":"Paris"}' = 16 bytes
    const promptTokens = Math.ceil(question.length / 4) + Math.ceil(JSON.stringify(TOOLS).length / 4);
    expect(turn.usage?.prompt_tokens).toBe(promptTokens);

    const call = calls[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    const followUp = await client.chat.completions.create({
      model: 'gpt-4o',
      tools: TOOLS,
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temperature_c":21}' },
      ],
    });
    expect(followUp.choices[0]?.finish_reason).toBe('stop');
    expect(followUp.choices[0]?.message.content).toBe(`Mock answer to: ${question} (using 1 tool results)`);
    expect(followUp.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it('makes parallel tool calls for every named tool, unless parallel_tool_calls is false', async () => {
    const question = 'Please call get_time and then get_weather for my trip to Tokyo';
    const turn = await ask(question, { tools: TOOLS });
    expect(fnCalls(turn).map(([name, args]) => [name, JSON.parse(args)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', { timezone: question.slice(0, 40), offset: 42, dst: true }],
    ]);
    expect(new Set(turn.choices[0]?.message.tool_calls?.map((c) => c.id)).size).toBe(2);
    expect(fnCalls(await ask(question, { tools: TOOLS, parallel_tool_calls: false }))).toHaveLength(1);
    expect(fnCalls(await ask('hi', { tools: TOOLS })).map(([name]) => name)).toEqual(['get_weather']);
  });

  it('truncates to max_tokens * 4 characters with finish_reason "length"', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Tell me a long story about mocks' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Mock answer ');
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it('serves hundreds of concurrent requests', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        ask(`question ${i}`),
      ),
    );
    results.forEach((r, i) => expect(r.choices[0]?.message.content).toBe(`Mock answer to: question ${i}`));
  });
});

describe('mock provider: streaming', () => {
  it('streams content chunks with include_usage, and the SDK stream helper reassembles them', async () => {
    const messages = [{ role: 'user' as const, content: 'Stream me a reply, please' }];
    const expected = 'Mock answer to: Stream me a reply, please';
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(expected);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.slice(1, -2).every((c) => (c.choices[0]?.delta.content ?? '').length <= 8)).toBe(true);
    expect(chunks.at(-2)?.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' });
    expect(chunks.slice(0, -1).every((c) => c.usage === null && c.object === 'chat.completion.chunk')).toBe(true);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 7, completion_tokens: 11, total_tokens: 18, ...USAGE_DETAILS });

    const helper = client.chat.completions.stream({
      model: 'gpt-4o',
      messages,
      stream_options: { include_usage: true },
    });
    const final = await helper.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(expected);
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(final.model).toBe('gpt-4o-2024-08-06');
    expect(final.usage).toEqual(last?.usage);
  });

  it('streams tool calls that reassemble to the non-streaming ones', async () => {
    const messages = [{ role: 'user' as const, content: 'Use get_weather and get_time' }];
    const plain = await ask('Use get_weather and get_time', { tools: TOOLS });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, tools: TOOLS, stream: true });
    const calls: Array<{ id: string; name: string; arguments: string }> = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.usage).toBeUndefined();
      const choice = chunk.choices[0];
      finish = choice?.finish_reason ?? finish;
      for (const delta of choice?.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { id: '', name: '', arguments: '' });
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        call.arguments += delta.function?.arguments ?? '';
      }
    }
    expect(finish).toBe('tool_calls');
    expect(fnCalls(plain)).toHaveLength(2);
    expect(calls.map(({ name, arguments: args }) => [name, args])).toEqual(fnCalls(plain));
    expect(calls.every((c) => /^call_[0-9a-f]{24}$/.test(c.id))).toBe(true);

    const helper = client.chat.completions.stream({ model: 'gpt-4o', messages, tools: TOOLS });
    const final = await helper.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(fnCalls(final)).toEqual(fnCalls(plain));
  });
});

describe('mock provider: embeddings', () => {
  it('returns base64 float32 vectors that the SDK decodes to the intended values', async () => {
    const input = ['alpha', 'beta gamma'];
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input });
    expect(res.object).toBe('list');
    expect(res.model).toBe('text-embedding-3-small');
    expect(res.usage).toEqual({ prompt_tokens: 2 + 3, total_tokens: 5 });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    res.data.forEach((d, i) => {
      const want = intended(input[i] ?? '');
      expect(d.embedding).toHaveLength(8);
      expect(d.embedding).toEqual(want.map((v) => Math.fround(v)));
      expect(want.every((v) => v >= -1 && v <= 1)).toBe(true);
    });
    expect(JSON.stringify(provider.served.at(-1)?.request)).toContain('"encoding_format":"base64"');
  });

  it('returns plain floats for encoding_format "float"', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'alpha',
      encoding_format: 'float',
    });
    expect(res.data[0]?.embedding).toEqual(intended('alpha'));
  });
});

describe('mock provider: errors, aborts and bookkeeping', () => {
  it.each([
    ['mock-error-500', 500, OpenAI.InternalServerError, 'server_error', null],
    ['mock-error-429', 429, OpenAI.RateLimitError, 'requests', 'rate_limit_exceeded'],
    ['mock-error-400', 400, OpenAI.BadRequestError, 'invalid_request_error', null],
  ] as const)('model %s makes the SDK throw an APIError with status %i', async (model, status, cls, type, code) => {
    const error = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'fail please' }] })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toBeInstanceOf(cls);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.type).toBe(type);
    expect(apiError.code).toBe(code);
    expect(apiError.requestID).toMatch(/^req_[0-9a-f]+$/);
  });

  it('answers unknown paths with 404 and bad JSON with 400, OpenAI-style', async () => {
    const notFound = await fetch(`${provider.url}/nope`, { method: 'POST', body: '{}' });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]+$/);
    expect(await notFound.json()).toEqual({
      error: { message: 'Invalid URL (POST /v1/nope)', type: 'invalid_request_error', param: null, code: null },
    });
    const badJson = await fetch(`${provider.url}/chat/completions`, { method: 'POST', body: '{"model":' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('lets a client abort or time out on mock-slow promptly, and stays healthy', async () => {
    provider.clearServed();
    const controller = new AbortController();
    const started = Date.now();
    const aborted = client.chat.completions.create(
      { model: 'mock-slow', messages: [{ role: 'user', content: 'slow' }] },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    await expect(aborted).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    const impatient = new OpenAI({ baseURL: provider.url, apiKey: API_KEY, maxRetries: 0, timeout: 100 });
    await expect(
      impatient.chat.completions.create({ model: 'mock-slow', messages: [{ role: 'user', content: 'slow' }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);

    const ok = await ask('still there?');
    expect(ok.choices[0]?.message.content).toBe('Mock answer to: still there?');
    // Once the 2 s would have elapsed, the cancelled requests still have not been answered nor recorded.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(provider.served.map((s) => (s.request as { model: string }).model)).toEqual(['gpt-4o']);
  });

  it('records request/response pairs in served, and clearServed() empties it', async () => {
    provider.clearServed();
    expect(provider.served).toHaveLength(0);
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const chunks: unknown[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(provider.served).toEqual([
      {
        method: 'POST',
        path: '/v1/chat/completions',
        request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
        status: 200,
        response: completion,
        stream: false,
      },
      {
        method: 'POST',
        path: '/v1/chat/completions',
        request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true },
        status: 200,
        response: chunks,
        stream: true,
      },
    ]);
  });

  it('honours latencyMs and record: false, and refuses wildcard hosts', async () => {
    const slow = await startMockProvider({ latencyMs: 100, record: false });
    try {
      const c = openaiClient(slow);
      const started = Date.now();
      await c.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
      expect(slow.served).toHaveLength(0);
    } finally {
      await slow.close();
    }
    await expect(startMockProvider({ host: '0.0.0.0' })).rejects.toThrow(/wildcard/);
  });
});
