import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { costCorrection, costCorrectionDataSchema, type SealedRecord } from '@auditrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseStore, createStore, type Store } from '../src/index.ts';
import { batchOf, llmCall, sealAll } from './records.ts';

// One engine per process and one data directory for this file; every test gets its own database.
const dir = mkdtempSync(join(tmpdir(), 'auditrail-corrections-'));
const open: { close(): Promise<void> }[] = [];
let n = 0;
async function freshStore(): Promise<Store> {
  const store = await createStore({ kind: 'embedded', path: dir, database: `c${++n}` });
  open.push(store);
  return store;
}
async function engine(): Promise<ClickHouseClient> {
  const client = createClient({ connection: (await import('chdb/connection')).createChdbConnection({ path: dir }) } as never);
  open.push(client);
  return client;
}

afterAll(async () => {
  for (const s of open) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3600 * 1000 * 1000;
const NOW = Date.UTC(2026, 10, 24, 12) * 1000;
const service = { name: 'auditrail reprice', version: '0.1.0', environment: null };

function fix(target: SealedRecord, cost: string, old: { cost_usd: string | null; price_source: string | null } = target.record, source = 'acme-prices@2026-12') {
  return costCorrection({ target: target.record, old, cost_usd: cost, price_source: source, reason: `reprice with ${source}`, service });
}

/**
 * Calls of two users, then two reprice runs (streams of their own): the first corrects a/0 and
 * prices the unpriced a/4, the second corrects a/0 again.
 */
function workload() {
  const calls = sealAll(
    [
      llmCall({ request_id: 'r1', user_id: 'alice', cost_usd: '0.08' }),
      llmCall({ request_id: 'r1', user_id: 'alice', event_type: 'tool.call', operation: 'execute_tool', provider: null, request_model: null, response_model: null, usage: null, cost_usd: null, price_source: null }),
      llmCall({ request_id: 'r1', user_id: 'alice', cost_usd: '0.05' }),
      llmCall({ request_id: 'r3', user_id: 'bob', tenant_id: 'globex', cost_usd: '1.5' }),
      llmCall({ request_id: 'r3', user_id: 'bob', tenant_id: 'globex', cost_usd: null, price_source: null, request_model: 'mystery-1', response_model: 'mystery-1' }),
      // What an app span claiming to be a correction becomes: no link, no cost. It must change nothing.
      llmCall({ request_id: 'r1', user_id: 'alice', event_type: 'cost.correction', cost_usd: null, price_source: null, data: {} }),
    ],
    'stream-a',
    NOW - 24 * HOUR,
  );
  const first = sealAll([fix(calls[0]!, '0.01'), fix(calls[4]!, '0.5')], 'fix-1', NOW - 2 * HOUR);
  const second = sealAll([fix(calls[0]!, '0.02', first[0]!.record)], 'fix-2', NOW - HOUR);
  return { calls, first, second };
}

describe('cost corrections', () => {
  let store: Store;
  let w: ReturnType<typeof workload>;

  beforeAll(async () => {
    store = await freshStore();
    w = workload();
    for (const part of [w.calls, w.first, w.second]) await store.append(batchOf(part));
  });

  it('are events naming the corrected event, with the old and new cost and source', () => {
    expect(costCorrectionDataSchema.parse(w.second[0]!.record.data)).toEqual({
      corrects: { event_id: w.calls[0]!.record.event_id, stream_id: 'stream-a', seq: 0 },
      old_cost_usd: '0.01',
      old_price_source: 'acme-prices@2026-12',
      new_cost_usd: '0.02',
      new_price_source: 'acme-prices@2026-12',
      reason: 'reprice with acme-prices@2026-12',
    });
    expect(w.second[0]!.record).toMatchObject({ event_type: 'cost.correction', tenant_id: 'acme', request_id: null, user_id: null, cost_usd: '0.02', usage: null });
  });

  it('cost by user, tenant and model takes the latest correction of each call', async () => {
    // alice: 0.02 (corrected twice, from 0.08) + 0.05; bob: 1.5 + 0.5 (was unpriced).
    expect(await store.cost('user', {})).toEqual([
      { key: 'bob', cost_usd: '2', calls: 2, unpriced: 0, input_tokens: 200, output_tokens: 40 },
      { key: 'alice', cost_usd: '0.07', calls: 2, unpriced: 0, input_tokens: 200, output_tokens: 40 },
    ]);
    expect((await store.cost('tenant', { tenant: 'acme' })).map((r) => [r.key, r.cost_usd])).toEqual([['acme', '0.07']]);
    expect((await store.cost('model', {})).map((r) => [r.key, r.cost_usd, r.unpriced])).toEqual([
      ['gpt-4o-mini-2024-07-18', '1.57', 0],
      ['mystery-1', '0.5', 0],
    ]);
  });

  it('request totals and their minimum cost use corrected costs; corrections are not events of the request', async () => {
    expect((await store.requests({})).map((r) => [r.request_id, r.cost_usd, r.events, r.llm_calls, r.unpriced])).toEqual([
      ['r3', '2', 2, 2, 0],
      ['r1', '0.07', 3, 2, 0],
    ]);
    // r1 cost 0.13 as recorded; corrected, it is below 0.10.
    expect((await store.requests({ user: 'alice', minCost: '0.10' })).map((r) => r.request_id)).toEqual([]);
    expect((await store.requests({ user: 'alice', minCost: '0.07' })).map((r) => r.request_id)).toEqual(['r1']);
    expect((await store.requests({ tenant: 'globex', minCost: '2' })).map((r) => r.request_id)).toEqual(['r3']);
  });

  it('search by minimum cost matches the corrected cost and returns the records as recorded', async () => {
    const found = await store.search({ minCost: '0.03' });
    expect(found.map((r) => `${r.stream_id}/${r.seq}`)).toEqual(['stream-a/4', 'stream-a/3', 'stream-a/2']);
    expect(found[0]).toEqual(w.calls[4]!.record); // untouched: still unpriced in its own record
    expect((await store.search({ minCost: '0.02', user: 'alice' })).map((r) => r.seq)).toEqual([2, 0]);
    // Without a minimum, corrections are listed like any event.
    expect((await store.search({ type: 'cost.correction' })).map((r) => `${r.stream_id}/${r.seq}`)).toEqual(['fix-2/0', 'fix-1/1', 'fix-1/0', 'stream-a/5']);
  });

  it('latestCorrections names the latest correction of each event that has one', async () => {
    const positions = w.calls.map((c) => ({ stream_id: c.record.stream_id, seq: c.record.seq }));
    expect(await store.latestCorrections(positions)).toEqual([
      { stream_id: 'stream-a', seq: 0, cost_usd: '0.02', price_source: 'acme-prices@2026-12', correction_event_id: w.second[0]!.record.event_id, corrections: 2 },
      { stream_id: 'stream-a', seq: 4, cost_usd: '0.5', price_source: 'acme-prices@2026-12', correction_event_id: w.first[1]!.record.event_id, corrections: 1 },
    ]);
    expect(await store.latestCorrections([])).toEqual([]);
  });

  it('scan pages through events in stream order', async () => {
    const types = ['llm.completion', 'llm.embedding'];
    const first = await store.scan({ types }, { limit: 2 });
    expect(first.map((r) => `${r.stream_id}/${r.seq}`)).toEqual(['stream-a/0', 'stream-a/2']);
    const next = await store.scan({ types }, { limit: 2, after: { stream_id: 'stream-a', seq: 2 } });
    expect(next.map((r) => `${r.stream_id}/${r.seq}`)).toEqual(['stream-a/3', 'stream-a/4']);
    expect(await store.scan({ types }, { after: { stream_id: 'stream-a', seq: 4 } })).toEqual([]);
    expect((await store.scan({ user: 'bob' })).map((r) => r.seq)).toEqual([3, 4]);
  });

  it('leave the corrected events and every chain untouched', async () => {
    expect(await store.trace({ requestId: 'r1' })).toEqual([w.calls[0]!, w.calls[1]!, w.calls[2]!, w.calls[5]!].map((s) => s.record));
    expect(await store.columnDrift()).toEqual([]);
    expect(await store.columnDrift({ deep: true })).toEqual([]);
    expect(await store.schemaDrift()).toEqual([]);
  });

  it('a per-user request query still reads the by_user projection, and finds corrections through the skip index', async () => {
    // Enough events of enough users that the projection reads fewer granules than the table.
    const big = await freshStore();
    const many = sealAll(Array.from({ length: 40_000 }, (_, i) => llmCall({ request_id: `q${i}`, user_id: `u${i % 50}` })), 'stream-m', NOW - 24 * HOUR);
    await big.append(batchOf(many));
    await big.append(batchOf(sealAll([fix(many[7]!, '0.5')], 'fix-m', NOW - HOUR)));
    const client = await engine();
    const seen: { query: string; query_params?: Record<string, unknown> }[] = [];
    // The store's own SQL, captured on its way to the engine, then explained.
    const spy = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'query') return (p: { query: string; query_params?: Record<string, unknown> }) => (seen.push(p), target.query(p as never));
        return Reflect.get(target, prop, receiver);
      },
    });
    const s = new ClickHouseStore(spy, 'embedded', big.database);
    expect((await s.requests({ user: 'u7', since: new Date((NOW - 7 * 24 * HOUR) / 1000), minCost: '0.10' })).map((r) => [r.request_id, r.cost_usd])).toEqual([['q7', '0.5']]);
    const q = seen.at(-1)!;
    const plan = await (await client.query({ query: `EXPLAIN indexes = 1 ${q.query}`, query_params: q.query_params ?? {}, format: 'TabSeparatedRaw' })).text();
    expect(plan).toContain('ReadFromMergeTree (by_user)');
    expect(plan).toMatch(/Name: idx_event_type\n\s+Description: set GRANULARITY 1\n\s+Condition: \(event_type in \['cost\.correction'[^\n]*\n\s+Parts: 1\/2\n\s+Granules: 1\/\d+/);
  });
});

