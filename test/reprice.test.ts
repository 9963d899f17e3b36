import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStore, type Store } from '@auditrail/clickhouse';
import { type AuditRecord, costCorrectionDataSchema, genaiPricesSource, unitsToUsd, usdToUnits } from '@auditrail/core';
import { handleRequest, type RepriceResult } from '@auditrail/cli';
import { startMockProvider, type MockProvider } from '@auditrail/mock-provider';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditedApp, storeDir } from './support/audited-app.ts';
import { cli } from './support/cli.ts';

/** How the CLI prints an amount (a copy of packages/cli/src/format/text.ts). */
function usd(cost: string | null | undefined): string {
  if (cost === null || cost === undefined) return 'unpriced';
  const n = Number(cost);
  if (n === 0) return '$0';
  return n >= 0.01 ? `$${n.toFixed(4)}` : `$${n.toPrecision(3)}`;
}

async function json<T>(...argv: string[]): Promise<T> {
  const r = await cli(...argv, '--store', dir, '--json');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
}

/** The contract price the calls were recorded with, and a new one exactly twice as high. */
const V1 = { source: 'acme-contract@2026-10', prices: { 'openai/gpt-4o-mini': { input: '0.1', output: '0.4' } } };
const V2 = { source: 'acme-contract@2026-12', prices: { 'openai/gpt-4o-mini': { input: '0.2', output: '0.8' } } };
const MINI = 'gpt-4o-mini-2024-08-06'; // what the mock provider answers for gpt-4o-mini
const BIG = 'gpt-4o-2024-08-06';

// The CLI's embedded store: this file's data directory, default database.
const dir = storeDir();
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

type CostRow = { key: string; cost_usd: string; calls: number; unpriced: number };
type RequestRow = { request_id: string; user_id: string; cost_usd: string };
/** What `reprice --json` prints: the result, and the price sources in lookup order. */
type RepriceJson = RepriceResult & { price_sources: string[] };
const units = (usd: string) => usdToUnits(usd)!;
const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
const costOf = (rows: CostRow[], key: string) => units(rows.find((r) => r.key === key)!.cost_usd);
const llm = (events: AuditRecord[]) => events.filter((e) => e.event_type.startsWith('llm.'));

let mock: MockProvider;
let recorded: AuditRecord[];
let store: Store;

beforeAll(async () => {
  mock = await startMockProvider();
  const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-proj-T3stK3yT3stK3yT3stK3yT3stK3yT3stK3yAbCd', maxRetries: 0 });
  store = await createStore({ kind: 'embedded', path: dir });
  const { provider } = auditedApp({ sink: store, prices: [V1] });
  for (const [userId, model] of [['alice', 'gpt-4o-mini'], ['bob', 'gpt-4o'], ['alice', 'gpt-4o-mini']] as const) {
    await handleRequest(client, { userId, tenantId: 'acme', model }, 'Refund order X-1 please', 's');
  }
  await provider.shutdown();
  recorded = await store.search({ limit: 1000 });
});

afterAll(async () => {
  await store.close();
  await mock.close();
});

