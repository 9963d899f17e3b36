import Anthropic from '@anthropic-ai/sdk';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startMockProvider, type MockProvider } from '../src/index.ts';
import { anthropicClient, ANTHROPIC_TOOLS, hex, tok } from './fixtures.ts';

let provider: MockProvider;
let client: Anthropic;

beforeAll(async () => {
  provider = await startMockProvider();
  client = anthropicClient(provider);
});

afterAll(() => provider.close());

const MODEL = 'claude-sonnet-4-6';
const lastServed = (): unknown => provider.served.at(-1)?.response;
const NO_CACHE = {
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
};

describe('mock provider: Anthropic Messages', () => {
  it('answers at the server root (no /v1 in baseURL) with the full message object and a request-id', async () => {
    expect(provider.anthropicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(provider.url).toBe(`${provider.anthropicUrl}/v1`);
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: MODEL,
      max_tokens: 1024,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Hello, Claude!' }],
    };
    const text = 'Mock answer to: Hello, Claude!';
    const { data: message, response, request_id } = await client.messages.create(params).withResponse();
    expect(message).toEqual(lastServed());
    expect(message).toEqual({
      id: 'msg_' + hex(JSON.stringify(params)).slice(0, 24),
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6-20250929',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: tok('You are terse.') + tok('Hello, Claude!'), // 4 + 4
        ...NO_CACHE,
        output_tokens: tok(text), // 8
        service_tier: 'standard',
      },
    });
    expect(response.headers.get('request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(request_id).toBe(response.headers.get('request-id'));
    expect(provider.served.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/messages',
      request: params,
      status: 200,
      stream: false,
    });
  });

  it('uses parallel tool_use blocks, then answers the tool_result turn', async () => {
    const question = 'Please call get_time and then get_weather for my trip to Tokyo';
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: MODEL,
      max_tokens: 1024,
      tools: ANTHROPIC_TOOLS,
      messages: [{ role: 'user', content: question }],
    };
    const key = JSON.stringify(params);
    const inputs = [{ city: 'Paris' }, { timezone: question.slice(0, 40), offset: 42, dst: true }];
    const turn = await client.messages.create(params);
    expect(turn).toEqual(lastServed());
    expect(turn.stop_reason).toBe('tool_use');
    expect(turn.content).toEqual(
      ['get_weather', 'get_time'].map((name, i) => ({
        type: 'tool_use',
        id: 'toolu_' + hex(key + String(i)).slice(0, 24),
        name,
        input: inputs[i],
      })),
    );
    expect(turn.usage.input_tokens).toBe(
      tok(question) + ANTHROPIC_TOOLS.reduce((s, t) => s + tok(JSON.stringify(t)), 0),
    );
    expect(turn.usage.output_tokens).toBe(inputs.reduce((s, input) => s + tok(JSON.stringify(input)), 0));

    const single = await client.messages.create({
      ...params,
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
    expect(single.content.map((b) => b.type === 'tool_use' && b.name)).toEqual(['get_weather']);

    const results: Anthropic.ToolResultBlockParam[] = turn.content.flatMap((b) =>
      b.type === 'tool_use' ? [{ type: 'tool_result', tool_use_id: b.id, content: '{"ok":true}' }] : [],
    );
    const followUp = await client.messages.create({
      ...params,
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: turn.content },
        { role: 'user', content: results },
      ],
    });
    expect(followUp.stop_reason).toBe('end_turn');
    expect(followUp.content).toEqual([{ type: 'text', text: `Mock answer to: ${question} (using 2 tool results)` }]);
  });

  it('splits the prompt by cache_control breakpoints: reads, writes and plain input tokens', async () => {
    const system = 'S'.repeat(4000); // 1000 tokens
    const history = 'H'.repeat(2000); // 500 tokens
    const ask = (breakpoints: { system?: boolean; history?: '5m' | '1h' }) =>
      client.messages.create({
        model: MODEL,
        max_tokens: 64,
        system: [
          {
            type: 'text',
            text: system,
            ...(breakpoints.system ? { cache_control: { type: 'ephemeral' as const } } : {}),
          },
        ],
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'text',
                text: history,
                ...(breakpoints.history
                  ? { cache_control: { type: 'ephemeral' as const, ttl: breakpoints.history } }
                  : {}),
              },
            ],
          },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'and now?' },
        ],
      });
    const tail = tok('ok') + tok('and now?'); // 1 + 2, never cached
    const usage = async (breakpoints: Parameters<typeof ask>[0]) => {
      const { usage: u } = await ask(breakpoints);
      expect(u).toEqual((lastServed() as Anthropic.Message).usage);
      return [u.input_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens, u.cache_creation];
    };
    const ttl = (m5: number, h1: number) => ({ ephemeral_5m_input_tokens: m5, ephemeral_1h_input_tokens: h1 });
    expect(await usage({})).toEqual([1500 + tail, 0, 0, ttl(0, 0)]);
    expect(await usage({ system: true })).toEqual([500 + tail, 0, 1000, ttl(1000, 0)]);
    expect(await usage({ system: true, history: '5m' })).toEqual([tail, 1000, 500, ttl(500, 0)]);
    expect(await usage({ system: true, history: '1h' })).toEqual([tail, 1000, 500, ttl(0, 500)]);

    const marked = { type: 'text' as const, text: 'x', cache_control: { type: 'ephemeral' as const } };
    const tooMany = await client.messages
      .create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: Array(5).fill(marked) }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(tooMany).toBeInstanceOf(Anthropic.BadRequestError);
    expect((tooMany as InstanceType<typeof Anthropic.APIError>).apiMessage).toBe(
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    );
  });

  it('stops at max_tokens with stop_reason "max_tokens"', async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Tell me a long story' }],
    });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content).toEqual([{ type: 'text', text: 'Mock answer ' }]);
    expect(message.usage.output_tokens).toBe(3);
  });
});

