import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { trace } from '@opentelemetry/api';
import { createStore, proveConsistency, proveEvent, type Store } from '@auditrail/clickhouse';
import {
  type AuditRecord,
  canonicalJson,
  type CheckpointRecord,
  checkEventProof,
  checkpointOrigin,
  generateKeys,
  parseSignerKey,
  parseTlogProof,
  parseVerifierKey,
  rootOf,
  signCheckpoint,
} from '@auditrail/core';
import { recordDecision, withLlmCall, withRequestContext, withToolCall } from '@auditrail/instrumentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditedApp, storeDir } from './support/audited-app.ts';
import { cli } from './support/cli.ts';
import { Tamperer } from './support/tamper.ts';

// The CLI opens the store's default database (auditrail) in this file's data directory: the
// events are written there, as two streams, one of which is tampered with at the end.
const dir = storeDir();
const KEY_NAME = 'audit.example.com/acme';
const keys = generateKeys(KEY_NAME);
const signer = parseSignerKey(keys.signerKey);
const keyHash = signer.hash.toString(16).padStart(8, '0');
const tmp = mkdtempSync(join(tmpdir(), 'auditrail-proofs-'));
const file = (name: string) => join(tmp, name);

let store: Store;
/** Each stream's id and its events' ids by seq. */
let intact: { stream: string; ids: string[]; records: AuditRecord[] };
let doomed: { stream: string; ids: string[]; records: AuditRecord[] };
const signed = new Map<string, CheckpointRecord>();

/** One app (its own stream) making `requests` requests of three events each, after its stream-open event. */
async function writeStream(requests: number): Promise<{ stream: string; ids: string[]; records: AuditRecord[] }> {
  const { processor, provider } = auditedApp({ sink: store, tenantId: 'acme' });
  for (let r = 0; r < requests; r++) {
    await withRequestContext({ requestId: `req-${processor.streamId}-${r}`, userId: `user-${r % 2}` }, async () => {
      await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (call) => {
        call.setResponse({ model: 'gpt-4o-mini-2024-07-18', usage: { inputTokens: 100 + r, outputTokens: 10 } });
      });
      await withToolCall({ name: 'lookup', arguments: { q: r } }, () => ({ ok: true }));
      recordDecision({ name: 'answer', outcome: 'sent' });
    });
  }
  await provider.shutdown();
  trace.disable();
  const records = (await store.scan({}, { limit: 1000 })).filter((e) => e.stream_id === processor.streamId);
  expect(records.map((e) => e.seq)).toEqual(Array.from({ length: 1 + 3 * requests }, (_, i) => i));
  return { stream: processor.streamId, ids: records.map((e) => e.event_id), records };
}

/** Signs the checkpoint of the stream's first `size` events over the leaf hashes stored, as the writer will, and stores it. */
async function sign(stream: string, size: number): Promise<CheckpointRecord> {
  const rows = await store.readChain(stream, 0, size, 'leaf-hashes');
  const leaves = rows.map((r) => Buffer.from('leafHash' in r ? r.leafHash : '', 'hex'));
  const checkpoint = signCheckpoint(signer, { streamId: stream, origin: checkpointOrigin(KEY_NAME, stream), size, root: rootOf(leaves) });
  await store.appendCheckpoints([checkpoint]);
  signed.set(`${stream}:${size}`, checkpoint);
  return checkpoint;
}

beforeAll(async () => {
  store = await createStore({ kind: 'embedded', path: dir });
  intact = await writeStream(5); // 16 events
  doomed = await writeStream(3); // 10 events
  await sign(intact.stream, 8);
  await sign(intact.stream, 14); // seq 14 and 15 are not covered yet
  await sign(doomed.stream, 10);
});

