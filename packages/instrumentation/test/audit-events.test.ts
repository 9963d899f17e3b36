import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { beforeEach, describe, expect, it } from 'vitest';
import { recordAdminAction, recordAuthEvent, recordError, recordGuardrail, withRequestContext, withRetrieval } from '../src/index.ts';

const exporter = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
beforeEach(() => exporter.reset());
const only = () => {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
};

describe('record helpers', () => {
  it('records a retrieval with its data source, query and the documents fn returned, in the request context', async () => {
    const docs = [{ id: 'kb-12', score: 0.91, content: 'Refunds within 30 days.' }, { id: 'kb-7', score: 0.42 }];
    const got = await withRequestContext({ requestId: 'req-1', userId: 'u-1' }, () => withRetrieval({ dataSource: 'kb-refunds', query: 'refund window?', topK: 2 }, () => docs));
    expect(got).toBe(docs);
    const span = only();
    expect(span.name).toBe('retrieval kb-refunds');
    expect(span.attributes).toEqual({
      'auditrail.request.id': 'req-1',
      'user.id': 'u-1',
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.data_source.id': 'kb-refunds',
      'gen_ai.retrieval.query.text': 'refund window?',
      'gen_ai.retrieval.top_k': 2,
      'gen_ai.retrieval.documents': JSON.stringify(docs),
    });
  });

  it('records guardrail, auth, admin and error events with their fields; failures carry error status', () => {
    const refs = [
      recordGuardrail({ name: 'pii-filter', rule: 'credit-card', action: 'redacted', severity: 'high', details: { field: 'prompt' } }),
      recordAuthEvent({ action: 'login', outcome: 'failure', principal: 'u-9', method: 'password', reason: 'bad password' }),
      recordAdminAction({ action: 'change_model', actor: 'admin-2', target: 'support-agent', changes: { from: 'gpt-4o-mini', to: 'gpt-4o' } }),
      recordError(new RangeError('tool arguments did not parse'), { operation: 'parse_tool_arguments', context: { raw: '{oops' } }),
    ];
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.attributes['auditrail.event_type'], s.status.code])).toEqual([
      ['guardrail pii-filter', 'guardrail', SpanStatusCode.UNSET],
      ['auth login', 'auth', SpanStatusCode.ERROR],
      ['admin change_model', 'admin', SpanStatusCode.UNSET],
      ['error parse_tool_arguments', 'error', SpanStatusCode.ERROR],
    ]);
    expect(refs.map((r) => r?.spanId)).toEqual(spans.map((s) => s.spanContext().spanId));
    expect(spans[0]!.attributes).toMatchObject({ 'auditrail.guardrail.rule': 'credit-card', 'auditrail.guardrail.action': 'redacted', 'auditrail.guardrail.severity': 'high', 'auditrail.guardrail.details': '{"field":"prompt"}' });
    expect(spans[1]!.attributes).toMatchObject({ 'auditrail.auth.principal': 'u-9', 'auditrail.auth.method': 'password', 'auditrail.auth.outcome': 'failure' });
    expect(spans[2]!.attributes).toMatchObject({ 'auditrail.admin.actor': 'admin-2', 'auditrail.admin.changes': '{"from":"gpt-4o-mini","to":"gpt-4o"}' });
    expect(spans[3]!.attributes).toMatchObject({ 'error.type': 'RangeError', 'auditrail.error.message': 'tool arguments did not parse', 'auditrail.error.context': '{"raw":"{oops"}' });
  });

  it('never throws into the app, whatever it is given', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => recordAdminAction({ action: 'x', actor: 'y', changes: cyclic })).not.toThrow();
    expect(() => recordError(undefined)).not.toThrow();
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });
});
