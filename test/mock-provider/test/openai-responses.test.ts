import OpenAI from 'openai';
import type { ResponseCreateParamsNonStreaming, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startMockProvider, type MockProvider } from '../src/index.ts';
import { hex, openaiClient, RESPONSE_TOOLS, tok } from './fixtures.ts';

let provider: MockProvider;
let client: OpenAI;

beforeAll(async () => {
  provider = await startMockProvider();
  client = openaiClient(provider);
});

afterAll(() => provider.close());

/** The response as sent on the wire: the SDK adds the `output_text` convenience field. */
const wire = (response: OpenAI.Responses.Response): Omit<OpenAI.Responses.Response, 'output_text'> => {
  const { output_text: _, ...rest } = response;
  return rest;
};
const lastServed = (): unknown => provider.served.at(-1)?.response;

describe('mock provider: Responses API', () => {
  it('answers a string input with the full response object', async () => {
    const params: ResponseCreateParamsNonStreaming = {
      model: 'gpt-4.1',
      instructions: 'You are terse.',
      input: 'Hello, responses!',
    };
    const key = JSON.stringify(params);
    const text = 'Mock answer to: Hello, responses!';
    const response = await client.responses.create(params);
    expect(response.output_text).toBe(text);
    expect(wire(response)).toEqual(lastServed());
    expect(wire(response)).toEqual({
      id: 'resp_' + hex(key).slice(0, 48),
      object: 'response',
      created_at: 1700000000,
      status: 'completed',
      completed_at: 1700000000,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: 'You are terse.',
      max_output_tokens: null,
      model: 'gpt-4.1-2024-08-06',
      output: [
        {
          id: 'msg_' + hex(key + 'msg').slice(0, 48),
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      service_tier: 'default',
      store: true,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_p: 1,
      truncation: 'disabled',
      usage: {
        input_tokens: tok('You are terse.') + tok('Hello, responses!'), // 4 + 5
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: tok(text), // 9
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 9 + 9,
      },
      metadata: {},
    });
    expect(provider.served.at(-1)).toMatchObject({
      path: '/v1/responses',
      request: params,
      status: 200,
      stream: false,
    });
  });

  it('makes parallel function calls, then answers the turn that carries their outputs', async () => {
    const question = 'Please call get_time and then get_weather for my trip to Tokyo';
    const params: ResponseCreateParamsNonStreaming = { model: 'gpt-4.1', input: question, tools: RESPONSE_TOOLS };
    const key = JSON.stringify(params);
    const args = ['{"city":"Paris"}', JSON.stringify({ timezone: question.slice(0, 40), offset: 42, dst: true })];
    const turn = await client.responses.create(params);
    expect(wire(turn)).toEqual(lastServed());
    expect(turn.output).toEqual(
      ['get_weather', 'get_time'].map((name, i) => ({
        id: 'fc_' + hex(key + `fc${i}`).slice(0, 48),
        type: 'function_call',
        status: 'completed',
        arguments: args[i],
        call_id: 'call_' + hex(key + String(i)).slice(0, 24),
        name,
      })),
    );
    expect(turn.output_text).toBe('');
    expect(turn.usage?.input_tokens).toBe(tok(question) + tok(JSON.stringify(RESPONSE_TOOLS)));
    expect(turn.usage?.output_tokens).toBe(tok(args[0] ?? '') + tok(args[1] ?? ''));

    const single = await client.responses.create({ ...params, parallel_tool_calls: false });
    expect(single.output.map((o) => o.type === 'function_call' && o.name)).toEqual(['get_weather']);

    const calls = turn.output.flatMap((o) => (o.type === 'function_call' ? [o] : []));
    const followUp = await client.responses.create({
      model: 'gpt-4.1',
      tools: RESPONSE_TOOLS,
      input: [
        { role: 'user', content: question },
        ...calls,
        ...calls.map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: '{"ok":true}' })),
      ],
    });
    expect(followUp.output_text).toBe(`Mock answer to: ${question} (using 2 tool results)`);
    expect(followUp.output.map((o) => o.type)).toEqual(['message']);
    // Input: the question, both calls' arguments, both outputs and the tools.
    expect(followUp.usage?.input_tokens).toBe(
      tok(question) +
        calls.reduce((sum, c) => sum + tok(c.arguments) + tok('{"ok":true}'), 0) +
        tok(JSON.stringify(RESPONSE_TOOLS)),
    );
  });

  it('stops at max_output_tokens with status "incomplete", and reasons for o-series models', async () => {
    const cut = await client.responses.create({
      model: 'gpt-4.1',
      input: 'Tell me a long story',
      max_output_tokens: 3,
    });
    expect(cut.status).toBe('incomplete');
    expect(cut.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(cut.completed_at).toBeNull();
    expect(cut.output_text).toBe('Mock answer ');
    expect(cut.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });

    const long = 'x'.repeat(6000); // 1,500 tokens of instructions: a cacheable prefix
    const params: ResponseCreateParamsNonStreaming = {
      model: 'o4-mini',
      instructions: long,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Think first' }] }],
      reasoning: { effort: 'low' },
    };
    const reasoned = await client.responses.create(params);
    expect(reasoned.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(reasoned.output[0]).toEqual({
      id: 'rs_' + hex(JSON.stringify(params) + 'rs').slice(0, 48),
      type: 'reasoning',
      summary: [],
    });
    expect(reasoned.reasoning).toEqual({ effort: 'low', summary: null });
    expect(reasoned.usage).toEqual({
      input_tokens: 1500 + 3,
      input_tokens_details: { cached_tokens: 1408 }, // 11 × 128 ≤ 1500
      output_tokens: tok('Mock answer to: Think first') + 32,
      output_tokens_details: { reasoning_tokens: 32 },
      total_tokens: 1503 + 7 + 32,
    });
  });
});

