import type { CapturedLog } from './captured-log.js';
import type { ResolvedLogOptions } from './config.js';
import type { LogRecordStats } from './types.js';

interface Pending {
  readonly logs: CapturedLog[];
  readonly expires: number;
}

/**
 * GenAI log records waiting for their span's record. Records of a live span of this process are
 * kept on the span object (a WeakMap: they go when the span does); others by trace and span id, in
 * a map bounded in size and age. Either way the span takes them when it is sealed, whichever came
 * first: in the normal flow a span ends after its log records, but a record that arrives after its
 * span ended and before the processor sealed it (within the processor's sealing delay) still
 * joins it.
 */
export class LogContentStore {
  readonly #maxBuffered: number;
  readonly #maxPerSpan: number;
  readonly #maxAge: number;
  readonly #onSpan = new WeakMap<object, CapturedLog[]>();
  readonly #sealed = new WeakSet<object>();
  readonly #byId = new Map<string, Pending>();
  #buffered = 0;
  #captured = 0;
  #joined = 0;
  #late = 0;
  #evicted = 0;
  #dropped = 0;

  constructor(options: ResolvedLogOptions) {
    this.#maxBuffered = options.maxBufferedRecords;
    this.#maxPerSpan = options.maxRecordsPerSpan;
    this.#maxAge = options.maxAgeMillis;
  }

  stats(): LogRecordStats {
    return { captured: this.#captured, joined: this.#joined, late: this.#late, evicted: this.#evicted, dropped: this.#dropped };
  }

  /** Keeps a record for its span: on `span` (the live span object) when given, else by id. */
  add(span: object | undefined, traceId: string, spanId: string, log: CapturedLog): 'kept' | 'late' | 'dropped' {
    this.#captured++;
    if (span === undefined) return this.#addById(`${traceId}-${spanId}`, log);
    if (this.#sealed.has(span)) {
      this.#late++;
      return 'late';
    }
    const logs = this.#onSpan.get(span);
    if (logs === undefined) this.#onSpan.set(span, [log]);
    else if (logs.length < this.#maxPerSpan) logs.push(log);
    else {
      this.#dropped++;
      return 'dropped';
    }
    return 'kept';
  }

  /** Counts a record that could not be read. */
  countDropped(): void {
    this.#dropped++;
  }

  /** The records of a span being sealed, removed from the store; later ones for it count as late. */
  take(span: object, traceId: string, spanId: string): CapturedLog[] | undefined {
    this.#sealed.add(span);
    let logs = this.#onSpan.get(span);
    if (logs !== undefined) this.#onSpan.delete(span);
    if (this.#byId.size > 0) {
      const key = `${traceId}-${spanId}`;
      const pending = this.#byId.get(key);
      if (pending !== undefined) {
        this.#byId.delete(key);
        this.#buffered -= pending.logs.length;
        logs = logs === undefined ? pending.logs : [...logs, ...pending.logs];
      }
    }
    if (logs !== undefined) this.#joined += logs.length;
    return logs;
  }

  /** Forgets what waits by id (at shutdown): counted as evicted. */
  clear(): void {
    for (const [key, pending] of this.#byId) this.#evict(key, pending);
  }

  #addById(key: string, log: CapturedLog): 'kept' | 'dropped' {
    const now = Date.now();
    this.#expire(now);
    const pending = this.#byId.get(key);
    if (pending !== undefined && pending.logs.length >= this.#maxPerSpan) {
      this.#dropped++;
      return 'dropped';
    }
    if (pending === undefined) this.#byId.set(key, { logs: [log], expires: now + this.#maxAge });
    else pending.logs.push(log);
    this.#buffered++;
    // Over the bound: the oldest spans' records go first (a Map iterates in insertion order).
    while (this.#buffered > this.#maxBuffered) this.#evictOldest();
    return 'kept';
  }

  /** Entries were inserted in time order with one age limit, so the expired ones are a prefix. */
  #expire(now: number): void {
    for (const [key, pending] of this.#byId) {
      if (pending.expires > now) return;
      this.#evict(key, pending);
    }
  }

  #evictOldest(): void {
    for (const [key, pending] of this.#byId) return this.#evict(key, pending);
  }

  #evict(key: string, pending: Pending): void {
    this.#byId.delete(key);
    this.#buffered -= pending.logs.length;
    this.#evicted += pending.logs.length;
  }
}
