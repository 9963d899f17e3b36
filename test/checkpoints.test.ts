import { trace } from '@opentelemetry/api';
import { generateKeys, openNote, parseCheckpoint, parseVerifierKey, rootOf, type CheckpointRecord, type EventBatch } from '@auditrail/core';
import type { Store } from '@auditrail/clickhouse';
import { withLlmCall, withRequestContext } from '@auditrail/instrumentation';
import { afterAll, describe, expect, it } from 'vitest';
import { auditedApp, freshStore } from './support/audited-app.ts';
import { Tamperer } from './support/tamper.ts';
import { unstoredCheckpointLimit } from '../packages/processor/src/audit-span-processor.ts';

const keys = generateKeys('audit.example.com');
const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of open) await o.close();
});

/** Ends `n` LLM-call spans, flushing every `flushEvery` of them (each flush is a write). */
async function calls(n: number, flushEvery: number, flush: () => Promise<void>): Promise<void> {
  for (let i = 0; i < n; i++) {
    await withRequestContext({ requestId: `req-${i}`, userId: 'user-1' }, () =>
      withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (call) => call.setResponse({ model: 'gpt-4o-mini', usage: { inputTokens: 10, outputTokens: 2 } })),
    );
    if ((i + 1) % flushEvery === 0) await flush();
  }
}

/** The stream's Merkle root at each size, from the leaf hashes the database computes. */
async function rootsOf(store: Store, streamId: string): Promise<(size: number) => string> {
  const rows = await store.readChain(streamId, 0, Number.MAX_SAFE_INTEGER, 'leaf-hashes');
  const leaves = rows.map((r) => Buffer.from('leafHash' in r ? r.leafHash : '', 'hex'));
  return (size) => rootOf(leaves, 0, size).toString('hex');
}

/** Every stored checkpoint's note verified by the key, and what it states. */
function opened(records: CheckpointRecord[]) {
  const verifier = parseVerifierKey(keys.verifierKey);
  return records.map((r) => {
    const { text, signatures } = openNote(r.note, [verifier]);
    const c = parseCheckpoint(text);
    return { size: Number(c.size), root: Buffer.from(c.root).toString('hex'), origin: c.origin, signatures: signatures.map((s) => s.status), record: r };
  });
}