afterAll(async () => {
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

const root = (stream: string, size: number) => Buffer.from(signed.get(`${stream}:${size}`)!.root, 'hex').toString('base64');

describe('auditrail prove and check-proof', () => {
  it('writes the proof of one event, and check-proof finds it valid offline with the verifier key', async () => {
    const e = intact.records[5]!;
    const proof = file('event-5.tlog-proof');
    const made = await cli('prove', e.event_id, '--store', dir, '--out', proof);
    expect(made).toEqual({ code: 0, out: `proof of event ${e.event_id} (stream ${intact.stream}, seq 5) under the signed checkpoint of size 14 written to ${proof}\n`, err: '' });
    // The proof carries the record exactly as stored, its index, and the stored signed note.
    const [row] = await store.readChain(intact.stream, 5, 6, 'records');
    const parsed = parseTlogProof(readFileSync(proof, 'utf8'));
    expect([parsed.extra, parsed.index, parsed.path.length, parsed.checkpoint]).toEqual([Buffer.from((row as { record: Uint8Array }).record), 5n, 4, signed.get(`${intact.stream}:14`)!.note]);

    const checked = await cli('check-proof', proof, '--key', keys.verifierKey);
    expect(checked).toEqual({
      code: 0,
      out: [
        `event proof ${proof}`,
        `  event       ${e.event_id}`,
        `  type        ${e.event_type}`,
        `  observed_at ${e.observed_at}`,
        `  stream      ${intact.stream}`,
        '  seq         5',
        `  checkpoint  size 14, origin ${KEY_NAME}/${intact.stream}, root ${root(intact.stream, 14)}`,
        `  signatures  ${KEY_NAME} (key hash ${keyHash}): verified`,
        `VALID: event ${e.event_id} is entry 5 of stream ${intact.stream}, under its signed checkpoint of size 14`,
        '',
      ].join('\n'),
      err: '',
    });
    // The key may come from a file; --json gives the whole check.
    writeFileSync(file('log.pub'), `${keys.verifierKey}\n`);
    const json = await cli('check-proof', proof, '--key', file('log.pub'), '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual({
      kind: 'event',
      file: proof,
      valid: true,
      problems: [],
      signatures: [{ name: KEY_NAME, hash: signer.hash, status: 'verified' }],
      checkpoint: { origin: `${KEY_NAME}/${intact.stream}`, size: 14, root: root(intact.stream, 14) },
      index: 5,
      stream_id: intact.stream,
      record: e,
    });
  });

  it('writes to stdout without --out, never over an existing file, and against the checkpoint of --size N', async () => {
    const e = intact.records[5]!;
    const out = await cli('prove', e.event_id, '--store', dir);
    expect([out.code, out.out, out.err]).toEqual([0, readFileSync(file('event-5.tlog-proof'), 'utf8'), `auditrail prove: proof of event ${e.event_id} (stream ${intact.stream}, seq 5) under the signed checkpoint of size 14\n`]);
    const again = await cli('prove', e.event_id, '--store', dir, '--out', file('event-5.tlog-proof'));
    expect(again).toEqual({ code: 2, out: '', err: `auditrail prove: ${file('event-5.tlog-proof')} exists; not overwriting it (choose another --out)\n` });
    const at8 = await cli('prove', e.event_id, '--store', dir, '--size', '8', '--json');
    expect(JSON.parse(at8.out)).toMatchObject({ kind: 'event', event_id: e.event_id, stream_id: intact.stream, seq: 5, size: 8 });
    expect(checkEventProof((JSON.parse(at8.out) as { proof: string }).proof, [parseVerifierKey(keys.verifierKey)])).toMatchObject({ valid: true, checkpoint: { size: 8n } });
  });

  it('proves every event a checkpoint covers, and says which ones none covers yet', async () => {
    const verifiers = [parseVerifierKey(keys.verifierKey)];
    for (const [seq, id] of intact.ids.slice(0, 14).entries()) {
      const r = await proveEvent(store, id);
      expect(r.ok && [r.seq, r.size, checkEventProof(r.proof, verifiers).valid]).toEqual([seq, 14, true]);
    }
    const late = intact.records[15]!;
    expect(await cli('prove', late.event_id, '--store', dir)).toEqual({
      code: 1,
      out: '',
      err: `auditrail prove: Event ${late.event_id} (stream ${intact.stream}, seq 15) is not covered by a checkpoint yet (the latest, of size 14, covers seq 0 to 13); the writer signs one every so many events or seconds (its checkpoint interval): try again after the next one.\n`,
    });
    expect((await cli('prove', intact.ids[9]!, '--store', dir, '--size', '8')).err).toBe(`auditrail prove: Event ${intact.ids[9]} (stream ${intact.stream}, seq 9) is not covered by a checkpoint of size 8, which covers seq 0 to 7.\n`);
    expect((await cli('prove', intact.ids[2]!, '--store', dir, '--size', '9')).err).toBe(`auditrail prove: Stream ${intact.stream} has no stored checkpoint of size 9 (it has 2 from size 8 to 14).\n`);
    expect(await cli('prove', '01900000-0000-7000-8000-000000000000', '--store', dir)).toMatchObject({ code: 1, err: 'auditrail prove: No stored event has the id "01900000-0000-7000-8000-000000000000".\n' });
    expect(await cli('prove', '--store', dir)).toMatchObject({ code: 2, err: expect.stringContaining('prove takes one event id') });
    expect(await cli('prove', intact.ids[2]!, '--size', 'ten', '--store', dir)).toMatchObject({ code: 2, err: 'auditrail prove: --size must be a whole number from 1; got "ten"\n' });
  });

  it('check-proof finds a proof whose record was edited INVALID (exit 1), and one checked with another key unsigned (unknown_key)', async () => {
    const proof = readFileSync(file('event-5.tlog-proof'), 'utf8');
    const record = JSON.parse(parseTlogProof(proof).extra!.toString('utf8')) as AuditRecord;
    const edited = proof.replace(/^extra .*$/m, `extra ${Buffer.from(canonicalJson({ ...record, user_id: 'someone-else' })).toString('base64')}`);
    writeFileSync(file('edited.tlog-proof'), edited);
    const bad = await cli('check-proof', file('edited.tlog-proof'), '--key', keys.verifierKey);
    expect(bad.code).toBe(1);
    expect(bad.out.split('\n').slice(-3)).toEqual([
      'INVALID: 1 problem',
      "  - The inclusion path does not lead from the record's leaf hash at index 5 to the checkpoint's root: the record, the index, the path or the checkpoint was altered.",
      '',
    ]);
    const stranger = generateKeys(KEY_NAME).verifierKey; // the same name, another key
    const unknown = await cli('check-proof', file('event-5.tlog-proof'), '--key', stranger);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain(`  signatures  ${KEY_NAME} (key hash ${keyHash}): unknown_key\nINVALID: 1 problem\n  - No trusted key signed the checkpoint: it is signed by ${KEY_NAME} (key hash ${keyHash}) (unknown_key).\n`);
    // Any trusted key that verifies will do.
    expect((await cli('check-proof', file('event-5.tlog-proof'), '--key', stranger, '--key', keys.verifierKey)).code).toBe(0);
  });

  it('check-proof cannot run (exit 2) without a readable file or a well-formed key; a file that is no proof is INVALID', async () => {
    const proof = file('event-5.tlog-proof');
    expect(await cli('check-proof', proof)).toMatchObject({ code: 2, err: expect.stringContaining("check-proof needs --key KEY: the log's verifier key") });
    expect(await cli('check-proof', file('nothing-here'), '--key', keys.verifierKey)).toMatchObject({ code: 2, err: expect.stringContaining(`cannot read ${file('nothing-here')}: ENOENT`) });
    expect(await cli('check-proof', proof, '--key', keys.verifierKey.replace(keyHash, '00000000'))).toMatchObject({ code: 2, err: expect.stringContaining('the hash does not match the key') });
    // A signer key given by mistake is refused without being echoed.
    const leaked = await cli('check-proof', proof, '--key', keys.signerKey);
    expect(leaked).toEqual({ code: 2, out: '', err: 'auditrail check-proof: --key was given a signer key, which must stay secret: give the verifier key (auditrail keys generate printed it)\n' });
    writeFileSync(file('signer.key'), `${keys.signerKey}\n`);
    expect(await cli('check-proof', proof, '--key', file('signer.key'))).toMatchObject({ code: 2, err: expect.stringContaining('holds a signer key, which must stay secret') });
    expect(await cli('check-proof', proof, '--key', file('no-such.pub'))).toMatchObject({ code: 2, err: expect.stringContaining('is neither a verifier key (name+hash+base64) nor a file one can read') });
    writeFileSync(file('notes.txt'), 'hello\n');
    expect(await cli('check-proof', file('notes.txt'), '--key', keys.verifierKey)).toEqual({
      code: 1,
      out: `unknown proof ${file('notes.txt')}\nINVALID: 1 problem\n  - The proof is malformed: not a proof: its first line is neither c2sp.org/tlog-proof@v1 nor auditrail/consistency-proof@v1.\n`,
      err: '',
    });
    writeFileSync(file('cut.tlog-proof'), readFileSync(proof, 'utf8').slice(0, -20));
    expect(await cli('check-proof', file('cut.tlog-proof'), '--key', keys.verifierKey)).toMatchObject({ code: 1, out: expect.stringContaining('  - The proof is malformed: checkpoint note: ') });
  });

  it('proves two checkpoints of a stream consistent', async () => {
    const proof = file('8-14.proof');
    const made = await cli('prove', '--consistency', '--stream', intact.stream, '--from', '8', '--to', '14', '--store', dir, '--out', proof);
    expect(made).toEqual({ code: 0, out: `proof that the signed checkpoint of size 8 of stream ${intact.stream} is a prefix of the one of size 14 written to ${proof}\n`, err: '' });
    const checked = await cli('check-proof', proof, '--key', keys.verifierKey);
    expect(checked).toEqual({
      code: 0,
      out: [
        `consistency proof ${proof}`,
        `  stream      ${intact.stream}`,
        `  old         size 8, origin ${KEY_NAME}/${intact.stream}, root ${root(intact.stream, 8)}`,
        `  new         size 14, origin ${KEY_NAME}/${intact.stream}, root ${root(intact.stream, 14)}`,
        `  signatures  old: ${KEY_NAME} (key hash ${keyHash}): verified; new: ${KEY_NAME} (key hash ${keyHash}): verified`,
        `VALID: stream ${intact.stream}'s signed checkpoint of size 8 is a prefix of its signed checkpoint of size 14`,
        '',
      ].join('\n'),
      err: '',
    });
    expect(await cli('prove', '--consistency', '--stream', intact.stream, '--from', '8', '--to', '10', '--store', dir)).toMatchObject({ code: 1, err: `auditrail prove: Stream ${intact.stream} has no stored checkpoint of size 10 (it has 2 from size 8 to 14).\n` });
    expect(await cli('prove', '--consistency', '--stream', intact.stream, '--from', '14', '--to', '8', '--store', dir)).toMatchObject({ code: 2, err: expect.stringContaining('--from 14 is larger than --to 8') });
    const wrong = await cli('check-proof', proof, '--key', generateKeys('someone.else').verifierKey);
    expect([wrong.code, wrong.out.match(/\(unknown_key\)/g)?.length]).toEqual([1, 2]);
  });

  it('check-proof runs in a process of its own with no database anywhere', async () => {
    const bin = join(import.meta.dirname, '../packages/cli/bin/auditrail.mjs');
    const cwd = mkdtempSync(join(tmpdir(), 'auditrail-offline-'));
    const env = { ...process.env, AUDITRAIL_STORE: join(cwd, 'store'), AUDITRAIL_CLICKHOUSE_URL: 'http://127.0.0.1:9' };
    try {
      const run = promisify(execFile);
      const { stdout } = await run(process.execPath, [bin, 'check-proof', file('event-5.tlog-proof'), '--key', keys.verifierKey], { cwd, env });
      expect(stdout).toMatch(/\nVALID: event [0-9a-f-]{36} is entry 5 of stream /);
      const failed = await run(process.execPath, [bin, 'check-proof', file('edited.tlog-proof'), '--key', keys.verifierKey], { cwd, env }).catch((e: { code: number; stdout: string }) => e);
      expect(failed).toMatchObject({ code: 1, stdout: expect.stringContaining('INVALID: 1 problem') });
      // Nothing was opened or created: no store directory, no default ./.auditrail.
      expect([existsSync(join(cwd, 'store')), existsSync(join(cwd, '.auditrail'))]).toEqual([false, false]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('refuses to prove anything of a stream whose stored events were altered, and says to run verify', async () => {
    const before = await proveEvent(store, doomed.ids[7]!);
    expect(before.ok).toBe(true);
    const t = await Tamperer.open('auditrail');
    try {
      await t.rewrite(doomed.stream, 3, (r) => {
        r['user_id'] = 'mallory';
      });
      for (const seq of [3, 7]) {
        expect(await cli('prove', doomed.ids[seq]!, '--store', dir)).toEqual({
          code: 1,
          out: '',
          err: `auditrail prove: Stream ${doomed.stream} no longer matches its signed checkpoint of size 10: the root of its 10 stored events differs from the signed root. The store was altered; run auditrail verify to find what changed. No proof was made.\n`,
        });
      }
      await t.delete(doomed.stream, 5);
      expect((await cli('prove', doomed.ids[1]!, '--store', dir)).err).toContain('size 10: event 5 is missing. The store was altered; run auditrail verify');
      // The other stream is untouched, and a proof made before the tampering still checks offline.
      expect((await proveEvent(store, intact.ids[3]!)).ok).toBe(true);
      expect(before.ok && checkEventProof(before.proof, [parseVerifierKey(keys.verifierKey)]).valid).toBe(true);
      expect((await proveConsistency(store, intact.stream, 8, 14)).ok).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('passes over stored checkpoints larger than the stream or with a note that is none of its checkpoints, and proves against the genuine one', async () => {
    const genuine = signed.get(`${intact.stream}:14`)!;
    // Stored by anyone who can write to the store: a checkpoint of 10^12 events signed with another
    // key (its note parses), and a row of size 16 whose note is not a note at all.
    const forger = parseSignerKey(generateKeys(KEY_NAME).signerKey);
    const forged = signCheckpoint(forger, { streamId: intact.stream, origin: checkpointOrigin(KEY_NAME, intact.stream), size: 1e12, root: Buffer.alloc(32, 7) });
    await store.appendCheckpoints([forged, { ...genuine, size: 16, note: 'not a note', signed_at: forged.signed_at }]);
    expect((await store.checkpoints({ streamId: intact.stream })).map((c) => c.size)).toEqual([8, 14, 16, 1e12]);

    const e = intact.records[5]!;
    const made = await cli('prove', e.event_id, '--store', dir, '--json');
    expect(made.code).toBe(0);
    const { proof, size } = JSON.parse(made.out) as { proof: string; size: number };
    expect([size, parseTlogProof(proof).checkpoint, checkEventProof(proof, [parseVerifierKey(keys.verifierKey)]).valid]).toEqual([14, genuine.note, true]);
    expect((await proveEvent(store, intact.ids[13]!)).ok && (await proveEvent(store, intact.ids[0]!, { size: 8 })).ok).toBe(true);

    // An event no genuine checkpoint covers is still not covered, and the rows passed over are named.
    const late = intact.records[15]!;
    expect(await proveEvent(store, late.event_id)).toEqual({
      ok: false,
      reason: 'not_covered',
      message: `Event ${late.event_id} (stream ${intact.stream}, seq 15) is not covered by a checkpoint yet (the latest, of size 14, covers seq 0 to 13); the writer signs one every so many events or seconds (its checkpoint interval): try again after the next one. 2 stored checkpoints that would cover it were passed over: larger than the stream's 16 events, or with a note that is not this stream's checkpoint of that size (run auditrail verify).`,
    });
    // Asked for by size, each is refused with why, before anything is read or allocated.
    const beyond = `Stream ${intact.stream} no longer matches its signed checkpoint of size 1000000000000: it covers 1000000000000 events, but the stream holds seq 0 to 15. The store was altered; run auditrail verify to find what changed. No proof was made.`;
    expect(await proveEvent(store, e.event_id, { size: 1e12 })).toEqual({ ok: false, reason: 'altered', message: beyond });
    expect(await proveConsistency(store, intact.stream, 14, 1e12)).toEqual({ ok: false, reason: 'altered', message: beyond });
    expect(await cli('prove', '--consistency', '--stream', intact.stream, '--from', '8', '--to', '1000000000000', '--store', dir)).toEqual({ code: 1, out: '', err: `auditrail prove: ${beyond}\n` });
    expect(await proveConsistency(store, intact.stream, 8, 16)).toMatchObject({ ok: false, reason: 'altered', message: expect.stringContaining('size 16: its stored note is not a signed checkpoint') });
  });
});
