import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { content, type DialectRig, expectChildrenOf, expectNoContentInRecord, expectPriced, expectRequestContext, LONG_SYSTEM, OPENAI_KEY, recordRequest, startRig, stopRig, WEATHER_INPUT, WEATHER_PARAMETERS, WEATHER_QUESTION } from '../support/dialects.ts';

interface ServedResponse {
  id: string;
  model: string;
  output: { type: string; call_id?: string; name?: string; arguments?: string }[];
  usage: { input_tokens: number; output_tokens: number; input_tokens_details: { cached_tokens: number }; output_tokens_details: { reasoning_tokens: number } };
}

let rig: DialectRig;
let ai: typeof import('ai');
let openai: ReturnType<(typeof import('@ai-sdk/openai'))['createOpenAI']>;
let getWeather: ReturnType<typeof makeTool>;
const telemetry = { isEnabled: true, functionId: 'weather-sdk' };

function makeTool() {
  return ai.tool({
    description: 'Current weather',
    inputSchema: ai.jsonSchema<{ city: string }>(WEATHER_PARAMETERS as never),
    execute: async ({ city }: { city: string }) => ({ city, tempC: 21 }),
  });
}

beforeAll(async () => {
  ai = await import('ai');
  const { createOpenAI } = await import('@ai-sdk/openai');
  getWeather = makeTool();
  // The AI SDK needs nothing but a registered tracer provider and experimental_telemetry.
  rig = await startRig();
  openai = createOpenAI({ baseURL: rig.mock.url, apiKey: OPENAI_KEY });
});
afterAll(() => stopRig(rig));

function usageOf(s: ServedResponse) {
  return { input_tokens: s.usage.input_tokens, output_tokens: s.usage.output_tokens, cache_read_tokens: s.usage.input_tokens_details.cached_tokens, cache_write_tokens: null, reasoning_tokens: s.usage.output_tokens_details.reasoning_tokens };
}

