import { z } from 'zod';
import { AuditrailError } from '../../errors.js';
import type { CheckpointRecord, CheckpointSink } from '../checkpoint-record.js';
import { readCheckpointRecord } from './checkpoint-log.js';
import { SinkQueue } from './sink-queue.js';
import type { CheckpointPublisherOptions, CheckpointPublisherStats, PublisherLogger } from './types.js';

const optionsSchema = z
  .object({
    retryBackoffMillis: z.number().int().min(1).default(1_000),
    maxBackoffMillis: z.number().int().min(1).default(60_000),
    maxPending: z.number().int().min(1).default(10_000),
    logger: z.custom<PublisherLogger>((v) => typeof (v as PublisherLogger)?.warn === 'function' && typeof (v as PublisherLogger)?.error === 'function', 'an object with warn and error methods').optional(),
  })
  .refine((o) => o.maxBackoffMillis >= o.retryBackoffMillis, { path: ['maxBackoffMillis'], message: 'must not be less than retryBackoffMillis' });

const noop = (): void => undefined;

/** Calls the logger, if any; a logger that throws must not stop publication (or reach the app). */
function safeLogger(logger: PublisherLogger | undefined): PublisherLogger {
  if (logger === undefined) return { warn: noop, error: noop };
  const call = (f: (m: string) => void) => (m: string) => {
    try {
      f.call(logger, m);
    } catch {
      // Nothing to do: the logger is the only place this could be said.
    }
  };
  return { warn: call(logger.warn), error: call(logger.error) };
}

/**
 * Publishes signed checkpoints to sinks outside the database (DESIGN.md §2, invariant 2), so that
 * a truncation of the events behind a published checkpoint can be detected by someone who never
 * trusted the database. A sink that is down never stops ingest:
 *
 * - `publish(record)` returns at once and never throws: each sink has its own queue, sent in
 *   order, one call at a time, so a slow or dead sink does not hold up the others;
 * - a failed call is kept and retried with exponential backoff (`retryBackoffMillis`, doubling up
 *   to `maxBackoffMillis`; timers do not keep the process alive), counted in `failedAttempts`;
 *   a sink's first failure and its recovery are logged, not every retry;
 * - past `maxPending` waiting checkpoints per sink the oldest are dropped, counted in `dropped`
 *   (one warning per outage): a later checkpoint of a stream covers everything an older one does;
 * - delivery is at least once: a call that failed part way is retried whole.
 *
 * @example
 * const publisher = new CheckpointPublisher([checkpointSinkFromUrl('file:/var/log/auditrail/checkpoints.jsonl')], { logger });
 * publisher.publish(signCheckpoint(signer, { streamId, origin, size, root }));
 * await publisher.close(5_000);
 */
export class CheckpointPublisher {
  readonly #queues: readonly SinkQueue[];
  readonly #logger: PublisherLogger;
  #rejected = 0;
  #closing: Promise<void> | undefined;

  /** Throws `INVALID_CONFIG` on bad options (at start-up, never later). */
  constructor(sinks: readonly CheckpointSink[], options: CheckpointPublisherOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new AuditrailError('INVALID_CONFIG', `checkpoint publisher: ${i.path.join('.') || 'options'}: ${i.message}`);
    }
    sinks.forEach((s, n) => {
      if (typeof s?.publish !== 'function') throw new AuditrailError('INVALID_CONFIG', `checkpoint publisher: sinks[${n}] is not a CheckpointSink (an object with publish(records))`);
    });
    this.#logger = safeLogger(parsed.data.logger);
    const config = { ...parsed.data, logger: this.#logger };
    this.#queues = sinks.map((s) => new SinkQueue(s, config));
  }

  /**
   * Queues the checkpoint for every sink and returns; never throws. A record that is not a
   * well-formed checkpoint record is not sent (a sink could never accept it, and would hold up
   * every later one): it is counted in `rejected` and logged.
   */
  publish(record: CheckpointRecord): void {
    try {
      const checked = readCheckpointRecord(record);
      if (typeof checked === 'string') {
        this.#rejected++;
        this.#logger.error(`auditrail: checkpoint not published, not a checkpoint record: ${checked}`);
        return;
      }
      for (const q of this.#queues) q.push(checked);
    } catch (e) {
      this.#rejected++;
      this.#logger.error(`auditrail: checkpoint not published: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  stats(): CheckpointPublisherStats {
    return { sinks: this.#queues.map((q) => q.stats()), rejected: this.#rejected };
  }

  /**
   * Tries to deliver every checkpoint published so far (a sink waiting to retry is retried now), and
   * resolves when all are delivered or after `timeoutMillis`, whichever comes first; never rejects.
   * What is still pending shows in `stats()`.
   */
  async flush(timeoutMillis = 10_000): Promise<void> {
    await Promise.all(this.#queues.map((q) => q.flushed(timeoutMillis)));
  }

  /**
   * Takes no more checkpoints (later ones are counted as dropped), flushes, then closes the sinks;
   * resolves within `timeoutMillis` even when a sink hangs. What could not be published is logged.
   * Idempotent.
   */
  close(timeoutMillis = 10_000): Promise<void> {
    this.#closing ??= (async () => {
      const deadline = performance.now() + timeoutMillis;
      for (const q of this.#queues) q.close();
      await this.flush(timeoutMillis);
      for (const q of this.#queues) q.stop();
      await this.#closeSinks(Math.max(0, deadline - performance.now()));
    })();
    return this.#closing;
  }

  /** Closes every sink, waiting at most `millis` for them. */
  async #closeSinks(millis: number): Promise<void> {
    const closing = this.#queues.map(async (q) => {
      try {
        await q.sink.close?.();
      } catch (e) {
        this.#logger.error(`auditrail: checkpoint sink ${q.sink.name} did not close cleanly: ${(e as Error)?.message ?? String(e)}`);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, millis)));
    await Promise.race([Promise.all(closing), deadline]);
    clearTimeout(timer);
  }
}