describe('the processor signs checkpoints of its stream', () => {
  it('every N durable events and at shutdown; each stored, signed by the key, over the stored events', async () => {
    const store = await freshStore();
    open.push(store);
    const { processor, provider } = auditedApp({ sink: store, tenantId: 'acme', checkpoints: { key: keys.signerKey, everyEvents: 10 }, batchLingerMillis: 0 });
    // Flushes write 4 events at a time (the stream-open event comes with the first): checkpoints fall due at 13, 25, 37.
    await calls(40, 4, () => processor.forceFlush());
    await provider.shutdown();
    trace.disable();
    const stream = processor.streamId;
    const stored = opened(await store.checkpoints({ streamId: stream }));
    expect(stored.map((c) => c.size)).toEqual([13, 25, 37, 41]);
    const rootAt = await rootsOf(store, stream);
    for (const c of stored) {
      expect(c).toMatchObject({ root: rootAt(c.size), origin: `audit.example.com/${stream}`, signatures: ['verified'] });
      expect(c.record).toMatchObject({ stream_id: stream, size: c.size, root: c.root, origin: c.origin });
    }
    expect(processor.stats().checkpoints).toMatchObject({ signed: 4, stored: 4, storeFailures: 0, size: 41 });
    // The stream's first event declares its checkpoints (origin, verifier key, how often): verify holds the stream to it.
    const [first] = await store.scan({}, { limit: 1 });
    expect(first!.data).toMatchObject({ checkpoints: { origin: `audit.example.com/${stream}`, verifier_key: keys.verifierKey, every_events: 10 } });
  });

  it('signs when everyMillis pass with events written since, and not again while none are', async () => {
    const store = await freshStore();
    open.push(store);
    const { processor, provider } = auditedApp({ sink: store, checkpoints: { key: keys.signerKey, everyEvents: 1_000_000, everyMillis: 50 } });
    await calls(3, 3, () => processor.forceFlush());
    await waitFor(async () => (await store.checkpoints()).length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect((await store.checkpoints()).map((c) => c.size)).toEqual([4]);
    await provider.shutdown();
    trace.disable();
    expect((await store.checkpoints()).map((c) => c.size)).toEqual([4]);
  });

  it('keeps writing events while the checkpoints table refuses them, and stores the checkpoints once it is back', async () => {
    const store = await freshStore();
    const t = await Tamperer.open(store.database);
    open.push(store, t);
    const errors: string[] = [];
    const { processor, provider } = auditedApp({
      sink: store,
      checkpoints: { key: keys.signerKey, everyEvents: 5 },
      batchLingerMillis: 0,
      retryBackoffMillis: 20,
      logger: { warn: () => {}, error: (m) => errors.push(m) },
    });
    await t.sql('RENAME TABLE {db}.checkpoints TO {db}.checkpoints_away');
    await calls(12, 3, () => processor.forceFlush());
    expect(processor.stats()).toMatchObject({ written: 13, pending: 0 });
    await waitFor(async () => (processor.stats().checkpoints?.storeFailures ?? 0) >= 2);
    expect(errors.filter((e) => e.includes('storing checkpoints failed'))).toHaveLength(1);
    await t.sql('RENAME TABLE {db}.checkpoints_away TO {db}.checkpoints');
    await provider.shutdown();
    trace.disable();
    expect((await store.checkpoints()).map((c) => c.size)).toEqual([7, 13]);
  });

  it('keeps writing events while the checkpoints table hangs, and shuts down within one export timeout', async () => {
    const store = await freshStore();
    open.push(store);
    const errors: string[] = [];
    // The checkpoints table (and a publication sink) never answer; the events table does.
    const hung = new Promise<void>(() => {});
    const sink = { append: (batch: EventBatch) => store.append(batch), appendCheckpoints: () => hung };
    const { processor, provider } = auditedApp({
      sink,
      checkpoints: { key: keys.signerKey, everyEvents: 2, sinks: [{ name: 'hung', publish: () => hung }] },
      batchLingerMillis: 0,
      exportTimeoutMillis: 300,
      logger: { warn: () => {}, error: (m) => errors.push(m) },
    });
    await calls(9, 3, () => processor.forceFlush());
    expect(processor.stats()).toMatchObject({ written: 10, pending: 0, checkpoints: { signed: 3, stored: 0, storeFailures: 0 } });
    expect(await store.scan({}, { limit: 100 })).toHaveLength(10);
    const started = performance.now();
    const shutdown = provider.shutdown().then(() => 'shut down');
    expect(await Promise.race([shutdown, new Promise((r) => setTimeout(r, 5000, 'still waiting'))])).toBe('shut down');
    trace.disable();
    // The writes, the last checkpoint's store and the publication sinks share one deadline (each got the whole timeout before).
    expect(performance.now() - started).toBeLessThan(3 * 300);
    // Batches of 4, 3 and 3 events, each a checkpoint: the first hangs in the table, the other two wait behind it.
    expect(processor.stats().checkpoints).toMatchObject({ signed: 3, stored: 0 });
    expect(errors.filter((e) => e.includes('not stored within'))).toEqual([`auditrail: 3 checkpoints of stream ${processor.streamId} not stored within 300 ms`]);
  });

  it('holds a bounded number of checkpoints while the table refuses them, dropping the oldest waiting and counting them', async () => {
    const store = await freshStore();
    open.push(store);
    const warnings: string[] = [];
    let refusing = true;
    const sink = {
      append: (batch: EventBatch) => store.append(batch),
      appendCheckpoints: (records: readonly CheckpointRecord[]) => (refusing ? Promise.reject(new Error('table checkpoints does not exist')) : store.appendCheckpoints(records)),
    };
    // 1,000 in production; 5 here, so that ten inserts go past it.
    unstoredCheckpointLimit.max = 5;
    try {
      const { processor, provider } = auditedApp({
        sink,
        checkpoints: { key: keys.signerKey, everyEvents: 1 },
        batchLingerMillis: 0,
        logger: { warn: (m) => warnings.push(m), error: () => {} },
      });
      // Each flush is one batch, and each batch a checkpoint: sizes 2 (with the stream-open event), 3, …, 11.
      await calls(10, 1, () => processor.forceFlush());
      expect(processor.stats()).toMatchObject({ written: 11, pending: 0 });
      // The first (size 2) is the call being retried; of the nine behind it the oldest four (3 to 6) are dropped.
      expect(processor.stats().checkpoints).toMatchObject({ signed: 10, stored: 0, storeDropped: 4 });
      expect(warnings).toEqual([expect.stringMatching(/^auditrail: more than 5 checkpoints of stream \S+ not stored; dropping the oldest/)]);
      refusing = false;
      await provider.shutdown();
      trace.disable();
      expect((await store.checkpoints()).map((c) => c.size)).toEqual([2, 7, 8, 9, 10, 11]);
      expect(processor.stats().checkpoints).toMatchObject({ signed: 10, stored: 6, storeDropped: 4 });
      expect(warnings.slice(1)).toEqual(['auditrail: storing checkpoints recovered; storing resumed']);
    } finally {
      unstoredCheckpointLimit.max = 1000;
    }
  });

  it('publishes to sinks outside the database; a sink that is down holds up neither ingest nor shutdown, and its misses are counted', async () => {
    const store = await freshStore();
    open.push(store);
    const received: CheckpointRecord[] = [];
    let up = false;
    const flaky = {
      name: 'flaky',
      async publish(records: readonly CheckpointRecord[]) {
        if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
        received.push(...records);
      },
    };
    const down = { name: 'down', publish: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')) };
    const { processor, provider } = auditedApp({
      sink: store,
      checkpoints: { key: keys.signerKey, everyEvents: 5, sinks: [flaky, down] },
      batchLingerMillis: 0,
      exportTimeoutMillis: 500,
      logger: { warn: () => {}, error: () => {} },
    });
    await calls(12, 3, () => processor.forceFlush());
    expect(processor.stats()).toMatchObject({ written: 13, pending: 0 });
    await waitFor(async () => (processor.stats().checkpoints?.sinks[0]?.failedAttempts ?? 0) >= 1);
    up = true;
    await provider.shutdown();
    trace.disable();
    const [toFlaky, toDown] = processor.stats().checkpoints!.sinks;
    expect(received.map((c) => c.size)).toEqual([7, 13]);
    expect(toFlaky).toMatchObject({ name: 'flaky', published: 2, pending: 0 });
    expect(toDown).toMatchObject({ name: 'down', published: 0, pending: 2 });
    expect(toDown!.failedAttempts).toBeGreaterThanOrEqual(1);
    expect((await store.checkpoints()).map((c) => c.size)).toEqual([7, 13]);
  });

  it('warns once and signs nothing without a key; refuses a malformed key', async () => {
    const store = await freshStore();
    open.push(store);
    const warnings: string[] = [];
    const { processor, provider } = auditedApp({ sink: store, logger: { warn: (m) => warnings.push(m), error: () => {} } });
    await calls(2, 2, () => processor.forceFlush());
    await provider.shutdown();
    trace.disable();
    expect(warnings).toEqual([expect.stringMatching(/checkpoints are off: no signing key/)]);
    expect(processor.stats().checkpoints).toBeUndefined();
    expect(await store.checkpoints()).toEqual([]);
    expect(() => auditedApp({ sink: store, checkpoints: { key: 'PRIVATE+KEY+audit.example.com+00000000+AQ==' } })).toThrow(/AuditSpanProcessor option checkpoints: signer key: not an Ed25519 key/);
    trace.disable();
  });
});

async function waitFor(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
