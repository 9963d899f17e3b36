/** Options of `AuditLogRecordProcessor`. */
export interface AuditLogRecordProcessorOptions {
  /**
   * Most GenAI log records held while their span has not been sealed yet (for spans the processor
   * cannot follow by object: records of a span from another process, say). Beyond it the oldest
   * are evicted, counted in `stats().evicted`. Default 10000.
   */
  maxBufferedRecords?: number;
  /** Most records held for one span. Beyond it records are counted in `stats().dropped`. Default 1000. */
  maxRecordsPerSpan?: number;
  /**
   * How long a record waits for its span, in milliseconds, when the processor cannot follow the
   * span by object. It must outlast the longest model call (a stream's input messages are logged
   * when it starts). Default 600000 (10 minutes).
   */
  maxAgeMillis?: number;
}

/** Counters of the log record processor. */
export interface LogRecordStats {
  /** GenAI log records taken in. */
  readonly captured: number;
  /** Records whose content reached their span's audit record. */
  readonly joined: number;
  /** Records that came after their span's record was sealed (their content is not in it). */
  readonly late: number;
  /** Records evicted because the buffer was full, or expired without their span. */
  readonly evicted: number;
  /** Records past `maxRecordsPerSpan`, or that could not be read. */
  readonly dropped: number;
}

/**
 * The part of an OTel SDK log record (`ReadWriteLogRecord` of `@opentelemetry/sdk-logs`) that the
 * processor reads; declared here so that the processor has no dependency on the logs SDK.
 */
export interface LogRecordLike {
  readonly hrTime?: readonly [number, number];
  readonly spanContext?: { readonly traceId: string; readonly spanId: string } | undefined;
  readonly eventName?: string | undefined;
  readonly attributes?: { readonly [key: string]: unknown };
  readonly body?: unknown;
}
