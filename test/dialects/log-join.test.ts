import { context, trace } from '@opentelemetry/api';
import { type Logger, SeverityNumber } from '@opentelemetry/api-logs';
import { LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { Store } from '@auditrail/clickhouse';
import { AuditLogRecordProcessor } from '@auditrail/processor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditedApp, auditedApp, freshStore } from '../support/audited-app.ts';
import { content, inRequest, recordRequest, requestEvents } from '../support/dialects.ts';

/**
 * AuditLogRecordProcessor on its own: the order of spans and log records both ways, records of
 * spans this process cannot follow by object, the bounds of its buffer, and hostile records.
 */
let store: Store;
let app: AuditedApp;
let loggerProvider: LoggerProvider;
let logger: Logger;
let joiner: AuditLogRecordProcessor;

beforeAll(async () => {
  store = await freshStore();
  // A long sealing delay: a record emitted after its span ended still finds it unsealed.
  app = auditedApp({ sink: store, tenantId: 'acme', scheduledDelayMillis: 10_000 });
  joiner = new AuditLogRecordProcessor(app.processor);
  // Type check: it is a LogRecordProcessor of the SDK, without depending on it.
  const asSdk: LogRecordProcessor = joiner;
  loggerProvider = new LoggerProvider({ processors: [asSdk] });
  logger = loggerProvider.getLogger('test-genai');
});
afterAll(async () => {
  await app.provider.shutdown();
  await loggerProvider.shutdown();
  await store.close();
});

const chatAttributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };

function userMessage(text: string, ctx = context.active()) {
  logger.emit({ eventName: 'gen_ai.user.message', body: { content: text }, context: ctx, severityNumber: SeverityNumber.INFO });
}

describe('AuditLogRecordProcessor', () => {
  it('joins records emitted before the span ends and after it ended (until it is sealed); later ones are counted as late', async () => {
    const tracer = trace.getTracer('app');
    let spanContext = context.active();
    await inRequest('req-join', async () => {
      const span = tracer.startSpan('chat gpt-4o-mini', { attributes: chatAttributes });
      spanContext = trace.setSpan(context.active(), span);
      userMessage('before the end', spanContext);
      span.end();
      userMessage('after the end', spanContext);
      // A record of the older style (event name as an attribute), and one that is not GenAI at all.
      logger.emit({ attributes: { 'event.name': 'gen_ai.choice' }, body: { index: 0, finish_reason: 'stop', message: { content: 'Sunny.' } }, context: spanContext });
      logger.emit({ eventName: 'http.request', body: 'GET /', context: spanContext });
    });
    const before = joiner.stats();
    await app.provider.forceFlush();
    userMessage('after it was sealed', spanContext);

    const { events, payloads } = await requestEvents(store, 'req-join');
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    const p = payloads.get(llm)!;
    expect(content(p, 'gen_ai.input.messages')).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'before the end' }] },
      { role: 'user', parts: [{ type: 'text', content: 'after the end' }] },
    ]);
    expect(content(p, 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Sunny.' }], finish_reason: 'stop' }]);
    expect((p['auditrail.log_records'] as { event_name: string; time: string }[]).map((r) => [r.event_name, r.time])).toEqual([
      ['gen_ai.user.message', expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/)],
      ['gen_ai.user.message', expect.any(String)],
      ['gen_ai.choice', expect.any(String)],
    ]);
    expect([before.captured, before.joined]).toEqual([3, 0]);
    expect(joiner.stats()).toEqual({ captured: 4, joined: 3, late: 1, evicted: 0, dropped: 0 });
  });

  it('joins records of a span it cannot follow by object (only its ids in the context) by trace and span id', async () => {
    const tracer = trace.getTracer('app');
    const { events, payloads } = await recordRequest({ app, store }, 'req-join-ids', async () => {
      const span = tracer.startSpan('chat gpt-4o-mini', { attributes: chatAttributes });
      // What a bridge or a remote context gives: the span context alone, no SDK span object.
      userMessage('by id', trace.setSpanContext(context.active(), span.spanContext()));
      span.end();
    });
    const llm = events.find((e) => e.event_type === 'llm.completion')!;
    expect(content(payloads.get(llm), 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'by id' }] }]);
  });

  it('keeps its buffer bounded in size and age, and never throws into the app', async () => {
    const bounded = new AuditLogRecordProcessor({ streamId: 'other' }, { maxBufferedRecords: 3, maxAgeMillis: 50, maxRecordsPerSpan: 2 });
    const provider = new LoggerProvider({ processors: [bounded] });
    const log = provider.getLogger('bounded');
    const remote = (i: number) => trace.setSpanContext(context.active(), { traceId: 'a'.repeat(31) + i.toString(16), spanId: 'b'.repeat(15) + i.toString(16), traceFlags: 1 });
    for (let i = 1; i <= 5; i++) log.emit({ eventName: 'gen_ai.user.message', body: { content: `m${i}` }, context: remote(i) });
    expect(bounded.stats()).toMatchObject({ captured: 5, evicted: 2 });
    for (let i = 0; i < 3; i++) log.emit({ eventName: 'gen_ai.user.message', body: { content: 'again' }, context: remote(9) });
    // Two more made room for themselves (the oldest spans' records went); the third is past the per-span bound.
    expect(bounded.stats()).toMatchObject({ captured: 8, evicted: 4, dropped: 1 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    log.emit({ eventName: 'gen_ai.user.message', body: { content: 'late' }, context: remote(10) });
    // The three records older than 50 ms expired when the next record came.
    expect(bounded.stats()).toMatchObject({ captured: 9, evicted: 7 });

    // Hostile records: cyclic and deep bodies, attributes that throw, no span at all.
    const cyclic: Record<string, unknown> = { content: 'x' };
    cyclic['self'] = cyclic;
    cyclic['again'] = cyclic;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) deep = { deep };
    const hostile = { eventName: 'gen_ai.user.message', spanContext: { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 1 }, attributes: {} };
    expect(() => bounded.onEmit({ ...hostile, body: cyclic })).not.toThrow();
    expect(() => bounded.onEmit({ ...hostile, body: deep })).not.toThrow();
    expect(() => bounded.onEmit({ ...hostile, get attributes(): Record<string, unknown> { throw new Error('boom'); } })).not.toThrow();
    expect(() => bounded.onEmit({ eventName: 'gen_ai.user.message', body: 'no span' })).not.toThrow();
    expect(() => bounded.onEmit(null as never)).not.toThrow();
    expect(bounded.stats()).toMatchObject({ captured: 11, dropped: 3 });
    await provider.shutdown();
    expect(() => new AuditLogRecordProcessor(app.processor, { maxAgeMillis: 0 })).toThrow(/option maxAgeMillis/);
  });
});
