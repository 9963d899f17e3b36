import { type Attributes, trace } from '@opentelemetry/api';
import { type Store, verifyStore } from '@auditrail/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditedApp, auditedApp, freshStore } from '../support/audited-app.ts';
import { content, expectNoContentInRecord, expectPriced, recordRequest } from '../support/dialects.ts';

/**
 * Spans as older or other versions of the libraries wrote them (attribute names taken from their
 * sources: OpenLLMetry before it wrote semconv, the AI SDK 4 and 5, OpenInference span kinds the
 * OpenAI instrumentation does not make), and spans with hostile values. Made with the real SDK and
 * recorded through the real processor into the store.
 */
let store: Store;
let app: AuditedApp;

beforeAll(async () => {
  store = await freshStore();
  app = auditedApp({ sink: store, tenantId: 'acme' });
});
afterAll(async () => {
  await app.provider.shutdown();
  await store.close();
});

async function record(requestId: string, spans: { name: string; attributes: Attributes }[]) {
  const tracer = trace.getTracer('legacy-app');
  const { events, payloads } = await recordRequest({ app, store }, requestId, async () => {
    for (const s of spans) tracer.startActiveSpan(s.name, { attributes: s.attributes }, (span) => span.end());
  });
  return { events: events.filter((e) => e.name !== 'invoke_agent weather-agent'), payloads };
}

