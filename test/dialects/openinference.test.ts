import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { content, type DialectRig, expectChildrenOf, expectNoContentInRecord, expectPriced, expectRequestContext, expectToolLoopEvents, OPENAI_KEY, recordRequest, startRig, stopRig, streamLyon, WEATHER_INPUT, WEATHER_PARAMETERS, WEATHER_QUESTION, WEATHER_TOOLS, weatherToolLoop } from '../support/dialects.ts';

type ChatCompletion = OpenAI.Chat.Completions.ChatCompletion;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

let rig: DialectRig;
let client: OpenAI;

beforeAll(async () => {
  rig = await startRig();
  // No loader hooks: OpenInference patches the module it is given.
  new OpenAIInstrumentation().manuallyInstrument(OpenAI);
  client = new OpenAI({ baseURL: rig.mock.url, apiKey: OPENAI_KEY, maxRetries: 0 });
});
afterAll(() => stopRig(rig));

describe('OpenInference (@arizeai/openinference-instrumentation-openai) through the normalizer', () => {
  it('records a tool-calling conversation as the mock served it and the app sent it', async () => {
    const { result, events, payloads } = await recordRequest(rig, 'req-oi-chat', () => weatherToolLoop(client, { temperature: 0.2 }));
    const [c1, c2] = expectToolLoopEvents(events, 'req-oi-chat', 'OpenAI Chat Completions');

    const served = rig.mock.served.map((x) => x.response as ChatCompletion);
    for (const [e, s] of [[c1, served[0]!], [c2, served[1]!]] as const) {
      expect([e.provider, e.request_model, e.response_model]).toEqual(['openai', 'gpt-4o-mini', s.model]);
      expect(e.usage).toEqual({
        input_tokens: s.usage!.prompt_tokens,
        output_tokens: s.usage!.completion_tokens,
        cache_read_tokens: s.usage!.prompt_tokens_details!.cached_tokens!,
        cache_write_tokens: null,
        reasoning_tokens: s.usage!.completion_tokens_details!.reasoning_tokens!,
      });
      // The request id is only in the raw response (output.value): read from there.
      expect(e.data).toEqual({ response_id: s.id, finish_reasons: [s.choices[0]!.finish_reason], temperature: 0.2, max_tokens: null, top_p: null });
      expectPriced(e);
      expectNoContentInRecord(e);
      expect(e.attributes['openinference.span.kind']).toBe('LLM');
    }
    // The long system prompt is a cached prefix: cache tokens are real, not zero.
    expect(c1.usage!.cache_read_tokens).toBeGreaterThan(0);

    // Messages, normalized from the flattened llm.input_messages.N.* into the semconv structure.
    const p1 = payloads.get(c1)!;
    expect(content(p1, 'gen_ai.input.messages')).toEqual(WEATHER_INPUT);
    const call = result.first.choices[0]!.message.tool_calls![0]! as { id: string; function: { name: string; arguments: string } };
    expect(content(p1, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: call.id, name: 'get_weather', arguments: JSON.parse(call.function.arguments) }], finish_reason: 'tool_calls' },
    ]);
    expect(content(p1, 'gen_ai.tool.definitions')).toEqual(WEATHER_TOOLS);
    expect(p1['auditrail.derived']).toEqual(['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.tool.definitions']);
    // The originals stay beside them, exactly as recorded.
    expect(p1['llm.input_messages.1.message.content']).toBe(WEATHER_QUESTION);
    expect(JSON.parse(p1['input.value'] as string)).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2 });

    const p2 = payloads.get(c2)!;
    expect((content(p2, 'gen_ai.input.messages') as unknown[]).slice(2)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: call.id, name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: call.id, response: '{"tempC":21}' }] },
    ]);
    expect(content(p2, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: served[1]!.choices[0]!.message.content }], finish_reason: 'stop' }]);
  });

  it('completes a streamed call when the stream ends (OpenInference records no usage for streams)', async () => {
    const { result: text, events, payloads } = await recordRequest(rig, 'req-oi-stream', () => streamLyon(client));
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    const chunks = rig.mock.served[0]!.response as Chunk[];
    expect(text).toBe('Mock answer to: Tell me about Lyon');
    expect(content(payloads.get(llm), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]);
    expect(llm.data['finish_reasons']).toEqual(['stop']);
    // The library reads neither the usage chunk nor the model that answered: the record says so
    // (no usage, so no cost — unpriced, never $0), and the model is the one requested.
    expect(chunks.at(-1)!.usage).not.toBeNull();
    expect([llm.usage, llm.cost_usd, llm.response_model]).toEqual([null, null, 'gpt-4o-mini']);
    expectChildrenOf(events.at(-1)!, [llm]);
    expectRequestContext(events, 'req-oi-stream');
  });

  it('keeps what it makes of parallel tool calls in a stream as it is: one call, names and ids run together, arguments not JSON', async () => {
    const { events, payloads } = await recordRequest(rig, 'req-oi-parallel', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Use get_weather and get_time for Paris' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_PARAMETERS } }, { type: 'function', function: { name: 'get_time', parameters: WEATHER_PARAMETERS } }],
      });
      for await (const chunk of stream) void chunk;
    });
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    const calls = (rig.mock.served[0]!.response as Chunk[]).flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((tc) => tc.id !== undefined);
    expect(calls.map((c) => c.function!.name)).toEqual(['get_weather', 'get_time']);
    // OpenInference indexes each delta's own tool_calls list, so both calls land on index 0.
    expect(content(payloads.get(llm), 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: '' }, { type: 'tool_call', id: calls.map((c) => c.id).join(''), name: 'get_weatherget_time', arguments: '{"city":"Paris"}{"city":"Paris"}' }], finish_reason: 'tool_calls' },
    ]);
  });

  it('records embeddings with their vectors and input text beside the record, not in it', async () => {
    const { events, payloads } = await recordRequest(rig, 'req-oi-embed', () => client.embeddings.create({ model: 'text-embedding-3-small', input: ['Paris', 'Lyon'] }));
    const e = events.find((x) => x.event_type === 'llm.embedding')!;
    expect([e.operation, e.provider, e.request_model, e.response_model]).toEqual(['embeddings', 'openai', 'text-embedding-3-small', 'text-embedding-3-small']);
    expectNoContentInRecord(e);
    const p = payloads.get(e)!;
    expect([p['embedding.embeddings.0.embedding.text'], p['embedding.embeddings.1.embedding.text']]).toEqual(['Paris', 'Lyon']);
    expect(p['embedding.embeddings.0.embedding.vector']).toHaveLength(8);
  });
});
