import { trace } from '@opentelemetry/api';
import { type Store, verifyStore } from '@auditrail/clickhouse';
import { recordDecision, withLlmCall, withRequestContext, withToolCall } from '@auditrail/instrumentation';
import { afterAll, describe, expect, it } from 'vitest';
import { auditedApp, freshStore } from './support/audited-app.ts';
import { Tamperer } from './support/tamper.ts';

const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of open) await o.close();
});

/** A store holding one stream of 16 events (seq 0..15) written by a real app through the processor. */
async function auditedStore(): Promise<{ store: Store; stream: string; t: Tamperer }> {
  const store = await freshStore();
  const { processor, provider } = auditedApp({ sink: store, tenantId: 'acme' });
  for (let r = 0; r < 5; r++) {
    await withRequestContext({ requestId: `req-${r}`, userId: `user-${r % 2}` }, async () => {
      const llm = await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (call) => {
        call.setResponse({ model: 'gpt-4o-mini-2024-07-18', usage: { inputTokens: 100 + r, outputTokens: 10 } });
      });
      void llm;
      await withToolCall({ name: 'lookup', arguments: { q: r } }, () => ({ ok: true }));
      recordDecision({ name: 'answer', outcome: 'sent' });
    });
  }
  await provider.shutdown();
  const t = await Tamperer.open(store.database);
  open.push(store, t);
  trace.disable();
  expect((await store.streams())[0]).toMatchObject({ stream_id: processor.streamId, events: 16, last_seq: 15 });
  return { store, stream: processor.streamId, t };
}

/**
 * The findings of a routine verify (leaf hashes from the database, a stream with findings rehashed
 * here), checked to equal those of `--deep` (every record hashed here, every column compared).
 */
const findings = async (store: Store) => {
  const brief = (r: { findings: { seq: number; kind: string; detail: string }[] }) => r.findings.map((f) => ({ seq: f.seq, kind: f.kind, detail: f.detail }));
  const routine = await verifyStore(store);
  const deep = await verifyStore(store, { deep: true });
  expect([routine.hashedBy, deep.hashedBy]).toEqual(['database', 'auditrail']);
  expect(brief(routine)).toEqual(brief(deep));
  return brief(routine);
};