describe('mock provider: Anthropic streaming', () => {
  it('streams the real event sequence with named events; iteration yields what was sent', async () => {
    const params: Anthropic.MessageCreateParamsStreaming = {
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Stream a reply' }],
      stream: true,
    };
    const stream = await client.messages.create(params);
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const sent = lastServed() as Array<{ type: string }>;
    // The SDK skips `ping` events; everything else arrives exactly as sent.
    expect(sent.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events).toEqual(sent.filter((e) => e.type !== 'ping'));
    const text = 'Mock answer to: Stream a reply';
    expect(
      events
        .flatMap((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? [e.delta.text] : []))
        .join(''),
    ).toBe(text);
    expect(events[0]).toMatchObject({
      type: 'message_start',
      message: { content: [], stop_reason: null, usage: { input_tokens: tok('Stream a reply'), output_tokens: 1 } },
    });
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: tok(text) },
    });

    const raw = async (): Promise<string> =>
      (await fetch(`${provider.anthropicUrl}/v1/messages`, { method: 'POST', body: JSON.stringify(params) })).text();
    const [first, second] = [await raw(), await raw()];
    expect(first).toBe(second);
    expect(first.split('\n\n').filter((f) => f !== '')).toEqual(
      sent.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}`),
    );
  });

  it('messages.stream() reassembles tool_use input from input_json_delta partials into finalMessage()', async () => {
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: MODEL,
      max_tokens: 1024,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      tools: ANTHROPIC_TOOLS,
      messages: [{ role: 'user', content: 'Use get_weather and get_time' }],
    };
    const plain = await client.messages.create(params);
    const stream = client.messages.stream(params);
    const partials: string[] = [];
    stream.on('inputJson', (partial) => partials.push(partial));
    const final = await stream.finalMessage();
    const sent = lastServed() as Array<Record<string, unknown>>;
    expect(provider.served.at(-1)?.request).toEqual({ ...params, stream: true });

    // Same answer as the non-streaming call; ids differ as they hash the body (which has stream: true).
    // The helper adds its parse result (`parsed_output`) on top of what was sent.
    const strip = (m: Anthropic.Message) => ({ ...m, id: '', content: m.content.map((b) => ({ ...b, id: '' })) });
    expect(strip(final)).toMatchObject(strip(plain));
    expect(final.usage.cache_creation_input_tokens).toBe(
      tok(JSON.stringify(ANTHROPIC_TOOLS[0])) + tok(JSON.stringify(ANTHROPIC_TOOLS[1])) + tok('Be brief.'),
    );
    expect(final.usage.input_tokens).toBe(tok('Use get_weather and get_time'));
    const deltas = sent.filter((e) => e['type'] === 'content_block_delta' && e['index'] === 0);
    expect(deltas[0]).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: '' },
    });
    expect(partials.join('')).toBe(
      JSON.stringify({ city: 'Paris' }) +
        JSON.stringify({ timezone: 'Use get_weather and get_time', offset: 42, dst: true }),
    );
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
  });
});

describe('mock provider: Anthropic errors', () => {
  it.each([
    ['mock-error-500', 500, Anthropic.InternalServerError, 'api_error'],
    ['mock-error-429', 429, Anthropic.RateLimitError, 'rate_limit_error'],
    ['mock-error-400', 400, Anthropic.BadRequestError, 'invalid_request_error'],
  ] as const)('model %s makes the SDK throw its typed error (status %i)', async (model, status, cls, type) => {
    const error = await client.messages
      .create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'fail please' }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(cls);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.type).toBe(type);
    expect(apiError.error).toEqual(lastServed());
    expect(apiError.error).toEqual({ type: 'error', error: { type, message: apiError.apiMessage } });
    expect(apiError.requestID).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('answers invalid bodies and unknown paths in the Anthropic error shape', async () => {
    const noMax = await client.messages
      .create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(noMax).toBeInstanceOf(Anthropic.BadRequestError);
    expect((noMax as InstanceType<typeof Anthropic.APIError>).error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
    const notFound = await client.models.retrieve('claude-nope').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(notFound).toBeInstanceOf(Anthropic.NotFoundError);
    expect((notFound as InstanceType<typeof Anthropic.APIError>).type).toBe('not_found_error');
  });
});
