// Shared helpers of the benchmark suite: statistics, a seeded PRNG, GenAI span attributes,
// temp directories, and the child-process protocol (a result message over IPC, or JSON on stdout).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Thrown when a benchmark's own correctness check fails: the run exits 1. */
export class CheckError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'CheckError';
  }
}

/**
 * Fails the benchmark (exit code 1) when `ok` is false.
 * @param {unknown} ok
 * @param {string} message
 * @returns {asserts ok}
 */
export function check(ok, message) {
  if (!ok) throw new CheckError(message);
}

/**
 * Progress line on stderr, prefixed with the benchmark's name and the time since the process began.
 * @param {string} tag
 * @param {string} message
 */
export function log(tag, message) {
  process.stderr.write(`[${(performance.now() / 1000).toFixed(1).padStart(6)}s ${tag}] ${message}\n`);
}

/**
 * `arms` in the order of round `round`, rotated by one each round: no arm always runs first or
 * right after the same other one, so a drift in machine speed falls on all alike.
 * @template T
 * @param {readonly T[]} arms
 * @param {number} round
 * @returns {T[]}
 */
export function rotated(arms, round) {
  const n = arms.length;
  return arms.map((_, i) => /** @type {T} */ (arms[(((i + round) % n) + n) % n]));
}

/**
 * Median of the values (mean of the two middle ones for an even count).
 * @param {readonly number[]} xs
 */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Percentile by the nearest-rank method (p95 of 51 values is the 49th smallest).
 * @param {readonly number[]} xs
 * @param {number} p 0..100
 */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Rounds for display and for results.json.
 * @param {number} x
 * @param {number} [digits]
 */
export function round(x, digits = 3) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * mulberry32: a tiny seeded PRNG, uniform in [0, 1). The same seed gives the same data every run.
 * @param {number} seed
 * @returns {() => number}
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Parses `--name value` and `--flag` arguments.
 * @param {readonly string[]} argv
 * @returns {Record<string, string | true>}
 */
export function parseArgs(argv) {
  /** @type {Record<string, string | true>} */
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = true;
  }
  return out;
}

/**
 * A positive integer option, accepting `1_000_000`, `1e6` and `1000000`.
 * @param {Record<string, string | true>} args
 * @param {string} name
 * @param {number} fallback
 */
export function intArg(args, name, fallback) {
  const v = args[name];
  if (v === undefined) return fallback;
  const n = Number(String(v).replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * A fresh directory under the OS temp dir.
 * @param {string} label
 */
export function tempDir(label) {
  return mkdtempSync(join(tmpdir(), `auditrail-bench-${label}-`));
}

/** @param {string} dir */
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Bytes of all files below `dir`.
 * @param {string} dir
 * @returns {number}
 */
export function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** Lets timers, I/O callbacks and promise reactions run. */
export const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/** Forces a full collection when node runs with --expose-gc; otherwise a no-op. */
export function gc() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

// ---------------------------------------------------------------------------------------------
// Modules that the root package does not depend on directly (they belong to @auditrail/clickhouse).

const clickhouseRequire = createRequire(new URL('../../packages/clickhouse/package.json', import.meta.url));

/**
 * `@clickhouse/client` and `chdb/connection` as @auditrail/clickhouse resolves them, for the
 * diagnostic client (EXPLAIN, system tables) that the benchmarks open beside a store.
 * @returns {Promise<{ createClient: Function, createChdbConnection: Function }>}
 */
export async function chdbModules() {
  const client = await import(pathToFileURL(clickhouseRequire.resolve('@clickhouse/client')).href);
  const connection = await import(pathToFileURL(clickhouseRequire.resolve('chdb/connection')).href);
  return { createClient: client.createClient, createChdbConnection: connection.createChdbConnection };
}

// ---------------------------------------------------------------------------------------------
// A GenAI client span as a real OpenAI chat instrumentation would produce it.

export const SPAN_NAME = 'chat gpt-4o-mini';

const SYSTEM_PROMPT =
  'You are the customer support assistant of an online shop. Answer briefly and politely. You may call the tools get_order, get_refund_policy and issue_refund. Never promise a refund before checking the policy; never reveal internal notes; escalate to a human when the customer is angry or the order is over 500 EUR.';

/**
 * `gen_ai.input.messages` (~1 KB) in the semantic-convention structure.
 * @param {string} tag varies the content per span where wanted
 */
function inputMessages(tag = '') {
  return JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: SYSTEM_PROMPT }] },
    {
      role: 'user',
      parts: [
        {
          type: 'text',
          content: `Hello, I ordered a pair of headphones last week (order A-1001${tag}) and the left speaker stopped working after two days. I would like a refund or a replacement, whichever is faster. I still have the box and the receipt.`,
        },
      ],
    },
    {
      role: 'assistant',
      parts: [{ type: 'tool_call', id: 'call_8Xk2', name: 'get_order', arguments: { order_id: 'A-1001' } }],
    },
    {
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'call_8Xk2', response: { order_id: 'A-1001', status: 'delivered', total_eur: 89.9, delivered_at: '2026-11-17' } }],
    },
  ]);
}

/** `gen_ai.output.messages` (~300 B). */
const OUTPUT_MESSAGES = JSON.stringify([
  {
    role: 'assistant',
    parts: [
      {
        type: 'text',
        content: 'I am sorry to hear that. Your order A-1001 was delivered on 17 November and is within the 30-day return window, so you are eligible for a full refund. Shall I issue it now?',
      },
    ],
    finish_reason: 'stop',
  },
]);

/**
 * Attributes of one GenAI client span.
 * @param {{ i?: number, payload?: boolean }} [options] `i` varies ids and content per span; `payload: false` leaves out the content attributes
 * @returns {Record<string, string | number | string[]>}
 */
export function genAiAttributes({ i = 0, payload = true } = {}) {
  /** @type {Record<string, string | number | string[]>} */
  const a = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.usage.input_tokens': 812,
    'gen_ai.usage.output_tokens': 96,
    'gen_ai.response.id': `chatcmpl-AZ8f${i.toString(36).padStart(8, '0')}`,
    'gen_ai.response.finish_reasons': ['stop'],
    'user.id': `u${String(i % 2000).padStart(4, '0')}`,
    'session.id': `sess_${(i >> 3).toString(36)}`,
    'auditrail.request.id': `req_${(i >> 1).toString(36)}`,
  };
  if (payload) {
    a['gen_ai.input.messages'] = inputMessages(i === 0 ? '' : ` #${i}`);
    a['gen_ai.output.messages'] = OUTPUT_MESSAGES;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// Child-process protocol.

/**
 * Runs a benchmark body in a child process: its result goes to the parent over IPC (or, run
 * directly, as JSON on stdout). A failed correctness check or any error exits 1.
 * @param {string} tag
 * @param {() => Promise<object>} body
 */
export async function runChild(tag, body) {
  let result;
  try {
    result = await body();
  } catch (e) {
    const err = /** @type {Error} */ (e);
    log(tag, `${err instanceof CheckError ? 'CHECK FAILED' : 'ERROR'}: ${err.stack ?? err.message}`);
    const failure = { ok: false, error: err.message, check: err instanceof CheckError };
    if (process.send) await new Promise((resolve) => process.send(failure, resolve));
    else process.stdout.write(`${JSON.stringify(failure)}\n`);
    process.exit(1);
  }
  const message = { ok: true, result };
  if (process.send) await new Promise((resolve) => process.send(message, resolve));
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  // chDB's native threads may outlive the store; the result is out, so leave now.
  process.exit(0);
}
