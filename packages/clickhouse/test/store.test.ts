import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { checkpointOrigin, generateKeys, leafHash, nodeHash, parseSignerKey, rootOf, sealPayload, signCheckpoint, uuidv7 } from '@auditrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, DERIVED_COLUMNS, type Store, StoreError } from '../src/index.ts';
import { batchOf, llmCall, sealAll } from './records.ts';
import { COMPACT_PART_MAX_BYTES } from '../src/schema/migrations.ts';

// One engine per process and one data directory for this file; every test gets its own database.
const dir = mkdtempSync(join(tmpdir(), 'auditrail-store-'));
const open: Store[] = [];
let n = 0;
async function freshStore(): Promise<Store> {
  const store = await createStore({ kind: 'embedded', path: dir, database: `t${++n}` });
  open.push(store);
  return store;
}

afterAll(async () => {
  for (const s of open) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Three requests of two users in two tenants, with tool calls, an unpriced model and one old call. */
function workload() {
  const day = 24 * 3600 * 1000 * 1000;
  const now = Date.UTC(2026, 10, 24, 12) * 1000;
  const recent = sealAll([
    llmCall({ request_id: 'r1', user_id: 'alice', cost_usd: '0.08' }),
    llmCall({ request_id: 'r1', user_id: 'alice', event_type: 'tool.call', operation: 'execute_tool', name: 'execute_tool get_weather', provider: null, request_model: null, response_model: null, usage: null, cost_usd: null, price_source: null }),
    llmCall({ request_id: 'r1', user_id: 'alice', cost_usd: '0.05' }),
    llmCall({ request_id: 'r2', user_id: 'alice', cost_usd: '0.02', request_model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06' }),
    llmCall({ request_id: 'r3', user_id: 'bob', tenant_id: 'globex', cost_usd: '1.5', session_id: 'sess-9' }),
    llmCall({ request_id: 'r3', user_id: 'bob', tenant_id: 'globex', cost_usd: null, price_source: null, request_model: 'mystery-1', response_model: 'mystery-1' }),
  ], 'stream-a', now - day);
  const old = sealAll([llmCall({ request_id: 'r0', user_id: 'alice', cost_usd: '9' })], 'stream-b', now - 30 * day);
  return { recent, old, now: new Date(now / 1000) };
}

describe('ClickHouseStore on the embedded engine', () => {
  let store: Store;
  let w: ReturnType<typeof workload>;

  beforeAll(async () => {
    store = await freshStore();
    w = workload();
    await store.append(batchOf(w.recent));
    await store.append(batchOf(w.old));
  });

  it('reconstructs a request in order with the records exactly as sealed', async () => {
    const trace = await store.trace({ requestId: 'r1' });
    expect(trace).toEqual(w.recent.slice(0, 3).map((s) => s.record));
    expect(await store.trace({ traceId: '0af7651916cd43dd8448eb211c80319c' })).toHaveLength(7);
    expect(await store.trace({ requestId: 'nope' })).toEqual([]);
  });

  it('filters events by tenant, user, session, type, model, time and minimum cost', async () => {
    const ids = async (f: Parameters<Store['search']>[0]) => (await store.search(f)).map((r) => `${r.request_id}/${r.seq}`);
    const since = new Date(w.now.getTime() - 7 * 24 * 3600 * 1000);
    expect(await ids({ tenant: 'globex' })).toEqual(['r3/5', 'r3/4']);
    expect(await ids({ user: 'alice', since })).toEqual(['r2/3', 'r1/2', 'r1/1', 'r1/0']);
    expect(await ids({ user: 'alice', until: since })).toEqual(['r0/0']);
    expect(await ids({ session: 'sess-9' })).toEqual(['r3/4']);
    expect(await ids({ type: 'tool.call' })).toEqual(['r1/1']);
    expect(await ids({ model: 'gpt-4o-2024-08-06' })).toEqual(['r2/3']);
    expect(await ids({ model: 'gpt-4o' })).toEqual(['r2/3']);
    expect(await ids({ minCost: '0.05' })).toEqual(['r3/4', 'r1/2', 'r1/0', 'r0/0']);
    expect(await ids({ user: 'alice', limit: 2 })).toEqual(['r2/3', 'r1/2']);
  });

  it('lists requests over a cost threshold: "requests of alice in the past 7 days that cost more than $0.10"', async () => {
    const since = new Date(w.now.getTime() - 7 * 24 * 3600 * 1000);
    const rows = await store.requests({ user: 'alice', since, minCost: '0.10' });
    expect(rows).toEqual([
      expect.objectContaining({ request_id: 'r1', tenant_id: 'acme', user_id: 'alice', events: 3, llm_calls: 2, tool_calls: 1, cost_usd: '0.13', unpriced: 0 }),
    ]);
    expect((await store.requests({ tenant: 'globex' }))[0]).toMatchObject({ request_id: 'r3', cost_usd: '1.5', unpriced: 1 });
  });

  it('sums cost by user, tenant, model and day, counting unpriced calls apart', async () => {
    expect(await store.cost('user', {})).toEqual([
      { key: 'alice', cost_usd: '9.15', calls: 4, unpriced: 0, input_tokens: 400, output_tokens: 80 },
      { key: 'bob', cost_usd: '1.5', calls: 2, unpriced: 1, input_tokens: 200, output_tokens: 40 },
    ]);
    expect((await store.cost('tenant', { since: new Date(w.now.getTime() - 7 * 24 * 3600 * 1000) })).map((r) => [r.key, r.cost_usd])).toEqual([
      ['globex', '1.5'],
      ['acme', '0.15'],
    ]);
    expect((await store.cost('model', {})).map((r) => [r.key, r.cost_usd, r.unpriced])).toEqual([
      ['gpt-4o-mini-2024-07-18', '10.63', 0],
      ['gpt-4o-2024-08-06', '0.02', 0],
      ['mystery-1', '0', 1],
    ]);
    expect((await store.cost('day', {})).map((r) => [r.key, r.cost_usd])).toEqual([
      ['2026-10-25', '9'],
      ['2026-11-23', '1.65'],
    ]);
  });

  it('passes every filter value as a parameter: quotes and SQL in values match nothing and break nothing', async () => {
    for (const hostile of ["alice' OR '1'='1", "x'); DROP TABLE events; --", '\\', "{user_id:String}"]) {
      expect(await store.search({ user: hostile })).toEqual([]);
      expect(await store.trace({ requestId: hostile })).toEqual([]);
    }
    expect(await store.search({ user: 'alice' })).toHaveLength(5);
  });

  it('rejects bad filter values with a clear error', async () => {
    await expect(store.search({ minCost: '1e9; DROP' })).rejects.toThrow(/min cost must be a decimal/);
    await expect(store.search({ limit: 0 })).rejects.toThrow(/limit must be an integer/);
    await expect(store.cost('planet' as never, {})).rejects.toThrow(/grouped by user, tenant, model, day/);
  });

  it('lists streams and reads a stream back in chain order with exact bytes', async () => {
    expect(await store.streams()).toEqual([
      { stream_id: 'stream-b', events: 1, first_seq: 0, last_seq: 0 },
      { stream_id: 'stream-a', events: 6, first_seq: 0, last_seq: 5 },
    ]);
    const rows = await store.readChain('stream-a', 1, 4);
    expect(rows.map((r) => [r.seq, r.prevHash, 'record' in r ? Buffer.from(r.record).toString() : r])).toEqual(
      w.recent.slice(1, 4).map((s) => [s.record.seq, s.record.prev_hash, s.canonical]),
    );
    // The database's leaf hashes are the RFC 9162 leaf hashes of the exact stored bytes.
    const hashed = await store.readChain('stream-a', 1, 4, 'leaf-hashes');
    expect(hashed).toEqual(
      w.recent.slice(1, 4).map((s) => {
        const leaf = Buffer.from(leafHash(s.canonical), 'hex');
        // At seq 3 (≡ 3 mod 4), the node over records 0..3, though record 0 is not in the page: its
        // leaf hash is record 1's prev_hash.
        const leafOf = (i: number) => Buffer.from(leafHash(w.recent[i]!.canonical), 'hex');
        const block = s.record.seq === 3 ? nodeHash(nodeHash(leafOf(0), leafOf(1)), nodeHash(leafOf(2), leafOf(3))) : undefined;
        return { seq: s.record.seq, prevHash: s.record.prev_hash, leafHash: leafHash(s.canonical), leaf, block };
      }),
    );
  });

  it('finds no drift between columns and records on untouched data', async () => {
    expect(await store.columnDrift()).toEqual([]);
    expect(await store.schemaDrift()).toEqual([]);
  });
});

describe('idempotent, append-only writes', () => {
  it('stores a retried batch once, and a later batch in full', async () => {
    const store = await freshStore();
    const sealed = sealAll([llmCall(), llmCall(), llmCall()]);
    await store.append(batchOf(sealed.slice(0, 2), 'b1'));
    await store.append(batchOf(sealed.slice(0, 2), 'b1')); // a retry after a lost acknowledgement
    await store.append(batchOf(sealed.slice(2), 'b2'));
    expect((await store.streams())[0]).toEqual({ stream_id: 'stream-1', events: 3, first_seq: 0, last_seq: 2 });
  });

  it('does not let a batch token leak into the next insert of the process', async () => {
    // chDB applies insert settings to its whole session; the store resets the token after use.
    const store = await freshStore();
    await store.append(batchOf(sealAll([llmCall()], 'x'), 'same'));
    const client = createClient({ connection: (await import('chdb/connection')).createChdbConnection({ path: dir }) } as never);
    await client.command({ query: `INSERT INTO ${store.database}.events (record) VALUES ('{"stream_id":"y","seq":0}')` });
    await client.close();
    expect((await store.streams()).map((s) => s.stream_id).sort()).toEqual(['x', 'y']);
  });

  it('stores payloads beside records, found by the digest the record carries', async () => {
    const store = await freshStore();
    const payload = sealPayload({ input_messages: [{ role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] }] });
    const sealed = sealAll([llmCall({ payload: { digest: payload.digest, bytes: payload.bytes } })]);
    const r = sealed[0]!.record;
    const row = { digest: payload.digest, nonce: payload.nonce, content: payload.content, tenant_id: r.tenant_id, stream_id: r.stream_id, seq: r.seq, observed_at: r.observed_at };
    await store.append({ ...batchOf(sealed), payloads: [row] });
    await store.append({ ...batchOf(sealed), payloads: [row] });
    expect(await store.payloads([payload.digest])).toEqual([{ ...row, observed_at: r.observed_at.replace('T', ' ').replace('Z', '') }]);
  });

  it('stores payloads of a tenant whose id holds a tab or newline exactly as given', async () => {
    const store = await freshStore();
    const payload = sealPayload({ 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"tab\\there\\nnewline"}]}]' });
    const [s] = sealAll([llmCall({ tenant_id: 'odd\ttenant\nname', payload: { digest: payload.digest, bytes: payload.bytes } })]);
    const r = s!.record;
    const row = { digest: payload.digest, nonce: payload.nonce, content: payload.content, tenant_id: r.tenant_id, stream_id: r.stream_id, seq: r.seq, observed_at: r.observed_at };
    await store.append({ ...batchOf([s!]), payloads: [row] });
    const [stored] = await store.payloads([payload.digest]);
    expect(stored).toEqual({ ...row, observed_at: r.observed_at.replace('T', ' ').replace('Z', '') });
    expect((await store.search({ tenant: 'odd\ttenant\nname' }))[0]).toEqual(r);
  });

  it('migrates idempotently and records each migration once', async () => {
    const store = await freshStore();
    await store.migrate();
    await store.migrate();
    const again = await createStore({ kind: 'embedded', path: dir, database: store.database });
    open.push(again);
    const client = createClient({ connection: (await import('chdb/connection')).createChdbConnection({ path: dir }) } as never);
    const rows = await (await client.query({ query: `SELECT version, name FROM ${store.database}.schema_migrations ORDER BY version`, format: 'JSONEachRow' })).json();
    await client.close();
    expect(rows).toEqual([
      { version: 1, name: 'events, payloads' },
      { version: 2, name: 'cost corrections' },
      { version: 3, name: 'compact insert parts' },
      { version: 4, name: 'checkpoints' },
    ]);
  });

  it('stores signed checkpoints once, reads them by stream and size, and locates events by id', async () => {
    const store = await freshStore();
    const sealed = sealAll([0, 1, 2].map(() => llmCall({ event_id: uuidv7() })), 'stream-c');
    await store.append(batchOf(sealed));
    const signer = parseSignerKey(generateKeys('audit.example.com').signerKey);
    const leaves = sealed.map((s) => Buffer.from(s.hash, 'hex'));
    const at = (size: number, streamId = 'stream-c') =>
      signCheckpoint(signer, { streamId, origin: checkpointOrigin(signer.name, streamId), size, root: rootOf(leaves, 0, size) }, Date.UTC(2026, 10, 24, 12) * 1000 + size);
    await store.appendCheckpoints([at(3), at(1)]);
    await store.appendCheckpoints([at(3), at(1)]); // a retry
    await store.appendCheckpoints([at(2, 'stream-d')]);
    expect(await store.checkpoints({ streamId: 'stream-c' })).toEqual([at(1), at(3)]);
    expect((await store.checkpoints()).map((c) => [c.stream_id, c.size])).toEqual([['stream-c', 1], ['stream-c', 3], ['stream-d', 2]]);
    expect(await store.checkpoints({ streamId: 'stream-c', minSize: 2 })).toEqual([at(3)]);
    expect(await store.locate(sealed[1]!.record.event_id)).toEqual({ stream_id: 'stream-c', seq: 1 });
    expect(await store.locate(uuidv7())).toBeUndefined();
    expect(await store.locate("'; DROP TABLE events; --")).toBeUndefined();
  });

  it('writes insert-sized parts in the compact format (one file for all columns)', async () => {
    const store = await freshStore();
    await store.append(batchOf(sealAll([llmCall(), llmCall()])));
    const client = createClient({ connection: (await import('chdb/connection')).createChdbConnection({ path: dir }) } as never);
    for (const table of ['events', 'payloads']) {
      const [ddl] = await (await client.query({ query: `SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = {t:String}`, query_params: { db: store.database, t: table }, format: 'JSONEachRow' })).json<{ q: string }>();
      expect(ddl!.q).toMatch(new RegExp(`min_bytes_for_wide_part = ${COMPACT_PART_MAX_BYTES}\\b`));
    }
    const parts = await (await client.query({ query: `SELECT DISTINCT part_type FROM system.parts WHERE database = {db:String} AND table = 'events' AND active`, query_params: { db: store.database }, format: 'JSONEachRow' })).json();
    await client.close();
    expect(parts).toEqual([{ part_type: 'Compact' }]);
  });

  it('refuses in-place updates of any column: every column is derived from the hashed record', async () => {
    const store = await freshStore();
    await store.append(batchOf(sealAll([llmCall()])));
    const client = createClient({ connection: (await import('chdb/connection')).createChdbConnection({ path: dir }) } as never);
    for (const column of ['record', 'user_id', 'cost_usd']) {
      await expect(client.command({ query: `ALTER TABLE ${store.database}.events UPDATE ${column} = ${column} WHERE 1 SETTINGS mutations_sync = 1` })).rejects.toThrow(/Cannot UPDATE|CANNOT_UPDATE/);
    }
    await client.close();
    expect(DERIVED_COLUMNS.map((c) => c.name)).toContain('cost_usd');
  });
});

describe('createStore', () => {
  it('names the key of a bad option', async () => {
    await expect(createStore({ kind: 'embedded', path: dir, database: 'bad-name;' })).rejects.toThrow(/store option database: a ClickHouse identifier/);
    await expect(createStore({ kind: 'server', url: 'ftp://x' })).rejects.toThrow(StoreError);
  });

  it('reports an unreachable server as a connection error', async () => {
    const err = await createStore({ kind: 'server', url: 'http://127.0.0.1:9', requestTimeout: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toMatch(/CONNECTION|QUERY/);
  });

  it('gives every event id a UUIDv7 column value', async () => {
    const store = await freshStore();
    const id = uuidv7();
    const [s] = sealAll([llmCall({ event_id: id })]);
    await store.append(batchOf([s!]));
    expect((await store.search({}))[0]!.event_id).toBe(id);
  });
});
