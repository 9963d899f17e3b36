// Benchmark 3: queries and verify over a large store.
//
//   node bench/queries.mjs [--events 10000000] [--streams 10] [--batch 100000] [--runs 51] [--warmup 5]
//                          [--merge-wait 300] [--keep]
//
// Loads `--events` sealed records (10 streams, 2,000 users in 10 tenants, requests of five events,
// observed_at spread over the past 30 days; everything from a seeded PRNG) into a fresh embedded
// store, then times `store.trace({ requestId })` and `store.requests({ user, since: 7 days ago,
// minCost: '0.10' })` with random existing parameters (5 warm-up runs, 51 timed runs: median and
// p95), then `verifyStore` over the whole store. A diagnostic chDB client on the same data
// directory reports parts, EXPLAIN output and rows read for each query. `--keep` leaves the data
// directory in place (its path is logged) for investigating with a chDB client afterwards.
import { pathToFileURL } from 'node:url';
import { auditRecordSchema, Checkpointer, generateKeys, parseSignerKey, parseVerifierKey, StreamSequencer } from '@auditrail/core';
import { createStore, verifyStore } from '@auditrail/clickhouse';
import { check, chdbModules, dirBytes, intArg, log, median, mulberry32, parseArgs, percentile, removeDir, round, runChild, tempDir } from './lib/common.mjs';
import { DAY_MICROS, EVENTS_PER_REQUEST, requestId, StreamGenerator, streamIdOf, USERS, userId } from './lib/records.mjs';

const TAG = 'queries';
const MIN_COST = '0.10';

/**
 * Decimal string → integer count of 1e-12 units, to compare amounts exactly.
 * @param {string} s
 */
function picoUnits(s) {
  const [whole, frac = ''] = s.split('.');
  return BigInt(whole) * 10n ** 12n + BigInt((frac + '0'.repeat(12)).slice(0, 12));
}

/**
 * @param {Record<string, string | true>} args
 */
/** A signed checkpoint every this many events of a stream, as the processor's default. */
const CHECKPOINT_EVERY = 10_000;
/** New events an incremental verify reads. */
const INCREMENTAL_EVENTS = 10_000;

