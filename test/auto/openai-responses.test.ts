import OpenAI from 'openai';
import type { Response, ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedCost, OpenAIHarness, oneTurn, recordUsage, succeeded, summary, textAnswer } from './fixtures/openai-harness.ts';

let h: OpenAIHarness;
let client: OpenAI;
beforeAll(async () => {
  ({ h, client } = await OpenAIHarness.withClient(OpenAI));
});
afterAll(() => h.close());

const cityTool = (name: string) => ({
  type: 'function' as const,
  name,
  description: `${name} for a city`,
  strict: false,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
});
const TOOLS = [cityTool('get_weather'), cityTool('get_time')];

/** The text of a response's message items. */
const outputText = (r: Response) => r.output.flatMap((i) => (i.type === 'message' ? i.content.map((c) => (c.type === 'output_text' ? c.text : '')) : [])).join('');

describe('responses.create', () => {
  it('records instructions, input, answer, usage, cost and the conversation id', async () => {
    const body = { model: 'gpt-4o-mini', instructions: 'Answer in one line.', input: 'What does verify check?', temperature: 0.3, top_p: 0.8, max_output_tokens: 300, conversation: 'conv_audit_1' };
    const r = await h.record(() => client.responses.create(body));
    const served = r.served[0]!.response as Response;
    expect(r.value.output_text).toBe(outputText(served));
    expect(r.events.map(summary)).toEqual([succeeded(r.requestId, 'responses', 'gpt-4o-mini', served)]);
    const [e] = r.events;
    expect(e!.cost_usd).not.toBeNull();
    expect(e!.cost_usd).toBe(expectedCost(e!));
    expect(e!.data).toMatchObject({ temperature: 0.3, top_p: 0.8, max_tokens: 300 });
    expect(e!.attributes).toMatchObject({ 'gen_ai.conversation.id': 'conv_audit_1', 'openai.response.service_tier': 'default' });
    expect(await h.content(e!)).toEqual(oneTurn('Answer in one line.', 'What does verify check?', r.value.output_text));
  });

  it('records parallel function calls and, next turn, the items that answer them (previous_response_id kept)', async () => {
    const ask: ResponseInputItem[] = [{ role: 'user', content: 'Use get_weather and get_time for Paris' }];
    const r = await h.record(async () => {
      const a = await client.responses.create({ model: 'gpt-4o-mini', input: ask, tools: TOOLS });
      const calls = a.output.filter((i) => i.type === 'function_call');
      const outputs: ResponseInputItem[] = calls.map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: `{"${c.name}":"ok"}` }));
      const b = await client.responses.create({ model: 'gpt-4o-mini', input: [...ask, ...calls, ...outputs], tools: TOOLS, previous_response_id: a.id });
      return { a, calls, b };
    });
    const { a, calls, b } = r.value;
    expect(calls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
    expect(r.events.map((e) => [e.data['response_id'], e.data['finish_reasons']])).toEqual([
      [a.id, ['tool_call']],
      [b.id, ['stop']],
    ]);
    expect(r.events[1]!.attributes['auditrail.openai.previous_response_id']).toBe(a.id);
    const callParts = calls.map((c) => ({ type: 'tool_call', id: c.call_id, name: c.name, arguments: c.arguments }));
    const [one, two] = await Promise.all(r.events.map((e) => h.content(e)));
    expect(one).toEqual({
      'gen_ai.tool.definitions': TOOLS,
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Use get_weather and get_time for Paris' }] }],
      'gen_ai.output.messages': [{ role: 'assistant', parts: callParts, finish_reason: 'tool_call' }],
    });
    expect(two!['gen_ai.input.messages']).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Use get_weather and get_time for Paris' }] },
      { role: 'assistant', parts: callParts },
      ...calls.map((c) => ({ role: 'tool', parts: [{ type: 'tool_call_response', id: c.call_id, response: `{"${c.name}":"ok"}` }] })),
    ]);
    expect(b.output_text).toContain('(using 2 tool results)');
  });

  it('counts cached and reasoning tokens; an answer cut by max_output_tokens finishes for length, not in error', async () => {
    const instructions = 'Rules. '.repeat(800);
    const input: ResponseInputItem[] = [
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: 'First answer' },
      { role: 'user', content: 'Second question, answered at some length please' },
    ];
    const r = await h.record(async () => [
      await client.responses.create({ model: 'gpt-5-mini', reasoning: { effort: 'low' }, instructions, input }),
      await client.responses.create({ model: 'gpt-5-mini', reasoning: { effort: 'low' }, input: 'Say a lot', max_output_tokens: 34 }),
    ]);
    const [full, cut] = r.events;
    expect(full!.usage).toEqual(recordUsage((r.served[0]!.response as Response).usage as never, 'responses'));
    expect([full!.usage!.cache_read_tokens! > 0, full!.usage!.reasoning_tokens]).toEqual([true, 32]);
    expect(full!.cost_usd).toBe(expectedCost(full!));
    expect(full!.cost_usd).not.toBeNull();
    expect(r.value[1]!.status).toBe('incomplete');
    expect([cut!.status, cut!.data['finish_reasons']]).toEqual(['unset', ['length']]);
    // The earlier assistant turn given as input is part of the conversation recorded.
    expect(((await h.content(full!))['gen_ai.input.messages'] as { role: string }[]).map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });
});

