import * as anthropicSdk from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, anthropicUsage, content, type DialectRig, expectChildrenOf, expectNoContentInRecord, expectPriced, expectRequestContext, LONG_SYSTEM, recordRequest, startRig, stopRig, WEATHER_PARAMETERS, WEATHER_QUESTION } from '../support/dialects.ts';

type Message = anthropicSdk.Anthropic.Messages.Message;
type StreamEvent = anthropicSdk.Anthropic.Messages.RawMessageStreamEvent;

const MODEL = 'claude-sonnet-4-6';
let rig: DialectRig;
let client: anthropicSdk.Anthropic;
const tools = [{ name: 'get_weather', description: 'Current weather', input_schema: WEATHER_PARAMETERS }];

beforeAll(async () => {
  rig = await startRig();
  const { AnthropicInstrumentation } = await import('@traceloop/instrumentation-anthropic');
  // OpenLLMetry 0.27 also wraps `Anthropic.Completions`, which @anthropic-ai/sdk 1.x no longer has
  // (its patch throws on the real module): hand it the module with a stand-in for that class.
  const { Anthropic, APIPromise } = anthropicSdk;
  new AnthropicInstrumentation().manuallyInstrument({ Anthropic: { Completions: class { create() {} }, Messages: Anthropic.Messages, Beta: Anthropic.Beta }, APIPromise } as never);
  // The SDK's own OpenTelemetry tracing stays on (its default): each call is seen twice.
  client = new anthropicSdk.Anthropic({ baseURL: rig.mock.anthropicUrl, apiKey: ANTHROPIC_KEY, maxRetries: 0 });
});
afterAll(() => stopRig(rig));

describe('OpenLLMetry (@traceloop/instrumentation-anthropic) through the normalizer', () => {
  it('records cache reads and writes in the semconv convention, and a call seen twice once', async () => {
    const { result: answer, events, payloads } = await recordRequest(rig, 'req-ola-chat', () =>
      client.messages.create({
        model: MODEL,
        max_tokens: 300,
        system: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: [{ type: 'text', text: WEATHER_QUESTION, cache_control: { type: 'ephemeral' } }] }],
        tools,
      }),
    );
    // The SDK's own span ends first, inside OpenLLMetry's.
    expect(events.map((e) => [e.event_type, e.name, e.attributes['gen_ai.operation.name']])).toEqual([
      ['llm.completion', 'anthropic.messages.create', 'chat'],
      ['llm.completion', `chat ${MODEL}`, 'chat'],
      ['agent.invoke', 'invoke_agent weather-agent', 'invoke_agent'],
    ]);
    const [sdkSpan, outer, agent] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expectChildrenOf(agent, [outer]);
    expect(sdkSpan.parent_span_id).toBe(outer.span_id);
    expectRequestContext(events, 'req-ola-chat');

    const served = rig.mock.served[0]!.response as Message;
    const u = served.usage;
    expect([u.cache_read_input_tokens, u.cache_creation_input_tokens]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(u.cache_read_input_tokens! * u.cache_creation_input_tokens!).toBeGreaterThan(0);
    // Anthropic's input_tokens leave the cache out; OpenLLMetry copies them as they are. The record
    // follows the semconv: input includes cache reads and writes.
    const usage = anthropicUsage(u);
    expect(outer.attributes['gen_ai.usage.input_tokens']).toBe(u.input_tokens);
    expect([outer.provider, outer.request_model, outer.response_model, outer.usage]).toEqual(['anthropic', MODEL, served.model, usage]);
    expect(outer.data).toEqual({ response_id: served.id, finish_reasons: ['tool_call'], temperature: null, max_tokens: 300, top_p: null });
    expectPriced(outer);
    // The same call seen by the SDK's own tracing: recorded, but accounted once (on the outer span).
    expect([sdkSpan.provider, sdkSpan.response_model, sdkSpan.usage, sdkSpan.cost_usd]).toEqual(['anthropic', served.model, null, null]);
    expect(sdkSpan.data).toMatchObject({ response_id: served.id, duplicate_of: outer.span_id });
    expect(sdkSpan.attributes['gen_ai.usage.input_tokens']).toBe(usage.input_tokens);
    expect(sdkSpan.attributes['gen_ai.usage.cache_write.input_tokens']).toBe(u.cache_creation_input_tokens);
    for (const e of [sdkSpan, outer]) expectNoContentInRecord(e);

    const p = payloads.get(outer)!;
    expect(content(p, 'gen_ai.system_instructions')).toEqual([{ type: 'text', content: LONG_SYSTEM }]);
    expect(content(p, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: WEATHER_QUESTION }] }]);
    const toolUse = (answer as Message).content[0] as anthropicSdk.Anthropic.Messages.ToolUseBlock;
    expect(content(p, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', finish_reason: 'tool_call', parts: [{ type: 'tool_call', id: toolUse.id, name: 'get_weather', arguments: toolUse.input }] }]);
  });

  it('completes a streamed call when the stream ends', async () => {
    const { events, payloads } = await recordRequest(rig, 'req-ola-stream', async () => {
      const stream = await client.messages.create({ model: MODEL, max_tokens: 300, stream: true, messages: [{ role: 'user', content: 'Use get_weather for Lyon' }], tools });
      for await (const event of stream) void event;
    });
    const outer = events.find((e) => e.name === `chat ${MODEL}`)!;
    // The SDK's own span ends with the stream, before OpenLLMetry's: accounted once here too.
    const sdkSpan = events.find((e) => e.name === 'anthropic.messages.create')!;
    expect([sdkSpan.parent_span_id, sdkSpan.usage, sdkSpan.cost_usd, sdkSpan.data['duplicate_of']]).toEqual([outer.span_id, null, null, outer.span_id]);
    const served = rig.mock.served[0]!.response as StreamEvent[];
    const start = served.find((e) => e.type === 'message_start')!.message;
    const delta = served.find((e) => e.type === 'message_delta')!;
    const toolUse = served.find((e) => e.type === 'content_block_start')!.content_block as anthropicSdk.Anthropic.Messages.ToolUseBlock;
    expect(outer.usage).toEqual({ input_tokens: start.usage.input_tokens, output_tokens: delta.usage.output_tokens, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: null });
    expect(outer.response_model).toBe(start.model);
    expectPriced(outer);
    // OpenLLMetry does not read input_json_delta events: the streamed tool call's arguments stay
    // the empty object of its content_block_start, and no stop reason is read from the stream.
    expect(content(payloads.get(outer), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', finish_reason: '', parts: [{ type: 'tool_call', id: toolUse.id, name: 'get_weather', arguments: {} }] }]);
    expect(outer.data['finish_reasons']).toBeNull();
  });
});
