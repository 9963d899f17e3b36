import { SpanStatusCode, trace } from '@opentelemetry/api';
import { type AuditRecord, computeCost, type EventBatch, genaiPricesSource, payloadDigest, StreamSequencer } from '@auditrail/core';
import { type Store, verifyStore } from '@auditrail/clickhouse';
import { handleRequest } from '@auditrail/cli';
import { withLlmCall, withRequestContext } from '@auditrail/instrumentation';
import { startMockProvider, type MockProvider } from '@auditrail/mock-provider';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditedApp, freshStore } from './support/audited-app.ts';

let mock: MockProvider;
let client: OpenAI;
const stores: Store[] = [];

beforeAll(async () => {
  mock = await startMockProvider();
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-proj-T3stK3yT3stK3yT3stK3yT3stK3yT3stK3yAbCd', maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
  for (const s of stores) await s.close();
});

async function store(): Promise<Store> {
  const s = await freshStore();
  stores.push(s);
  return s;
}

type Usage = { prompt_tokens: number; completion_tokens: number };

/** Usage the mock served for each chat call, in order (streamed calls report it in the last chunk). */
function servedUsage(): Usage[] {
  return mock.served
    .filter((x) => x.path === '/v1/chat/completions')
    .map((x) => (x.stream ? (x.response as { usage: Usage | null }[]).at(-1)!.usage! : (x.response as { usage: Usage }).usage));
}

