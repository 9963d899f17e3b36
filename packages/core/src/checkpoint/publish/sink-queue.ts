import type { CheckpointRecord, CheckpointSink } from '../checkpoint-record.js';
import type { CheckpointSinkStats, PublisherLogger } from './types.js';

/** A sink gets at most this many checkpoints per call: a file is synced once per call when catching up, and a failed call is retried whole. */
const MAX_BATCH = 100;

export interface SinkQueueConfig {
  readonly retryBackoffMillis: number;
  readonly maxBackoffMillis: number;
  readonly maxPending: number;
  readonly logger: PublisherLogger;
}

/** A checkpoint waiting for one sink, numbered in the order it was queued. */
interface Entry {
  readonly seq: number;
  readonly record: CheckpointRecord;
}

/**
 * The checkpoints waiting for one sink, and the loop that sends them: in order, one call at a
 * time; a failed call is kept and retried after a backoff that doubles up to `maxBackoffMillis`.
 * While the sink is down, at most `maxPending` checkpoints wait (besides those being sent): past
 * that the oldest are dropped and counted, because a later checkpoint of a stream commits to
 * everything an older one does, so the oldest are the cheapest to lose.
 */
export class SinkQueue {
  readonly sink: CheckpointSink;
  readonly #config: SinkQueueConfig;
  /** Waiting, oldest first; a failed batch goes back to the front. */
  #queue: Entry[] = [];
  /** The batch the sink is being given now (older than everything in #queue). */
  #inflight: Entry[] = [];
  #queued = 0;
  #published = 0;
  #failedAttempts = 0;
  #dropped = 0;
  #backoff: number;
  /** Since the first failure, until a call succeeds: the failure and the recovery are logged once each. */
  #failing = false;
  #warnedFull = false;
  #running = false;
  /** No new checkpoints (the publisher is closing). */
  #closed = false;
  /** No more calls to the sink (the publisher has closed). */
  #stopped = false;
  /** Ends the backoff wait at once (a flush, or close). */
  #wake: (() => void) | undefined;
  /** Flushes waiting for every checkpoint numbered below `seq` to be published or dropped. */
  #waiters: { readonly seq: number; readonly resolve: () => void }[] = [];

  constructor(sink: CheckpointSink, config: SinkQueueConfig) {
    this.sink = sink;
    this.#config = config;
    this.#backoff = config.retryBackoffMillis;
  }

  push(record: CheckpointRecord): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    this.#queue.push({ seq: this.#queued++, record });
    this.#trim();
    if (!this.#running) {
      this.#running = true;
      void this.#run();
    }
  }

  stats(): CheckpointSinkStats {
    return { name: this.sink.name, published: this.#published, failedAttempts: this.#failedAttempts, pending: this.#inflight.length + this.#queue.length, dropped: this.#dropped };
  }

  /**
   * Resolves once every checkpoint queued so far is published (or dropped), or after
   * `timeoutMillis`, whichever comes first. A sink waiting to retry is retried now.
   */
  flushed(timeoutMillis: number): Promise<void> {
    const seq = this.#queued;
    if (this.#stopped || this.#oldestPending() >= seq) return Promise.resolve();
    this.#backoff = this.#config.retryBackoffMillis;
    this.#wake?.();
    return new Promise((resolve) => {
      const waiter = {
        seq,
        resolve: () => {
          clearTimeout(timer);
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      // Not unref()-ed: whoever flushes waits for this, and the process must live until the deadline.
      const timer = setTimeout(waiter.resolve, timeoutMillis);
      this.#waiters.push(waiter);
    });
  }

  /** Takes no more checkpoints; those queued are still sent until `stop`. */
  close(): void {
    this.#closed = true;
  }

  /** Makes no more calls to the sink (one under way may still finish); says what was left unpublished. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
    const left = this.#inflight.length + this.#queue.length;
    if (left > 0) this.#config.logger.error(`auditrail: checkpoint sink ${this.sink.name}: closed with ${left} checkpoints not published`);
  }

  async #run(): Promise<void> {
    // The caller of publish() returns before the sink is called.
    await undefined;
    try {
      while (this.#queue.length > 0 && !this.#stopped) {
        this.#inflight = this.#queue.splice(0, MAX_BATCH);
        try {
          await this.sink.publish(this.#inflight.map((e) => e.record));
          this.#succeeded();
        } catch (e) {
          this.#failed(e);
          await this.#sleep(this.#backoff);
          this.#backoff = Math.min(this.#backoff * 2, this.#config.maxBackoffMillis);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  #succeeded(): void {
    this.#published += this.#inflight.length;
    this.#inflight = [];
    this.#backoff = this.#config.retryBackoffMillis;
    if (this.#failing) {
      this.#failing = false;
      this.#warnedFull = false;
      this.#config.logger.warn(`auditrail: checkpoint sink ${this.sink.name} recovered; publishing resumed`);
    }
    this.#settle();
  }

  #failed(e: unknown): void {
    this.#failedAttempts++;
    this.#queue.unshift(...this.#inflight);
    this.#inflight = [];
    this.#trim();
    if (!this.#failing) {
      this.#failing = true;
      const message = (e as Error)?.message ?? String(e);
      // Sinks name themselves in their errors; the log line names the sink once.
      const reason = message.startsWith(`${this.sink.name}: `) ? message.slice(this.sink.name.length + 2) : message;
      this.#config.logger.error(`auditrail: checkpoint sink ${this.sink.name} failed, retrying with backoff: ${reason}`);
    }
  }

  /** Drops the oldest waiting checkpoints past `maxPending`, counted, with one warning per outage. */
  #trim(): void {
    const over = this.#queue.length - this.#config.maxPending;
    if (over <= 0) return;
    this.#queue.splice(0, over);
    this.#dropped += over;
    if (!this.#warnedFull) {
      this.#warnedFull = true;
      this.#config.logger.warn(`auditrail: checkpoint sink ${this.sink.name}: more than ${this.#config.maxPending} checkpoints pending; dropping the oldest (counted as dropped)`);
    }
    this.#settle();
  }

  /** The number of the oldest checkpoint not yet published or dropped (the next number when none is). */
  #oldestPending(): number {
    return (this.#inflight[0] ?? this.#queue[0])?.seq ?? this.#queued;
  }

  #settle(): void {
    const oldest = this.#oldestPending();
    for (const w of this.#waiters.filter((x) => x.seq <= oldest)) w.resolve();
  }

  /** A backoff wait that `#wake` ends early; unref()-ed, so that an idle process can exit while a sink is down. */
  #sleep(millis: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, millis);
      timer.unref();
      this.#wake = done;
    });
  }
}
