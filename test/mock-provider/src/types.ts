/** Options of {@link startMockProvider}. */
export interface MockProviderOptions {
  /** TCP port; default 0 (an ephemeral port chosen by the OS). */
  port?: number;
  /** Loopback address to listen on; default '127.0.0.1'. Wildcard addresses are refused. */
  host?: string;
  /** Delay before the first byte of every response; default 0. */
  latencyMs?: number;
  /** Record every exchange in `served`; default true. Turn off for benchmarks. */
  record?: boolean;
  /** Delay of the `mock-slow` and `mock-slow-stream` models; default 2000 (`SLOW_MS`). */
  slowMs?: number;
}

/** One request/response pair the mock has answered. */
export interface ServedExchange {
  method: string;
  /** Request path without the query string, e.g. '/v1/chat/completions'. */
  path: string;
  /** Parsed JSON body (the raw text when it was not valid JSON; null when empty). */
  request: unknown;
  status: number;
  /**
   * The JSON body sent, or for SSE the array of event (chunk) objects. For an aborted
   * exchange, only what went out: the events sent, or the text of the partial JSON body.
   */
  response: unknown;
  stream: boolean;
  /**
   * Present only when the response was not sent whole: `'server'` when the mock cut the
   * connection (`mock-stream-abort`), `'client'` when the client went away mid-response
   * (`mock-slow-stream`).
   */
  aborted?: 'server' | 'client';
}

/** A running mock provider. */
export interface MockProvider {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:43123/v1 — pass as `baseURL` to `new OpenAI()`. */
  readonly url: string;
  /**
   * The server root without /v1, e.g. http://127.0.0.1:43123 — pass as `baseURL` to
   * `new Anthropic()` (the Anthropic SDK appends /v1/messages itself).
   */
  readonly anthropicUrl: string;
  /** Every answered exchange, in the order responses completed (empty when `record` is false). */
  readonly served: readonly ServedExchange[];
  /** Forget the recorded exchanges. */
  clearServed(): void;
  /** Stop listening and close every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}
