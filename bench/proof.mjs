// Per-event proofs: what `proveEvent` costs on an embedded store (one stream of 10k, 100k and 1M
// events, a signed checkpoint at its end), and what `checkEventProof` costs offline.
//
//   node --expose-gc bench/proof.mjs [--sizes 10000,100000,1000000] [--prove-runs 11] [--checks 1000] [--keep]
//
// Each size gets its own database in one data directory: sealed records from the query benchmark's
// generator (bench/lib/records.mjs) written with the store's `append` (no processor: the load is
// not what is measured), then one checkpoint over all of them signed with a fresh Ed25519 key.
// `proveEvent` runs on `--prove-runs` random events after one warm-up (median and p95 ms; every
// proof is checked); its two parts are timed apart: reading the stream's leaf hashes (the same
// pages `proveEvent` reads) and hashing them into the path and root (`inclusionPathFlat`).
// `checkEventProof` runs on `--checks` distinct proofs per size (random events; median and p95 µs,
// after a warm-up pass): their paths come from the tree's levels built once here, each checked to
// equal the path `inclusionPathFlat` gives and a few to equal `proveEvent`'s whole proof.
// Also measured, for the choices in packages/core/src/merkle/flat.ts: one node hash with the
// one-shot `crypto.hash` vs a Hash object, and the root of 1M leaves from one flat buffer vs
// `rootOf` over one Buffer per leaf.
import * as crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { checkEventProof, formatTlogProof, generateKeys, inclusionPathFlat, parseSignerKey, parseVerifierKey, rootOf, rootOfFlat, signCheckpoint, StreamSequencer } from '@auditrail/core';
import { createStore, proveEvent } from '@auditrail/clickhouse';
import { check, gc, intArg, log, median, mulberry32, parseArgs, percentile, removeDir, rotated, round, runChild, tempDir } from './lib/common.mjs';
import { DAY_MICROS, EVENTS_PER_REQUEST, StreamGenerator, streamIdOf } from './lib/records.mjs';

const TAG = 'proof';
const KEY_NAME = 'bench.auditrail.example';

/**
 * Writes one stream of `events` sealed records into `store`; returns the leaf hashes in one flat
 * buffer, and the event ids and canonical records of the seqs in `keep`.
 * @param {import('@auditrail/clickhouse').Store} store
 * @param {number} events
 * @param {Set<number>} keep
 */
async function load(store, events, keep) {
  const stream = streamIdOf(events);
  const now = Date.now() * 1000;
  const gen = new StreamGenerator({ stream: 0, events, startMicros: now - DAY_MICROS, stepMicros: DAY_MICROS / events });
  const sequencer = new StreamSequencer({ streamId: stream, clock: gen.clock });
  const leaves = Buffer.alloc(events * 32);
  /** @type {Map<number, { id: string, canonical: string }>} */
  const kept = new Map();
  /** @type {string[]} */
  let batch = [];
  let firstSeq = 0;
  /** @type {Promise<void>} */
  let inflight = Promise.resolve();
  const flush = async () => {
    await inflight;
    inflight = store.append({ token: `${stream}:${firstSeq}`, records: batch, payloads: [] });
    firstSeq = sequencer.nextSeq;
    batch = [];
  };
  for (let n = 0; n < events / EVENTS_PER_REQUEST; n++) {
    gen.request(n, (r) => {
      const s = sequencer.seal(r);
      leaves.write(s.hash, s.record.seq * 32, 32, 'hex');
      if (keep.has(s.record.seq)) kept.set(s.record.seq, { id: s.record.event_id, canonical: s.canonical });
      batch.push(s.canonical);
    });
    if (batch.length >= 100_000) await flush();
  }
  if (batch.length > 0) await flush();
  await inflight;
  return { stream, leaves, kept };
}

/**
 * Every level of the tree over `leaves` (level 0 the leaves; a level's odd last node carried up
 * unchanged, which builds RFC 9162's tree), so that a path costs O(log n) to read off.
 * @param {Buffer} leaves
 */
function levelsOf(leaves) {
  const levels = [leaves];
  for (let level = leaves; level.length > 32; ) {
    const n = level.length / 32;
    const up = Buffer.alloc(Math.ceil(n / 2) * 32);
    for (let i = 0; i + 1 < n; i += 2) crypto.createHash('sha256').update(Buffer.from([1])).update(level.subarray(i * 32, i * 32 + 64)).digest().copy(up, (i / 2) * 32);
    if (n % 2 === 1) level.copy(up, ((n - 1) / 2) * 32, (n - 1) * 32);
    levels.push(up);
    level = up;
  }
  return levels;
}

