import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { type Store, verifyStore, type VerifyOptions } from '@auditrail/clickhouse';
import { checkpointOrigin, FileCheckpointSink, formatCheckpoint, generateKeys, parseCheckpointLog, parseSignerKey, parseVerifierKey, signCheckpoint, signNote } from '@auditrail/core';
import { recordDecision, withLlmCall, withRequestContext, withToolCall } from '@auditrail/instrumentation';
import { afterAll, describe, expect, it } from 'vitest';
import { auditedApp, freshStore } from './support/audited-app.ts';
import { Tamperer } from './support/tamper.ts';

const writer = generateKeys('audit.example.com');
const mallory = generateKeys('audit.example.com');
const trusted = [parseVerifierKey(writer.verifierKey)];
const dir = mkdtempSync(join(tmpdir(), 'auditrail-tamper-'));
const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of open) await o.close();
});

interface Audited {
  store: Store;
  stream: string;
  t: Tamperer;
  /** The checkpoints the writer published to a file outside the database. */
  published: () => ReturnType<typeof parseCheckpointLog>['records'];
  publishedFile: string;
  verify: (extra?: VerifyOptions) => ReturnType<typeof verifyStore>;
}

let stores = 0;
/**
 * One stream of 16 events written by a real app through the processor, which signs checkpoints
 * every 4 durable events (written after each request: at sizes 4, 10 and 16) and publishes them
 * to a file.
 */
async function audited(options: { maxQueueSize?: number } = {}): Promise<Audited> {
  const store = await freshStore();
  const publishedFile = join(dir, `checkpoints-${++stores}.jsonl`);
  const { processor, provider } = auditedApp({ sink: store, tenantId: 'acme', ...options, checkpoints: { key: writer.signerKey, everyEvents: 4, sinks: [new FileCheckpointSink(publishedFile)] } });
  for (let r = 0; r < 5; r++) {
    await withRequestContext({ requestId: `req-${r}`, userId: `user-${r % 2}` }, async () => {
      await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (call) => call.setResponse({ model: 'gpt-4o-mini', usage: { inputTokens: 100 + r, outputTokens: 10 } }));
      await withToolCall({ name: 'lookup', arguments: { q: r } }, () => ({ ok: true }));
      recordDecision({ name: 'answer', outcome: 'sent' });
    });
    await processor.forceFlush();
  }
  await provider.shutdown();
  trace.disable();
  const t = await Tamperer.open(store.database);
  open.push(store, t);
  const published = () => parseCheckpointLog(readFileSync(publishedFile, 'utf8')).records;
  expect(published().map((c) => c.size)).toEqual([4, 10, 16]);
  return { store, stream: processor.streamId, t, published, publishedFile, verify: (extra = {}) => verifyStore(store, { keys: trusted, published: published(), ...extra }) };
}

/** Records an erasure of one payload as `auditrail erase` would: an event in a stream of its own, and a checkpoint over it signed by `key`. */
async function recordErasure(store: Store, stream: string, target: { seq: number; digest: string }, key: string) {
  const { Checkpointer, erasureEvent, StreamSequencer } = await import('@auditrail/core');
  const sequencer = new StreamSequencer();
  const sealed = sequencer.seal(erasureEvent({ event_type: 'audit.erasure', tenant_id: 'acme', service: { name: 'auditrail erase', version: null, environment: null }, reason: 'GDPR art. 17 request #4411', payloads: [{ stream_id: stream, seq: target.seq, digest: target.digest }] }));
  await store.append({ token: `${sealed.record.stream_id}:0`, records: [sealed.canonical], payloads: [] });
  const checkpointer = new Checkpointer({ signer: parseSignerKey(key), streamId: sequencer.streamId, everyEvents: 1 });
  checkpointer.append(sealed.hash);
  await store.appendCheckpoints([checkpointer.durable(checkpointer.head())!]);
  return sealed;
}

const brief = (r: { findings: { seq: number; kind: string; detail: string }[] }) =>
  r.findings.map((f) => [f.seq, f.kind] as const).sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));

