import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import type { Store } from '@auditrail/clickhouse';
import { type MockProvider, startMockProvider } from '@auditrail/mock-provider';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditedApp, auditedApp, freshStore } from '../support/audited-app.ts';
import { content, expectChildrenOf, expectNoContentInRecord, expectPriced, expectRequestContext, inRequest, LONG_SYSTEM, OPENAI_KEY, requestEvents, WEATHER_PARAMETERS } from '../support/dialects.ts';

type ChatCompletion = OpenAI.Chat.Completions.ChatCompletion;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

let mock: MockProvider;
let store: Store;
let app: AuditedApp;
let client: OpenAI;
const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_PARAMETERS } }];

beforeAll(async () => {
  mock = await startMockProvider();
  store = await freshStore();
  app = auditedApp({ sink: store, tenantId: 'fallback-tenant' });
  // No loader hooks: OpenInference patches the module it is given.
  new OpenAIInstrumentation().manuallyInstrument(OpenAI);
  client = new OpenAI({ baseURL: mock.url, apiKey: OPENAI_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await app.provider.shutdown();
  await mock.close();
  await store.close();
});

describe('OpenInference (@arizeai/openinference-instrumentation-openai) through the normalizer', () => {
  it('records a tool-calling conversation as the mock served it and the app sent it', async () => {
    mock.clearServed();
    const user = 'What is the weather in Paris? Use get_weather.';
    const { first } = await inRequest('req-oi-chat', async () => {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'system', content: LONG_SYSTEM },
        { role: 'user', content: user },
      ];
      const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, temperature: 0.2 });
      const call = first.choices[0]!.message.tool_calls![0]!;
      messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"tempC":21}' });
      const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, temperature: 0.2 });
      return { first, second };
    });
    await app.provider.forceFlush();

    const { events, payloads } = await requestEvents(store, 'req-oi-chat');
    expect(events.map((e) => [e.event_type, e.name, e.operation])).toEqual([
      ['llm.completion', 'OpenAI Chat Completions', 'chat'],
      ['llm.completion', 'OpenAI Chat Completions', 'chat'],
      ['agent.invoke', 'invoke_agent weather-agent', 'invoke_agent'],
    ]);
    const [c1, c2, agent] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expectChildrenOf(agent, [c1, c2]);
    expectRequestContext(events, 'req-oi-chat');

    const served = mock.served.map((x) => x.response as ChatCompletion);
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
    expect(content(p1, 'gen_ai.input.messages')).toEqual([
      { role: 'system', parts: [{ type: 'text', content: LONG_SYSTEM }] },
      { role: 'user', parts: [{ type: 'text', content: user }] },
    ]);
    const call = first.choices[0]!.message.tool_calls![0]! as { id: string; function: { name: string; arguments: string } };
    expect(content(p1, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: call.id, name: 'get_weather', arguments: JSON.parse(call.function.arguments) }], finish_reason: 'tool_calls' },
    ]);
    expect(content(p1, 'gen_ai.tool.definitions')).toEqual(tools);
    expect(p1['auditrail.derived']).toEqual(['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.tool.definitions']);
    // The originals stay beside them, exactly as recorded.
    expect(p1['llm.input_messages.1.message.content']).toBe(user);
    expect(JSON.parse(p1['input.value'] as string)).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2 });

    const p2 = payloads.get(c2)!;
    expect((content(p2, 'gen_ai.input.messages') as unknown[]).slice(2)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: call.id, name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: call.id, response: '{"tempC":21}' }] },
    ]);
    expect(content(p2, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: served[1]!.choices[0]!.message.content }], finish_reason: 'stop' }]);
  });

  it('completes a streamed call when the stream ends (OpenInference records no usage for streams)', async () => {
    mock.clearServed();
    let text = '';
    await inRequest('req-oi-stream', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Tell me about Lyon' }] });
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    });
    await app.provider.forceFlush();

    const { events, payloads } = await requestEvents(store, 'req-oi-stream');
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    const chunks = mock.served[0]!.response as Chunk[];
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
    mock.clearServed();
    const city = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };
    await inRequest('req-oi-parallel', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Use get_weather and get_time for Paris' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: city } }, { type: 'function', function: { name: 'get_time', parameters: city } }],
      });
      for await (const chunk of stream) void chunk;
    });
    await app.provider.forceFlush();
    const { events, payloads } = await requestEvents(store, 'req-oi-parallel');
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    const calls = (mock.served[0]!.response as Chunk[]).flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((tc) => tc.id !== undefined);
    expect(calls.map((c) => c.function!.name)).toEqual(['get_weather', 'get_time']);
    // OpenInference indexes each delta's own tool_calls list, so both calls land on index 0.
    expect(content(payloads.get(llm), 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: '' }, { type: 'tool_call', id: calls.map((c) => c.id).join(''), name: 'get_weatherget_time', arguments: '{"city":"Paris"}{"city":"Paris"}' }], finish_reason: 'tool_calls' },
    ]);
  });

  it('records embeddings with their vectors and input text beside the record, not in it', async () => {
    await inRequest('req-oi-embed', () => client.embeddings.create({ model: 'text-embedding-3-small', input: ['Paris', 'Lyon'] }));
    await app.provider.forceFlush();
    const { events, payloads } = await requestEvents(store, 'req-oi-embed');
    const e = events.find((x) => x.event_type === 'llm.embedding')!;
    expect([e.operation, e.provider, e.request_model, e.response_model]).toEqual(['embeddings', 'openai', 'text-embedding-3-small', 'text-embedding-3-small']);
    expectNoContentInRecord(e);
    const p = payloads.get(e)!;
    expect([p['embedding.embeddings.0.embedding.text'], p['embedding.embeddings.1.embedding.text']]).toEqual(['Paris', 'Lyon']);
    expect(p['embedding.embeddings.0.embedding.vector']).toHaveLength(8);
  });
});
