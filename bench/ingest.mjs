// Benchmark 2: events per second end to end, from ended spans to rows in a real embedded store.
//
//   node bench/ingest.mjs [--spans 200000] [--no-payload] [--redaction worker|inline|off] [--burst 1000] [--yield immediate|timer] [--max-batch N] [--linger MS]
//   node bench/ingest.mjs --rate 20000 [--spans 200000] [--no-payload]
//
// One child process per run (chDB locks its data directory for the process), a fresh store in a
// temp directory, an AuditSpanProcessor writing to it and a BasicTracerProvider. The app is
// simulated by a loop that ends `--burst` GenAI spans, then yields to the event loop (so the
// processor's timer can seal and write while spans keep coming), until `--spans` spans have ended.
// Timed: from the first span to `await processor.forceFlush()` resolving. Then the processor's
// counters and the rows in the store are checked against the number of spans.
//
// Two ways to offer the load:
// - backlog (default): spans end as fast as the loop can end them, into an unbounded queue; the
//   time includes draining the whole backlog (~150,000 events pending at the peak, which the GC
//   has to walk again and again).
// - `--rate R`: an app ending R spans per second, evenly (every 10 ms), with the processor's
//   default queue size. It keeps up when nothing is shed and the backlog stays bounded; the
//   sustained rate is the spans over the time until the last one is durable.
import { pathToFileURL } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createStore } from '@auditrail/clickhouse';
import { AuditSpanProcessor } from '@auditrail/processor';
import { check, dirBytes, genAiAttributes, intArg, log, parseArgs, removeDir, round, runChild, SPAN_NAME, tempDir, yieldToLoop } from './lib/common.mjs';

/**
 * @param {Record<string, string | true>} args
 */