describe('tamper matrix: each attack on the embedded engine, and the finding verify reports', () => {
  it('finds the untouched store intact: every signature verified, every root recomputed', async () => {
    const { verify } = await audited();
    const report = await verify();
    expect(report).toMatchObject({ intact: true, events: 16, findings: [] });
    expect(report.checkpoints).toEqual({ stored: 3, published: 3, verified: 6, rootsMatched: 3, signaturesChecked: true });
    expect(report.streams[0]).toMatchObject({ checkpoint_size: 16, checkpoints: 3 });
  });

  it('change a field of an event → modified', async () => {
    const { stream, t, verify } = await audited();
    await t.rewrite(stream, 5, (r) => (r['user_id'] = 'mallory'));
    expect(brief(await verify())).toEqual([[5, 'modified']]);
  });

  it('change the last event, which only the checkpoint commits to → modified (its root)', async () => {
    const { stream, t, verify } = await audited();
    await t.rewrite(stream, 15, (r) => (r['name'] = 'nothing to see'));
    const report = await verify();
    expect(brief(report)).toEqual([[15, 'modified']]);
    expect(report.findings[0]!.detail).toMatch(/do not hash to the Merkle root of the signed checkpoint at size 16/);
  });

  it('change a payload → modified; delete one → missing; one removed by a recorded erasure → erased, not a finding', async () => {
    const { store, stream, t, verify } = await audited();
    const withPayload = (await t.records(stream)).filter((r) => r['payload'] !== null).map((r) => ({ seq: r['seq'] as number, digest: (r['payload'] as { digest: string }).digest }));
    expect(withPayload.length).toBeGreaterThanOrEqual(3);
    const [changed, deleted, lawful] = withPayload;
    await t.sql(`ALTER TABLE {db}.payloads UPDATE content = replaceOne(content, '{', '{"forged":1,') WHERE digest = '${changed!.digest}'`);
    await t.sql(`ALTER TABLE {db}.payloads DELETE WHERE digest = '${deleted!.digest}'`);
    // A lawful erasure: the event that records it first, in a stream of its own signed by the
    // writer's key, then the removal.
    const sealed = await recordErasure(store, stream, lawful!, writer.signerKey);
    await store.erasePayloads([lawful!.digest]);
    const report = await verify();
    expect(brief(report)).toEqual([
      [changed!.seq, 'modified'],
      [deleted!.seq, 'missing'],
    ].sort((a, b) => (a[0] as number) - (b[0] as number)));
    expect(report.findings.find((f) => f.seq === changed!.seq)!.detail).toBe(`the payload of event ${changed!.seq} does not hash to the digest its record commits to`);
    expect(report.erased).toEqual([{ stream_id: stream, seq: lawful!.seq, digest: lawful!.digest, by: { event_id: sealed.record.event_id, event_type: 'audit.erasure', stream_id: sealed.record.stream_id, seq: 0, observed_at: expect.any(String) } }]);
  });

  it('delete a payload and record a forged erasure for it (no checkpoint, or one by another key) → missing', async () => {
    const { store, stream, t, verify } = await audited();
    const victim = (await t.records(stream)).find((r) => r['payload'] !== null)!;
    const target = { seq: victim['seq'] as number, digest: (victim['payload'] as { digest: string }).digest };
    // Unsigned: an erasure event nobody's checkpoint covers.
    const { erasureEvent, StreamSequencer } = await import('@auditrail/core');
    const forged = new StreamSequencer().seal(erasureEvent({ event_type: 'audit.erasure', tenant_id: 'acme', service: { name: 'auditrail erase', version: null, environment: null }, reason: 'routine', payloads: [{ stream_id: stream, ...target }] }));
    await store.append({ token: `${forged.record.stream_id}:0`, records: [forged.canonical], payloads: [] });
    await t.sql(`ALTER TABLE {db}.payloads DELETE WHERE digest = '${target.digest}'`);
    let report = await verify();
    expect(report.findings).toEqual([
      { stream_id: stream, seq: target.seq, kind: 'missing', detail: `the payload of event ${target.seq} is missing; the audit.erasure event that names it (stream ${forged.record.stream_id}, seq 0) is covered by no verified signed checkpoint` },
    ]);
    expect(report.erased).toEqual([]);
    // Signed with a key of the forger's own: still not trusted.
    await recordErasure(store, stream, target, mallory.signerKey);
    report = await verify();
    expect(brief(report)).toEqual([
      [0, 'unknown_key'],
      [target.seq, 'missing'],
    ].sort((a, b) => (a[0] as number) - (b[0] as number)));
    expect(report.erased).toEqual([]);
  });

  it('delete every stored checkpoint, with no published log at hand → missing (the stream declared them, signed by a trusted key)', async () => {
    // A queue of 8 bounds one write: past 4 + 8 events a healthy writer has always signed.
    const { stream, t, verify } = await audited({ maxQueueSize: 8 });
    expect((await verify({ published: [] })).intact).toBe(true);
    await t.sql('TRUNCATE TABLE {db}.checkpoints');
    const report = await verify({ published: [] });
    expect(report.findings).toEqual([
      {
        stream_id: stream,
        seq: 0,
        kind: 'missing',
        detail: '16 events at the end of this stream are covered by no verified checkpoint, though its writer declared one every 4 events signed by audit.example.com (at most 12 unsigned): its checkpoints were removed or never stored; compare with the published ones (--checkpoints)',
      },
    ]);
    // Not without trusted keys (nothing to tell a declaration by the writer from anyone's), and not with the published log (it covers the stream).
    expect((await verify({ published: [], keys: [] })).intact).toBe(true);
    expect((await verify()).intact).toBe(true);
  });

  it('delete one event → missing', async () => {
    const { stream, t, verify } = await audited();
    await t.delete(stream, 7);
    expect(brief(await verify())).toEqual([[7, 'missing']]);
  });

  it('delete the last events → truncated (by the stored checkpoint, and by the published one once the stored is gone too)', async () => {
    const { stream, t, verify } = await audited();
    await t.sql(`ALTER TABLE {db}.events DELETE WHERE stream_id = '${stream}' AND seq >= 12`);
    expect(brief(await verify())).toEqual([[12, 'truncated']]);
    await t.sql(`ALTER TABLE {db}.checkpoints DELETE WHERE size > 12`);
    const report = await verify();
    expect(brief(report)).toEqual([[12, 'truncated']]);
    expect(report.findings[0]!.detail).toMatch(/signed checkpoint \(published\) covers 16 events; the stream ends after 12/);
    // Without the published log nothing says the stream was longer.
    expect((await verify({ published: [] })).intact).toBe(true);
  });

  it('insert a forged event with a recomputed chain after it → inserted', async () => {
    const { stream, t, verify } = await audited();
    const rest = await t.records(stream, 6);
    const forged = { ...rest[0]!, user_id: 'mallory', cost_usd: '0', event_id: '01950000-0000-7000-8000-000000000000' };
    // The genuine event 6 stays; the forgery claims seq 6 too, and every later event is re-linked to it.
    await t.rechain(stream, 6, [forged, ...rest.slice(1)]);
    await t.insert(rest[0]!);
    expect(brief(await verify())).toEqual([[6, 'inserted']]);
  });

  it('insert a forged event and renumber and re-chain everything after it: the chain holds, the signed roots do not → modified', async () => {
    const { stream, t, verify } = await audited();
    const rest = await t.records(stream, 6);
    await t.rechain(stream, 6, [{ ...rest[0]!, user_id: 'mallory', event_id: '01950000-0000-7000-8000-000000000001' }, ...rest]);
    const report = await verify();
    expect(brief(report)).toEqual([[9, 'modified']]);
    expect(report.findings[0]!.detail).toMatch(/events 0\.\.9 do not hash to the Merkle root of the signed checkpoint at size 10/);
  });

  it('swap two events → reordered', async () => {
    const { stream, t, verify } = await audited();
    await t.swap(stream, 3, 8);
    expect(brief(await verify())).toEqual([
      [3, 'reordered'],
      [8, 'reordered'],
    ]);
  });

  it('replace a whole stream with a re-chained, re-hashed forgery and re-signed checkpoints → unknown_key, and the published roots do not match', async () => {
    const { store, stream, t, verify } = await audited();
    const all = await t.records(stream, 0);
    await t.rechain(stream, 0, all.map((r) => (r['user_id'] === 'user-1' ? { ...r, user_id: 'user-0' } : r)));
    // The forger recomputes the tree and signs new checkpoints with a key of their own, under the same name.
    const leaves = (await store.readChain(stream, 0, 16, 'leaf-hashes')).map((r) => ('leaf' in r ? r.leaf : Buffer.alloc(0)));
    const { rootOf } = await import('@auditrail/core');
    const forger = parseSignerKey(mallory.signerKey);
    await t.sql('TRUNCATE TABLE {db}.checkpoints');
    await store.appendCheckpoints([4, 10, 16].map((size) => signCheckpoint(forger, { streamId: stream, origin: checkpointOrigin(forger.name, stream), size, root: rootOf(leaves, 0, size) })));
    const report = await verify();
    // Events 0..3 (the stream's opening and user-0's first request) are unchanged: the first published root that differs is at 10.
    expect(brief(report)).toEqual([
      [3, 'unknown_key'],
      [9, 'modified'],
      [9, 'unknown_key'],
      [15, 'unknown_key'],
    ]);
    expect(report.findings.find((f) => f.kind === 'modified')!.detail).toMatch(/signed checkpoint at size 10 \(published\)/);
    // Trusting the forger's key instead (say, a verifier misled about keys) the stream looks whole, but the published roots still differ.
    expect(brief(await verifyStore(store, { keys: [parseVerifierKey(mallory.verifierKey)], published: [] }))).toEqual([]);
  });

  it('forge a checkpoint with another key → unknown_key', async () => {
    const { store, stream, verify } = await audited();
    const forger = parseSignerKey(mallory.signerKey);
    const genuine = (await store.checkpoints()).find((c) => c.size === 16)!;
    await store.appendCheckpoints([signCheckpoint(forger, { streamId: stream, origin: genuine.origin, size: 20, root: Buffer.alloc(32, 7) })]);
    const report = await verify();
    expect(brief(report)).toEqual([[19, 'unknown_key']]);
    expect(report.findings[0]!.detail).toBe('stored checkpoint at size 20 is signed by no trusted key (audit.example.com)');
  });

  it('alter a stored checkpoint but keep its signature → bad_signature', async () => {
    const { store, t, verify } = await audited();
    const genuine = (await store.checkpoints()).find((c) => c.size === 10)!;
    await t.sql(`ALTER TABLE {db}.checkpoints DELETE WHERE size = 10`);
    await store.appendCheckpoints([{ ...genuine, size: 11, note: genuine.note.replace('\n10\n', '\n11\n') }]);
    expect(brief(await verify())).toEqual([[10, 'bad_signature']]);
  });

  it('present two different checkpoints for one size → forked', async () => {
    const { store, stream, verify } = await audited();
    const signer = parseSignerKey(writer.signerKey);
    const genuine = (await store.checkpoints()).find((c) => c.size === 10)!;
    // Signed with the writer's own key: what a second writer on the same stream, or a stolen key, produces.
    const other = signNote(formatCheckpoint({ origin: genuine.origin, size: 10, root: Buffer.alloc(32, 1) }), signer);
    const report = await verify({ published: [{ ...genuine, root: '01'.repeat(32), note: other, stream_id: stream }] });
    expect(brief(report)).toEqual([[9, 'forked']]);
    expect(report.findings[0]!.detail).toMatch(/two signed checkpoints at size 10 state different roots \(store [0-9a-f]{16}…, published 0101010101010101…\)/);
  });

  it('delete a whole stream and its stored checkpoints → stream_missing (from the published checkpoints)', async () => {
    const { stream, t, verify } = await audited();
    await t.sql(`ALTER TABLE {db}.events DELETE WHERE stream_id = '${stream}'`);
    await t.sql(`ALTER TABLE {db}.checkpoints DELETE WHERE stream_id = '${stream}'`);
    const report = await verify();
    expect(report.findings).toEqual([{ stream_id: stream, seq: -1, kind: 'stream_missing', detail: 'a signed checkpoint (published) covers 16 events of this stream; the store holds none' }]);
  });
});
