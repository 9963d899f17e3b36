import { Worker } from 'node:worker_threads';
import type { JsonValue, UnsealedRecord } from '../event/schema.js';
import type { SealedPayload } from '../chain/payload-digest.js';
import { applyWire, failClosed, redactAndSeal, toWire, type WireEvent, type WireResult } from './redact-event.js';
import { parseRedactionConfig, type RedactionConfig, Redactor } from './redactor.js';

type Fields = { [key: string]: JsonValue };

/** One event to redact: its record (changed in place) and the payload kept beside it. */
export interface RedactionItem {
  readonly record: UnsealedRecord;
  readonly payload: Fields | null;
}

export interface RedactionThreadOptions {
  /** Redact in a worker thread (default), or on the calling thread. */
  worker?: boolean;
  /** A job the worker has not answered in this long is given up on: the worker is restarted. Default 60 s. */
  jobTimeoutMillis?: number;
  logger?: { warn(message: string): void; error(message: string): void };
  /** Where the worker entry is, for a bundle that moves it (default: `redaction-worker.js` beside this module). */
  workerUrl?: URL;
}

/** Messages between the thread and its worker. */
export type ToWorker = { readonly id: number; readonly events: readonly WireEvent[] };
export type FromWorker = { readonly ready: true } | { readonly id: number; readonly results: readonly WireResult[] };

interface Job {
  readonly id: number;
  readonly items: readonly RedactionItem[];
  readonly events: readonly WireEvent[];
  readonly resolve: (payloads: (SealedPayload | null)[]) => void;
  /** Workers that died while this job was theirs. */
  deaths: number;
}

/** A worker that dies before it says it is ready this many times in a row is not started again. */
const MAX_START_FAILURES = 3;
/** A job on which this many workers died is failed closed (it may be what kills them). */
const MAX_JOB_DEATHS = 2;

/**
 * The worker entry, next to this file once built. Tests run this package from its TypeScript
 * sources, where the entry is the built one (`pnpm test` builds first).
 */
const WORKER_URL = import.meta.url.endsWith('.ts') ? new URL('../../dist/redact/redaction-worker.js', import.meta.url) : new URL('./redaction-worker.js', import.meta.url);

/**
 * Redaction off the caller's thread: events go to a worker thread in batches and come back
 * redacted, their payloads sealed, in order. Only the strings redaction reads cross over, and only what changed comes
 * back. `redact` never rejects and loses nothing:
 * - a worker that dies (or does not answer a job within `jobTimeoutMillis`) is replaced and its
 *   jobs are sent again; a job on which two workers died is failed closed (`failClosed`);
 * - if no worker can start at all (a bundle without the worker file, a platform without threads),
 *   redaction runs on the calling thread, with a warning.
 */
export class RedactionThread {
  readonly #config: RedactionConfig;
  readonly #options: RedactionThreadOptions;
  readonly #jobs = new Map<number, Job>();
  #nextId = 0;
  #worker: Worker | undefined;
  #ready = false;
  #startFailures = 0;
  /** Redaction runs on the calling thread for good (asked for, or no worker could start). */
  #inline = false;
  /** The calling thread's redactor: for inline mode, and for a batch that cannot cross to the worker. */
  #local: Redactor | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** Validates `config` now (an `INVALID_CONFIG` error names the first bad option); the worker starts with the first job. */
  constructor(config: RedactionConfig, options: RedactionThreadOptions = {}) {
    parseRedactionConfig(config);
    this.#config = config;
    this.#options = options;
    this.#inline = options.worker === false;
  }

  /** Whether batches go to a worker thread (false once redaction runs on the calling thread for good). */
  get inWorker(): boolean {
    return !this.#inline && !this.#closed;
  }

