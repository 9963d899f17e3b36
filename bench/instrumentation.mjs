// Benchmark 5: what auto-instrumentation adds to one LLM call, as a ratio to the same call without it.
//
//   node bench/instrumentation.mjs [--rounds 21] [--calls 200] [--warmup 200] [--only plain|stream] [--no-content]
//
// The mock provider runs in a child process (its own core: the server's work is not charged to the
// client), answering deterministic OpenAI chat completions. This process holds one `openai` client
// and a NodeTracerProvider with OTel's BatchSpanProcessor and a no-op exporter: what is measured is
// the instrumentation — building the span, its attributes and content, observing the promise or the
// stream. The audit processor's own cost is the processor benchmark's (bench/processor.mjs), and the
// store's the ingest benchmark's. Rounds alternate, in the same process and JIT state:
// the SDK's own `create` on the prototype, then the one OpenAIInstrumentation patched there (content
// capture on; the instrumentation stays enabled throughout) —
// each round `--calls` sequential calls, non-streaming (`create`) and streaming (`stream: true`,
// every chunk read). Reported: median per-call latency over rounds for each mode and their ratio, and the client
// process's CPU per call (process.cpuUsage: all its threads, the garbage collector's included).
//
// A third arm in the same rounds is the floor any OTel instrumentation pays: a bare GenAI span
// written by hand around the SDK's own `create` — `startSpan` with five request attributes, the
// call in the span's context, five response attributes and `end()` when the returned promise
// settles (for a stream: when the stream object arrives, before any chunk: a lower bound).
// No content, no message conversion, no stream observation.
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenAIInstrumentation } from '@auditrail/instrumentation';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { check, intArg, log, median, parseArgs, rotated, round, runChild } from './lib/common.mjs';

const TAG = 'instrumentation';
const MESSAGES = [
  { role: 'system', content: 'You are the support assistant of an online shop. Answer briefly.' },
  { role: 'user', content: 'Where is my order A-1042? It was due on Monday and I still have nothing.' },
];

