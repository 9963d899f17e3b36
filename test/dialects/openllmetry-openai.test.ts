import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { content, type DialectRig, expectChildrenOf, expectNoContentInRecord, expectPriced, expectToolLoopEvents, inputOutputUsage, OPENAI_KEY, recordRequest, startRig, stopRig, streamLyon, WEATHER_INPUT, WEATHER_TOOLS, weatherToolLoop } from '../support/dialects.ts';

type ChatCompletion = OpenAI.Chat.Completions.ChatCompletion;

let rig: DialectRig;
let client: OpenAI;

beforeAll(async () => {
  rig = await startRig();
  const { OpenAIInstrumentation } = await import('@traceloop/instrumentation-openai');
  // No loader hooks: OpenLLMetry patches the class it is given.
  new OpenAIInstrumentation().manuallyInstrument(OpenAI);
  client = new OpenAI({ baseURL: rig.mock.url, apiKey: OPENAI_KEY, maxRetries: 0 });
});
afterAll(() => stopRig(rig));

describe('OpenLLMetry (@traceloop/instrumentation-openai) through the normalizer', () => {
  it('records a tool-calling conversation as the mock served it and the app sent it', async () => {
    const { result, events, payloads } = await recordRequest(rig, 'req-ol-chat', () => weatherToolLoop(client, { max_tokens: 200 }));
    const [c1, c2] = expectToolLoopEvents(events, 'req-ol-chat', 'chat gpt-4o-mini');

    const served = rig.mock.served.map((x) => x.response as ChatCompletion);
    expect(served[0]!.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);
    for (const [e, s, answer] of [[c1, served[0]!, result.first], [c2, served[1]!, result.second]] as const) {
      expect([e.provider, e.request_model, e.response_model]).toEqual(['openai', 'gpt-4o-mini', s.model]);
      // OpenLLMetry records input and output tokens only: the mock's cached tokens are inside
      // input_tokens (OpenAI's convention, the record's too) but not broken out.
      expect(e.usage).toEqual(inputOutputUsage(s.usage!));
      // OpenLLMetry maps OpenAI's `tool_calls` to the semconv `tool_call`; the record keeps what the span says.
      expect(e.data).toEqual({ response_id: answer.id, finish_reasons: [s.choices[0]!.finish_reason === 'tool_calls' ? 'tool_call' : 'stop'], temperature: null, max_tokens: 200, top_p: null });
      expectPriced(e);
      expectNoContentInRecord(e);
      expect(e.attributes['gen_ai.usage.total_tokens']).toBe(s.usage!.total_tokens);
    }

    // OpenLLMetry 0.27 writes semconv content itself: kept as recorded, nothing derived.
    const p1 = payloads.get(c1)!;
    expect(p1['auditrail.derived']).toBeUndefined();
    expect(content(p1, 'gen_ai.input.messages')).toEqual(WEATHER_INPUT);
    const call = result.first.choices[0]!.message.tool_calls![0]! as { id: string; function: { arguments: string } };
    expect(content(p1, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', finish_reason: 'tool_call', parts: [{ type: 'tool_call', id: call.id, name: 'get_weather', arguments: JSON.parse(call.function.arguments) }] }]);
    expect(content(p1, 'gen_ai.tool.definitions')).toEqual(WEATHER_TOOLS);
    expect((content(payloads.get(c2), 'gen_ai.input.messages') as unknown[]).at(-1)).toEqual({ role: 'tool', parts: [{ type: 'tool_call_response', id: call.id, response: '{"tempC":21}' }] });
  });

  it('completes a streamed call when the stream ends (OpenLLMetry ignores the usage chunk)', async () => {
    const { result: text, events, payloads } = await recordRequest(rig, 'req-ol-stream', () => streamLyon(client));
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    expect(content(payloads.get(llm), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: text }] }]);
    expect([llm.response_model, llm.data['response_id']]).toEqual([(rig.mock.served[0]!.response as { model: string }[])[0]!.model, expect.stringMatching(/^chatcmpl-/)]);
    // Without its estimating `enrichTokens` option OpenLLMetry records no usage for streams:
    // unpriced (null), never $0.
    expect([llm.usage, llm.cost_usd]).toEqual([null, null]);
    expectChildrenOf(events.at(-1)!, [llm]);
  });
});
