import { trace } from '@opentelemetry/api';
import type { AuditRecord } from '@auditrail/core';
import {
  recordAdminAction,
  recordAuthEvent,
  recordDecision,
  recordError,
  recordGuardrail,
  withLlmCall,
  withRequestContext,
  withRetrieval,
} from '@auditrail/instrumentation';
import { describe, expect, it } from 'vitest';
import { auditedApp, freshStore } from './support/audited-app.ts';

const SECRET_QUERY = 'refund window for order A-1042 of jane.roe@example.com';
const DOC_TEXT = 'Refunds are accepted within 30 days of delivery.';

describe('record helpers, end to end into the store', () => {
  it('stores retrieval, guardrail, auth, admin and error events with their fields, content beside the record, and decisions naming event ids', async () => {
    const store = await freshStore();
    const { provider } = auditedApp({ sink: store, tenantId: 'acme' });
    await withRequestContext({ requestId: 'req-7', userId: 'u-7', sessionId: 's-7' }, async () => {
      recordAuthEvent({ action: 'login', outcome: 'success', principal: 'u-7', method: 'sso' });
      let docsRef;
      const docs = await withRetrieval({ dataSource: 'kb-refunds', query: SECRET_QUERY, topK: 2 }, (r) => {
        docsRef = r;
        return [{ id: 'kb-12', score: 0.91, content: DOC_TEXT }, { id: 'kb-7', score: 0.4 }];
      });
      expect(docs).toHaveLength(2);
      let llmRef;
      await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (call) => {
        llmRef = call;
        call.setResponse({ model: 'gpt-4o-mini-2024-07-18', usage: { inputTokens: 120, outputTokens: 30 } });
      });
      recordGuardrail({ name: 'pii-filter', rule: 'email', action: 'redacted', severity: 'medium', details: { match: 'jane.roe@example.com' } });
      recordAdminAction({ action: 'change_policy', actor: 'admin-1', target: 'refunds', changes: { from: 'v2', to: 'v3' } });
      recordError(new SyntaxError('bad tool arguments'), { operation: 'parse_tool_arguments', context: { raw: '{"order":' } });
      recordDecision({ name: 'refund', outcome: 'approved', basedOn: [llmRef!, docsRef!, { traceId: 'f'.repeat(32), spanId: 'e'.repeat(16) }] });
    });
    await provider.shutdown();
    trace.disable();

    const events = await store.trace({ requestId: 'req-7' });
    const byType = (t: string) => events.filter((e) => e.event_type === t) as AuditRecord[];
    expect(events.map((e) => e.event_type)).toEqual(['auth', 'retrieval', 'llm.completion', 'guardrail', 'admin', 'error', 'decision']);
    expect(events.every((e) => e.user_id === 'u-7' && e.session_id === 's-7' && e.tenant_id === 'acme')).toBe(true);
    expect(byType('auth')[0]!.data).toEqual({ action: 'login', outcome: 'success', principal: 'u-7', method: 'sso', reason: null });
    expect(byType('retrieval')[0]!.data).toEqual({ data_source_id: 'kb-refunds', top_k: 2, documents: [{ id: 'kb-12', score: 0.91 }, { id: 'kb-7', score: 0.4 }] });
    expect(byType('guardrail')[0]!.data).toEqual({ guardrail_name: 'pii-filter', rule: 'email', action: 'redacted', severity: 'medium' });
    expect(byType('admin')[0]!.data).toEqual({ action: 'change_policy', actor: 'admin-1', target: 'refunds' });
    expect([byType('error')[0]!.data, byType('error')[0]!.status]).toEqual([{ error_type: 'SyntaxError' }, 'error']);

    // A decision names the calls it rests on by span, and by event id where they were sealed here.
    const decision = byType('decision')[0]!;
    const llm = byType('llm.completion')[0]!;
    const retrieval = byType('retrieval')[0]!;
    expect(decision.data['based_on_event_ids']).toEqual([llm.event_id, retrieval.event_id, null]);
    expect(decision.data['based_on']).toEqual([`${llm.trace_id}-${llm.span_id}`, `${retrieval.trace_id}-${retrieval.span_id}`, `${'f'.repeat(32)}-${'e'.repeat(16)}`]);

    // Content is kept beside the record, committed to by its digest — never in the record.
    const records = JSON.stringify(events);
    for (const content of [SECRET_QUERY, DOC_TEXT, 'jane.roe@example.com', 'bad tool arguments', '{\\"order\\":', 'v3']) expect(records).not.toContain(content);
    const digests = events.flatMap((e) => (e.payload ? [e.payload.digest] : []));
    const payloads = JSON.stringify((await store.payloads(digests)).map((p) => JSON.parse(p.content)));
    // …and redacted there by default: the e-mail address is a placeholder, the rest as sent.
    for (const content of [SECRET_QUERY.replace('jane.roe@example.com', '[EMAIL]'), DOC_TEXT, '{"match":"[EMAIL]"}'.replace(/"/g, '\\"'), 'bad tool arguments']) expect(payloads).toContain(content);
    expect(payloads).not.toContain('jane.roe@example.com');
    await store.close();
  });
});