describe('older and newer names alike', () => {
  it('reads OpenLLMetry before semconv: llm.request.type, flattened gen_ai.prompt.N / gen_ai.completion.N, prompt_tokens', async () => {
    const { events, payloads } = await record('req-legacy-ol', [
      {
        name: 'openai.chat',
        attributes: {
          'llm.request.type': 'chat',
          'gen_ai.system': 'OpenAI',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.response.id': 'chatcmpl-legacy',
          'gen_ai.prompt.0.role': 'system',
          'gen_ai.prompt.0.content': 'Be brief.',
          'gen_ai.prompt.1.role': 'user',
          'gen_ai.prompt.1.content': 'Weather in Paris?',
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.finish_reason': 'tool_calls',
          'gen_ai.completion.0.tool_calls.0.id': 'call_1',
          'gen_ai.completion.0.tool_calls.0.name': 'get_weather',
          'gen_ai.completion.0.tool_calls.0.arguments': '{"city":"Paris"}',
          'llm.request.functions.0.name': 'get_weather',
          'llm.request.functions.0.parameters': '{"type":"object"}',
          'gen_ai.usage.prompt_tokens': 100,
          'gen_ai.usage.completion_tokens': 7,
          'llm.usage.total_tokens': 107,
        },
      },
      {
        name: 'anthropic.chat',
        attributes: {
          'llm.request.type': 'chat',
          'gen_ai.system': 'Anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-6',
          'gen_ai.prompt.0.role': 'user',
          'gen_ai.prompt.0.content': JSON.stringify([{ type: 'text', text: 'Weather in Lyon?' }]),
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.content': JSON.stringify([{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Lyon' } }]),
          'gen_ai.completion.0.finish_reason': 'tool_use',
          // Anthropic's raw numbers: input_tokens without the cache.
          'gen_ai.usage.prompt_tokens': 10,
          'gen_ai.usage.completion_tokens': 5,
          'gen_ai.usage.cache_read_input_tokens': 1000,
          'gen_ai.usage.cache_creation_input_tokens': 200,
        },
      },
    ]);
    const [oa, an] = events as [(typeof events)[0], (typeof events)[0]];
    expect([oa.event_type, oa.operation, oa.provider, oa.request_model, oa.response_model]).toEqual(['llm.completion', 'chat', 'openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18']);
    expect(oa.usage).toEqual({ input_tokens: 100, output_tokens: 7, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null });
    expect(oa.data).toEqual({ response_id: 'chatcmpl-legacy', finish_reasons: ['tool_calls'], temperature: null, max_tokens: null, top_p: null });
    expectPriced(oa);
    expectNoContentInRecord(oa);
    expect(oa.attributes['gen_ai.system']).toBe('OpenAI');
    const p = payloads.get(oa)!;
    expect(content(p, 'gen_ai.input.messages')).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
    ]);
    expect(content(p, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_calls' }]);
    expect(content(p, 'gen_ai.tool.definitions')).toEqual([{ type: 'function', name: 'get_weather', description: null, parameters: { type: 'object' } }]);
    expect(p['gen_ai.prompt.1.content']).toBe('Weather in Paris?');

    expect([an.provider, an.usage]).toEqual(['anthropic', { input_tokens: 1210, output_tokens: 5, cache_read_tokens: 1000, cache_write_tokens: 200, reasoning_tokens: null }]);
    expectPriced(an);
    expect(content(payloads.get(an), 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Lyon?' }] }]);
    expect(content(payloads.get(an), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: { city: 'Lyon' } }], finish_reason: 'tool_use' }]);
  });

  it('reads semconv spellings: gen_ai.system and gen_ai.provider.name, cache_creation and cache_write, older provider names', async () => {
    const base = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-6', 'gen_ai.usage.input_tokens': 1210, 'gen_ai.usage.output_tokens': 5, 'gen_ai.usage.cache_read.input_tokens': 1000 };
    const { events } = await record('req-legacy-semconv', [
      { name: 'a', attributes: { ...base, 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.cache_creation.input_tokens': 200 } },
      { name: 'b', attributes: { ...base, 'gen_ai.system': 'anthropic', 'gen_ai.usage.cache_write.input_tokens': 200 } },
      { name: 'c', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'az.ai.openai', 'gen_ai.request.model': 'gpt-4o-mini' } },
    ]);
    const usage = { input_tokens: 1210, output_tokens: 5, cache_read_tokens: 1000, cache_write_tokens: 200, reasoning_tokens: null };
    expect(events.map((e) => [e.name, e.provider, e.usage])).toEqual([
      ['a', 'anthropic', usage],
      ['b', 'anthropic', usage],
      ['c', 'azure.ai.openai', null],
    ]);
    expect(events[0]!.cost_usd).toBe(events[1]!.cost_usd);
    expectPriced(events[0]!);
  });

  it('reads the AI SDK 4 and 5 usage names (5 reported Anthropic input without the cache)', async () => {
    const call = { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'claude-sonnet-4-6', 'ai.response.finishReason': 'stop', 'ai.response.text': 'Sunny.' };
    const { events, payloads } = await record('req-legacy-ai', [
      { name: 'v5', attributes: { ...call, 'ai.model.provider': 'anthropic.messages', 'ai.usage.inputTokens': 10, 'ai.usage.outputTokens': 5, 'ai.usage.cachedInputTokens': 1000, 'ai.response.providerMetadata': '{"anthropic":{"cacheCreationInputTokens":200}}' } },
      { name: 'v4', attributes: { ...call, 'ai.model.provider': 'openai.chat', 'ai.model.id': 'gpt-4o-mini', 'ai.usage.promptTokens': 40, 'ai.usage.completionTokens': 3, 'ai.prompt.messages': '[{"role":"user","content":"Hi"}]' } },
    ]);
    expect(events.map((e) => [e.name, e.event_type, e.provider, e.request_model, e.usage, e.data['finish_reasons']])).toEqual([
      ['v5', 'llm.completion', 'anthropic', 'claude-sonnet-4-6', { input_tokens: 1210, output_tokens: 5, cache_read_tokens: 1000, cache_write_tokens: 200, reasoning_tokens: null }, ['stop']],
      ['v4', 'llm.completion', 'openai', 'gpt-4o-mini', { input_tokens: 40, output_tokens: 3, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null }, ['stop']],
    ]);
    for (const e of events) expectPriced(e);
    expect(content(payloads.get(events[1]!), 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
  });

  it('reads OpenInference and Traceloop span kinds beyond LLM: tools, retrieval, chains', async () => {
    const { events, payloads } = await record('req-legacy-kinds', [
      { name: 'get_weather', attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'get_weather', 'tool_call.id': 'call_9', 'input.value': '{"city":"Paris"}', 'input.mime_type': 'application/json', 'output.value': 'sunny' } },
      { name: 'retrieve', attributes: { 'openinference.span.kind': 'RETRIEVER', 'input.value': 'weather Paris', 'retrieval.documents.0.document.content': 'Paris is sunny', 'retrieval.documents.0.document.score': 0.9 } },
      { name: 'chain', attributes: { 'openinference.span.kind': 'CHAIN', 'graph.node.name': 'planner' } },
      { name: 'get_weather.tool', attributes: { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'get_weather', 'traceloop.entity.input': '{"city":"Nice"}', 'traceloop.entity.output': '"rain"' } },
      { name: 'trip.workflow', attributes: { 'traceloop.span.kind': 'workflow', 'traceloop.workflow.name': 'trip' } },
    ]);
    expect(events.map((e) => [e.name, e.event_type, e.operation, e.data])).toEqual([
      ['get_weather', 'tool.call', 'execute_tool', { tool_name: 'get_weather', tool_call_id: 'call_9', tool_type: 'function' }],
      ['retrieve', 'retrieval', 'retrieval', { data_source_id: null }],
      ['chain', 'agent.invoke', 'invoke_workflow', { agent_name: 'planner', agent_id: null }],
      ['get_weather.tool', 'tool.call', 'execute_tool', { tool_name: 'get_weather', tool_call_id: null, tool_type: 'function' }],
      ['trip.workflow', 'agent.invoke', 'invoke_workflow', { agent_name: 'trip', agent_id: null }],
    ]);
    for (const e of events) expectNoContentInRecord(e);
    const [oiTool, retrieval, , tlTool] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expect([content(payloads.get(oiTool), 'gen_ai.tool.call.arguments'), content(payloads.get(oiTool), 'gen_ai.tool.call.result')]).toEqual([{ city: 'Paris' }, 'sunny']);
    expect([content(payloads.get(tlTool), 'gen_ai.tool.call.arguments'), content(payloads.get(tlTool), 'gen_ai.tool.call.result')]).toEqual([{ city: 'Nice' }, 'rain']);
    expect(payloads.get(retrieval)).toMatchObject({ 'input.value': 'weather Paris', 'retrieval.documents.0.document.content': 'Paris is sunny' });
    // Scores are not content: they stay in the record.
    expect(retrieval.attributes['retrieval.documents.0.document.score']).toBeUndefined();
  });
});