describe('AuditSpanProcessor end to end: app spans → audit events in the embedded store', () => {
  it('records a request exactly as the app made it: tree, request context, usage, cost, payloads, decision', async () => {
    const s = await store();
    const { processor, provider } = auditedApp({ sink: s, tenantId: 'fallback-tenant' });
    mock.clearServed();
    const done = await handleRequest(client, { userId: 'alice', tenantId: 'acme', model: 'gpt-4o-mini' }, 'Please use get_order for order A-1001 and get_refund_policy', 'sess-1');
    await provider.forceFlush();

    const events = await s.trace({ requestId: done.requestId });
    // Stored in the order auditrail observed them: each span when it ended, so the agent span last.
    expect(events.map((e) => [e.event_type, e.name])).toEqual([
      ['llm.completion', 'chat gpt-4o-mini'],
      ['tool.call', 'execute_tool get_order'],
      ['tool.call', 'execute_tool get_refund_policy'],
      ['llm.completion', 'chat gpt-4o-mini'],
      ['decision', 'decision refund'],
      ['agent.invoke', 'invoke_agent support-agent'],
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // The tree: the agent span is the root, every call is its child, all in one trace.
    const agent = events.find((e) => e.event_type === 'agent.invoke')!;
    expect(agent.parent_span_id).toBeNull();
    for (const e of events.filter((x) => x !== agent)) {
      expect(e.parent_span_id).toBe(agent.span_id);
      expect(e.trace_id).toBe(agent.trace_id);
    }
    // Request context on every event; the tenant from the in-process context, not the fallback.
    for (const e of events) {
      expect([e.request_id, e.user_id, e.session_id, e.tenant_id]).toEqual([done.requestId, 'alice', 'sess-1', 'acme']);
      expect(e.service).toEqual({ name: 'test-agent', version: '2.3.4', environment: 'test' });
    }
    // Usage and cost equal what the provider served.
    const llm = events.filter((e) => e.event_type === 'llm.completion');
    const served = servedUsage();
    expect(llm.map((e) => [e.usage?.input_tokens, e.usage?.output_tokens])).toEqual(served.map((u) => [u.prompt_tokens, u.completion_tokens]));
    expect(llm.map((e) => e.response_model)).toEqual(['gpt-4o-mini-2024-08-06', 'gpt-4o-mini-2024-08-06']);
    for (const e of llm) {
      expect(e.cost_usd).toBe(computeCost([], 'openai', e.response_model, e.usage).cost_usd);
      expect(e.price_source).toBe(genaiPricesSource()); // @pydantic/genai-prices@<installed version>
    }
    // Tool calls: name, id and arguments as the model asked.
    const tools = events.filter((e) => e.event_type === 'tool.call');
    const firstResponse = mock.served[0]!.response as { choices: { message: { tool_calls: { id: string; function: { name: string; arguments: string } }[] } }[] };
    expect(tools.map((e) => [e.data['tool_name'], e.data['tool_call_id']])).toEqual(firstResponse.choices[0]!.message.tool_calls.map((t) => [t.function.name, t.id]));
    const [argsPayload] = await s.payloads([tools[0]!.payload!.digest]);
    // Content is kept as the exact text the instrumentation recorded.
    expect(JSON.parse(JSON.parse(argsPayload!.content)['gen_ai.tool.call.arguments'])).toEqual(JSON.parse(firstResponse.choices[0]!.message.tool_calls[0]!.function.arguments));
    // Message content lives beside the record, committed to by its digest.
    const [p] = await s.payloads([llm[0]!.payload!.digest]);
    expect(payloadDigest(p!.nonce, p!.content)).toBe(llm[0]!.payload!.digest);
    expect(JSON.parse(JSON.parse(p!.content)['gen_ai.input.messages'])[1]).toEqual({ role: 'user', parts: [{ type: 'text', content: 'Please use get_order for order A-1001 and get_refund_policy' }] });
    expect(llm[0]!.attributes['gen_ai.input.messages']).toBeUndefined();
    // The decision names the calls it rests on.
    const decision = events.find((e) => e.event_type === 'decision')!;
    expect(decision.data).toMatchObject({ decision_name: 'refund', outcome: 'approved', policy_version: 'refunds-v3', confidence: 0.93 });
    expect(decision.data['based_on']).toEqual([llm[0]!, ...tools, llm[1]!].map((e) => `${e.trace_id}-${e.span_id}`));

    expect(processor.stats()).toMatchObject({ accepted: 6, written: 7, dropped: 0, pending: 0, writeFailures: 0 });
    const report = await verifyStore(s);
    expect(report.intact).toBe(true);
    expect((await s.search({ type: 'audit.stream_open' }))[0]).toMatchObject({ seq: 0, stream_id: processor.streamId });
    await provider.shutdown();
  });

  it('sums cost per user exactly over many requests', async () => {
    const s = await store();
    const { provider } = auditedApp({ sink: s });
    mock.clearServed();
    for (const [userId, model] of [['u1', 'gpt-4o-mini'], ['u2', 'gpt-4o'], ['u1', 'gpt-4o-mini'], ['u2', 'gpt-4o']] as const) {
      await handleRequest(client, { userId, tenantId: 't', model }, 'Refund order X-1 please', 's');
    }
    await provider.forceFlush();
    const served = servedUsage();
    const units = (c: string) => BigInt((c.split('.')[0] ?? '0') + (c.split('.')[1] ?? '').padEnd(12, '0'));
    const expected = (calls: number[], model: string) =>
      calls.reduce((sum, k) => {
        const usage = { input_tokens: served[k]!.prompt_tokens, output_tokens: served[k]!.completion_tokens, cache_read_tokens: 0, cache_write_tokens: null, reasoning_tokens: 0 };
        return sum + units(computeCost([], 'openai', model, usage).cost_usd!);
      }, 0n);
    const rows = await s.cost('user', {});
    expect(rows.map((r) => r.key).sort()).toEqual(['u1', 'u2']);
    // Two calls per request, requests alternating u1, u2, u1, u2.
    expect(units(rows.find((r) => r.key === 'u1')!.cost_usd)).toBe(expected([0, 1, 4, 5], 'gpt-4o-mini'));
    expect(units(rows.find((r) => r.key === 'u2')!.cost_usd)).toBe(expected([2, 3, 6, 7], 'gpt-4o'));
    expect(expected([2, 3, 6, 7], 'gpt-4o')).toBeGreaterThan(0n);
    await provider.shutdown();
  });

  it('keeps every event exactly once through failed writes and lost acknowledgements', async () => {
    const s = await store();
    let calls = 0;
    const flaky = {
      async append(batch: EventBatch) {
        calls++;
        if (calls <= 2) throw new Error('connection refused'); // down
        if (calls === 3) {
          await s.append(batch); // written, but the acknowledgement is lost
          throw new Error('socket hang up');
        }
        return s.append(batch);
      },
    };
    const warnings: string[] = [];
    const { processor, provider } = auditedApp({ sink: flaky, checkpoints: false, retryBackoffMillis: 5, maxBatchSize: 5, logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
    const tracer = trace.getTracer('t');
    for (let i = 0; i < 12; i++) tracer.startActiveSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' } }, (span) => span.end());
    await provider.forceFlush();
    expect(processor.stats()).toMatchObject({ accepted: 12, written: 13, pending: 0, writeFailures: 3 });
    expect((await s.streams())[0]).toMatchObject({ events: 13, first_seq: 0, last_seq: 12 });
    expect((await verifyStore(s)).intact).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/write failed, retrying with backoff: connection refused/), expect.stringMatching(/recovered/)]);
    await provider.shutdown();
  });

  it('sheds load when the queue is full, counts it and records the loss as an event', async () => {
    const s = await store();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = { append: async (b: EventBatch) => (await gate, s.append(b)) };
    const { processor, provider } = auditedApp({ sink: slow, maxQueueSize: 10, maxBatchSize: 10, scheduledDelayMillis: 0, logger: { warn() {}, error() {} } });
    const tracer = trace.getTracer('t');
    for (let i = 0; i < 50; i++) tracer.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }).end();
    const dropped = processor.stats().dropped;
    expect(dropped).toBe(40);
    release();
    await provider.forceFlush();
    const shed = await s.search({ type: 'audit.load_shed' });
    expect(shed.map((e) => e.data)).toEqual([{ dropped_spans: 40, reason: 'queue_full', max_queue_size: 10 }]);
    expect(processor.stats()).toMatchObject({ accepted: 10, written: 12, dropped: 40, pending: 0 });
    expect((await verifyStore(s)).intact).toBe(true);
    await provider.shutdown();
  });

  it('never throws into the app: a sink that throws synchronously, hostile attributes, spoofed kinds and tenants', async () => {
    const s = await store();
    const broken = { append: () => { throw new Error('boom'); } };
    // Redaction on this thread: a 50 ms flush is shorter than a worker thread takes to start.
    const a = auditedApp({ sink: broken as never, retryBackoffMillis: 1, exportTimeoutMillis: 50, redactionWorker: false, logger: { warn() {}, error() {} } });
    const out = await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, async () => 'app result');
    expect(out).toBe('app result');
    await expect(a.provider.forceFlush()).resolves.toBeUndefined();
    expect(a.processor.stats().writeFailures).toBeGreaterThan(0);

    const b = auditedApp({ sink: s, tenantId: 'configured' });
    const tracerB = trace.getTracer('t');
    await withRequestContext({ requestId: 'r-hostile', userId: 'u' }, async () => {
      tracerB.startSpan('chat x', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': Number.NaN, 'gen_ai.usage.output_tokens': 2 ** 60, weird: Number.POSITIVE_INFINITY, list: [1.5, 2] } }).end();
      tracerB.startSpan('fake', { attributes: { 'auditrail.event_type': 'audit.stream_open', 'auditrail.tenant.id': 'evil', tenant_id: 'evil' } }).end();
      tracerB.startSpan('GET /health', { attributes: { 'http.method': 'GET' } }).end();
      const span = tracerB.startSpan('chat failing', { attributes: { 'gen_ai.operation.name': 'chat' } });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
      span.setAttribute('error.type', '429');
      span.end();
    });
    await b.provider.forceFlush();
    const events = await s.trace({ requestId: 'r-hostile' });
    expect(events.map((e) => [e.name, e.event_type, e.tenant_id, e.status, e.error_type])).toEqual([
      ['chat x', 'llm.completion', 'configured', 'unset', null],
      ['fake', 'error', 'configured', 'unset', null],
      ['chat failing', 'llm.completion', 'configured', 'error', '429'],
    ]);
    // Token counts that are not safe whole numbers are not usage; the raw values stay in the attributes.
    expect(events[0]!.usage).toBeNull();
    expect(events[0]!.attributes).toMatchObject({ weird: 'Infinity', list: [1.5, 2], 'gen_ai.usage.output_tokens': String(2 ** 60) });
    expect((await verifyStore(s)).intact).toBe(true);
    await a.provider.shutdown();
    await b.provider.shutdown();
  });

  it('records strings with lone surrogates (a truncated emoji) as well-formed text, leaving no gap', async () => {
    const s = await store();
    const { provider } = auditedApp({ sink: s });
    const broken = 'cut emoji \ud83d';
    await withRequestContext({ requestId: 'r-surrogate', tenantId: `t${broken}` }, () =>
      withLlmCall({ provider: 'openai', model: 'gpt-4o-mini', inputMessages: [{ role: 'user', parts: [{ type: 'text', content: broken }] }] }, (call) => {
        call.setResponse({ id: broken, model: 'gpt-4o-mini' });
      }),
    );
    await provider.forceFlush();
    const [e] = await s.trace({ requestId: 'r-surrogate' });
    expect([e!.tenant_id, e!.data['response_id']]).toEqual(['tcut emoji \ufffd', 'cut emoji \ufffd']);
    const [p] = await s.payloads([e!.payload!.digest]);
    // The recorded text escapes the surrogate (JSON.stringify does): kept verbatim, and well-formed.
    expect(JSON.parse(p!.content)['gen_ai.input.messages']).toBe(JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: broken }] }]));
    expect((await verifyStore(s)).intact).toBe(true);
    await provider.shutdown();
  });

  it('delivers everything accepted on shutdown, once, and counts spans ended after it', async () => {
    const s = await store();
    const { processor, provider } = auditedApp({ sink: s, scheduledDelayMillis: 60_000, logger: { warn() {}, error() {} } });
    const tracer = trace.getTracer('t');
    for (let i = 0; i < 5; i++) tracer.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }).end();
    await Promise.all([processor.shutdown(), processor.shutdown()]);
    processor.onEnd(tracer.startSpan('late', { attributes: { 'gen_ai.operation.name': 'chat' } }) as never);
    expect(processor.stats()).toMatchObject({ accepted: 5, written: 6, dropped: 1 });
    expect((await s.streams())[0]!.events).toBe(6);
    await provider.shutdown();
  });

  it('ends a flush under sustained load, with everything queued before it written', async () => {
    const s = await store();
    const { processor, provider } = auditedApp({ sink: s, sealChunkSize: 16, scheduledDelayMillis: 60_000 });
    const tracer = trace.getTracer('t');
    let ended = 0;
    const end = () => {
      tracer.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }).end();
      ended++;
    };
    for (let i = 0; i < 200; i++) end();
    let producing = true;
    const produce = () => {
      for (let i = 0; i < 20; i++) end();
      if (producing) setImmediate(produce);
    };
    setImmediate(produce);
    const started = Date.now();
    await processor.forceFlush();
    expect(Date.now() - started).toBeLessThan(10_000); // not the 30 s export timeout
    // The 200 spans ended before the flush (and the stream-open event) are durable once it returns.
    expect((await s.streams())[0]!.events).toBeGreaterThanOrEqual(201);
    producing = false;
    await new Promise((resolve) => setImmediate(resolve));
    await provider.shutdown();
    // A producer this fast (20 spans every turn of the event loop) can outrun the store on a busy
    // machine: what the queue cannot hold is shed — counted and recorded, never lost silently.
    const stats = processor.stats();
    expect(stats.pending).toBe(0);
    expect(stats.accepted + stats.dropped).toBe(ended);
    expect((await s.streams())[0]!.events).toBe(stats.written);
    const shed = await s.search({ type: 'audit.load_shed' });
    expect(shed.reduce((n, e) => n + Number((e.data as { dropped_spans: number }).dropped_spans), 0)).toBe(stats.dropped);
  });

  it('lingers to write a busy stream in fewer, larger batches, but never while a flush waits', async () => {
    const batches: number[] = [];
    const sink = { append: async (b: EventBatch) => void batches.push(b.records.length) };
    const { processor, provider } = auditedApp({ sink, sealChunkSize: 100, minBatchSize: 1000, batchLingerMillis: 1000 });
    const tracer = trace.getTracer('t');
    const end = (n: number) => {
      for (let i = 0; i < n; i++) tracer.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }).end();
    };
    const started = Date.now();
    end(500); // five chunks, sealed in ticks right away: fewer than minBatchSize, so the write lingers
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(batches).toEqual([]);
    while (batches.length === 0 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([501]); // one insert, stream-open event included
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    end(300);
    const flushStarted = Date.now();
    await processor.forceFlush(); // someone waits: written without lingering
    expect(batches).toEqual([501, 300]);
    expect(Date.now() - flushStarted).toBeLessThan(900);
    await provider.shutdown();
  });

  it('seals chunk after chunk without waiting for the next timer or I/O of the app', async () => {
    // Only a 2 s timer of the "app" is pending while 5 chunks are sealed: if the sealing ticks did
    // not keep the event loop turning, they would wait for other events (Node's poll phase sleeps
    // while only unref-ed immediates are pending; under load that stalled sealing at ~16,000 spans/s).
    let written = 0;
    let allWritten!: () => void;
    const done = new Promise<'written'>((resolve) => (allWritten = () => resolve('written')));
    const sink = {
      append: async (b: EventBatch) => {
        written += b.records.length;
        if (written === 501) allWritten();
      },
    };
    const { provider } = auditedApp({ sink, sealChunkSize: 100, minBatchSize: 1, batchLingerMillis: 0 });
    const tracer = trace.getTracer('t');
    for (let i = 0; i < 500; i++) tracer.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }).end();
    // The next sealing tick is queued and keeps the loop turning (an unref-ed one is not listed).
    expect(process.getActiveResourcesInfo()).toContain('Immediate');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const appTimer = new Promise<'app timer'>((resolve) => (timer = setTimeout(() => resolve('app timer'), 2000)));
    expect(await Promise.race([done, appTimer])).toBe('written');
    clearTimeout(timer);
    await provider.shutdown();
  });

  it('builds records with every key in canonical order, so encoding them needs no sorting or copying', async () => {
    // canonicalJson writes such a record with one JSON.stringify call; a builder that lists keys out
    // of order still gets a correct encoding, only a slower one, so this is what guards the speed.
    const sealed: AuditRecord[] = [];
    const realSeal = StreamSequencer.prototype.seal;
    const seal = vi.spyOn(StreamSequencer.prototype, 'seal').mockImplementation(function (this: StreamSequencer, unsealed) {
      const out = realSeal.call(this, unsealed);
      sealed.push(out.record);
      return out;
    });
    try {
      const { provider } = auditedApp({ sink: { append: async () => {} }, tenantId: 'acme' });
      await handleRequest(client, { userId: 'alice', tenantId: 'acme', model: 'gpt-4o-mini' }, 'Please use get_order for order A-1001 and get_refund_policy', 'sess-1');
      await provider.shutdown();
    } finally {
      seal.mockRestore();
    }
    const unsorted: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (v !== null && typeof v === 'object') {
        const keys = Object.keys(v);
        if (keys.some((k, i) => i > 0 && keys[i - 1]! > k)) unsorted.push(`${path}: ${keys.join(', ')}`);
        for (const k of keys) walk((v as Record<string, unknown>)[k], `${path}.${k}`);
      }
    };
    sealed.forEach((r) => walk(r, r.event_type));
    expect(new Set(sealed.map((r) => r.event_type))).toEqual(new Set(['audit.stream_open', 'llm.completion', 'tool.call', 'decision', 'agent.invoke']));
    expect(unsorted).toEqual([]);
  });

  it('rejects a bad option at construction, naming it', () => {
    expect(() => auditedApp({ sink: {} as never })).toThrow(/option sink: an object with an append\(batch\) method/);
    expect(() => auditedApp({ sink: { append: async () => {} }, maxQueueSize: 0 })).toThrow(/option maxQueueSize/);
    expect(() => auditedApp({ sink: { append: async () => {} }, redaction: { pii: { EMAIL: 'pseudonymize' } } })).toThrow(/AuditSpanProcessor redaction option pii\.EMAIL: pseudonymize needs a key/);
    expect(() => auditedApp({ sink: { append: async () => {} }, redaction: { key: 'k'.repeat(40), custom: [{ kind: 'X_ID', pattern: '[' }] } })).toThrow(/redaction option custom\.0\.pattern/);
  });
});
