/** Options of the checkpoint sinks and of the publisher that drives them. Types only. */

/** Where `CheckpointPublisher` reports a sink's first failure, its recovery and dropped checkpoints. */
export interface PublisherLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface CheckpointPublisherOptions {
  /** Wait before the first retry of a failed publication; doubled after each failure. Default 1000. */
  retryBackoffMillis?: number;
  /** The longest wait between retries. Default 60000. */
  maxBackoffMillis?: number;
  /** Checkpoints kept waiting per sink (besides those being sent) while it is down; past this the oldest are dropped and counted. Default 10000. */
  maxPending?: number;
  /** Default: none (a library never writes to the console). */
  logger?: PublisherLogger;
}

/** Counters of one sink, as `CheckpointPublisher.stats()` reports them. */
export interface CheckpointSinkStats {
  readonly name: string;
  /** Checkpoints the sink accepted. */
  readonly published: number;
  /** Publications that failed (each was retried). */
  readonly failedAttempts: number;
  /** Checkpoints waiting for the sink (including one being sent). */
  readonly pending: number;
  /** Checkpoints given up on: the oldest, past `maxPending`, and any published after `close`. */
  readonly dropped: number;
}

export interface CheckpointPublisherStats {
  readonly sinks: readonly CheckpointSinkStats[];
  /** Records refused by `publish` because they are not well-formed checkpoint records (never sent). */
  readonly rejected: number;
}

export interface SyslogCheckpointSinkOptions {
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** RFC 5424 APP-NAME: printable ASCII, at most 48 characters. Default `auditrail`. */
  appName?: string;
  /** RFC 5424 HOSTNAME. Default `os.hostname()` (characters syslog forbids become `-`). */
  hostname?: string;
  /** Syslog facility, 0–23. Default 13 (log audit). */
  facility?: number;
  /** TCP: the longest wait to connect, and for a write to be taken by the kernel. Default 10000. */
  timeoutMillis?: number;
}

export interface HttpCheckpointSinkOptions {
  /** Where each checkpoint is POSTed. User info in the URL (`https://user:pass@host/`) is sent as HTTP Basic authorization. */
  url: string;
  /** Extra request headers, e.g. `authorization: Bearer …`. Their values are never logged. */
  headers?: Record<string, string>;
  /** Per request. Default 10000. */
  timeoutMillis?: number;
}