describe('values from spans are untrusted input', () => {
  it('never throws on odd shapes: bad JSON stays a string, absurd indices and numbers are ignored, every span is recorded', async () => {
    const lone = 'half an emoji \ud83d';
    const { events, payloads } = await record('req-odd', [
      {
        name: 'odd-oi',
        attributes: {
          'openinference.span.kind': 'llm',
          'llm.system': 42,
          'llm.model_name': ['not', 'a', 'string'],
          'llm.invocation_parameters': '{not json',
          'llm.input_messages.99999999.message.role': 'user',
          'llm.input_messages.x.message.role': 'user',
          'llm.input_messages.0.message.content': lone,
          'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{bad json',
          'llm.token_count.prompt': 1e300,
          'llm.token_count.completion': -3,
          'output.value': '[]',
          'output.mime_type': 'application/json',
        },
      },
      { name: 'odd-ai', attributes: { 'ai.operationId': 'ai.streamText.doStream', 'ai.prompt.messages': 'not json', 'ai.response.toolCalls': '[1,"x",{"toolName":7}]', 'ai.prompt.tools': ['{', 'null'], 'ai.usage.inputTokens': 'abc' } },
      { name: 'odd-ol', attributes: { 'llm.request.type': 'banana', 'gen_ai.prompt.0.content': '[{"type":"tool_result"}]', 'gen_ai.completion.0.tool_calls.0.arguments': 'not json' } },
      { name: 'odd-kind', attributes: { 'openinference.span.kind': 'SOMETHING_NEW', 'traceloop.span.kind': 'other' } },
      // Lone surrogates inside JSON text (escaped) and in plain values: made well-formed, never a failed record.
      { name: 'odd-utf16', attributes: { 'openinference.span.kind': 'LLM', 'llm.invocation_parameters': '{"model":"gpt\\ud83d"}', 'output.value': '{"id":"chatcmpl-\\ud83d","choices":[{"finish_reason":"st\\ud83dop"}]}', 'output.mime_type': 'application/json' } },
      { name: 'odd-utf16-ol', attributes: { 'llm.request.type': 'ban\ud83dana' } },
    ]);
    expect(events.map((e) => [e.name, e.event_type, e.status])).toEqual([
      ['odd-oi', 'llm.completion', 'unset'],
      ['odd-ai', 'llm.completion', 'unset'],
      ['odd-ol', 'llm.completion', 'unset'],
      ['odd-kind', 'agent.invoke', 'unset'],
      ['odd-utf16', 'llm.completion', 'unset'],
      ['odd-utf16-ol', 'llm.completion', 'unset'],
    ]);
    const [utf16, utf16ol] = events.slice(-2) as [(typeof events)[0], (typeof events)[0]];
    expect([utf16.request_model, utf16.data['response_id'], utf16.data['finish_reasons'], utf16ol.operation]).toEqual(['gpt\ufffd', 'chatcmpl-\ufffd', ['st\ufffdop'], 'ban\ufffdana']);
    const [oi, ai, ol] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expect([oi.provider, oi.request_model, oi.usage, oi.cost_usd]).toEqual(['42', null, null, null]);
    expect(content(payloads.get(oi), 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'half an emoji \ufffd' }] }]);
    expect(content(payloads.get(oi), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', name: null, arguments: '{bad json' }] }]);
    expect(payloads.get(oi)!['llm.invocation_parameters']).toBe('{not json');
    expect(ai.usage).toBeNull();
    expect(content(payloads.get(ai), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', name: null }] }]);
    expect(payloads.get(ai)!['ai.prompt.messages']).toBe('not json');
    expect(content(payloads.get(ai), 'gen_ai.tool.definitions')).toEqual(['{', null]);
    expect([ol.operation, content(payloads.get(ol), 'gen_ai.output.messages')]).toEqual(['banana', [{ role: 'assistant', parts: [{ type: 'tool_call', name: null, arguments: 'not json' }] }]]);
    expect(app.processor.stats()).toMatchObject({ dropped: 0, writeFailures: 0 });
    expect((await verifyStore(store)).intact).toBe(true);
  });
});
