// Benchmark 1: cost of AuditSpanProcessor on the app's thread, against OTel's BatchSpanProcessor
// with a no-op exporter, both measured over a provider without any processor.
//
//   node --expose-gc bench/processor.mjs [--spans 50000] [--rounds 15] [--warmup 2]
//
// Three providers live in one process and are measured in interleaved rounds (none, bsp, audit,
// none, bsp, audit, …) so that drift of a noisy machine hits all three alike. In each round and
// for each provider: gc, then `startSpan` + `end` for `--spans` spans in a tight loop (timed:
// "sync"), then `await provider.forceFlush()` (timed separately: the deferred work). The order
// rotates every round. The median over rounds is taken per provider.
import { pathToFileURL } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AuditSpanProcessor } from '@auditrail/processor';
import { check, gc, genAiAttributes, intArg, log, median, parseArgs, round, runChild, SPAN_NAME } from './lib/common.mjs';

const TAG = 'processor';

/**
 * @param {Record<string, string | true>} args
 */
export async function processorBench(args) {
  const spans = intArg(args, 'spans', 50_000);
  const rounds = intArg(args, 'rounds', 15);
  const warmup = args['warmup'] === '0' ? 0 : intArg(args, 'warmup', 2);
  check(typeof globalThis.gc === 'function', 'run with node --expose-gc (gc between rounds)');

  // No-op exporter; it counts what it receives so the benchmark can prove nothing was dropped.
  let exported = 0;
  const noopExporter = {
    /** @param {unknown[]} batch @param {(r: { code: number }) => void} cb */
    export(batch, cb) {
      exported += batch.length;
      cb({ code: 0 });
    },
    shutdown: async () => {},
  };
  /** A sink that counts what it receives. */
  const countingSink = () => {
    const sink = {
      appended: 0,
      /** @param {{ records: readonly string[] }} batch */
      append: async (batch) => {
        sink.appended += batch.records.length;
      },
    };
    return sink;
  };
  const auditSink = countingSink();
  const inlineSink = countingSink();

  // Both queues hold a whole round: a tight loop never yields, so neither processor's timer can
  // drain its queue during the loop, and a dropped span is cheaper than a queued one. With the
  // defaults (BSP 2048, audit 20000) most of a 50k burst would be shed and the comparison unfair.
  const bsp = new BatchSpanProcessor(noopExporter, { maxQueueSize: spans });
  // The processor as configured by default (redaction in its worker thread), and with redaction
  // on the app's thread, to show what the worker takes off it.
  const audit = new AuditSpanProcessor({ sink: auditSink, tenantId: 'bench', maxQueueSize: spans });
  const inline = new AuditSpanProcessor({ sink: inlineSink, tenantId: 'bench', maxQueueSize: spans, redactionWorker: false });
  const variants = /** @type {const} */ ([
    ['none', new BasicTracerProvider()],
    ['bsp', new BasicTracerProvider({ spanProcessors: [bsp] })],
    ['audit', new BasicTracerProvider({ spanProcessors: [audit] })],
    ['inline', new BasicTracerProvider({ spanProcessors: [inline] })],
  ]);

  // Each span of a round its own ids and content (as an app's calls are): redaction cannot answer
  // from its memory of clean strings what it has not seen.
  const options = Array.from({ length: spans }, (_, i) => ({ kind: SpanKind.CLIENT, attributes: genAiAttributes({ i, payload: true }) }));
  const attrBytes = Buffer.byteLength(JSON.stringify(options[1]?.attributes ?? options[0]?.attributes));

  /** @param {import('@opentelemetry/api').Tracer} tracer */
  const burst = (tracer) => {
    for (let i = 0; i < spans; i++) {
      const span = tracer.startSpan(SPAN_NAME, options[i]);
      span.end();
    }
  };

  /**
   * Per span: `sync` the loop, `flush` forceFlush, `total` both (wall time), `cpu` all threads of
   * the process, `thread` the app's thread alone (event-loop active time: its work, with the
   * worker's running elsewhere).
   * @type {Record<string, { sync: number[], flush: number[], total: number[], cpu: number[], thread: number[] }>}
   */
  const samples = Object.fromEntries(variants.map(([name]) => [name, { sync: [], flush: [], total: [], cpu: [], thread: [] }]));
  let expectedExported = 0;
  let expectedAccepted = 0;

  log(TAG, `${warmup} warm-up + ${rounds} rounds × ${variants.length} providers × ${spans} spans (${attrBytes} B of attributes per span)`);
  for (let r = -warmup; r < rounds; r++) {
    // Rotate the order every round (A B C D, B C D A, …) so no provider always runs after the
    // same one (the audit flush leaves the most garbage behind).
    const k = ((r % variants.length) + variants.length) % variants.length;
    for (const [name, provider] of [...variants.slice(k), ...variants.slice(0, k)]) {
      const tracer = provider.getTracer('bench');
      gc();
      const cpu0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      const t0 = process.hrtime.bigint();
      burst(tracer);
      const t1 = process.hrtime.bigint();
      await provider.forceFlush();
      const t2 = process.hrtime.bigint();
      const cpu = process.cpuUsage(cpu0);
      const elu = performance.eventLoopUtilization(elu0);
      if (name === 'bsp') expectedExported += spans;
      if (name === 'audit') expectedAccepted += spans;
      if (r < 0) continue;
      samples[name].sync.push(Number(t1 - t0) / spans);
      samples[name].flush.push(Number(t2 - t1) / spans);
      samples[name].total.push(Number(t2 - t0) / spans);
      samples[name].cpu.push(((cpu.user + cpu.system) * 1000) / spans);
      samples[name].thread.push((elu.active * 1e6) / spans);
    }
    // Every span reached its exporter or sink: nothing was shed during the burst.
    check(exported === expectedExported, `BatchSpanProcessor exported ${exported} spans, expected ${expectedExported}`);
    for (const [processor, sink] of /** @type {const} */ ([[audit, auditSink], [inline, inlineSink]])) {
      const stats = processor.stats();
      check(stats.dropped === 0, `AuditSpanProcessor dropped ${stats.dropped} spans`);
      check(stats.accepted === expectedAccepted, `AuditSpanProcessor accepted ${stats.accepted} spans, expected ${expectedAccepted}`);
      check(stats.written === expectedAccepted + 1 && sink.appended === stats.written, `AuditSpanProcessor wrote ${stats.written} events (sink saw ${sink.appended}), expected ${expectedAccepted + 1}`);
      check(stats.pending === 0, `AuditSpanProcessor has ${stats.pending} events pending after forceFlush`);
    }
    if (r >= 0) {
      const last = (/** @type {string} */ v, /** @type {'sync' | 'total' | 'thread'} */ k) => samples[v][k].at(-1).toFixed(0);
      log(TAG, `round ${r + 1}/${rounds}: sync ns/span none ${last('none', 'sync')} bsp ${last('bsp', 'sync')} audit ${last('audit', 'sync')} | app thread none ${last('none', 'thread')} bsp ${last('bsp', 'thread')} audit ${last('audit', 'thread')} inline ${last('inline', 'thread')}`);
    } else {
      log(TAG, `warm-up round ${r + warmup + 1}/${warmup} done`);
    }
  }
  for (const [, provider] of variants) await provider.shutdown();

  /** @param {'sync' | 'total' | 'cpu' | 'thread'} k @param {'audit' | 'inline'} [which] */
  const summarize = (k, which = 'audit') => {
    const none = median(samples.none[k]);
    const bspNs = median(samples.bsp[k]);
    const auditNs = median(samples[which][k]);
    // Per-round ratios too: within a round the providers ran back to back.
    const perRound = samples[which][k].map((a, i) => (a - samples.none[k][i]) / (samples.bsp[k][i] - samples.none[k][i]));
    return {
      none_ns: round(none, 1),
      bsp_ns: round(bspNs, 1),
      audit_ns: round(auditNs, 1),
      bsp_overhead_ns: round(bspNs - none, 1),
      audit_overhead_ns: round(auditNs - none, 1),
      overhead_ratio: round((auditNs - none) / (bspNs - none), 2),
      total_ratio: round(auditNs / bspNs, 2),
      median_of_round_overhead_ratios: round(median(perRound), 2),
    };
  };

  const result = {
    config: { spans_per_round: spans, rounds, warmup_rounds: warmup, attribute_bytes: attrBytes, bsp: { maxQueueSize: spans, other_options: 'defaults' }, audit: { maxQueueSize: spans, other_options: 'defaults' } },
    sync: summarize('sync'),
    total: summarize('total'),
    cpu: summarize('cpu'),
    thread: summarize('thread'),
    inline: { sync: summarize('sync', 'inline'), thread: summarize('thread', 'inline'), cpu: summarize('cpu', 'inline') },
    rounds_ns_per_span: Object.fromEntries(
      Object.entries(samples).map(([name, s]) => [name, { sync: s.sync.map((x) => round(x, 1)), total: s.total.map((x) => round(x, 1)) }]),
    ),
  };
  log(TAG, `sync: none ${result.sync.none_ns} bsp ${result.sync.bsp_ns} audit ${result.sync.audit_ns} ns/span → overhead ratio ${result.sync.overhead_ratio}×, total ratio ${result.sync.total_ratio}×`);
  log(TAG, `with flush: none ${result.total.none_ns} bsp ${result.total.bsp_ns} audit ${result.total.audit_ns} ns/span → overhead ratio ${result.total.overhead_ratio}×, total ratio ${result.total.total_ratio}×`);
  log(TAG, `app's thread incl. deferred work: none ${result.thread.none_ns} bsp ${result.thread.bsp_ns} audit ${result.thread.audit_ns} (redaction in the worker) vs ${result.inline.thread.audit_ns} (redaction on the app's thread) ns/span; all threads ${result.cpu.audit_ns} vs ${result.inline.cpu.audit_ns}`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runChild(TAG, () => processorBench(parseArgs(process.argv.slice(2))));
}
