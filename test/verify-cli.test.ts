import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { createStore } from '@auditrail/clickhouse';
import { FileCheckpointSink, generateKeys } from '@auditrail/core';
import { withLlmCall, withRequestContext } from '@auditrail/instrumentation';
import { afterAll, describe, expect, it } from 'vitest';
import { auditedApp, storeDir } from './support/audited-app.ts';
import { cli } from './support/cli.ts';
import { Tamperer } from './support/tamper.ts';

const keys = generateKeys('audit.example.com');
const other = generateKeys('other.example.com');
const work = mkdtempSync(join(tmpdir(), 'auditrail-verify-cli-'));
const published = join(work, 'checkpoints.jsonl');
const state = join(work, 'verify-state.json');
const dir = storeDir();
const closers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const c of closers) await c.close();
});

async function calls(n: number, from: number): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await withRequestContext({ requestId: `req-${i}`, userId: 'user-1' }, () =>
      withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (call) => call.setResponse({ model: 'gpt-4o-mini', usage: { inputTokens: 10, outputTokens: 2 } })),
    );
  }
}

describe('auditrail verify with keys, published checkpoints and incremental state', () => {
  it('verifies, keeps its state, goes on from it, and finds what changed since', async () => {
    // The CLI opens the store's default database: the app writes there too.
    const store = await createStore({ kind: 'embedded', path: dir });
    closers.push(store);
    const { processor, provider } = auditedApp({ sink: store, checkpoints: { key: keys.signerKey, everyEvents: 10, sinks: [new FileCheckpointSink(published)] } });
    await calls(30, 0);
    await processor.forceFlush();
    // Publication is asynchronous (a sink never holds up the app): wait for the file.
    while ((processor.stats().checkpoints?.sinks[0]?.published ?? 0) < 1) await new Promise((r) => setTimeout(r, 10));
    const keyFile = join(work, 'verifier.key');
    writeFileSync(keyFile, `${keys.verifierKey}\n`);
    const args = ['verify', '--store', dir, '--key', keyFile, '--checkpoints', published, '--state', state];

    // Nothing published yet beyond the first flush's checkpoint (31 events in one write).
    const first = await cli(...args);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toMatch(/^INTACT: 31 events in 1 stream checked in [\d.]+ s \([\d,]+ events\/s\)\ncheckpoints: 1 stored, 1 published; 1 roots recomputed from the events and matched; 2 signatures verified by a trusted key\n/);
    expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ version: 1, database: 'auditrail', streams: { [processor.streamId]: { size: 31 } } });

    await calls(20, 30);
    await provider.shutdown();
    trace.disable();
    const incremental = await cli(...args, '--incremental');
    expect(incremental.code).toBe(0);
    expect(incremental.out).toMatch(/^INTACT: 51 events in 1 stream \(20 read since the last verified checkpoints\) checked in/);
    expect(JSON.parse(readFileSync(state, 'utf8')).streams[processor.streamId].size).toBe(51);

    // A state whose tree edge no longer hashes to its root (edited by hand, or by an attacker who
    // wants a forged history taken as verified) is not gone on from: the stream is read whole.
    const saved = readFileSync(state, 'utf8');
    const forged = JSON.parse(saved);
    forged.streams[processor.streamId].edge[0] = 'ab'.repeat(32);
    writeFileSync(state, JSON.stringify(forged));
    expect((await cli(...args, '--incremental')).out).toMatch(/^INTACT: 51 events in 1 stream \(51 read since the last verified checkpoints\)/);
    writeFileSync(state, saved);

    const t = await Tamperer.open('auditrail');
    closers.push(t);
    // A change behind the state is for a full verify; an incremental one reads only what came since.
    await t.rewrite(processor.streamId, 12, (r) => (r['user_id'] = 'mallory'));
    expect((await cli(...args, '--incremental')).code).toBe(0);
    const full = await cli(...args.filter((a) => a !== state && a !== '--state'));
    expect(full.code).toBe(1);
    expect(full.out).toMatch(new RegExp(`${processor.streamId}\\s+12\\s+modified\\s+event 12 does not match the hash its successor committed to`));

    // JSON for machines; an untrusted key makes every checkpoint unknown_key.
    const json = JSON.parse((await cli('verify', '--store', dir, '--key', other.verifierKey, '--json')).out);
    expect(json.findings.map((f: { kind: string }) => f.kind)).toEqual(expect.arrayContaining(['unknown_key', 'modified']));
    expect(json.state).toBeUndefined();

    // An incremental verify still sees what changed behind the state in number: an event deleted…
    await t.delete(processor.streamId, 3);
    const behind = await cli(...args, '--incremental');
    expect(behind.code).toBe(1);
    expect(behind.out).toMatch(new RegExp(`${processor.streamId}\\s+50\\s+missing\\s+behind the last verified checkpoint \\(size 51\\) the stream now holds 50 events; run a full verify to find which`));
    // …and the end of the stream cut below a signed checkpoint.
    await t.sql(`ALTER TABLE {db}.events DELETE WHERE stream_id = '${processor.streamId}' AND seq >= 45`);
    const cut = await cli(...args, '--incremental');
    expect(cut.code).toBe(1);
    expect(cut.out).toMatch(new RegExp(`${processor.streamId}\\s+45\\s+truncated\\s+a signed checkpoint \\(store and published\\) covers 51 events; the stream ends after 45`));
  });

  it('says so when signatures are not checked, and refuses what it cannot use (exit 2)', async () => {
    const r = await cli('verify', '--store', dir);
    expect(r.out).toMatch(/signatures NOT checked \(no --key\)/);
    const secret = await cli('verify', '--store', dir, '--key', keys.signerKey);
    expect(secret).toMatchObject({ code: 2, err: expect.stringMatching(/--key was given a signer key, which must stay secret/) });
    expect(secret.err).not.toContain(keys.signerKey);
    expect(await cli('verify', '--store', dir, '--incremental')).toMatchObject({ code: 2, err: expect.stringMatching(/--incremental needs --state FILE/) });
    expect(await cli('verify', '--store', dir, '--checkpoints', join(work, 'nope.jsonl'))).toMatchObject({ code: 2, err: expect.stringMatching(/--checkpoints .*nope\.jsonl.*ENOENT/) });
    writeFileSync(join(work, 'garbage.jsonl'), 'not a checkpoint\n');
    const skipped = await cli('verify', '--store', dir, '--checkpoints', join(work, 'garbage.jsonl'));
    expect(skipped.err).toMatch(/garbage\.jsonl:1: not a checkpoint line/);
    expect(existsSync(join(work, 'fresh-state.json'))).toBe(false);
    const fresh = await cli('verify', '--store', dir, '--state', join(work, 'fresh-state.json'), '--incremental');
    expect(fresh.err).toMatch(/fresh-state\.json does not exist yet; verifying everything/);
  });
});