export async function queriesBench(args) {
  const events = intArg(args, 'events', 10_000_000);
  const streams = intArg(args, 'streams', 10);
  const batchSize = intArg(args, 'batch', 100_000);
  const runs = intArg(args, 'runs', 51);
  const warmup = intArg(args, 'warmup', 5);
  const mergeWaitSeconds = args['merge-wait'] === '0' ? 0 : intArg(args, 'merge-wait', 300);
  const perStream = events / streams;
  check(Number.isInteger(perStream) && perStream % EVENTS_PER_REQUEST === 0, `--events must split into ${streams} streams of whole requests (a multiple of ${streams * EVENTS_PER_REQUEST})`);
  check(batchSize % EVENTS_PER_REQUEST === 0, `--batch must be a multiple of ${EVENTS_PER_REQUEST}`);
  const requestsPerStream = perStream / EVENTS_PER_REQUEST;

  const dir = tempDir('queries');
  const { createClient, createChdbConnection } = await chdbModules();
  /** @type {import('@auditrail/clickhouse').Store | undefined} */
  let store;
  /** @type {any} */
  let client;
  try {
    store = await createStore({ kind: 'embedded', path: dir });
    // Diagnostics only (parts, merges, EXPLAIN): a second client on the same data directory.
    client = createClient({ connection: createChdbConnection({ path: dir }) });
    const db = store.database;
    /** @param {string} query @param {Record<string, unknown>} [query_params] */
    const rows = async (query, query_params = {}) => (await client.query({ query, query_params, format: 'JSONEachRow' })).json();

    // ---------------------------------------------------------------- load
    const nowMicros = Date.now() * 1000;
    const startMicros = nowMicros - 30 * DAY_MICROS;
    const stepMicros = (30 * DAY_MICROS) / perStream;
    log(TAG, `loading ${events} events: ${streams} streams × ${perStream}, one event every ${(stepMicros / 1000).toFixed(3)} ms over the past 30 days, batches of ${batchSize}, into ${dir}`);

    // Each stream is checkpointed as a writer does (a signed checkpoint every 10,000 events), so
    // verify recomputes the Merkle root at each and checks every signature.
    const keys = generateKeys('bench.auditrail.example');
    const signer = parseSignerKey(keys.signerKey);
    const trusted = [parseVerifierKey(keys.verifierKey)];
    /** @type {import('@auditrail/core').CheckpointRecord[]} */
    const checkpoints = [];
    /** @type {{ gen: StreamGenerator, sequencer: StreamSequencer, checkpointer: Checkpointer, seal: (r: import('@auditrail/core').UnsealedRecord) => void, batch: () => string[] }[]} */
    const writers = [];
    let loaded = 0;
    let nextProgress = 1_000_000;
    let sealMs = 0;
    let appendWaitMs = 0;
    /** @type {Promise<void>} */
    let inflight = Promise.resolve();
    /** @type {unknown} */
    let appendError;
    const tLoad = performance.now();
    /** Waits for the batch being written, then starts writing this one: sealing overlaps the insert. */
    const write = async (/** @type {string} */ token, /** @type {string[]} */ records) => {
      const t = performance.now();
      await inflight;
      appendWaitMs += performance.now() - t;
      if (appendError) throw appendError;
      inflight = store.append({ token, records, payloads: [] }).then(
        () => {
          loaded += records.length;
          if (loaded >= nextProgress) {
            nextProgress += 1_000_000;
            const s = (performance.now() - tLoad) / 1000;
            log(TAG, `loaded ${loaded} events in ${s.toFixed(1)} s (${Math.round(loaded / s)} events/s)`);
          }
        },
        (e) => {
          appendError = e;
        },
      );
    };
    for (let s = 0; s < streams; s++) {
      const gen = new StreamGenerator({ stream: s, events: perStream, startMicros, stepMicros });
      const sequencer = new StreamSequencer({ streamId: streamIdOf(s), clock: gen.clock });
      const checkpointer = new Checkpointer({ signer, streamId: sequencer.streamId, everyEvents: CHECKPOINT_EVERY });
      /** @type {string[]} */
      let batch = [];
      let firstSeq = 0;
      /** @param {import('@auditrail/core').UnsealedRecord} r */
      const seal = (r) => {
        // No payload rows are loaded (the queries read columns only): records must not commit to
        // content the store does not hold, or verify rightly reports it missing.
        r.payload = null;
        const sealed = sequencer.seal(r);
        // The generator's records must be valid audit records: check a few of every stream.
        if (sealed.record.seq < EVENTS_PER_REQUEST) auditRecordSchema.parse(JSON.parse(sealed.canonical));
        batch.push(sealed.canonical);
        checkpointer.append(sealed.hash);
        if (sequencer.nextSeq % CHECKPOINT_EVERY === 0) checkpoints.push(/** @type {any} */ (checkpointer.durable(checkpointer.head())));
      };
      writers.push({ gen, sequencer, checkpointer, seal, batch: () => batch.splice(0) });
      let t = performance.now();
      for (let n = 0; n < requestsPerStream; n++) {
        gen.request(n, seal);
        if (batch.length >= batchSize) {
          sealMs += performance.now() - t;
          await write(`${sequencer.streamId}:${firstSeq}`, batch);
          firstSeq = sequencer.nextSeq;
          batch = [];
          t = performance.now();
        }
      }
      sealMs += performance.now() - t;
      if (batch.length > 0) await write(`${sequencer.streamId}:${firstSeq}`, batch);
    }
    await inflight;
    if (appendError) throw appendError;
    await store.appendCheckpoints(checkpoints);
    const loadSeconds = (performance.now() - tLoad) / 1000;
    const load = {
      events,
      streams,
      batch_size: batchSize,
      seconds: round(loadSeconds, 1),
      events_per_second: Math.round(events / loadSeconds),
      seal_seconds: round(sealMs / 1000, 1),
      waiting_for_insert_seconds: round(appendWaitMs / 1000, 1),
    };
    log(TAG, `loaded ${events} events in ${loadSeconds.toFixed(1)} s (${load.events_per_second} events/s; sealing ${load.seal_seconds} s on the main thread, waiting for inserts ${load.waiting_for_insert_seconds} s)`);

    const summary = await store.streams();
    check(summary.length === streams, `store has ${summary.length} streams, expected ${streams}`);
    for (const st of summary) {
      check(st.events === perStream && st.first_seq === 0 && st.last_seq === perStream - 1, `stream ${st.stream_id}: ${st.events} events, seq ${st.first_seq}..${st.last_seq}, expected ${perStream} events 0..${perStream - 1}`);
    }

    // Let background merges settle (bounded), so the timings are of a store at rest.
    const parts = async () => Number((await rows(`SELECT count() AS n FROM system.parts WHERE database = {db:String} AND table = 'events' AND active`, { db }))[0].n);
    const merges = async () => Number((await rows(`SELECT count() AS n FROM system.merges WHERE database = {db:String} AND table = 'events'`, { db }))[0].n);
    load.parts_after_load = await parts();
    const tMerge = performance.now();
    let lastParts = load.parts_after_load;
    let stableSince = performance.now();
    while (mergeWaitSeconds > 0 && performance.now() - tMerge < mergeWaitSeconds * 1000) {
      const [p, m] = [await parts(), await merges()];
      if (p !== lastParts || m > 0) {
        lastParts = p;
        stableSince = performance.now();
      } else if (performance.now() - stableSince > 5000) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    load.merge_wait_seconds = round((performance.now() - tMerge) / 1000, 1);
    load.parts_at_query_time = await parts();
    load.partitions = Number((await rows(`SELECT uniqExact(partition) AS n FROM system.parts WHERE database = {db:String} AND table = 'events' AND active`, { db }))[0].n);
    load.store_bytes = dirBytes(dir);
    log(TAG, `${load.parts_after_load} active parts after the load, ${load.parts_at_query_time} after ${load.merge_wait_seconds} s of background merges (${load.partitions} partitions); ${(load.store_bytes / 2 ** 20).toFixed(0)} MiB on disk`);

    // ---------------------------------------------------------------- queries
    const rand = mulberry32(20261124);
    const randomRequest = () => requestId(Math.floor(rand() * streams), Math.floor(rand() * requestsPerStream));
    const randomUser = () => userId(Math.floor(rand() * USERS));

    /**
     * @param {string} name
     * @param {() => string} param
     * @param {(p: string) => Promise<number>} run returns the number of rows, after checking them
     */
    const timeQuery = async (name, param, run) => {
      for (let i = 0; i < warmup; i++) await run(param());
      const ms = [];
      let resultRows = 0;
      for (let i = 0; i < runs; i++) {
        const p = param();
        const t = performance.now();
        const n = await run(p);
        ms.push(performance.now() - t);
        resultRows += n;
      }
      const out = { runs, warmup, median_ms: round(median(ms), 2), p95_ms: round(percentile(ms, 95), 2), min_ms: round(Math.min(...ms), 2), max_ms: round(Math.max(...ms), 2), mean_result_rows: round(resultRows / runs, 1), ms: ms.map((x) => round(x, 2)) };
      log(TAG, `${name}: median ${out.median_ms} ms, p95 ${out.p95_ms} ms (${runs} runs, ${out.mean_result_rows} rows on average)`);
      return out;
    };

    const trace = await timeQuery('trace({ requestId })', randomRequest, async (id) => {
      const events = await store.trace({ requestId: id });
      check(events.length === EVENTS_PER_REQUEST, `trace(${id}) returned ${events.length} events, expected ${EVENTS_PER_REQUEST}`);
      check(events.every((e) => e.request_id === id), `trace(${id}) returned events of another request`);
      return events.length;
    });

    let since = new Date();
    let nonEmpty = 0;
    const requests = await timeQuery(`requests({ user, since: 7 days ago, minCost: '${MIN_COST}' })`, randomUser, async (user) => {
      since = new Date(Date.now() - 7 * 86400e3);
      const rs = await store.requests({ user, since, minCost: MIN_COST });
      const sinceText = since.toISOString().replace('T', ' ').replace('Z', '');
      for (const r of rs) {
        check(r.user_id === user, `requests(${user}) returned a request of user ${r.user_id}`);
        check(picoUnits(r.cost_usd) >= picoUnits(MIN_COST), `requests(${user}) returned ${r.request_id} costing ${r.cost_usd} < ${MIN_COST}`);
        check(r.first_at >= sinceText.slice(0, r.first_at.length), `requests(${user}) returned ${r.request_id} starting ${r.first_at}, before ${sinceText}`);
      }
      if (rs.length > 0) nonEmpty++;
      return rs.length;
    });
    check(nonEmpty > 0, `requests() returned no rows in any run: the query measured nothing`);

    // ---------------------------------------------------------------- diagnostics
    const explain = {};
    const sampleRequest = requestId(0, Math.floor(requestsPerStream / 2));
    const sampleUser = userId(7);
    // The SQL of Store.trace and Store.requests, copied from packages/clickhouse/src/clickhouse-store.ts
    // (diagnostics only: EXPLAIN and rows read; the timings above call the Store itself).
    const traceSql = `SELECT record FROM ${db}.events WHERE request_id = {v:String} ORDER BY observed_at, stream_id, seq LIMIT 100000`;
    const requestsSql = `SELECT request_id AS request, any(tenant_id) AS tenant, any(user_id) AS user, any(session_id) AS session,
        toString(min(observed_at)) AS first_at, toString(max(observed_at)) AS last_at, count() AS events,
        countIf(event_type LIKE 'llm.%') AS llm_calls, countIf(event_type = 'tool.call') AS tool_calls,
        toString(sum(ifNull(effective_cost, 0))) AS total_cost, countIf(event_type LIKE 'llm.%' AND effective_cost IS NULL) AS unpriced
      FROM (SELECT e.request_id AS request_id, e.tenant_id AS tenant_id, e.user_id AS user_id, e.session_id AS session_id, e.observed_at AS observed_at, e.event_type AS event_type,
          if(c.c_stream = '', e.cost_usd, c.c_cost) AS effective_cost
        FROM (SELECT request_id, tenant_id, user_id, session_id, observed_at, event_type, cost_usd, stream_id, seq FROM ${db}.events
          WHERE 1 AND user_id = {user_id:String} AND observed_at >= {since:DateTime64(6, 'UTC')} AND request_id != '' AND event_type != 'cost.correction') AS e
        LEFT JOIN (SELECT corrects_stream_id AS c_stream, corrects_seq AS c_seq, argMax(cost_usd, (observed_at, stream_id, seq)) AS c_cost
          FROM ${db}.events WHERE event_type = 'cost.correction' AND corrects_stream_id != '' AND cost_usd IS NOT NULL
          GROUP BY c_stream, c_seq) AS c ON e.stream_id = c.c_stream AND e.seq = c.c_seq)
      GROUP BY request
      HAVING sum(ifNull(effective_cost, 0)) >= toDecimal64({min_cost:String}, 12)
      ORDER BY first_at DESC, request
      LIMIT {limit:UInt32}`;
    const sinceParam = new Date(Date.now() - 7 * 86400e3).toISOString().replace('T', ' ').replace('Z', '');
    for (const [name, sql, params] of /** @type {const} */ ([
      ['trace', traceSql, { v: sampleRequest }],
      ['requests', requestsSql, { user_id: sampleUser, since: sinceParam, min_cost: MIN_COST, limit: 100 }],
    ])) {
      try {
        const rs = await client.query({ query: sql, query_params: params, format: 'JSON' });
        const body = await rs.json();
        const plan = await client.query({ query: `EXPLAIN indexes = 1, projections = 1 ${sql}`, query_params: params, format: 'TabSeparatedRaw' });
        explain[name] = { rows_read: body.statistics?.rows_read, bytes_read: body.statistics?.bytes_read, result_rows: body.rows, plan: (await plan.text()).trimEnd().split('\n') };
        log(TAG, `${name}: reads ${body.statistics?.rows_read} rows of ${events} for ${body.rows} result rows`);
      } catch (e) {
        explain[name] = { error: /** @type {Error} */ (e).message };
        log(TAG, `EXPLAIN ${name} failed: ${/** @type {Error} */ (e).message}`);
      }
    }

    // ---------------------------------------------------------------- verify
    // The store is wrapped only to time each method verifyStore calls.
    /** @type {Record<string, { calls: number, ms: number }>} */
    const spent = {};
    const timed = new Proxy(store, {
      get(target, prop) {
        const v = Reflect.get(target, prop);
        if (typeof v !== 'function') return v;
        return async (/** @type {unknown[]} */ ...a) => {
          const t = performance.now();
          try {
            return await v.apply(target, a);
          } finally {
            const s = (spent[String(prop)] ??= { calls: 0, ms: 0 });
            s.calls++;
            s.ms += performance.now() - t;
          }
        };
      },
    });
    log(TAG, `verifyStore over ${events} events`);
    let nextVerifyLog = 1_000_000;
    const tVerify = performance.now();
    const report = await verifyStore(timed, {
      keys: trusted,
      onProgress: (p) => {
        if (p.events >= nextVerifyLog) {
          nextVerifyLog += 1_000_000;
          const s = (performance.now() - tVerify) / 1000;
          log(TAG, `verify: ${p.events}/${p.totalEvents} events in ${s.toFixed(1)} s`);
        }
      },
    });
    const verifySeconds = (performance.now() - tVerify) / 1000;
    const verify = {
      intact: report.intact,
      events: report.events,
      findings: report.findings.length,
      seconds: round(verifySeconds, 1),
      events_per_second: Math.round(report.events / verifySeconds),
      checkpoints: report.checkpoints,
      breakdown_seconds: Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, round(v.ms / 1000, 2)])),
      hashing_and_other_seconds: round(verifySeconds - Object.values(spent).reduce((a, v) => a + v.ms, 0) / 1000, 2),
    };
    log(TAG, `verify: ${report.intact ? 'intact' : 'NOT INTACT'}, ${report.events} events in ${verify.seconds} s (${verify.events_per_second} events/s); time in store calls ${JSON.stringify(verify.breakdown_seconds)}`);
    check(report.events === events, `verify counted ${report.events} events, expected ${events}`);
    check(report.intact, `verify found ${report.findings.length} problems in an untouched store: ${JSON.stringify(report.findings.slice(0, 5))}`);
    check(report.checkpoints.rootsMatched === checkpoints.length && report.checkpoints.verified === checkpoints.length, `verify matched ${report.checkpoints.rootsMatched} roots and ${report.checkpoints.verified} signatures of ${checkpoints.length} checkpoints`);

    // ---------------------------------------------------------------- incremental verify
    // 10,000 more events in one stream, signed at their end; verify goes on from the state above.
    const w = writers[0];
    const signedAtLoad = checkpoints.length;
    const more = INCREMENTAL_EVENTS / EVENTS_PER_REQUEST;
    for (let n = requestsPerStream; n < requestsPerStream + more; n++) w.gen.request(n, w.seal);
    const firstNew = w.sequencer.nextSeq - INCREMENTAL_EVENTS;
    await store.append({ token: `${w.sequencer.streamId}:${firstNew}`, records: w.batch(), payloads: [] });
    const last = w.checkpointer.durable(w.checkpointer.head(), true);
    if (last !== undefined) checkpoints.push(last);
    check(checkpoints.length > signedAtLoad, 'no checkpoint after the new events');
    await store.appendCheckpoints(checkpoints.slice(signedAtLoad));
    const incrementalMs = [];
    /** @type {any} */
    let incremental;
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      incremental = await verifyStore(store, { keys: trusted, since: report.state });
      incrementalMs.push(performance.now() - t);
      check(incremental.intact && incremental.eventsRead === INCREMENTAL_EVENTS, `incremental verify: intact ${incremental.intact}, read ${incremental.eventsRead} events (expected ${INCREMENTAL_EVENTS}): ${JSON.stringify(incremental.findings.slice(0, 3))}`);
    }
    verify.incremental = { new_events: INCREMENTAL_EVENTS, events_read: incremental.eventsRead, runs: incrementalMs.length, median_ms: round(median(incrementalMs), 1), ms: incrementalMs.map((m) => round(m, 1)) };
    log(TAG, `incremental verify after ${INCREMENTAL_EVENTS} new events: median ${verify.incremental.median_ms} ms (${incrementalMs.map((m) => m.toFixed(0)).join(', ')})`);

    return { load, trace, requests, verify, explain };
  } finally {
    await client?.close().catch(() => {});
    await store?.close().catch(() => {});
    if (args['keep'] === true) log(TAG, `kept the store at ${dir}`);
    else removeDir(dir);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runChild(TAG, () => queriesBench(parseArgs(process.argv.slice(2))));
}
