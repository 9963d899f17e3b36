// RFC 8785 encoding of one audit record: `canonicalJson` (packages/core/src/canonical.ts) against
// the reference implementation it is tested against, `canonicalize@4`, in the same process.
// Interleaved rounds, median per encoder; the output of both is compared on every round.
// Two inputs: the record with its keys in canonical order, as the writer builds it (one native
// JSON.stringify after a check), and the same record with its keys in an arbitrary order (the
// objects out of order are copied in order first).
import { canonicalJson, canonicalJsonReference } from '@auditrail/core';
import { check, gc, genAiAttributes, intArg, log, median, parseArgs, rotated, round, runChild } from './lib/common.mjs';

/** The attributes of the chat span the other benchmarks end, without its content (that goes to the payload). */
const ATTRIBUTES = genAiAttributes({ payload: false });
const RECORD = {
  v: 1,
  event_id: '019ab5d4-e800-7c2d-8e9f-0a1b2c3d4e5f',
  event_type: 'llm.completion',
  observed_at: '2026-11-24T12:00:00.123456Z',
  started_at: '2026-11-24T12:00:00.000000001Z',
  ended_at: '2026-11-24T12:00:01.5Z',
  duration_ms: 1500,
  tenant_id: 'acme',
  user_id: ATTRIBUTES['user.id'],
  session_id: ATTRIBUTES['session.id'],
  request_id: ATTRIBUTES['auditrail.request.id'],
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  span_id: 'b7ad6b7169203331',
  parent_span_id: '00f067aa0ba902b7',
  name: 'chat gpt-4o-mini',
  service: { name: 'support-agent', version: '1.4.2', environment: 'production' },
  status: 'unset',
  error_type: null,
  operation: 'chat',
  provider: 'openai',
  request_model: 'gpt-4o-mini',
  response_model: 'gpt-4o-mini-2024-07-18',
  usage: { input_tokens: 812, output_tokens: 96, cache_read_tokens: 0, cache_write_tokens: null, reasoning_tokens: 0 },
  cost_usd: '0.0001794',
  price_source: 'auditrail-builtin@2026-11-01',
  data: { response_id: ATTRIBUTES['gen_ai.response.id'], finish_reasons: ['stop'], temperature: 0, max_tokens: null, top_p: null },
  attributes: ATTRIBUTES,
  payload: { digest: `sha256:${'ab'.repeat(32)}`, bytes: 1812 },
  stream_id: '019ab5d4-e800-7000-8000-000000000001',
  seq: 123456,
  prev_hash: 'cd'.repeat(32),
};

/** The same record as the writer builds it: every object's keys in canonical order. */
const SORTED = JSON.parse(canonicalJsonReference(RECORD));

runChild('canonical', async () => {
  const args = parseArgs(process.argv.slice(2));
  const rounds = intArg(args, 'rounds', 15);
  const n = intArg(args, 'records', 20_000);
  const expected = canonicalJsonReference(RECORD);
  check(canonicalJson(RECORD) === expected && canonicalJson(SORTED) === expected, 'the encoders disagree on the benchmark record');
  /** @type {Record<string, { encode: (v: unknown) => string, input: object, times: number[] }>} */
  const cases = {
    reference: { encode: canonicalJsonReference, input: SORTED, times: [] },
    sorted: { encode: canonicalJson, input: SORTED, times: [] },
    unsorted: { encode: canonicalJson, input: RECORD, times: [] },
  };
  const names = Object.keys(cases);
  for (let r = -2; r < rounds; r++) {
    // Each round in another order, so no case always runs right after the same one.
    for (const name of rotated(names, r)) {
      gc();
      const { encode, input, times } = cases[name];
      let bytes = 0;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) bytes += encode({ ...input, seq: i }).length;
      const ns = Number(process.hrtime.bigint() - start) / n;
      check(bytes > 0, 'nothing encoded');
      if (r >= 0) times.push(ns);
    }
  }
  const reference = median(cases.reference.times);
  const auditrail = median(cases.sorted.times);
  const unsorted = median(cases.unsorted.times);
  log('canonical', `canonicalize@4 ${round(reference / 1000, 2)} µs/record, canonicalJson ${round(auditrail / 1000, 2)} µs/record (keys in any order: ${round(unsorted / 1000, 2)}) → ${round(reference / auditrail, 2)}× faster`);
  return {
    rounds,
    records_per_round: n,
    record_bytes: expected.length,
    reference_ns: round(reference, 1),
    auditrail_ns: round(auditrail, 1),
    auditrail_unsorted_ns: round(unsorted, 1),
    speedup: round(reference / auditrail, 2),
    speedup_unsorted: round(reference / unsorted, 2),
  };
});
