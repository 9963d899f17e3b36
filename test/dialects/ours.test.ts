import * as anthropicSdk from '@anthropic-ai/sdk';
import { AnthropicInstrumentation, OpenAIInstrumentation } from '@auditrail/instrumentation';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, anthropicUsage, content, type DialectRig, expectChildrenOf, expectNoContentInRecord, expectPriced, expectRequestContext, LONG_SYSTEM, OPENAI_KEY, recordRequest, startRig, stopRig } from '../support/dialects.ts';

/**
 * auditrail's own instrumentation speaks current semconv: the normalizer keeps its content as
 * recorded (nothing derived). Its own tests (test/auto) check every field against the mock; here,
 * what the normalizer adds: a call that the SDK's own tracing sees too is accounted once.
 */
let rig: DialectRig;

beforeAll(async () => {
  rig = await startRig();
  new OpenAIInstrumentation({ captureMessageContent: true }).manuallyInstrument(OpenAI);
  // Keep the SDK's own anthropic.messages.create span: one call, two GenAI spans.
  new AnthropicInstrumentation({ captureMessageContent: true, sdkSpans: 'keep' }).manuallyInstrument(anthropicSdk);
});
afterAll(() => stopRig(rig));

describe("auditrail's own instrumentation through the normalizer", () => {
  it('keeps semconv content exactly as recorded', async () => {
    const client = new OpenAI({ baseURL: rig.mock.url, apiKey: OPENAI_KEY, maxRetries: 0 });
    const { events, payloads } = await recordRequest(rig, 'req-ours-openai', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] }));
    const [llm, agent] = events as [(typeof events)[0], (typeof events)[0]];
    expectChildrenOf(agent, [llm]);
    expectRequestContext(events, 'req-ours-openai');
    const served = rig.mock.served[0]!.response as OpenAI.Chat.Completions.ChatCompletion;
    expect([llm.provider, llm.response_model, llm.usage?.input_tokens, llm.data['response_id']]).toEqual(['openai', served.model, served.usage!.prompt_tokens, served.id]);
    expectPriced(llm);
    expectNoContentInRecord(llm);
    const p = payloads.get(llm)!;
    expect(p['auditrail.derived']).toBeUndefined();
    expect(content(p, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]);
  });

  it('accounts a call once when the SDK traces it too', async () => {
    const client = new anthropicSdk.Anthropic({ baseURL: rig.mock.anthropicUrl, apiKey: ANTHROPIC_KEY, maxRetries: 0 });
    const { events } = await recordRequest(rig, 'req-ours-anthropic', () =>
      client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, system: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'Weather in Paris?' }] }),
    );
    const [sdk, ours, agent] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expect([sdk.name, ours.name, agent.name]).toEqual(['anthropic.messages.create', 'chat claude-sonnet-4-6', 'invoke_agent weather-agent']);
    expectChildrenOf(agent, [ours]);
    expect(sdk.parent_span_id).toBe(ours.span_id);
    const usage = anthropicUsage((rig.mock.served[0]!.response as anthropicSdk.Anthropic.Messages.Message).usage);
    expect(usage.cache_write_tokens).toBeGreaterThan(0);
    expect(ours.usage).toEqual(usage);
    expectPriced(ours);
    expect([sdk.usage, sdk.cost_usd, sdk.data['duplicate_of']]).toEqual([null, null, ours.span_id]);
    // Both spans said the same (the SDK's own input_tokens follow the semconv total too).
    expect(sdk.attributes['gen_ai.usage.input_tokens']).toBe(usage.input_tokens);
  });
});
