import type { Store } from '@auditrail/clickhouse';
import { type MockProvider, startMockProvider } from '@auditrail/mock-provider';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditedApp, auditedApp, freshStore } from '../support/audited-app.ts';
import { content, ensureTslibResolvable, expectChildrenOf, expectNoContentInRecord, expectPriced, expectRequestContext, inRequest, LONG_SYSTEM, OPENAI_KEY, requestEvents, WEATHER_PARAMETERS } from '../support/dialects.ts';

type ChatCompletion = OpenAI.Chat.Completions.ChatCompletion;

let mock: MockProvider;
let store: Store;
let app: AuditedApp;
let client: OpenAI;
const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_PARAMETERS } }];

beforeAll(async () => {
  mock = await startMockProvider();
  store = await freshStore();
  app = auditedApp({ sink: store, tenantId: 'fallback-tenant' });
  ensureTslibResolvable();
  const { OpenAIInstrumentation } = await import('@traceloop/instrumentation-openai');
  // No loader hooks: OpenLLMetry patches the class it is given.
  new OpenAIInstrumentation().manuallyInstrument(OpenAI);
  client = new OpenAI({ baseURL: mock.url, apiKey: OPENAI_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await app.provider.shutdown();
  await mock.close();
  await store.close();
});

describe('OpenLLMetry (@traceloop/instrumentation-openai) through the normalizer', () => {
  it('records a tool-calling conversation as the mock served it and the app sent it', async () => {
    mock.clearServed();
    const user = 'What is the weather in Paris? Use get_weather.';
    const { first, second } = await inRequest('req-ol-chat', async () => {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'system', content: LONG_SYSTEM },
        { role: 'user', content: user },
      ];
      const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, max_tokens: 200 });
      const call = first.choices[0]!.message.tool_calls![0]!;
      messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"tempC":21}' });
      const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, max_tokens: 200 });
      return { first, second };
    });
    await app.provider.forceFlush();

    const { events, payloads } = await requestEvents(store, 'req-ol-chat');
    expect(events.map((e) => [e.event_type, e.name, e.operation])).toEqual([
      ['llm.completion', 'chat gpt-4o-mini', 'chat'],
      ['llm.completion', 'chat gpt-4o-mini', 'chat'],
      ['agent.invoke', 'invoke_agent weather-agent', 'invoke_agent'],
    ]);
    const [c1, c2, agent] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expectChildrenOf(agent, [c1, c2]);
    expectRequestContext(events, 'req-ol-chat');

    const served = mock.served.map((x) => x.response as ChatCompletion);
    expect(served[0]!.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);
    for (const [e, s, answer] of [[c1, served[0]!, first], [c2, served[1]!, second]] as const) {
      expect([e.provider, e.request_model, e.response_model]).toEqual(['openai', 'gpt-4o-mini', s.model]);
      // OpenLLMetry records input and output tokens only: the mock's cached tokens are inside
      // input_tokens (OpenAI's convention, the record's too) but not broken out.
      expect(e.usage).toEqual({ input_tokens: s.usage!.prompt_tokens, output_tokens: s.usage!.completion_tokens, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null });
      // OpenLLMetry maps OpenAI's `tool_calls` to the semconv `tool_call`; the record keeps what the span says.
      expect(e.data).toEqual({ response_id: answer.id, finish_reasons: [s.choices[0]!.finish_reason === 'tool_calls' ? 'tool_call' : 'stop'], temperature: null, max_tokens: 200, top_p: null });
      expectPriced(e);
      expectNoContentInRecord(e);
      expect(e.attributes['gen_ai.usage.total_tokens']).toBe(s.usage!.total_tokens);
    }

    // OpenLLMetry 0.27 writes semconv content itself: kept as recorded, nothing derived.
    const p1 = payloads.get(c1)!;
    expect(p1['auditrail.derived']).toBeUndefined();
    expect(content(p1, 'gen_ai.input.messages')).toEqual([
      { role: 'system', parts: [{ type: 'text', content: LONG_SYSTEM }] },
      { role: 'user', parts: [{ type: 'text', content: user }] },
    ]);
    const call = first.choices[0]!.message.tool_calls![0]! as { id: string; function: { arguments: string } };
    expect(content(p1, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', finish_reason: 'tool_call', parts: [{ type: 'tool_call', id: call.id, name: 'get_weather', arguments: JSON.parse(call.function.arguments) }] }]);
    expect(content(p1, 'gen_ai.tool.definitions')).toEqual(tools);
    expect((content(payloads.get(c2), 'gen_ai.input.messages') as unknown[]).at(-1)).toEqual({ role: 'tool', parts: [{ type: 'tool_call_response', id: call.id, response: '{"tempC":21}' }] });
  });

  it('completes a streamed call when the stream ends (OpenLLMetry ignores the usage chunk)', async () => {
    mock.clearServed();
    let text = '';
    await inRequest('req-ol-stream', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Tell me about Lyon' }] });
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    });
    await app.provider.forceFlush();
    const { events, payloads } = await requestEvents(store, 'req-ol-stream');
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    expect(content(payloads.get(llm), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: text }] }]);
    expect([llm.response_model, llm.data['response_id']]).toEqual([(mock.served[0]!.response as { model: string }[])[0]!.model, expect.stringMatching(/^chatcmpl-/)]);
    // Without its estimating `enrichTokens` option OpenLLMetry records no usage for streams:
    // unpriced (null), never $0.
    expect([llm.usage, llm.cost_usd]).toEqual([null, null]);
    expectChildrenOf(events.at(-1)!, [llm]);
  });
});