export async function ingestBench(args) {
  const n = intArg(args, 'spans', 200_000);
  const burst = intArg(args, 'burst', 1000);
  // The processor's own default batch size unless --max-batch says otherwise (for exploring).
  const maxBatchSize = args['max-batch'] === undefined ? undefined : intArg(args, 'max-batch', 1000);
  const batchLingerMillis = args['linger'] === undefined ? undefined : intArg(args, 'linger', 200);
  const payload = args['no-payload'] !== true;
  // Redaction as the processor does it by default (in its worker thread), on the app's thread, or off.
  const redaction = String(args['redaction'] ?? 'worker');
  check(['worker', 'inline', 'off'].includes(redaction), `--redaction must be worker, inline or off, got ${redaction}`);
  const yieldKind = args['yield'] ?? 'immediate';
  check(yieldKind === 'immediate' || yieldKind === 'timer', `--yield must be immediate or timer, got ${yieldKind}`);
  const pause = yieldKind === 'timer' ? () => new Promise((resolve) => setTimeout(resolve, 0)) : yieldToLoop;
  const rate = args['rate'] === undefined ? undefined : intArg(args, 'rate', 20_000);
  const tag = `${payload ? 'ingest' : 'ingest-no-payload'}${rate === undefined ? '' : `-at-${rate}`}`;
  const dir = tempDir(tag);
  try {
    const store = await createStore({ kind: 'embedded', path: dir });
    // The store itself is the sink; the wrapper only adds up the time spent inside append().
    const sink = {
      batches: 0,
      seconds: 0,
      /** @param {import('@auditrail/core').EventBatch} batch */
      async append(batch) {
        const t = performance.now();
        try {
          await store.append(batch);
        } finally {
          this.seconds += (performance.now() - t) / 1000;
          this.batches++;
        }
      },
    };
    const processor = new AuditSpanProcessor({
      sink,
      tenantId: 'bench',
      // At a fixed rate the processor runs with its defaults; a backlog needs room for all of it.
      ...(rate === undefined ? { maxQueueSize: 1_000_000 } : {}),
      ...(maxBatchSize === undefined ? {} : { maxBatchSize }),
      ...(batchLingerMillis === undefined ? {} : { batchLingerMillis }),
      // forceFlush must wait for every write, however long: this measures throughput, not timeouts.
      exportTimeoutMillis: 3_600_000,
      ...(redaction === 'off' ? { redaction: false } : { redactionWorker: redaction === 'worker' }),
      logger: { warn: (m) => log(tag, `processor warn: ${m}`), error: (m) => log(tag, `processor error: ${m}`) },
    });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('bench');

    // Attributes are built before the clock starts; each span gets its own ids and content.
    log(tag, `building attributes of ${n} spans (${payload ? 'with' : 'without'} content attributes)`);
    const attributes = Array.from({ length: n }, (_, i) => genAiAttributes({ i, payload }));
    const attrBytes = Buffer.byteLength(JSON.stringify(attributes[0]));

    log(tag, `ending ${n} spans in bursts of ${burst} into an embedded store at ${dir}`);
    let lastLog = 0;
    let maxPending = 0;
    const t0 = performance.now();
    if (rate !== undefined) {
      let i = 0;
      while (i < n) {
        const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate));
        for (; i < due; i++) {
          const span = tracer.startSpan(SPAN_NAME, { kind: SpanKind.CLIENT, attributes: attributes[i] });
          attributes[i] = undefined;
          span.end();
        }
        maxPending = Math.max(maxPending, processor.stats().pending);
        if (performance.now() - lastLog > 2000) {
          lastLog = performance.now();
          const s = processor.stats();
          log(tag, `${i} spans ended, ${s.written} events written, ${s.pending} pending, ${s.dropped} shed`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    for (let i = rate === undefined ? 0 : n; i < n; i++) {
      const span = tracer.startSpan(SPAN_NAME, { kind: SpanKind.CLIENT, attributes: attributes[i] });
      // The span keeps its own copy; an app would not hold the prompt of every past call either
      // (kept, 200,000 prepared attribute sets are ~600 MB of live heap every major GC must mark).
      attributes[i] = undefined;
      span.end();
      if ((i + 1) % burst === 0) {
        await pause();
        if (performance.now() - lastLog > 2000) {
          lastLog = performance.now();
          const s = processor.stats();
          log(tag, `${i + 1} spans ended, ${s.written} events written, ${s.pending} pending`);
        }
      }
    }
    const tEnded = performance.now();
    log(tag, `all spans ended after ${((tEnded - t0) / 1000).toFixed(1)} s; flushing ${processor.stats().pending} pending events`);
    await processor.forceFlush();
    const t1 = performance.now();
    attributes.length = 0;

    const stats = processor.stats();
    log(tag, `flushed: ${JSON.stringify(stats)}`);
    const streams = await store.streams();
    const mine = streams.find((s) => s.stream_id === stats.streamId);
    const seconds = (t1 - t0) / 1000;
    const result = {
      payload,
      redaction,
      spans: n,
      burst,
      yield: yieldKind,
      max_batch_size: maxBatchSize ?? 'default',
      batch_linger_ms: batchLingerMillis ?? 'default',
      attribute_bytes: attrBytes,
      seconds: round(seconds, 3),
      events_per_second: Math.round(n / seconds),
      seconds_until_last_span_ended: round((tEnded - t0) / 1000, 3),
      ...(rate === undefined ? {} : { offered_rate: rate, max_pending: maxPending, seconds_flushing_after_last_span: round((t1 - tEnded) / 1000, 3) }),
      stats,
      sink_batches: sink.batches,
      sink_seconds: round(sink.seconds, 3),
      stored_events: mine?.events ?? 0,
      streams: streams.length,
    };
    await provider.shutdown();
    await store.close();
    result.store_bytes = dirBytes(dir);
    result.store_bytes_per_event = Math.round(result.store_bytes / (n + 1));

    check(stats.dropped === 0, `processor dropped ${stats.dropped} spans${rate === undefined ? '' : ` (shed: it did not keep up with ${rate} spans/s)`}`);
    check(stats.writeFailures === 0, `processor had ${stats.writeFailures} failed writes`);
    check(stats.accepted === n, `processor accepted ${stats.accepted} spans, expected ${n}`);
    check(stats.written === n + 1, `processor wrote ${stats.written} events, expected ${n + 1} (spans + stream open)`);
    check(stats.pending === 0, `${stats.pending} events still pending after forceFlush`);
    check(streams.length === 1 && mine !== undefined, `expected exactly the processor's stream in the store, found ${JSON.stringify(streams)}`);
    check(mine.events === n + 1, `store holds ${mine.events} events of the stream, expected ${n + 1}`);
    check(mine.first_seq === 0 && mine.last_seq === n, `stream seq range ${mine.first_seq}..${mine.last_seq}, expected 0..${n}`);
    log(tag, `${result.events_per_second} events/s (${n} spans in ${seconds.toFixed(2)} s), ${result.store_bytes_per_event} B/event on disk`);
    return result;
  } finally {
    removeDir(dir);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = parseArgs(process.argv.slice(2));
  await runChild(args['no-payload'] === true ? 'ingest-no-payload' : 'ingest', () => ingestBench(args));
}
