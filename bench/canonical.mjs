// RFC 8785 encoding of one audit record: `canonicalJson` (packages/core/src/canonical.ts) against
// the reference implementation it is tested against, `canonicalize@4`, in the same process.
// Interleaved rounds, median per encoder; the output of both is compared on every round.
import { canonicalJson, canonicalJsonReference } from '@auditrail/core';
import { check, gc, genAiAttributes, intArg, log, median, parseArgs, round, runChild } from './lib/common.mjs';

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

runChild('canonical', async () => {
  const args = parseArgs(process.argv.slice(2));
  const rounds = intArg(args, 'rounds', 15);
  const n = intArg(args, 'records', 20_000);
  check(canonicalJson(RECORD) === canonicalJsonReference(RECORD), 'the two encoders disagree on the benchmark record');
  const times = { reference: [], auditrail: [] };
  const encoders = { reference: canonicalJsonReference, auditrail: canonicalJson };
  for (let r = -2; r < rounds; r++) {
    const order = r % 2 === 0 ? ['reference', 'auditrail'] : ['auditrail', 'reference'];
    for (const name of order) {
      gc();
      const encode = encoders[name];
      let bytes = 0;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) bytes += encode({ ...RECORD, seq: i }).length;
      const ns = Number(process.hrtime.bigint() - start) / n;
      check(bytes > 0, 'nothing encoded');
      if (r >= 0) times[name].push(ns);
    }
  }
  const reference = median(times.reference);
  const auditrail = median(times.auditrail);
  log('canonical', `canonicalize@4 ${round(reference / 1000, 2)} µs/record, canonicalJson ${round(auditrail / 1000, 2)} µs/record → ${round(reference / auditrail, 2)}× faster`);
  return { rounds, records_per_round: n, record_bytes: canonicalJson(RECORD).length, reference_ns: round(reference, 1), auditrail_ns: round(auditrail, 1), speedup: round(reference / auditrail, 2) };
});
