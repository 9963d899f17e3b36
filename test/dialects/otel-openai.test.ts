import { createRequire } from 'node:module';
import { logs } from '@opentelemetry/api-logs';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { AuditLogRecordProcessor } from '@auditrail/processor';
import type OpenAIClass from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { content, type DialectRig, expectNoContentInRecord, expectPriced, expectToolLoopEvents, inputOutputUsage, OPENAI_KEY, recordRequest, startRig, stopRig, streamLyon, WEATHER_INPUT, weatherToolLoop } from '../support/dialects.ts';

type ChatCompletion = OpenAIClass.Chat.Completions.ChatCompletion;

let rig: DialectRig;
let loggerProvider: LoggerProvider;
let logProcessor: AuditLogRecordProcessor;
let client: OpenAIClass;

beforeAll(async () => {
  rig = await startRig();
  // Message content comes in log records: a LoggerProvider with the audit log processor joins it to the spans.
  logProcessor = new AuditLogRecordProcessor(rig.app.processor);
  loggerProvider = new LoggerProvider({ processors: [logProcessor] });
  logs.disable();
  logs.setGlobalLoggerProvider(loggerProvider);
  // As the README wires it. registerInstrumentations also sets a meter provider, which
  // instrumentation-openai 0.21 needs: with @opentelemetry/instrumentation 0.223 its metric
  // instruments are undefined until one is set, and a streamed chat with usage then throws into
  // the app's iteration.
  registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })], loggerProvider });
  // It patches through require/import hooks: the CommonJS build, required after it is enabled, is patched.
  const { OpenAI } = createRequire(import.meta.url)('openai') as typeof import('openai');
  client = new OpenAI({ baseURL: rig.mock.url, apiKey: OPENAI_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await stopRig(rig);
  await loggerProvider.shutdown();
});

describe('the official @opentelemetry/instrumentation-openai (content in log records) through the normalizer', () => {
  it('joins the log events to their spans: a tool-calling conversation as served and sent', async () => {
    const { result, events, payloads } = await recordRequest(rig, 'req-otel-chat', () => weatherToolLoop(client, { top_p: 0.9 }));
    const [c1, c2] = expectToolLoopEvents(events, 'req-otel-chat', 'chat gpt-4o-mini');

    const served = rig.mock.served.map((x) => x.response as ChatCompletion);
    for (const [e, s] of [[c1, served[0]!], [c2, served[1]!]] as const) {
      // The older gen_ai.system names the provider; tokens are input and output only (the cached
      // tokens the mock served are inside input_tokens, not broken out).
      expect([e.provider, e.request_model, e.response_model, e.attributes['gen_ai.system']]).toEqual(['openai', 'gpt-4o-mini', s.model, 'openai']);
      expect(e.usage).toEqual(inputOutputUsage(s.usage!));
      expect(e.data).toEqual({ response_id: s.id, finish_reasons: [s.choices[0]!.finish_reason], temperature: null, max_tokens: null, top_p: 0.9 });
      expectPriced(e);
      expectNoContentInRecord(e);
    }
    expect(served[0]!.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);

    // The content, which the span never had, from the log records joined to it.
    const call = result.first.choices[0]!.message.tool_calls![0]! as { id: string; function: { arguments: string } };
    const toolCallPart = { type: 'tool_call', id: call.id, name: 'get_weather', arguments: JSON.parse(call.function.arguments) };
    const p1 = payloads.get(c1)!;
    expect(content(p1, 'gen_ai.input.messages')).toEqual(WEATHER_INPUT);
    expect(content(p1, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [toolCallPart], finish_reason: 'tool_calls' }]);
    expect(p1['auditrail.derived']).toEqual(['gen_ai.input.messages', 'gen_ai.output.messages']);
    // The original log records are kept beside it.
    expect((p1['auditrail.log_records'] as { event_name: string }[]).map((r) => r.event_name)).toEqual(['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.choice']);
    const p2 = payloads.get(c2)!;
    expect((content(p2, 'gen_ai.input.messages') as unknown[]).slice(2)).toEqual([
      { role: 'assistant', parts: [toolCallPart] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: call.id, response: '{"tempC":21}' }] },
    ]);
    expect(content(p2, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: served[1]!.choices[0]!.message.content }], finish_reason: 'stop' }]);
    expect(logProcessor.stats()).toMatchObject({ captured: 8, joined: 8, late: 0, evicted: 0, dropped: 0 });
  });

  it('completes a streamed call when the stream ends, its answer from the last log event', async () => {
    const { result: text, events, payloads } = await recordRequest(rig, 'req-otel-stream', () => streamLyon(client));
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    const usage = (rig.mock.served[0]!.response as { usage: { prompt_tokens: number; completion_tokens: number } | null }[]).at(-1)!.usage!;
    expect([llm.usage?.input_tokens, llm.usage?.output_tokens]).toEqual([usage.prompt_tokens, usage.completion_tokens]);
    expectPriced(llm);
    expect(content(payloads.get(llm), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]);
    expect(text).toBe('Mock answer to: Tell me about Lyon');
  });

  it('reads the Responses API: newer gen_ai.client.inference.operation.details events and gen_ai.provider.name', async () => {
    const { result: answer, events, payloads } = await recordRequest(rig, 'req-otel-responses', () => client.responses.create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Weather in Nice?' }));
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    const served = rig.mock.served[0]!.response as { id: string; model: string; usage: { input_tokens: number; output_tokens: number } };
    expect([llm.provider, llm.response_model, llm.data['response_id'], llm.usage?.input_tokens, llm.usage?.output_tokens]).toEqual(['openai', served.model, served.id, served.usage.input_tokens, served.usage.output_tokens]);
    expectPriced(llm);
    const p = payloads.get(llm)!;
    // The span's own system instructions are kept exactly as recorded (a bare string here).
    expect(p['gen_ai.system_instructions']).toBe('Be brief.');
    expect(content(p, 'gen_ai.input.messages')).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Nice?' }] },
    ]);
    expect(content(p, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: answer.output_text }], finish_reason: 'stop' }]);
    expectNoContentInRecord(llm);
  });
});
