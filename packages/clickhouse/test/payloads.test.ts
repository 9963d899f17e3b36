import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { erasureEvent, type PayloadRow, type SealedRecord, sealPayload } from '@auditrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store, StoreError } from '../src/index.ts';
import { batchOf, llmCall, sealAll } from './records.ts';

// One engine per process and one data directory for this file; every test gets its own database.
const dir = mkdtempSync(join(tmpdir(), 'auditrail-payloads-'));
const open: Store[] = [];
let n = 0;
let attacker: ClickHouseClient;

beforeAll(async () => {
  // A second client on the same data directory: someone with write access to the database, who
  // goes around the store.
  attacker = createClient({ connection: (await import('chdb/connection')).createChdbConnection({ path: dir }) } as never);
});

afterAll(async () => {
  for (const s of open) await s.close();
  await attacker.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Stored {
  store: Store;
  sealed: SealedRecord[];
  rows: PayloadRow[];
}

/** `count` LLM calls of one stream, each with its payload row, then one call without a payload. */
function calls(count: number, streamId: string): { sealed: SealedRecord[]; rows: PayloadRow[] } {
  const payloads = Array.from({ length: count }, (_, i) => sealPayload({ input_messages: [{ role: 'user', parts: [{ type: 'text', content: `question ${i} of ${streamId}` }] }] }));
  const sealed = sealAll([...payloads.map((p) => llmCall({ payload: { digest: p.digest, bytes: p.bytes } })), llmCall()], streamId);
  const rows = payloads.map((p, i) => {
    const r = sealed[i]!.record;
    return { digest: p.digest, nonce: p.nonce, content: p.content, tenant_id: r.tenant_id, stream_id: r.stream_id, seq: r.seq, observed_at: r.observed_at };
  });
  return { sealed, rows };
}

/** A fresh store holding the calls of these streams (`count` with payloads each), with their payload rows. */
async function storeWithPayloads(streams: Record<string, number>): Promise<Stored> {
  const store = await createStore({ kind: 'embedded', path: dir, database: `p${++n}` });
  open.push(store);
  const s: Stored = { store, sealed: [], rows: [] };
  for (const [streamId, count] of Object.entries(streams)) {
    const c = calls(count, streamId);
    await store.append({ ...batchOf(c.sealed), payloads: c.rows });
    s.sealed.push(...c.sealed);
    s.rows.push(...c.rows);
  }
  return s;
}

/** What the attacker runs, with its values as parameters. */
async function tamper(query: string, params: Record<string, unknown> = {}): Promise<void> {
  await attacker.command({ query, query_params: params });
}

/** Replaces a payload row by a changed copy, as an attacker would (digest is a key column: no UPDATE). */
async function replaceRow(s: Stored, row: PayloadRow, change: Partial<PayloadRow>): Promise<void> {
  const db = s.store.database;
  await tamper(`ALTER TABLE ${db}.payloads DELETE WHERE digest = {d:String} SETTINGS mutations_sync = 1`, { d: row.digest });
  const changed = { ...row, ...change, observed_at: row.observed_at.replace('T', ' ').replace('Z', '') };
  await attacker.insert({ table: `${db}.payloads`, values: [changed], format: 'JSONEachRow' });
}

const problem = (row: PayloadRow, kind: 'missing' | 'altered') => ({ stream_id: row.stream_id, seq: row.seq, digest: row.digest, problem: kind });

describe('payloadProblems', () => {
  it('finds nothing in a store nobody touched (an event without a payload has none to miss)', async () => {
    const s = await storeWithPayloads({ 'app-1': 5 });
    expect(await s.store.payloadProblems()).toEqual([]);
    expect(s.sealed.at(-1)!.record.payload).toBeNull();
  });

  it('reports an event whose payload row was deleted as missing', async () => {
    const s = await storeWithPayloads({ 'app-1': 4 });
    await tamper(`ALTER TABLE ${s.store.database}.payloads DELETE WHERE digest = {d:String} SETTINGS mutations_sync = 1`, { d: s.rows[2]!.digest });
    expect(await s.store.payloadProblems()).toEqual([problem(s.rows[2]!, 'missing')]);
  });

  it('reports content changed under the same digest and nonce as altered', async () => {
    const s = await storeWithPayloads({ 'app-1': 4 });
    const row = s.rows[1]!;
    await replaceRow(s, row, { content: row.content.replace('question 1', 'question 9') });
    expect(await s.store.payloadProblems()).toEqual([problem(row, 'altered')]);
  });

  it('reports a changed nonce as altered', async () => {
    const s = await storeWithPayloads({ 'app-1': 4 });
    await tamper(`ALTER TABLE ${s.store.database}.payloads UPDATE nonce = {n:String} WHERE digest = {d:String} SETTINGS mutations_sync = 1`, { n: '00'.repeat(16), d: s.rows[3]!.digest });
    expect(await s.store.payloadProblems()).toEqual([problem(s.rows[3]!, 'altered')]);
  });

  it('reports an altered row beside an intact copy of it as altered: content read by digest could be either', async () => {
    const s = await storeWithPayloads({ 'app-1': 2 });
    const row = s.rows[0]!;
    await attacker.insert({ table: `${s.store.database}.payloads`, values: [{ ...row, content: '{"forged":true}', observed_at: row.observed_at.replace('T', ' ').replace('Z', '') }], format: 'JSONEachRow' });
    expect(await s.store.payloadProblems()).toEqual([problem(row, 'altered')]);
  });

  it('reports the event of a row whose digest column was changed as missing', async () => {
    const s = await storeWithPayloads({ 'app-1': 4 });
    await replaceRow(s, s.rows[0]!, { digest: `sha256:${'e'.repeat(64)}` });
    expect(await s.store.payloadProblems()).toEqual([problem(s.rows[0]!, 'missing')]);
  });

  it('checks only events at or past the given positions with `after`, and every event of streams not listed', async () => {
    const s = await storeWithPayloads({ 'app-1': 6, 'app-2': 3 });
    const checked = { stream_id: 'app-1', seq: 3 }; // verified up to seq 2 before
    const [old1, , , new1, , new3] = s.rows.filter((r) => r.stream_id === 'app-1');
    const app2 = s.rows.find((r) => r.stream_id === 'app-2')!;
    const db = s.store.database;
    for (const row of [old1!, new1!, app2]) await tamper(`ALTER TABLE ${db}.payloads DELETE WHERE digest = {d:String} SETTINGS mutations_sync = 1`, { d: row.digest });
    await replaceRow(s, new3!, { content: '{}' });
    expect(new1!.seq).toBe(3);
    expect(await s.store.payloadProblems({ after: [checked] })).toEqual([problem(new1!, 'missing'), problem(new3!, 'altered'), problem(app2, 'missing')]);
    expect(await s.store.payloadProblems()).toEqual([problem(old1!, 'missing'), problem(new1!, 'missing'), problem(new3!, 'altered'), problem(app2, 'missing')]);
    expect(await s.store.payloadProblems({ after: [checked, { stream_id: 'app-2', seq: 1 }] })).toEqual([problem(new1!, 'missing'), problem(new3!, 'altered')]);
    expect(await s.store.payloadProblems({ after: [{ stream_id: 'app-1', seq: 100 }, { stream_id: 'app-2', seq: 100 }] })).toEqual([]);
    expect(await s.store.payloadProblems({ limit: 2 })).toEqual([problem(old1!, 'missing'), problem(new1!, 'missing')]);
  });

  it('passes stream ids with SQL metacharacters as parameters, and refuses a bad seq or limit', async () => {
    const s = await storeWithPayloads({ 'a:b.c-d': 2 });
    await tamper(`ALTER TABLE ${s.store.database}.payloads DELETE WHERE digest = {d:String} SETTINGS mutations_sync = 1`, { d: s.rows[0]!.digest });
    const odd = ["x'); DROP TABLE payloads; --", 'back\\slash', '{limit:UInt32}', 'tab\tand\nnewline'];
    expect(await s.store.payloadProblems({ after: odd.map((stream_id) => ({ stream_id, seq: 0 })) })).toEqual([problem(s.rows[0]!, 'missing')]);
    expect(await s.store.payloadProblems({ after: [{ stream_id: 'a:b.c-d', seq: 1 }] })).toEqual([]);
    await expect(s.store.payloadProblems({ after: [{ stream_id: 'a', seq: -1 }] })).rejects.toThrow(/seq of stream "a" must be a non-negative integer/);
    await expect(s.store.payloadProblems({ limit: 0 })).rejects.toThrow(StoreError);
  });
});

describe('erasure', () => {
  const service = { name: 'auditrail erase', version: '0.1.0', environment: null };

  it('removes payload rows named by a stored erasure; they read as missing, and erasures() names the event that removed them', async () => {
    const s = await storeWithPayloads({ 'app-1': 3 });
    const erased = s.rows.slice(0, 2);
    const named = erased.map((r) => ({ stream_id: r.stream_id, seq: r.seq, digest: r.digest }));
    const [event] = sealAll([erasureEvent({ event_type: 'audit.erasure', tenant_id: 'acme', service, reason: 'GDPR request #4711', subject: 'ticket-4711', payloads: named })], 'erase-1');
    await s.store.append(batchOf([event!]));
    await s.store.erasePayloads(erased.map((r) => r.digest));

    expect(await s.store.payloadProblems()).toEqual(erased.map((r) => problem(r, 'missing')));
    expect(await s.store.erasures()).toEqual([
      { event_id: event!.record.event_id, event_type: 'audit.erasure', stream_id: 'erase-1', seq: 0, observed_at: event!.record.observed_at, payloads: named },
    ]);
    expect(await s.store.payloads(s.rows.map((r) => r.digest))).toEqual([expect.objectContaining({ digest: s.rows[2]!.digest, content: s.rows[2]!.content })]);
    // The events table is never touched: every record is still there, as sealed.
    expect((await s.store.scan({})).map((r) => r.event_id)).toEqual([...s.sealed, event!].map((r) => r.record.event_id));
  });

  it('lists retention purges too, oldest stream position first, and none before any is stored', async () => {
    const s = await storeWithPayloads({ 'app-1': 2 });
    expect(await s.store.erasures()).toEqual([]);
    const [a, b] = s.rows.map((r) => ({ stream_id: r.stream_id, seq: r.seq, digest: r.digest }));
    const events = sealAll([
      erasureEvent({ event_type: 'audit.retention_purge', tenant_id: 'acme', service, reason: 'retention 90 days', payloads: [a!] }),
      erasureEvent({ event_type: 'audit.erasure', tenant_id: 'acme', service, reason: 'GDPR', payloads: [b!] }),
    ], 'purge-1');
    await s.store.append(batchOf(events));
    await s.store.erasePayloads([a!.digest, b!.digest]);
    expect((await s.store.erasures()).map((e) => [e.event_type, e.seq, e.payloads])).toEqual([
      ['audit.retention_purge', 0, [a]],
      ['audit.erasure', 1, [b]],
    ]);
  });

  it('refuses to remove a payload no stored erasure names, and removes nothing then', async () => {
    const s = await storeWithPayloads({ 'app-1': 2 });
    const [named] = sealAll([erasureEvent({ event_type: 'audit.erasure', tenant_id: 'acme', service, reason: 'r', payloads: [{ stream_id: 'app-1', seq: 0, digest: s.rows[0]!.digest }] })], 'erase-1');
    await s.store.append(batchOf([named!]));
    const err = await s.store.erasePayloads([s.rows[0]!.digest, s.rows[1]!.digest]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('QUERY');
    expect((err as Error).message).toContain(`refusing to erase 1 payload(s) that no stored audit.erasure or audit.retention_purge event names (store the event first), e.g. ${s.rows[1]!.digest}`);
    await expect(s.store.erasePayloads(["x') OR 1=1 --"])).rejects.toThrow(/refusing to erase 1 payload/);
    expect(await s.store.payloadProblems()).toEqual([]);
    await s.store.erasePayloads([]);
  });
});