/** @param {Buffer[]} levels @param {number} index */
function pathFromLevels(levels, index) {
  const path = [];
  for (let l = 0, i = index; l < levels.length - 1; l++, i = Math.floor(i / 2)) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling * 32 < levels[l].length) path.push(levels[l].subarray(sibling * 32, sibling * 32 + 32));
  }
  return path;
}

/**
 * ns per call of each arm, median of `rounds` rounds of `n` calls; the arms take turns, each round
 * in another order, so a drift in machine speed falls on all alike.
 * @param {(() => unknown)[]} arms
 */
function nsPerCall(arms, n = 200_000, rounds = 15) {
  /** @type {number[][]} */
  const times = arms.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const a of rotated(arms.map((_, i) => i), r)) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) arms[a]();
      times[a].push(Number(process.hrtime.bigint() - t) / n);
    }
  }
  return times.map(median);
}

export async function proofBench(/** @type {Record<string, string | true>} */ args) {
  const sizes = String(args['sizes'] ?? '10000,100000,1000000')
    .split(',')
    .map((s) => Number(s.replaceAll('_', '')));
  for (const s of sizes) check(Number.isSafeInteger(s) && s > 0 && s % EVENTS_PER_REQUEST === 0, `--sizes must be multiples of ${EVENTS_PER_REQUEST}, got ${s}`);
  const proveRuns = intArg(args, 'prove-runs', 11);
  const checks = intArg(args, 'checks', 1000);
  const rand = mulberry32(0x9f00f);
  const keys = generateKeys(KEY_NAME);
  const signer = parseSignerKey(keys.signerKey);
  const verifiers = [parseVerifierKey(keys.verifierKey)];
  const dir = tempDir('proof');
  /** @type {Record<string, any>} */
  const bySize = {};
  /** @type {Buffer | undefined} */
  let largest;
  try {
    for (const events of sizes) {
      const store = await createStore({ kind: 'embedded', path: dir, database: `proof_${events}` });
      try {
        const provedSeqs = Array.from({ length: proveRuns + 1 }, () => Math.floor(rand() * events));
        const checkedSeqs = Array.from({ length: checks }, () => Math.floor(rand() * events));
        const t0 = performance.now();
        const { stream, leaves, kept } = await load(store, events, new Set([...provedSeqs, ...checkedSeqs]));
        const loadSeconds = (performance.now() - t0) / 1000;
        const checkpoint = signCheckpoint(signer, { streamId: stream, origin: `${KEY_NAME}/${stream}`, size: events, root: rootOfFlat(leaves) });
        await store.appendCheckpoints([checkpoint]);
        log(TAG, `${events} events loaded in ${loadSeconds.toFixed(1)} s; checkpoint signed at size ${events}`);

        // proveEvent end to end: locate, checkpoints, leaf hashes, path, root, record.
        const proveMs = [];
        for (const [run, seq] of provedSeqs.entries()) {
          gc();
          const t = performance.now();
          const r = await proveEvent(store, kept.get(seq).id);
          const ms = performance.now() - t;
          check(r.ok && r.seq === seq && r.size === events, `proveEvent of seq ${seq} failed: ${r.ok ? '' : r.message}`);
          check(checkEventProof(r.proof, verifiers).valid, `the proof of seq ${seq} does not check`);
          if (run > 0) proveMs.push(ms);
        }
        // Its two parts, apart: the reads (50,000 leaf hashes a page) and the hashing.
        const t1 = performance.now();
        for (let from = 0; from < events; from += 50_000) await store.readChain(stream, from, Math.min(from + 50_000, events), 'leaf-hashes');
        const readMs = performance.now() - t1;
        const t2 = performance.now();
        const { root } = inclusionPathFlat(leaves, provedSeqs[0], events);
        const hashMs = performance.now() - t2;
        check(root.equals(rootOfFlat(leaves)), 'inclusionPathFlat and rootOfFlat disagree');

        // checkEventProof on `checks` distinct proofs.
        const levels = levelsOf(leaves);
        const proofs = checkedSeqs.map((seq, i) => {
          const path = pathFromLevels(levels, seq);
          if (i < 50) check(Buffer.concat(path).equals(Buffer.concat(inclusionPathFlat(leaves, seq, events).path)), `the level path of seq ${seq} is not inclusionPathFlat's`);
          return formatTlogProof({ extra: Buffer.from(kept.get(seq).canonical), index: seq, path, checkpoint: checkpoint.note });
        });
        for (const seq of provedSeqs.slice(0, 3)) {
          const r = await proveEvent(store, kept.get(seq).id);
          const path = pathFromLevels(levels, seq);
          check(r.ok && r.proof === formatTlogProof({ extra: Buffer.from(kept.get(seq).canonical), index: seq, path, checkpoint: checkpoint.note }), `proveEvent's proof of seq ${seq} is not the one built here`);
        }
        /** @type {number[]} */
        let checkUs = [];
        for (let pass = 0; pass < 2; pass++) {
          gc();
          checkUs = proofs.map((p) => {
            const t = process.hrtime.bigint();
            const c = checkEventProof(p, verifiers);
            const us = Number(process.hrtime.bigint() - t) / 1000;
            check(c.valid, `a proof does not check: ${c.problems.join(' ')}`);
            return us;
          });
        }
        bySize[events] = {
          events,
          load_seconds: round(loadSeconds, 1),
          prove: { runs: proveMs.length, median_ms: round(median(proveMs), 1), p95_ms: round(percentile(proveMs, 95), 1), read_leaf_hashes_ms: round(readMs, 1), hash_path_and_root_ms: round(hashMs, 1) },
          check: { proofs: checkUs.length, path_hashes: levels.length - 1, median_us: round(median(checkUs), 1), p95_us: round(percentile(checkUs, 95), 1) },
        };
        log(TAG, `${events} events: proveEvent median ${bySize[events].prove.median_ms} ms (reading the leaf hashes ${bySize[events].prove.read_leaf_hashes_ms} ms, hashing ${bySize[events].prove.hash_path_and_root_ms} ms); checkEventProof median ${bySize[events].check.median_us} µs over ${checkUs.length} proofs`);
        if (events === Math.max(...sizes)) largest = leaves;
      } finally {
        await store.close();
      }
    }
  } finally {
    if (args['keep'] === true) log(TAG, `kept the store at ${dir}`);
    else removeDir(dir);
  }

  // The choices in flat.ts, each against what it replaces, doing the same work: a node hash read
  // from and written to a buffer of hashes, one-shot over a scratch copy vs a Hash object; and the
  // root of the largest stream from one flat buffer vs from one Buffer per leaf.
  const oneShot = /** @type {{ hash?: (a: string, d: Uint8Array, e: 'buffer') => Buffer }} */ (crypto).hash;
  const pair = crypto.randomBytes(64);
  const out = Buffer.alloc(32);
  const scratch = Buffer.alloc(65, 1);
  const prefix = Buffer.from([1]);
  const [oneShotNs, hashObjectNs] = nsPerCall([
    () => {
      pair.copy(scratch, 1, 0, 64);
      (oneShot ?? ((_a, d) => crypto.createHash('sha256').update(d).digest()))('sha256', scratch, 'buffer').copy(out, 0);
    },
    () => crypto.createHash('sha256').update(prefix).update(pair).digest().copy(out, 0),
  ]);
  const nodeHash = { one_shot_ns: oneShot === undefined ? null : round(oneShotNs, 0), hash_object_ns: round(hashObjectNs, 0) };
  /** @type {Record<string, number> | undefined} */
  let root;
  if (largest !== undefined) {
    const flat = largest;
    const perLeaf = Array.from({ length: flat.length / 32 }, (_, i) => Buffer.from(flat.subarray(i * 32, i * 32 + 32)));
    /** @type {number[][]} */
    const ms = [[], []];
    const arms = [() => rootOfFlat(flat), () => rootOf(perLeaf)];
    for (let r = 0; r < 5; r++) {
      /** @type {Buffer[]} */
      const roots = [];
      for (const a of rotated([0, 1], r)) {
        gc();
        const t = performance.now();
        roots[a] = arms[a]();
        ms[a].push(performance.now() - t);
      }
      check(roots[0].equals(roots[1]), 'rootOfFlat and rootOf disagree');
    }
    root = { leaves: perLeaf.length, flat_ms: round(median(ms[0]), 1), buffer_per_leaf_ms: round(median(ms[1]), 1) };
  }
  log(TAG, `node hash: one-shot ${nodeHash.one_shot_ns} ns, Hash object ${nodeHash.hash_object_ns} ns${root ? `; root of ${root.leaves} leaves: flat ${root.flat_ms} ms, a Buffer per leaf ${root.buffer_per_leaf_ms} ms` : ''}`);
  return { sizes: Object.values(bySize), node_hash: nodeHash, root };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runChild(TAG, () => proofBench(parseArgs(process.argv.slice(2))));
}