describe('mock provider: Responses API streaming', () => {
  it('streams the real event sequence, each event named and numbered, ending with the full response', async () => {
    const params = { model: 'gpt-4.1', input: 'Stream a reply', stream: true as const };
    const stream = await client.responses.create(params);
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events).toEqual(lastServed());
    expect(provider.served.at(-1)?.stream).toBe(true);

    const text = 'Mock answer to: Stream a reply';
    const deltas = ['Mock ans', 'wer to: ', 'Stream a', ' reply'];
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...deltas.map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []))).toEqual(deltas);
    const created = events[0];
    if (created?.type !== 'response.created') throw new Error('expected response.created first');
    expect(created.response).toMatchObject({ status: 'in_progress', output: [], usage: null });
    const completed = events.at(-1);
    if (completed?.type !== 'response.completed') throw new Error('expected response.completed last');
    expect(completed.response.output).toEqual([
      {
        id: 'msg_' + hex(JSON.stringify(params) + 'msg').slice(0, 48),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
      },
    ]);
    expect(completed.response.usage?.output_tokens).toBe(tok(text));

    // On the wire: an `event:` line naming the type, a `data:` line, no [DONE] sentinel.
    const raw = async (): Promise<string> =>
      (await fetch(`${provider.url}/responses`, { method: 'POST', body: JSON.stringify(params) })).text();
    const [first, second] = [await raw(), await raw()];
    expect(first).toBe(second);
    const frames = first.split('\n\n').filter((f) => f !== '');
    expect(frames).toEqual(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}`));
  });

  it('streams function calls as argument deltas; the SDK helper reassembles the final response', async () => {
    const params = { model: 'gpt-4.1', input: 'Use get_weather and get_time', tools: RESPONSE_TOOLS };
    const plain = await client.responses.create(params);
    const helper = client.responses.stream(params);
    const types: string[] = [];
    for await (const event of helper) types.push(event.type);
    const final = await helper.finalResponse();
    const sent = lastServed() as ResponseStreamEvent[];
    const completed = sent.at(-1);
    if (completed?.type !== 'response.completed') throw new Error('expected response.completed last');
    // The helper adds its parse results (`output_parsed`, `parsed_arguments`) on top of what was sent.
    expect(final).toMatchObject(completed.response);
    expect(types).toEqual(sent.map((e) => e.type));
    const fn = (r: OpenAI.Responses.Response) =>
      r.output.map((o) => (o.type === 'function_call' ? [o.name, o.arguments] : []));
    expect(fn(final)).toEqual(fn(plain));
    expect(types.filter((t) => t === 'response.function_call_arguments.done')).toHaveLength(2);
    const args = sent.flatMap((e) =>
      e.type === 'response.function_call_arguments.delta' && e.output_index === 1 ? [e.delta] : [],
    );
    expect(args.join('')).toBe(fn(plain)[1]?.[1]);
  });
});