describe('auditrail reprice', () => {
  let v2: string;
  let before: CostRow[];

  beforeAll(async () => {
    v2 = file('v2.json', V2);
    before = await json<CostRow[]>('cost', '--by', 'model');
  });

  it('starts from calls priced with the override table, and from genai-prices for models it lacks', () => {
    const calls = llm(recorded);
    expect(calls.map((e) => e.response_model).sort()).toEqual([BIG, BIG, MINI, MINI, MINI, MINI]);
    expect(calls.map((e) => [e.response_model, e.price_source]).filter(([m]) => m === MINI)).toEqual(Array(4).fill([MINI, V1.source]));
    expect(calls.map((e) => [e.response_model, e.price_source]).filter(([m]) => m === BIG)).toEqual(Array(2).fill([BIG, genaiPricesSource()]));
    // V1 has no cache rate: every token at input or output price, exactly.
    for (const e of calls.filter((c) => c.response_model === MINI)) {
      expect(units(e.cost_usd!) * 1_000_000n).toBe(BigInt(e.usage!.input_tokens!) * 100_000_000_000n + BigInt(e.usage!.output_tokens!) * 400_000_000_000n);
    }
  });

  it('--dry-run reports what would change and writes nothing', async () => {
    const streams = (await store.streams()).length;
    const r = await json<RepriceJson>('reprice', '--prices', v2, '--dry-run');
    expect(r).toMatchObject({ dry_run: true, stream_id: null, checked: 6, corrected: 4, unchanged: 2, unpriced: 0, written: 0, price_sources: [V2.source, genaiPricesSource()] });
    expect(units(r.cost_after_usd)).toBe(2n * units(r.cost_before_usd));
    expect((await store.streams()).length).toBe(streams);
    expect(await store.search({ type: 'cost.correction' })).toEqual([]);
    expect(await json<CostRow[]>('cost', '--by', 'model')).toEqual(before);
    const text = await cli('reprice', '--prices', v2, '--dry-run', '--store', dir);
    expect(text.out).toContain('6 LLM calls checked: 4 would be corrected, 2 unchanged, 0 unpriced by these prices (kept as recorded)\n');
    expect(text.out).toMatch(/dry run: nothing written\n$/);
  });

  it('appends one correction per changed call in a new stream; cost, requests and min-cost follow, records stay as they were', async () => {
    const r = await json<RepriceJson>('reprice', '--prices', v2);
    expect(r).toMatchObject({ dry_run: false, checked: 6, corrected: 4, unchanged: 2, unpriced: 0, written: 5 });
    expect(r.by_model).toEqual([
      { model: MINI, calls: 4, corrected: 4, cost_before_usd: before.find((x) => x.key === MINI)!.cost_usd, cost_after_usd: expect.any(String) },
      { model: BIG, calls: 2, corrected: 0, cost_before_usd: '0', cost_after_usd: '0' },
    ]);

    // The stream: an audit.stream_open, then the corrections, each naming its call.
    const stream = (await store.search({ limit: 1000 })).filter((e) => e.stream_id === r.stream_id).sort((a, b) => a.seq - b.seq);
    expect(stream.map((e) => [e.seq, e.event_type])).toEqual([[0, 'audit.stream_open'], [1, 'cost.correction'], [2, 'cost.correction'], [3, 'cost.correction'], [4, 'cost.correction']]);
    expect(stream[0]!.data).toMatchObject({ writer: '@auditrail/cli reprice', price_sources: [V2.source, genaiPricesSource()] });
    const minis = llm(recorded).filter((e) => e.response_model === MINI);
    const corrected = stream.slice(1).map((e) => costCorrectionDataSchema.parse(e.data));
    expect(corrected.map((d) => d.corrects.event_id).sort()).toEqual(minis.map((e) => e.event_id).sort());
    for (const d of corrected) {
      const call = minis.find((e) => e.event_id === d.corrects.event_id)!;
      expect(d).toEqual({
        corrects: { event_id: call.event_id, stream_id: call.stream_id, seq: call.seq },
        old_cost_usd: call.cost_usd,
        old_price_source: V1.source,
        new_cost_usd: expect.any(String),
        new_price_source: V2.source,
        reason: `reprice with ${V2.source}`,
      });
      expect(units(d.new_cost_usd)).toBe(2n * units(call.cost_usd!)); // V2 is V1 doubled, exactly
    }

    // cost --by model: the corrected model doubled, the other untouched.
    const after = await json<CostRow[]>('cost', '--by', 'model');
    expect(costOf(after, MINI)).toBe(2n * costOf(before, MINI));
    expect(costOf(after, BIG)).toBe(costOf(before, BIG));
    expect(after.find((x) => x.key === MINI)).toMatchObject({ calls: 4, unpriced: 0 });
    const text = await cli('cost', '--by', 'model', '--store', dir);
    expect(text.out).toMatch(new RegExp(`\\n${MINI} +4 +0 `));

    // Requests and --min-cost use corrected costs: alice's requests now cost twice as much.
    const requests = await json<RequestRow[]>('query', '--requests');
    const alice = requests.filter((x) => x.user_id === 'alice');
    expect(alice).toHaveLength(2);
    const recordedTotals = alice.map((x) => sum(llm(recorded).filter((e) => e.request_id === x.request_id).map((e) => units(e.cost_usd!))));
    expect(alice.map((x) => units(x.cost_usd))).toEqual(recordedTotals.map((t) => 2n * t));
    // A threshold above what each of alice's requests cost as recorded, below what each costs now.
    const lo = recordedTotals.reduce((a, b) => (a > b ? a : b));
    const hi = 2n * recordedTotals.reduce((a, b) => (a < b ? a : b));
    expect(lo).toBeLessThan(hi);
    const usdOf = (u: bigint) => `0.${u.toString().padStart(12, '0')}`;
    expect((await json<RequestRow[]>('query', '--requests', '--user', 'alice', '--since', '7d', '--min-cost', usdOf((lo + hi) / 2n))).map((x) => x.request_id).sort()).toEqual(alice.map((x) => x.request_id).sort());
    // Per call: the cheapest call costs this much now, half of it as recorded; every gpt-4o-mini call qualifies.
    const cheapestNow = minis.map((e) => 2n * units(e.cost_usd!)).reduce((a, b) => (a < b ? a : b));
    const events = await json<AuditRecord[]>('query', '--user', 'alice', '--min-cost', usdOf(cheapestNow));
    expect(events.map((e) => e.event_id).sort()).toEqual(minis.map((e) => e.event_id).sort());
    // … and the records they return are the calls exactly as recorded.
    expect(events.map((e) => e.cost_usd).sort()).toEqual(minis.map((e) => e.cost_usd).sort());

    // trace and query show the corrected cost of each call, and what it was.
    const call = minis[0]!;
    const shown = `${usd(unitsToUsd(2n * units(call.cost_usd!)))} (corrected from ${usd(call.cost_usd)})`;
    const trace = await cli('trace', call.request_id!, '--store', dir);
    expect(trace.out).toContain(`${call.usage!.input_tokens} in / ${call.usage!.output_tokens} out tokens · ${shown}`);
    const requestTotal = alice.find((x) => x.request_id === call.request_id)!.cost_usd;
    expect(trace.out.split('\n')[1]!.endsWith(` · cost ${usd(requestTotal)}`)).toBe(true);
    expect((await cli('query', '--request', call.request_id!, '--type', 'llm.completion', '--store', dir)).out).toContain(shown);

    // Nothing recorded changed, and every chain holds.
    const now = await store.search({ limit: 1000 });
    expect(now.filter((e) => e.stream_id !== r.stream_id)).toEqual(recorded);
    const verify = await cli('verify', '--store', dir);
    expect([verify.code, verify.out.split('\n')[0]]).toEqual([0, expect.stringMatching(/^INTACT: \d+ events in 2 streams/)]);
  });

  it('corrects nothing when run again with the same prices; new prices correct the correction, and the latest wins', async () => {
    expect(await json<RepriceJson>('reprice', '--prices', v2)).toMatchObject({ corrected: 0, unchanged: 6, stream_id: null, written: 0 });
    // Without the contract table, gpt-4o-mini is priced by genai-prices.
    const r = await json<RepriceJson>('reprice', '--model', 'gpt-4o-mini', '--since', '1d', '--reason', 'contract ended 2026-12-31');
    expect(r).toMatchObject({ checked: 4, corrected: 4, unchanged: 0, price_sources: [genaiPricesSource()] });
    const minis = llm(recorded).filter((e) => e.response_model === MINI);
    // genai-prices' gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million (in 10^-12 USD per token × 10^6).
    const expected = sum(
      minis.map((e) => {
        const cached = BigInt(e.usage!.cache_read_tokens ?? 0);
        return (BigInt(e.usage!.input_tokens!) - cached) * 150_000n + cached * 75_000n + BigInt(e.usage!.output_tokens!) * 600_000n;
      }),
    );
    expect(costOf(await json<CostRow[]>('cost', '--by', 'model'), MINI)).toBe(expected);
    const latest = (await store.search({ type: 'cost.correction', limit: 4 })).map((e) => costCorrectionDataSchema.parse(e.data));
    expect(latest.map((d) => [d.old_price_source, d.new_price_source, d.reason])).toEqual(Array(4).fill([V2.source, genaiPricesSource(), 'contract ended 2026-12-31']));
    const verify = await cli('verify', '--store', dir);
    expect([verify.code, verify.out.split('\n')[0]]).toEqual([0, expect.stringMatching(/^INTACT: \d+ events in 3 streams/)]);
  });

  it('refuses a bad price file with exit 2 and a message naming the field', async () => {
    const bad = file('bad.json', { source: 'x', prices: { 'openai/gpt-4o-mini': { input: '0.1', output: -1 } } });
    expect(await cli('reprice', '--prices', bad, '--store', dir)).toEqual({
      code: 2,
      out: '',
      err: `auditrail reprice: --prices ${bad}: prices."openai/gpt-4o-mini".output: USD per million tokens as a decimal string, e.g. "0.15"\n`,
    });
    const key = file('key.json', [V2, { source: 'y', prices: { 'gpt-4o': { input: '1', output: '1' } } }]);
    expect((await cli('reprice', '--prices', key, '--store', dir)).err).toBe(`auditrail reprice: --prices ${key}: [1].prices."gpt-4o": a "provider/model" key, e.g. "openai/gpt-4o-mini"\n`);
    const notJson = file('not.json', '{ source: ');
    expect(await cli('reprice', '--prices', notJson, '--store', dir)).toMatchObject({ code: 2, err: expect.stringContaining(`--prices ${notJson}: not JSON`) });
    expect(await cli('reprice', '--prices', join(dir, 'missing.json'), '--store', dir)).toMatchObject({ code: 2, err: expect.stringContaining('missing.json: cannot read it (ENOENT)') });
    expect(await cli('reprice', '--since', 'last week', '--store', dir)).toMatchObject({ code: 2, err: expect.stringContaining('--since must be a duration like 7d') });
  });

  it('the processor refuses a bad price table at start-up, naming the field', () => {
    expect(() => auditedApp({ sink: store, prices: [{ source: 'x', prices: { 'openai/m': { input: 'free', output: '1' } } }] })).toThrow(
      'AuditSpanProcessor option prices.0.prices.openai/m.input: USD per million tokens as a decimal string, e.g. "0.15"',
    );
  });

  it('is listed in the help', async () => {
    expect((await cli('--help')).out).toContain('  reprice     recompute past costs with current prices; changes become correction events\n');
    expect((await cli('reprice', '--help')).out).toMatch(/^auditrail reprice \[--since 7d\]/);
  });
});