  /** Events waiting for the worker. */
  get pending(): number {
    let n = 0;
    for (const job of this.#jobs.values()) n += job.items.length;
    return n;
  }

  /**
   * Redacts the records in place and seals their payloads (canonical content and commitment: the
   * rest of the heavy work on an event's content); resolves to the sealed payloads, in the order of
   * `items`.
   */
  redact(items: readonly RedactionItem[]): Promise<(SealedPayload | null)[]> {
    if (this.#inline || this.#closed) return Promise.resolve(this.#redactHere(items));
    return new Promise((resolve) => {
      let job: Job | undefined;
      try {
        job = { id: this.#nextId++, items, events: items.map((i) => toWire(i.record, i.payload)), resolve, deaths: 0 };
        this.#jobs.set(job.id, job);
        const worker = this.#worker ?? this.#start();
        if (worker === undefined) return;
        if (this.#jobs.size === 1) worker.ref();
        this.#send(worker, job);
      } catch (e) {
        // What cannot cross to the worker (a value structured clone refuses) is redacted here.
        if (job !== undefined) this.#jobs.delete(job.id);
        this.#options.logger?.warn(`auditrail: redacting a batch on the app's thread: ${(e as Error).message}`);
        resolve(this.#redactHere(items));
      }
    });
  }

  /** Stops the worker. Jobs still waiting are redacted here first. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#runPendingHere();
    if (worker !== undefined) await worker.terminate();
  }

  #redactHere(items: readonly RedactionItem[]): (SealedPayload | null)[] {
    const redactor = (this.#local ??= new Redactor(this.#config));
    return items.map((i) => redactAndSeal(redactor, i.record, i.payload));
  }

  #runPendingHere(): void {
    this.#clearWatchdog();
    for (const job of this.#jobs.values()) job.resolve(this.#redactHere(job.items));
    this.#jobs.clear();
  }

  #start(): Worker | undefined {
    let worker: Worker;
    try {
      worker = new Worker(this.#options.workerUrl ?? WORKER_URL, { workerData: { config: this.#config }, name: 'auditrail-redaction' });
    } catch (e) {
      this.#goInline(`cannot start a worker thread (${(e as Error).message})`);
      return undefined;
    }
    this.#worker = worker;
    this.#ready = false;
    // The worker never keeps the process alive by itself; a job waiting for it does (see redact).
    worker.unref();
    worker.on('message', (m: FromWorker) => this.#onMessage(worker, m));
    worker.on('error', (e) => this.#onDeath(worker, e.message));
    worker.on('exit', (code) => this.#onDeath(worker, `exited with code ${code}`));
    return worker;
  }

  #send(worker: Worker, job: Job): void {
    const message: ToWorker = { id: job.id, events: job.events };
    worker.postMessage(message);
    this.#watchdog ??= this.#armWatchdog(worker);
  }

  #onMessage(worker: Worker, m: FromWorker): void {
    if (worker !== this.#worker) return;
    if ('ready' in m) {
      this.#ready = true;
      this.#startFailures = 0;
      return;
    }
    const job = this.#jobs.get(m.id);
    if (job === undefined) return;
    this.#jobs.delete(m.id);
    this.#clearWatchdog();
    const payloads = job.items.map((item, i) => applyWire(item.record, m.results[i]!));
    if (this.#jobs.size === 0) worker.unref();
    else this.#watchdog = this.#armWatchdog(worker);
    job.resolve(payloads);
  }

  #onDeath(worker: Worker, why: string): void {
    if (worker !== this.#worker) return;
    this.#worker = undefined;
    this.#clearWatchdog();
    void worker.terminate();
    if (this.#closed) return;
    if (!this.#ready && ++this.#startFailures >= MAX_START_FAILURES) {
      this.#goInline(`its worker thread did not start (${why})`);
      return;
    }
    this.#options.logger?.error(`auditrail: redaction worker stopped (${why}); starting another`);
    // The oldest job is the one the worker was on.
    const first = this.#jobs.values().next().value;
    if (first !== undefined && this.#ready && ++first.deaths >= MAX_JOB_DEATHS) {
      this.#jobs.delete(first.id);
      this.#options.logger?.error(`auditrail: ${first.items.length} events could not be redacted; stored without their content (fail closed)`);
      first.resolve(first.items.map((i) => failClosed(i.record)));
    }
    if (this.#jobs.size === 0) return;
    const next = this.#start();
    if (next === undefined) return;
    next.ref();
    for (const job of this.#jobs.values()) this.#send(next, job);
  }

  #goInline(why: string): void {
    this.#options.logger?.warn(`auditrail: redaction runs on the app's thread: ${why}`);
    this.#inline = true;
    this.#worker = undefined;
    this.#runPendingHere();
  }

  #armWatchdog(worker: Worker): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.#watchdog = undefined;
      this.#onDeath(worker, `no answer within ${this.#options.jobTimeoutMillis ?? 60_000} ms`);
    }, this.#options.jobTimeoutMillis ?? 60_000);
    timer.unref();
    return timer;
  }

  #clearWatchdog(): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }
}