describe('Vercel AI SDK (ai with experimental_telemetry) through the normalizer', () => {
  it('records a tool loop: model calls, the tool call and the wrapper, as served and sent', async () => {
    const { result, events, payloads } = await recordRequest(rig, 'req-ai-tools', () =>
      ai.generateText({ model: openai('gpt-4o-mini'), system: LONG_SYSTEM, prompt: WEATHER_QUESTION, tools: { get_weather: getWeather }, stopWhen: ai.stepCountIs(3), experimental_telemetry: telemetry }),
    );
    expect(events.map((e) => [e.event_type, e.name, e.operation])).toEqual([
      ['llm.completion', 'ai.generateText.doGenerate', 'chat'],
      ['tool.call', 'ai.toolCall', 'execute_tool'],
      ['llm.completion', 'ai.generateText.doGenerate', 'chat'],
      ['agent.invoke', 'ai.generateText', 'invoke_agent'],
      ['agent.invoke', 'invoke_agent weather-agent', 'invoke_agent'],
    ]);
    const [call1, toolCall, call2, wrapper, agent] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expectChildrenOf(agent, [wrapper]);
    for (const e of [call1, toolCall, call2]) expect([e.trace_id, e.parent_span_id]).toEqual([agent.trace_id, wrapper.span_id]);
    expectRequestContext(events, 'req-ai-tools');

    // The provider-level calls carry the usage the mock served (the Responses API, which
    // @ai-sdk/openai uses by default), cache reads included.
    const served = rig.mock.served.map((x) => x.response as ServedResponse);
    expect(rig.mock.served.map((x) => x.path)).toEqual(['/v1/responses', '/v1/responses']);
    expect(served[0]!.usage.input_tokens_details.cached_tokens).toBeGreaterThan(0);
    for (const [e, s, reason] of [[call1, served[0]!, 'tool-calls'], [call2, served[1]!, 'stop']] as const) {
      // gen_ai.system is the SDK's provider id (`openai.responses`): the provider is `openai`.
      expect([e.provider, e.request_model, e.response_model, e.attributes['gen_ai.system']]).toEqual(['openai', 'gpt-4o-mini', s.model, 'openai.responses']);
      expect(e.usage).toEqual(usageOf(s));
      expect(e.data).toEqual({ response_id: s.id, finish_reasons: [reason], temperature: null, max_tokens: null, top_p: null });
      expectPriced(e);
      expectNoContentInRecord(e);
    }
    // The wrapper sums its steps in ai.usage.*: kept in its attributes, not counted again.
    expect([wrapper.usage, wrapper.cost_usd, wrapper.data]).toEqual([null, null, { agent_name: 'weather-sdk', agent_id: null }]);
    expect(wrapper.attributes['ai.usage.inputTokens']).toBe(served[0]!.usage.input_tokens + served[1]!.usage.input_tokens);

    // The tool call: name, id, arguments and result.
    const fc = served[0]!.output.find((o) => o.type === 'function_call')!;
    expect(toolCall.data).toEqual({ tool_name: 'get_weather', tool_call_id: fc.call_id, tool_type: 'function' });
    const tp = payloads.get(toolCall)!;
    expect([content(tp, 'gen_ai.tool.call.arguments'), content(tp, 'gen_ai.tool.call.result')]).toEqual([JSON.parse(fc.arguments!), { city: 'Paris', tempC: 21 }]);
    expectNoContentInRecord(toolCall);

    // Messages in the semconv structure, from ai.prompt.messages and ai.response.*.
    const p1 = payloads.get(call1)!;
    const toolCallPart = { type: 'tool_call', id: fc.call_id, name: 'get_weather', arguments: { city: 'Paris' } };
    expect(content(p1, 'gen_ai.input.messages')).toEqual(WEATHER_INPUT);
    expect(content(p1, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [toolCallPart], finish_reason: 'tool-calls' }]);
    expect(content(p1, 'gen_ai.tool.definitions')).toEqual([{ type: 'function', name: 'get_weather', description: 'Current weather', inputSchema: WEATHER_PARAMETERS }]);
    const p2 = payloads.get(call2)!;
    expect(content(p2, 'gen_ai.input.messages')).toEqual([
      ...WEATHER_INPUT,
      { role: 'assistant', parts: [toolCallPart] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: fc.call_id, response: { city: 'Paris', tempC: 21 } }] },
    ]);
    expect(content(p2, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: result.text }], finish_reason: 'stop' }]);
    // The wrapper's content is the app's own prompt and the final answer.
    expect(content(payloads.get(wrapper), 'gen_ai.input.messages')).toEqual(WEATHER_INPUT);
    expect(content(payloads.get(wrapper), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: result.text }], finish_reason: 'stop' }]);
    expect(payloads.get(wrapper)!['ai.prompt']).toBe(JSON.stringify({ system: LONG_SYSTEM, prompt: WEATHER_QUESTION }));
  });

  it('completes a streamed call when the stream ends', async () => {
    let text = '';
    const { events, payloads } = await recordRequest(rig, 'req-ai-stream', async () => {
      const result = ai.streamText({ model: openai('gpt-4o-mini'), prompt: 'Tell me about Lyon', experimental_telemetry: telemetry });
      for await (const delta of result.textStream) text += delta;
    });
    expect(events.map((e) => e.name)).toEqual(['ai.streamText.doStream', 'ai.streamText', 'invoke_agent weather-agent']);
    const call = events[0]!;
    const completed = (rig.mock.served[0]!.response as { type: string; response?: ServedResponse }[]).find((e) => e.type === 'response.completed')!.response!;
    expect([call.usage, call.response_model, call.data['response_id']]).toEqual([usageOf(completed), completed.model, completed.id]);
    expectPriced(call);
    expect(content(payloads.get(call), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]);
    expect(text).toBe('Mock answer to: Tell me about Lyon');
  });

  it('records an embedding call with its token count; values and vectors stay beside the record', async () => {
    const { events, payloads } = await recordRequest(rig, 'req-ai-embed', () => ai.embed({ model: openai.embedding('text-embedding-3-small'), value: 'Paris in spring', experimental_telemetry: telemetry }));
    const e = events.find((x) => x.name === 'ai.embed.doEmbed')!;
    const served = rig.mock.served[0]!.response as { usage: { prompt_tokens: number } };
    expect([e.event_type, e.provider, e.request_model, e.usage?.input_tokens]).toEqual(['llm.embedding', 'openai', 'text-embedding-3-small', served.usage.prompt_tokens]);
    expectPriced(e);
    expectNoContentInRecord(e);
    expect(payloads.get(e)!['ai.values']).toEqual([JSON.stringify('Paris in spring')]);
  });
});