/** Starts the mock provider in a child process; resolves with its URL and a stop function. */
function startProviderProcess() {
  const child = fork(fileURLToPath(new URL('./lib/mock-provider-process.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (/** @type {any} */ m) => resolve({ url: m.url, stop: () => child.kill() }));
    child.once('exit', (code) => reject(new Error(`mock provider process exited with code ${code}`)));
  });
}

/**
 * @param {Record<string, string | true>} args
 */
export async function instrumentationBench(args) {
  const rounds = intArg(args, 'rounds', 21);
  const calls = intArg(args, 'calls', 200);
  const warmup = intArg(args, 'warmup', 200);
  const provider = await startProviderProcess();
  let exported = 0;
  /** @type {import('@opentelemetry/sdk-trace-base').SpanExporter} */
  const noop = {
    export: (spans, done) => {
      exported += spans.length;
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
  const batch = new BatchSpanProcessor(noop, { maxQueueSize: 100_000 });
  const tracerProvider = new NodeTracerProvider({ spanProcessors: [batch] });
  tracerProvider.register();
  const instrumentation = new OpenAIInstrumentation({ captureMessageContent: args['no-content'] !== true });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.manuallyInstrument(OpenAI);
  const proto = OpenAI.Chat.Completions.prototype;
  const patched = proto.create;
  const original = patched.__original;
  check(typeof original === 'function' && original !== patched, 'OpenAIInstrumentation did not patch chat.completions.create');
  const floorTracer = tracerProvider.getTracer('bench-floor');
  const REQUEST = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'server.address': '127.0.0.1', 'server.port': 0 };
  /** The floor: a bare GenAI span by hand around the SDK's own method (see the header). */
  const floor = function (/** @type {unknown[]} */ ...args) {
    const span = floorTracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: REQUEST });
    const p = context.with(trace.setSpan(context.active(), span), () => original.apply(this, args));
    p.then(
      (/** @type {any} */ r) => {
        span.setAttributes({ 'gen_ai.response.id': r.id ?? '', 'gen_ai.response.model': r.model ?? '', 'gen_ai.usage.input_tokens': r.usage?.prompt_tokens ?? 0, 'gen_ai.usage.output_tokens': r.usage?.completion_tokens ?? 0, 'gen_ai.response.finish_reasons': ['stop'] });
        span.end();
      },
      () => span.end(),
    );
    return p;
  };
  // The app's request context: a span of its own (not recorded: sampled out by being non-recording).
  const appContext = trace.setSpan(context.active(), trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }));
  const client = new OpenAI({ baseURL: provider.url, apiKey: 'sk-proj-bench0000000000000000000000000000000000000000', maxRetries: 0 });
  try {
    const once = {
      plain: async () => {
        const r = await context.with(appContext, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }));
        check(typeof r.choices[0]?.message.content === 'string', 'no answer from the mock provider');
      },
      stream: async () => {
        let chunks = 0;
        await context.with(appContext, async () => {
          const s = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
          for await (const _ of s) chunks++;
        });
        check(chunks > 1, 'the stream brought no chunks');
      },
    };
    /** @typedef {'off' | 'on' | 'floor'} Arm */
    /** @type {Record<string, Record<Arm, number[]>>} */
    const perCall = { plain: { off: [], on: [], floor: [] }, stream: { off: [], on: [], floor: [] } };
    /** Client CPU (user + system) per call, µs: what the instrumentation costs this process. */
    /** @type {Record<string, Record<Arm, number[]>>} */
    const cpuPerCall = { plain: { off: [], on: [], floor: [] }, stream: { off: [], on: [], floor: [] } };
    const methods = { off: original, on: patched, floor };
    const runRound = async (/** @type {'plain' | 'stream'} */ mode, /** @type {Arm} */ arm, /** @type {number} */ n) => {
      // Only the patched method changes between modes: enable()/disable() would also add and remove
      // the require hook, whose cost on every later require() is not the instrumentation's per call.
      proto.create = methods[arm];
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < n; i++) await once[mode]();
      const wall = (performance.now() - t) / n;
      const used = process.cpuUsage(cpu);
      return { wall, cpu: (used.user + used.system) / n };
    };
    const modes = /** @type {('plain' | 'stream')[]} */ (args['only'] === undefined ? ['plain', 'stream'] : String(args['only']).split(','));
    for (const mode of modes) {
      log(TAG, `${mode}: warm-up, ${warmup} calls each way`);
      /** @type {Arm[]} */
      const arms = ['off', 'on', 'floor'];
      for (const arm of arms) await runRound(mode, arm, warmup);
      for (let r = 0; r < rounds; r++) {
        // Rotate which goes first, so a drift in machine speed falls on every arm alike.
        for (const arm of rotated(arms, r)) {
          const { wall, cpu } = await runRound(mode, arm, calls);
          perCall[mode][arm].push(wall);
          cpuPerCall[mode][arm].push(cpu);
        }
      }
    }
    await batch.forceFlush();
    const expected = 2 * modes.length * (warmup + rounds * calls);
    check(exported === expected, `${exported} spans exported, expected one per instrumented and per floor call (${expected})`);
    const summary = (/** @type {'plain' | 'stream'} */ mode) => {
      const off = median(perCall[mode].off);
      const on = median(perCall[mode].on);
      const bare = median(perCall[mode].floor);
      const cpuOff = median(cpuPerCall[mode].off);
      const cpuOn = median(cpuPerCall[mode].on);
      const cpuFloor = median(cpuPerCall[mode].floor);
      return {
        uninstrumented_ms: round(off, 4),
        instrumented_ms: round(on, 4),
        added_us: round((on - off) * 1000, 1),
        ratio: round(on / off, 3),
        floor: { ms: round(bare, 4), added_us: round((bare - off) * 1000, 1), ratio: round(bare / off, 3) },
        client_cpu_us: { uninstrumented: round(cpuOff, 1), instrumented: round(cpuOn, 1), added: round(cpuOn - cpuOff, 1), floor_added: round(cpuFloor - cpuOff, 1) },
      };
    };
    const result = { rounds, calls_per_round: calls, ...Object.fromEntries(modes.map((m) => [m, summary(m)])), spans_exported: exported };
    for (const mode of modes) {
      const s = result[mode];
      log(TAG, `${mode}: ${s.uninstrumented_ms} ms → ${s.instrumented_ms} ms per call (+${s.added_us} µs): ${s.ratio}×; bare span floor +${s.floor.added_us} µs: ${s.floor.ratio}×; client CPU ${s.client_cpu_us.uninstrumented} → ${s.client_cpu_us.instrumented} µs per call (+${s.client_cpu_us.added}; floor +${s.client_cpu_us.floor_added})`);
    }
    return result;
  } finally {
    proto.create = patched;
    instrumentation.disable();
    await tracerProvider.shutdown();
    provider.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runChild(TAG, () => instrumentationBench(parseArgs(process.argv.slice(2))));
}