describe('verify on the embedded engine: each attack and its finding', () => {
  it('finds an untouched store intact', async () => {
    const { store } = await auditedStore();
    const report = await verifyStore(store);
    expect(report).toMatchObject({ intact: true, events: 16, findings: [] });
  });

  it("reports a column changed with ALTER TABLE … UPDATE (after stripping its derivation) as modified", async () => {
    const { store, t } = await auditedStore();
    // The schema refuses UPDATE of a derived column; an attacker must first detach it from the record.
    await expect(t.sql(`ALTER TABLE {db}.events UPDATE user_id = 'mallory' WHERE seq = 5`)).rejects.toThrow(/Cannot UPDATE materialized column/);
    await t.sql('ALTER TABLE {db}.events MODIFY COLUMN user_id REMOVE MATERIALIZED');
    await t.sql(`ALTER TABLE {db}.events UPDATE user_id = 'mallory' WHERE seq = 5`);
    expect(await findings(store)).toEqual([
      { seq: -1, kind: 'modified', detail: 'schema: column user_id is no longer MATERIALIZED from the record' },
      { seq: 5, kind: 'modified', detail: 'column user_id differs from the record' },
    ]);
  });

  it('reports a column changed and re-derived (strip, update, restore MATERIALIZED): the schema looks intact, derived_hash does not match', async () => {
    const { store, t } = await auditedStore();
    await t.sql('ALTER TABLE {db}.events MODIFY COLUMN cost_usd REMOVE MATERIALIZED');
    await t.sql(`ALTER TABLE {db}.events UPDATE cost_usd = 0 WHERE seq = 4`);
    const { DERIVED_COLUMNS } = await import('@auditrail/clickhouse');
    const cost = DERIVED_COLUMNS.find((c) => c.name === 'cost_usd')!;
    await t.sql(`ALTER TABLE {db}.events MODIFY COLUMN cost_usd ${cost.type} MATERIALIZED ${cost.expr}`);
    expect(await store.schemaDrift()).toEqual([]);
    expect(await findings(store)).toEqual([{ seq: 4, kind: 'modified', detail: 'column cost_usd differs from the record' }]);
    // derived_hash is part of the sorting key: the engine refuses to update it, stripped or not.
    await t.sql('ALTER TABLE {db}.events MODIFY COLUMN derived_hash REMOVE MATERIALIZED');
    await expect(t.sql(`ALTER TABLE {db}.events UPDATE derived_hash = 0 WHERE seq = 4`)).rejects.toThrow(/Cannot UPDATE key column/);
    expect((await verifyStore(store, { deep: true })).findings.map((f) => [f.seq, f.kind, f.detail])).toEqual([
      [-1, 'modified', 'schema: column derived_hash is no longer MATERIALIZED from the record'],
      [4, 'modified', 'column cost_usd differs from the record'],
    ]);
  });

  it('reports a rewritten record as modified at its seq', async () => {
    const { store, stream, t } = await auditedStore();
    await t.rewrite(stream, 5, (r) => (r['cost_usd'] = '0'));
    expect(await findings(store)).toEqual([{ seq: 5, kind: 'modified', detail: 'event 5 does not match the hash its successor committed to' }]);
  });

  it('reports a deleted event as missing', async () => {
    const { store, stream, t } = await auditedStore();
    await t.delete(stream, 7);
    expect(await findings(store)).toEqual([{ seq: 7, kind: 'missing', detail: 'event 7 is missing' }]);
  });

  it('reports two events that swapped positions as reordered', async () => {
    const { store, stream, t } = await auditedStore();
    await t.swap(stream, 3, 8);
    expect(await findings(store)).toEqual([
      { seq: 3, kind: 'reordered', detail: 'events at seq 3 and 8 exchanged positions' },
      { seq: 8, kind: 'reordered', detail: 'events at seq 8 and 3 exchanged positions' },
    ]);
  });

  it('reports an inserted event as inserted, even one that links to its predecessor', async () => {
    const { store, stream, t } = await auditedStore();
    const genuine = await t.record(stream, 9);
    await t.insert({ ...genuine, user_id: 'mallory', cost_usd: '0' });
    const found = await findings(store);
    expect(found).toEqual([{ seq: 9, kind: 'inserted', detail: expect.stringMatching(/^a second record claims seq 9/) }]);
  });

  it('reports an events table replaced by a view that serves forged records', async () => {
    const { store, t } = await auditedStore();
    // The genuine rows move aside; a view named events shows them with one user renamed everywhere.
    await t.sql('RENAME TABLE {db}.events TO {db}.events_moved');
    const { DERIVED_COLUMNS } = await import('@auditrail/clickhouse');
    const columns = DERIVED_COLUMNS.map((c) => (c.name === 'user_id' ? `replaceAll(user_id, 'user-1', 'mallory') AS user_id` : c.name));
    await t.sql(
      `CREATE VIEW {db}.events AS SELECT replaceAll(record, '"user_id":"user-1"', '"user_id":"mallory"') AS record, ${columns.join(', ')}, derived_hash FROM {db}.events_moved`,
    );
    const report = await verifyStore(store);
    expect(report.intact).toBe(false);
    expect(report.findings[0]).toMatchObject({ stream_id: '*', kind: 'modified', detail: 'schema: events is a View, not the MergeTree table auditrail created' });
  });

  it('reports several attacks at once, each at its place', async () => {
    const { store, stream, t } = await auditedStore();
    await t.delete(stream, 2);
    await t.rewrite(stream, 11, (r) => (r['user_id'] = 'mallory'));
    expect((await findings(store)).map((f) => [f.seq, f.kind])).toEqual([
      [2, 'missing'],
      [11, 'modified'],
    ]);
  });
});