describe('the link columns of corrections', () => {
  it('are checked against the record: a correction re-aimed at another event is found, routinely and with --deep', async () => {
    const store = await freshStore();
    const w = workload();
    for (const part of [w.calls, w.first, w.second]) await store.append(batchOf(part));
    const client = await engine();
    const db = store.database;
    const sql = (query: string) => client.command({ query, clickhouse_settings: { mutations_sync: '1' } as never });
    // Strip the derivation, move fix-2's correction from alice's call (seq 0) to seq 2, restore it.
    const [expr] = (await (await client.query({ query: `SELECT default_expression FROM system.columns WHERE database = {db:String} AND table = 'events' AND name = 'corrects_seq'`, query_params: { db }, format: 'JSONEachRow' })).json<{ default_expression: string }>()).map((r) => r.default_expression);
    await sql(`ALTER TABLE ${db}.events MODIFY COLUMN corrects_seq REMOVE MATERIALIZED`);
    await sql(`ALTER TABLE ${db}.events UPDATE corrects_seq = 2 WHERE stream_id = 'fix-2'`);
    await sql(`ALTER TABLE ${db}.events MODIFY COLUMN corrects_seq UInt64 MATERIALIZED ${expr}`);
    expect((await store.latestCorrections([{ stream_id: 'stream-a', seq: 2 }]))[0]?.cost_usd).toBe('0.02'); // the attack worked on the column
    expect(await store.schemaDrift()).toEqual([]);
    expect(await store.columnDrift()).toEqual([{ stream_id: 'fix-2', seq: 0, columns: ['corrects_seq'] }]);
    expect(await store.columnDrift({ deep: true })).toEqual([{ stream_id: 'fix-2', seq: 0, columns: ['corrects_seq'] }]);
  });

  it('are refused an in-place update, like every derived column', async () => {
    const store = await freshStore();
    await store.append(batchOf(sealAll([llmCall()])));
    const client = await engine();
    for (const column of ['corrects_stream_id', 'corrects_seq']) {
      await expect(client.command({ query: `ALTER TABLE ${store.database}.events UPDATE ${column} = ${column} WHERE 1 SETTINGS mutations_sync = 1` })).rejects.toThrow(/Cannot UPDATE|CANNOT_UPDATE/);
    }
  });
});
