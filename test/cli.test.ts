import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createStore } from '@auditrail/clickhouse';
import { type AuditRecord, parseSignerKey, parseVerifierKey } from '@auditrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tamperer } from './support/tamper.ts';
import { storeDir } from './support/audited-app.ts';
import { cli } from './support/cli.ts';

const dir = storeDir();
let demoOut = '';

beforeAll(async () => {
  const r = await cli('demo', '--store', dir, '--requests', '2');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  demoOut = r.out;
});

describe('auditrail demo', () => {
  it('runs an agent offline and prints one trace, the cost per user and the verification result', () => {
    expect(demoOut).toMatch(/^auditrail demo: a support agent \(openai SDK → local mock OpenAI server at http:\/\/127\.0\.0\.1:\d+\/v1\)\n6 requests by 3 users in 2 tenants → 33 audit events written to /);
    expect(demoOut).toMatch(/── auditrail trace req_[0-9a-f]{16}\nrequest req_[0-9a-f]{16} · tenant acme · user alice · session sess_alice_0\n\d events · 2 LLM calls · \d tool calls · cost \$[\d.]+\n\n└─ invoke_agent support-agent · \d+ ms\n   ├─ chat gpt-4o-mini · /);
    expect(demoOut).toMatch(/└─ decision refund → (approved|denied) · \d+ ms · based on \d calls · policy refunds-v3\n/);
    expect(demoOut).toMatch(/── auditrail cost --by user\nuser +calls +input tokens +output tokens +cost\n[─ ]+\nbob +4 /);
    const verified = /── auditrail verify\nINTACT: 33 events in 1 stream, 0 findings; (\d+) checkpoint roots? recomputed, (\d+) signatures? verified\n/.exec(demoOut);
    // Every checkpoint twice: as stored, and as published to the demo's file.
    expect(Number(verified?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(verified?.[2])).toBe(2 * Number(verified?.[1]));
    expect(demoOut).toMatch(/\n\d+ checkpoints signed with the demo key \(.*demo-verifier\.key\), stored, and published to .*demo-checkpoints\.jsonl\n/);
  });
});

describe('auditrail trace, query, cost', () => {
  let requests: { request_id: string; user_id: string; tenant_id: string; cost_usd: string; events: number }[];

  beforeAll(async () => {
    const r = await cli('query', '--requests', '--store', dir, '--json');
    expect(r.code).toBe(0);
    requests = JSON.parse(r.out);
  });

  it('lists every request with its totals', () => {
    expect(requests).toHaveLength(6);
    expect(requests.map((r) => r.user_id).sort()).toEqual(['alice', 'alice', 'bob', 'bob', 'carol', 'carol']);
    expect(requests.reduce((n, r) => n + r.events, 0)).toBe(32); // + the stream-open event
  });

  it('trace prints the tree of one request, and --json its events', async () => {
    const id = requests.find((r) => r.user_id === 'bob')!.request_id;
    const text = await cli('trace', id, '--store', dir);
    expect(text.code).toBe(0);
    expect(text.out.split('\n').slice(0, 2)).toEqual([`request ${id} · tenant acme · user bob · session sess_bob_0`, expect.stringMatching(/^\d events · 2 LLM calls · \d tool calls · cost \$[\d.]+$/)]);
    const json = await cli('trace', id, '--store', dir, '--json');
    const events = JSON.parse(json.out) as AuditRecord[];
    expect(new Set(events.map((e) => e.request_id))).toEqual(new Set([id]));
    expect(events.filter((e) => e.event_type === 'llm.completion').every((e) => e.response_model === 'gpt-4o-2024-08-06')).toBe(true);
    const missing = await cli('trace', 'req_does_not_exist', '--store', dir);
    expect([missing.code, missing.err]).toEqual([1, 'no events for request "req_does_not_exist"\n']);
  });

  it('query filters by user, type and minimum request cost', async () => {
    const bob = JSON.parse((await cli('query', '--user', 'bob', '--type', 'decision', '--store', dir, '--json')).out) as AuditRecord[];
    expect(bob.map((e) => [e.user_id, e.event_type])).toEqual([['bob', 'decision'], ['bob', 'decision']]);
    const costly = JSON.parse((await cli('query', '--requests', '--since', '7d', '--min-cost', '0.001', '--store', dir, '--json')).out) as typeof requests;
    const expected = requests.filter((r) => Number(r.cost_usd) >= 0.001);
    expect(expected.length).toBeGreaterThan(0);
    expect(costly.map((r) => r.request_id).sort()).toEqual(expected.map((r) => r.request_id).sort());
    expect(new Set(costly.map((r) => r.user_id))).toEqual(new Set(['bob'])); // only gpt-4o requests cost that much
    const table = await cli('query', '--tenant', 'globex', '--store', dir, '--limit', '3');
    expect(table.out.split('\n')[0]).toMatch(/^observed \(UTC\) +type +tenant +user +request +name +tokens in\/out +duration +cost +status$/);
    expect(table.out).toMatch(/\n3 events\n$/);
  });

  it('cost by user and by tenant add up to the same total', async () => {
    const byUser = JSON.parse((await cli('cost', '--by', 'user', '--store', dir, '--json')).out) as { key: string; cost_usd: string; calls: number }[];
    const byTenant = JSON.parse((await cli('cost', '--by', 'tenant', '--store', dir, '--json')).out) as { key: string; cost_usd: string }[];
    const units = (c: string) => BigInt((c.split('.')[0] ?? '0') + (c.split('.')[1] ?? '').padEnd(12, '0'));
    const total = (rows: { cost_usd: string }[]) => rows.reduce((n, r) => n + units(r.cost_usd), 0n);
    expect(byUser[0]!.key).toBe('bob'); // gpt-4o costs most
    expect(byUser.map((r) => [r.key, r.calls]).sort()).toEqual([['alice', 4], ['bob', 4], ['carol', 4]]);
    expect(total(byUser)).toBe(total(byTenant));
    expect(total(byUser)).toBe(requests.reduce((n, r) => n + units(r.cost_usd), 0n));
    expect(byTenant.map((r) => r.key).sort()).toEqual(['acme', 'globex']);
    expect((await cli('cost', '--by', 'model', '--store', dir)).out).toMatch(/^model +calls +unpriced +input tokens +output tokens +cost\n/);
  });

  it('rejects bad input with a message that names the option, exit 2', async () => {
    expect(await cli('cost', '--by', 'planet', '--store', dir)).toMatchObject({ code: 2, err: 'auditrail cost: --by must be one of user, tenant, model, day; got "planet"\n' });
    expect(await cli('query', '--since', 'yesterday', '--store', dir)).toMatchObject({ code: 2, err: expect.stringContaining('--since must be a duration like 7d') });
    expect(await cli('query', '--min-cost', '10 OR 1=1', '--store', dir)).toMatchObject({ code: 2, err: expect.stringContaining('--min-cost must be an amount in USD') });
    expect(await cli('query', '--colour', 'red')).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--colour'") });
    expect(await cli('trace', '--store', dir)).toMatchObject({ code: 2, err: expect.stringContaining('trace takes one request id') });
    expect(await cli('verify', '--store', dir, '--clickhouse', 'http://127.0.0.1:9')).toMatchObject({ code: 2, err: 'auditrail verify: use either --store DIR or --clickhouse URL, not both\n' });
    expect(await cli('nonsense')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "nonsense"') });
  });

  it('reports a ClickHouse server it cannot reach, exit 2', async () => {
    const r = await cli('verify', '--clickhouse', 'http://127.0.0.1:9/auditrail');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^auditrail verify: cannot reach the store|^auditrail verify: statement failed/);
  });
});

describe('auditrail verify', () => {
  it('exits 0 on untouched data and 1 with the finding after one event is deleted', async () => {
    const ok = await cli('verify', '--store', dir);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(
      /^INTACT: 33 events in 1 stream checked in [\d.]+ s \([\d,]+ events\/s\)\ncheckpoints: (\d+) stored, 0 published; \1 roots recomputed from the events and matched; signatures NOT checked \(no --key\)\nleaf hashes: computed by the database \(--deep rehashes every record here\)\n$/,
    );
    // With the demo's verifier key and its published checkpoints, as the demo's last line suggests.
    const keyed = await cli('verify', '--store', dir, '--key', join(dir, 'demo-verifier.key'), '--checkpoints', join(dir, 'demo-checkpoints.jsonl'));
    expect(keyed.code).toBe(0);
    expect(keyed.out).toMatch(/\ncheckpoints: (\d+) stored, \1 published; \1 roots recomputed from the events and matched; (\d+) signatures verified by a trusted key\n/);
    const streams = JSON.parse((await cli('verify', '--store', dir, '--json')).out) as { streams: { stream_id: string }[] };
    const t = await Tamperer.open('auditrail');
    await t.delete(streams.streams[0]!.stream_id, 12);
    await t.close();
    const bad = await cli('verify', '--store', dir);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('TAMPERING DETECTED: 32 events in 1 stream');
    expect(bad.out).toMatch(new RegExp(`${streams.streams[0]!.stream_id}\\s+12\\s+missing\\s+event 12 is missing`));
    const deep = await cli('verify', '--deep', '--store', dir);
    expect(deep.code).toBe(1);
    expect(deep.out).toMatch(/^TAMPERING DETECTED: 32 events in 1 stream.*\n(.*\n)*leaf hashes: every record rehashed by auditrail \(--deep\)\n/);
    const json = JSON.parse((await cli('verify', '--store', dir, '--json')).out);
    expect(json.findings).toEqual([{ stream_id: streams.streams[0]!.stream_id, seq: 12, kind: 'missing', detail: 'event 12 is missing' }]);
  });
});

describe('the built binary', () => {
  const run = promisify(execFile);
  const bin = join(import.meta.dirname, '../packages/cli/bin/auditrail.mjs');
  const other = mkdtempSync(join(tmpdir(), 'auditrail-bin-'));
  afterAll(() => rmSync(other, { recursive: true, force: true }));

  it('prints help and exits 0', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    expect(stdout).toMatch(/^auditrail 0\.1\.0 — tamper-evident audit log/);
    expect(stdout).toContain('  verify      prove nothing was altered');
  });

  it('explains that a store open in another process is locked, exit 2', async () => {
    const holder = await createStore({ kind: 'embedded', path: dir }); // this process now holds the engine lock
    const err = await run(process.execPath, [bin, 'verify', '--store', dir]).catch((e: { code: number; stderr: string }) => e);
    await holder.close();
    expect(err).toMatchObject({ code: 2, stderr: expect.stringMatching(/auditrail verify: the store at .* is open in another process \(the embedded engine locks its data directory\)/) });
    const { stdout } = await run(process.execPath, [bin, 'verify', '--store', other]);
    expect(stdout).toMatch(/^INTACT: 0 events in 0 streams/);
  });
});

describe('auditrail keys generate', () => {
  it('writes the signer key (owner-only, never over an existing file) and prints the verifier key that goes with it', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'auditrail-keys-'));
    try {
      const file = join(tmp, 'signer.key');
      const r = await cli('keys', 'generate', 'audit.example.com/acme', '--out', file);
      expect(r.code).toBe(0);
      const verifier = parseVerifierKey(r.out.trim());
      expect(verifier.name).toBe('audit.example.com/acme');
      expect(parseSignerKey(readFileSync(file, 'utf8')).verifierKey).toBe(r.out.trim());
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(r.err).toContain('keep it secret');
      const again = await cli('keys', 'generate', 'audit.example.com/acme', '--out', file);
      expect([again.code, again.err]).toEqual([2, expect.stringContaining('not overwriting a signer key')]);
      expect(parseSignerKey(readFileSync(file, 'utf8')).verifierKey).toBe(r.out.trim());
      const bad = await cli('keys', 'generate', 'bad name', '--out', join(tmp, 'other.key'));
      expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('without "+" or whitespace')]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
