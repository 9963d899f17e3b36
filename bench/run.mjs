// Runs the benchmark suite: each benchmark in its own child process (chDB locks its data directory
// per process, and a fresh process keeps one benchmark's heap and JIT state out of the next).
//
//   pnpm bench                                  (builds the packages first)
//   node --expose-gc bench/run.mjs [--only processor|ingest|queries|canonical|instrumentation|redaction|proof[,…]] [--events 10000000]
//        [--rounds 15] [--spans 50000] [--ingest-spans 200000] [--ingest-processes 3] [--runs 51] [--merge-wait 300]
//        [--calls 200] [--instrumentation-rounds 21] [--instrumentation-processes 5]
//        [--proof-sizes 10000,100000,1000000] [--prove-runs 11] [--checks 1000]
//
// Progress goes to stderr; a Markdown table (benchmark | result | goal | met?) to stdout; every raw
// number to bench/results.json. Exit code 0 even when a goal is missed; 1 when a benchmark's own
// correctness check fails (or a benchmark crashes).
import { execFileSync, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { intArg, log, parseArgs } from './lib/common.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MEASURED_PACKAGES = ['core', 'clickhouse', 'processor', 'instrumentation'];
const RESULTS = `${HERE}results.json`;
const BENCHES = ['processor', 'ingest', 'queries', 'canonical', 'instrumentation', 'redaction', 'proof'];

const GOALS = {
  processorRatio: 1.5,
  ingestPerSecond: 20_000,
  queryMedianMs: 50,
  verifyPerSecond: 500_000,
  incrementalVerifyMs: 1000,
  instrumentationRatio: 1.05,
  redactionRecall: 0.98,
  namesRecall: 0.85,
  redactionCleanTouched: 0.02,
  redactionMbPerSecond: 25,
};

/**
 * One result from several runs of the instrumentation benchmark: per mode, the run with the median
 * ratio, and the range of ratios over all runs.
 * @param {any[]} runs
 */
function medianOfRuns(runs) {
  /** @type {Record<string, any>} */
  const out = { processes: runs.length, runs };
  for (const mode of ['plain', 'stream']) {
    const withMode = runs.filter((r) => r[mode]).map((r) => r[mode]);
    if (withMode.length === 0) continue;
    const { mid, min, max } = medianBy(withMode, (r) => r.ratio);
    out[mode] = { ...mid, ratio_min: min, ratio_max: max };
  }
  return out;
}

/**
 * The run with the median `metric`, and the metric's range over all runs.
 * @template T
 * @param {T[]} runs
 * @param {(run: T) => number} metric
 */
function medianBy(runs, metric) {
  const sorted = [...runs].sort((a, b) => metric(a) - metric(b));
  return { mid: /** @type {T} */ (sorted[Math.floor((sorted.length - 1) / 2)]), min: metric(/** @type {T} */ (sorted[0])), max: metric(/** @type {T} */ (sorted.at(-1))) };
}

/**
 * Runs `script` in `n` processes one after the other: their results, or the first failure.
 * @param {string} script
 * @param {string[]} args
 * @param {number} n
 * @returns {Promise<{ runs: any[] } | { failure: { ok: boolean, error?: string } }>}
 */
async function runProcesses(script, args, n) {
  const runs = [];
  for (let i = 0; i < n; i++) {
    const out = await runScript(script, args);
    if (!out.ok) return { failure: out };
    runs.push(out.result);
  }
  return { runs };
}

/**
 * Runs `script` in a child process and returns its result message.
 * @param {string} script file name in bench/
 * @param {string[]} args
 * @param {{ exposeGc?: boolean }} [options]
 * @returns {Promise<{ ok: boolean, result?: any, error?: string }>}
 */
function runScript(script, args, { exposeGc = false } = {}) {
  return new Promise((resolve) => {
    const child = fork(`${HERE}${script}`, args, {
      execArgv: exposeGc ? ['--expose-gc'] : [],
      // The child's stdout goes to our stderr: stdout carries only the final table.
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.pipe(process.stderr);
    /** @type {any} */
    let message;
    child.on('message', (m) => {
      message = m;
    });
    child.on('exit', (code, signal) => {
      if (message) resolve(message);
      else resolve({ ok: false, error: `${script} exited with ${signal ?? `code ${code}`} without a result` });
    });
  });
}

/**
 * SHA-256 over the built JavaScript of the measured packages: which code the numbers belong to,
 * and whether it was rebuilt while the benchmarks ran.
 */
function distHash() {
  const h = createHash('sha256');
  for (const pkg of MEASURED_PACKAGES) {
    const dist = `${ROOT}packages/${pkg}/dist`;
    if (!existsSync(dist)) continue;
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .sort();
    for (const f of files) h.update(`${pkg}/${f}\0`).update(readFileSync(`${dist}/${f}`)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** The commit and uncommitted changes of the packages the benchmarks measure. */
function provenance() {
  const git = (/** @type {string[]} */ a) => {
    try {
      return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
    } catch {
      return '';
    }
  };
  const dirty = git(['status', '--porcelain', '--', 'packages', 'tsconfig.base.json']).split('\n').filter(Boolean);
  return { commit: git(['rev-parse', '--short=12', 'HEAD']) || 'unknown', uncommitted: dirty.map((l) => l.trim()), dist_sha256: distHash() };
}

const fmt = (/** @type {number} */ n) => Math.round(n).toLocaleString('en-US');
const mark = (/** @type {boolean} */ met) => (met ? '✅ yes' : '❌ no');
/** A ratio against BSP's overhead means nothing when that overhead drowned in noise. */
const ratioMark = (/** @type {{ bsp_overhead_ns: number, overhead_ratio: number }} */ x) =>
  x.bsp_overhead_ns > 0 ? mark(x.overhead_ratio <= GOALS.processorRatio) : '⚠️ inconclusive (BSP overhead ≤ 0: noise)';

/**
 * Table rows of one benchmark's results.
 * @param {string} name
 * @param {any} r
 * @returns {string[][]}
 */
function rowsOf(name, r) {
  if (name === 'processor') {
    const s = r.sync;
    return [
      [
        "Processor, app's thread: `startSpan` + `end` (sync part)",
        `audit +${fmt(s.audit_overhead_ns)} ns/span vs BSP +${fmt(s.bsp_overhead_ns)} ns/span over no processor (${fmt(s.none_ns)}) → **${s.overhead_ratio}×** (totals ${fmt(s.audit_ns)} vs ${fmt(s.bsp_ns)} ns/span: ${s.total_ratio}×)`,
        `≤ ${GOALS.processorRatio}× BSP`,
        ratioMark(s),
      ],
      ...(r.thread === undefined
        ? []
        : [
            [
              "Processor, app's thread per span including the deferred work (event-loop active time over loop + `forceFlush`; every span its own content)",
              `audit +${(r.thread.audit_overhead_ns / 1000).toFixed(1)} µs/span with redaction in its worker thread (default), +${(r.inline.thread.audit_overhead_ns / 1000).toFixed(1)} µs with redaction on the app's thread; BSP +${(r.thread.bsp_overhead_ns / 1000).toFixed(1)} µs`,
              '—',
              '—',
            ],
            [
              'Processor, CPU of all threads per span (redaction worker included)',
              `audit +${(r.cpu.audit_overhead_ns / 1000).toFixed(1)} µs/span (worker) vs +${(r.inline.cpu.audit_overhead_ns / 1000).toFixed(1)} µs (app's thread): what the hand-over to the worker costs`,
              '—',
              '—',
            ],
          ]),
    ];
  }
  if (name === 'canonical') {
    return [
      [
        'RFC 8785 encoding of one audit record: `canonicalJson` vs `canonicalize@4` (the reference it is tested against)',
        `${(r.auditrail_ns / 1000).toFixed(2)} vs ${(r.reference_ns / 1000).toFixed(2)} µs/record → **${r.speedup}× faster** (${r.record_bytes} B record, keys in canonical order as the writer builds it; in any order ${(r.auditrail_unsorted_ns / 1000).toFixed(2)} µs, ${r.speedup_unsorted}×)`,
        '—',
        '—',
      ],
    ];
  }
  if (name === 'proof') {
    return [
      ...r.sizes.map((/** @type {any} */ s) => [
        `\`proveEvent\` on the embedded store, one stream of ${fmt(s.events)} events with a signed checkpoint at its end (locate; read all ${fmt(s.events)} leaf hashes; path and root; the record rehashed)`,
        `median **${s.prove.median_ms} ms** per proof, p95 ${s.prove.p95_ms} ms (${s.prove.runs} events; apart: reading the leaf hashes ${s.prove.read_leaf_hashes_ms} ms, hashing path and root ${s.prove.hash_path_and_root_ms} ms)`,
        '—',
        '—',
      ]),
      [
        '`checkEventProof` offline: Ed25519 signature, inclusion path, record parsed, canonical form and schema checked',
        r.sizes.map((/** @type {any} */ s) => `${fmt(s.events)} events (${s.check.path_hashes}-hash paths): median **${s.check.median_us} µs**, p95 ${s.check.p95_us} µs over ${fmt(s.check.proofs)} proofs`).join('; '),
        '—',
        '—',
      ],
      [
        'Merkle root from one flat buffer of leaf hashes (`rootOfFlat`) vs one Buffer per leaf (`rootOf`); one node hash, one-shot `crypto.hash` vs a Hash object',
        `${r.root ? `${fmt(r.root.leaves)} leaves: ${r.root.flat_ms} vs ${r.root.buffer_per_leaf_ms} ms; ` : ''}${r.node_hash.one_shot_ns ?? '—'} vs ${r.node_hash.hash_object_ns} ns per node`,
        '—',
        '—',
      ],
    ];
  }
  if (name === 'redaction') {
    const pct = (/** @type {number} */ x) => `${(x * 100).toFixed(2)}%`;
    return [
      ...['secret', 'pii'].map((c) => [
        `Redaction detectors on the labelled corpus (${fmt(r.corpus.positives)} texts with ${fmt(r.scores.secret.labels + r.scores.pii.labels)} labels, ${fmt(r.corpus.clean)} clean look-alikes): ${c === 'secret' ? 'secrets' : 'structured PII'}`,
        `recall **${r.scores[c].recall.toFixed(4)}** (${r.scores[c].found}/${r.scores[c].labels}), precision ${r.scores[c].precision.toFixed(4)}`,
        `recall ≥ ${GOALS.redactionRecall}`,
        mark(r.scores[c].recall >= GOALS.redactionRecall),
      ]),
      ['Redaction: clean strings touched (order numbers, ids, hashes, versions, times, code, base64)', `**${pct(r.clean_touched)}**`, `≤ ${pct(GOALS.redactionCleanTouched)}`, mark(r.clean_touched <= GOALS.redactionCleanTouched)],
      [
        'Redaction throughput on chat message lists (every detector but names; one core)',
        `**${r.throughput.distinct_mb_per_second} MB/s** with every text distinct; ${r.throughput.mb_per_second} MB/s as calls repeat system prompts and history${r.throughput.conversation_mb_per_second === undefined ? '' : `; ${r.throughput.conversation_mb_per_second} MB/s on conversations whose every call resends the history`} (JSON parse + stringify of the same strings: ${r.throughput.json_roundtrip_mb_per_second} MB/s)`,
        `≥ ${GOALS.redactionMbPerSecond} MB/s`,
        mark(r.throughput.distinct_mb_per_second >= GOALS.redactionMbPerSecond),
      ],
      ...(r.names === undefined
        ? []
        : [
            [
              `Person names (\`names: true\`, compromise) on the names corpus (${fmt(r.names.labels)} names in prompts; capitalized words that are not names)`,
              `recall **${r.names.recall.toFixed(4)}** (${r.names.found}/${r.names.labels}), precision ${r.names.precision.toFixed(4)}; ${pct(r.names.capitalized_non_names_touched)} of the non-name texts touched`,
              `recall ≥ ${GOALS.namesRecall}`,
              mark(r.names.recall >= GOALS.namesRecall),
            ],
            [
              'Person names, throughput (one core, measured apart)',
              `${r.names.mb_per_second_distinct_mix} MB/s on the distinct mix (few prompts hold a lexicon name); ${r.names.mb_per_second_every_prompt_named} MB/s = ${fmt(r.names.prompts_per_second_every_prompt_named)} prompts/s when every prompt names two people`,
              '—',
              '—',
            ],
          ]),
    ];
  }
  if (name === 'instrumentation') {
    return ['plain', 'stream'].filter((m) => r[m]).map((m) => [
      `OpenAI auto-instrumentation, one \`chat.completions.create\` ${m === 'stream' ? 'with `stream: true` (all chunks read)' : '(JSON)'} against the mock server`,
      `${r[m].uninstrumented_ms} → ${r[m].instrumented_ms} ms per call (+${r[m].added_us} µs) → **${r[m].ratio}×**${r[m].ratio_min === undefined ? '' : ` (median of ${r.processes} processes; ${r[m].ratio_min}–${r[m].ratio_max}×)`}; a bare OTel span by hand, same rounds: +${r[m].floor.added_us} µs → ${r[m].floor.ratio}×`,
      `≤ ${GOALS.instrumentationRatio}×`,
      mark(r[m].ratio <= GOALS.instrumentationRatio),
    ]);
  }
  if (name === 'ingest') {
    return [r.payload, r.payload_unredacted, r.no_payload].filter(Boolean).map((x) => [
      `Ingest end to end into the embedded store, ${x.payload ? 'with content (payload rows)' : 'no content attributes'}, ${x.redaction === 'off' ? '**redaction off**' : `redaction ${x.redaction === 'inline' ? 'on the app thread' : 'in its worker thread'}`}`,
      `**${fmt(x.events_per_second)} events/s** (${fmt(x.spans)} spans in ${x.seconds} s${x.processes === undefined ? '' : `; median of ${x.processes} processes, ${fmt(x.events_per_second_min)}–${fmt(x.events_per_second_max)}`})`,
      `≥ ${fmt(GOALS.ingestPerSecond)}/s`,
      mark(x.events_per_second >= GOALS.ingestPerSecond),
    ]);
  }
  const ev = fmt(r.load.events);
  return [
    [`Load ${ev} sealed events (seal + insert, batches of ${fmt(r.load.batch_size)})`, `${fmt(r.load.events_per_second)} events/s (${r.load.seconds} s)`, '—', '—'],
    [`\`trace({ requestId })\` at ${ev} events`, `median **${r.trace.median_ms} ms**, p95 ${r.trace.p95_ms} ms`, `≤ ${GOALS.queryMedianMs} ms median`, mark(r.trace.median_ms <= GOALS.queryMedianMs)],
    [
      `\`requests({ user, since: 7 d, minCost: '0.10' })\` at ${ev} events`,
      `median **${r.requests.median_ms} ms**, p95 ${r.requests.p95_ms} ms`,
      `≤ ${GOALS.queryMedianMs} ms median`,
      mark(r.requests.median_ms <= GOALS.queryMedianMs),
    ],
    [
      `\`verifyStore\` over ${ev} events, ${fmt(r.verify.checkpoints?.stored ?? 0)} signed checkpoints (roots and signatures)`,
      `**${fmt(r.verify.events_per_second)} events/s** (${r.verify.seconds} s), ${r.verify.intact ? 'intact' : 'NOT intact'}`,
      `≥ ${fmt(GOALS.verifyPerSecond)}/s`,
      mark(r.verify.events_per_second >= GOALS.verifyPerSecond && r.verify.intact),
    ],
    ...(r.verify.incremental === undefined
      ? []
      : [
          [
            `incremental \`verifyStore\` after ${fmt(r.verify.incremental.new_events)} new events`,
            `median **${r.verify.incremental.median_ms} ms** (${r.verify.incremental.runs} runs, ${fmt(r.verify.incremental.events_read)} events read)`,
            `< ${fmt(GOALS.incrementalVerifyMs)} ms`,
            mark(r.verify.incremental.median_ms < GOALS.incrementalVerifyMs),
          ],
        ]),
  ];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const only = args['only'] === undefined ? BENCHES : String(args['only']).split(',');
  for (const o of only) if (!BENCHES.includes(o)) throw new Error(`--only takes ${BENCHES.join('|')} (comma-separated), got ${JSON.stringify(o)}`);
  const pass = (/** @type {string} */ name, /** @type {string} */ as = name) => (args[name] === undefined ? [] : [`--${as}`, String(args[name])]);
  const events = intArg(args, 'events', 10_000_000);

  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version, os: `${platform()} ${release()}` };
  const date = new Date().toISOString();
  const command = `node --expose-gc bench/run.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const code = provenance();
  log('run', `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; commit ${code.commit}${code.uncommitted.length ? ` + ${code.uncommitted.length} uncommitted changes` : ''}, dist ${code.dist_sha256}; running ${only.join(', ')}`);

  /** @type {Record<string, any>} */
  const results = {};
  /** @type {string[]} */
  const failures = [];
  const record = (/** @type {string} */ name, /** @type {{ ok: boolean, result?: any, error?: string }} */ out) => {
    if (!out.ok) {
      failures.push(`${name}: ${out.error}`);
      log('run', `${name} FAILED: ${out.error}`);
    }
    return out.ok ? out.result : { error: out.error };
  };

  if (only.includes('processor')) {
    results.processor = record('processor', await runScript('processor.mjs', [...pass('rounds'), ...pass('spans'), ...pass('warmup')], { exposeGc: true }));
  }
  if (only.includes('ingest')) {
    const spans = pass('ingest-spans', 'spans');
    // The absolute rate has no baseline to divide by, and this machine's speed drifts by a fifth
    // from one minute to the next: several processes, and the median run with the range.
    const processes = intArg(args, 'ingest-processes', 3);
    const medianRun = async (/** @type {string} */ name, /** @type {string[]} */ extra) => {
      const done = await runProcesses('ingest.mjs', [...spans, ...extra], processes);
      if ('failure' in done) return record(name, done.failure);
      const { mid, min, max } = medianBy(done.runs, (r) => r.events_per_second);
      return { ...mid, processes, events_per_second_min: min, events_per_second_max: max, runs: done.runs.map((r) => r.events_per_second) };
    };
    results.ingest = {
      payload: await medianRun('ingest', []),
      // The same without redaction: what redaction costs end to end on this machine's two cores.
      payload_unredacted: await medianRun('ingest (redaction off)', ['--redaction', 'off']),
      no_payload: await medianRun('ingest (no payload)', ['--no-payload']),
    };
  }
  if (only.includes('redaction')) {
    results.redaction = record('redaction', await runScript('redaction.mjs', [], { exposeGc: true }));
  }
  if (only.includes('proof')) {
    results.proof = record('proof', await runScript('proof.mjs', [...pass('proof-sizes', 'sizes'), ...pass('prove-runs'), ...pass('checks')], { exposeGc: true }));
  }
  if (only.includes('canonical')) {
    results.canonical = record('canonical', await runScript('canonical.mjs', [...pass('rounds')], { exposeGc: true }));
  }
  if (only.includes('instrumentation')) {
    // Process to process, the ratio varies more than round to round within one (JIT and memory
    // layout differ per process): five processes, and the median of their ratios.
    const done = await runProcesses('instrumentation.mjs', [...pass('calls'), ...pass('instrumentation-rounds', 'rounds')], intArg(args, 'instrumentation-processes', 5));
    results.instrumentation = record('instrumentation', 'failure' in done ? done.failure : { ok: true, result: medianOfRuns(done.runs) });
  }
  if (only.includes('queries')) {
    results.queries = record('queries', await runScript('queries.mjs', ['--events', String(events), ...pass('runs'), ...pass('merge-wait'), ...pass('streams'), ...pass('batch')]));
  }

  const distAfter = distHash();
  const rebuilt = distAfter !== code.dist_sha256;
  if (rebuilt) log('run', `WARNING: packages/*/dist changed while the benchmarks ran (${code.dist_sha256} → ${distAfter}): the results mix two builds`);
  const product = { ...code, ...(rebuilt ? { dist_sha256_after: distAfter, rebuilt_during_run: true } : {}) };

  // results.json keeps the sections this run did not touch; each section says when and how it ran.
  /** @type {Record<string, any>} */
  let saved = {};
  if (existsSync(RESULTS)) {
    try {
      saved = JSON.parse(readFileSync(RESULTS, 'utf8'));
    } catch {
      saved = {};
    }
  }
  for (const [name, r] of Object.entries(results)) saved[name] = { date, command, machine, product, result: r };
  writeFileSync(RESULTS, `${JSON.stringify(saved, null, 2)}\n`);

  /** @type {string[][]} */
  const table = [];
  for (const [name, r] of Object.entries(results)) {
    if (name === 'ingest') {
      const ok = Object.fromEntries(Object.entries(r).filter(([, x]) => !x.error));
      if (Object.keys(ok).length > 0) table.push(...rowsOf(name, ok));
      for (const [k, x] of Object.entries(r)) if (x.error) table.push([`ingest (${k})`, `FAILED: ${x.error}`, '', '❌']);
    } else if (r.error) {
      table.push([name, `FAILED: ${r.error}`, '', '❌']);
    } else {
      table.push(...rowsOf(name, r));
    }
  }
  const out = [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB, Node ${machine.node}, ${machine.os} — ${date}`,
    `Command: \`${command}\``,
    `Code: commit ${code.commit}${code.uncommitted.length ? ` with uncommitted changes to ${code.uncommitted.length} files` : ''} (dist ${code.dist_sha256})`,
    ...(rebuilt ? [`**Warning: the packages were rebuilt during the run (dist ${code.dist_sha256} → ${distAfter}); the results mix two builds.**`] : []),
    '',
    '| benchmark | result | goal | met? |',
    '|---|---|---|---|',
    ...table.map((row) => `| ${row.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.length} benchmark${failures.length > 1 ? 's' : ''} failed a correctness check:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

await main();