describe('responses.create with stream: true', () => {
  it('is recorded when the stream ends, from the response.completed event', async () => {
    const r = await h.record(async (requestId) => {
      const stream = await client.responses.create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Stream me an answer', stream: true });
      await h.app.provider.forceFlush();
      const before = await h.store.trace({ requestId });
      const events: ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      return { before, events };
    });
    const { before, events } = r.value;
    expect(before).toEqual([]);
    expect(events).toEqual(r.served[0]!.response);
    const completed = events.at(-1) as Extract<ResponseStreamEvent, { type: 'response.completed' }>;
    expect(completed.type).toBe('response.completed');
    const [e] = r.events;
    expect(summary(e!)).toMatchObject({ response_id: completed.response.id, response_model: completed.response.model, usage: recordUsage(completed.response.usage as never, 'responses'), finish_reasons: ['stop'] });
    const deltas = events.flatMap((x) => (x.type === 'response.output_text.delta' ? [x.delta] : [])).join('');
    expect((await h.content(e!))['gen_ai.output.messages']).toEqual(textAnswer(deltas));
  });

  it('a stream the server cuts is recorded with the text that had arrived, aborted', async () => {
    const r = await h.record(async () => {
      let text = '';
      try {
        for await (const x of await client.responses.create({ model: 'mock-stream-abort', input: 'Stream me a longer answer about audit logs', stream: true })) {
          if (x.type === 'response.output_text.delta') text += x.delta;
        }
        return { text, threw: null };
      } catch (e) {
        return { text, threw: (e as Error).message };
      }
    });
    expect(r.value.threw).toBe('terminated');
    const [e] = r.events;
    expect([e!.status, e!.error_type, e!.attributes['auditrail.call.aborted'], e!.usage]).toEqual(['error', 'TypeError', true, null]);
    expect((await h.content(e!))['gen_ai.output.messages']).toEqual(textAnswer(r.value.text, 'error'));
  });
});

describe('embeddings.create', () => {
  it('records an llm.embedding with model, input count, tokens, cost, dimensions and the texts', async () => {
    const input = ['refund policy for electronics', 'order A-1001 status'];
    const r = await h.record(() => client.embeddings.create({ model: 'text-embedding-3-small', input, encoding_format: 'float' }));
    const served = r.served[0]!.response as CreateEmbeddingResponse;
    expect(r.value).toEqual(served);
    const [e] = r.events;
    expect(summary(e!)).toEqual(succeeded(r.requestId, 'embeddings', 'text-embedding-3-small', served));
    expect(e!.cost_usd).not.toBeNull();
    expect(e!.cost_usd).toBe(expectedCost(e!));
    expect(e!.attributes).toMatchObject({ 'auditrail.embeddings.input_count': 2, 'gen_ai.embeddings.dimension.count': 8, 'gen_ai.request.encoding_formats': ['float'] });
    expect(await h.content(e!)).toEqual({ 'gen_ai.input.messages': [{ role: 'user', parts: input.map((content) => ({ type: 'text', content })) }] });
  });
});

describe('SDK helpers built on create', () => {
  it('chat.completions.stream(), responses.stream() and json output are recorded like create', async () => {
    const r = await h.record(async () => {
      const chat = await client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'helper stream' }], stream_options: { include_usage: true } }).finalChatCompletion();
      const resp = await client.responses.stream({ model: 'gpt-4o-mini', input: 'helper responses stream' }).finalResponse();
      const json = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'as json' }], response_format: { type: 'json_object' } });
      return { chat, resp, json };
    });
    const { chat, resp } = r.value;
    expect(r.events.map((e) => [e.data['response_id'], e.usage?.input_tokens, e.usage?.output_tokens])).toEqual([
      [chat.id, chat.usage!.prompt_tokens, chat.usage!.completion_tokens],
      [resp.id, resp.usage!.input_tokens, resp.usage!.output_tokens],
      [r.value.json.id, r.value.json.usage!.prompt_tokens, r.value.json.usage!.completion_tokens],
    ]);
    expect(r.events[2]!.attributes['gen_ai.output.type']).toBe('json');
  });
});
