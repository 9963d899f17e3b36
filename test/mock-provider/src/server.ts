import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Buffer } from 'node:buffer';
import type { AddressInfo } from 'node:net';
import { errorForModel, SLOW_MODEL, SLOW_MS, SLOW_STREAM_MODEL, STREAM_ABORT_MODEL } from './error-triggers.js';
import { errorBody, MockApiError, type Dialect } from './errors.js';
import { deliver, jsonReply, sseReply, wait, type DeliveryMode, type Reply } from './reply.js';
import { ROUTES } from './routes.js';
import { sha256Hex } from './sha256.js';
import type { MockProvider, MockProviderOptions, ServedExchange } from './types.js';

/** Bodies larger than this are answered with 413 (and not buffered further). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '::0', '[::]']);
/** Header carrying the request id, per dialect (what each SDK reads as `requestID`). */
const REQUEST_ID_HEADERS: Record<Dialect, string> = { openai: 'x-request-id', anthropic: 'request-id' };
const PARSE_ERRORS: Record<Dialect, string> = {
  openai: 'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.',
  anthropic: 'There was an issue with the request body: it is not valid JSON.',
};

interface Body {
  text: string;
  tooLarge: boolean;
}

/** The request body as text, or null when the request broke off before its end. */
function readBody(req: IncomingMessage): Promise<Body | null> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else parts.push(part);
    });
    req.on('end', () => resolve({ text: tooLarge ? '' : Buffer.concat(parts).toString('utf8'), tooLarge }));
    req.on('error', () => resolve(null));
    req.on('aborted', () => resolve(null));
  });
}

function field(request: unknown, name: string): unknown {
  return typeof request === 'object' && request !== null ? (request as Record<string, unknown>)[name] : undefined;
}

/** The delivery a trigger model asks for: cut off by the server, paused halfway, or whole. */
function modeFor(model: unknown, slowMs: number): DeliveryMode {
  if (model === STREAM_ABORT_MODEL) return { kind: 'cut' };
  if (model === SLOW_STREAM_MODEL) return { kind: 'pause', ms: slowMs };
  return { kind: 'whole' };
}

/**
 * Start a deterministic mock of the OpenAI (chat completions, Responses, embeddings) and
 * Anthropic (Messages) HTTP APIs, JSON and SSE, on a loopback address. Resolves once it
 * is listening.
 */
export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const host = options.host ?? '127.0.0.1';
  if (WILDCARD_HOSTS.has(host)) {
    throw new TypeError(`mock-provider: refusing to listen on the wildcard address '${host}'; use a loopback address`);
  }
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const record = options.record ?? true;
  const slowMs = Math.max(0, options.slowMs ?? SLOW_MS);
  const served: ServedExchange[] = [];
  let sequence = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let closed = false;
    res.on('error', () => undefined);
    res.once('close', () => {
      closed = true;
    });
    sequence += 1;
    const seq = sequence;
    const body = await readBody(req);
    if (body === null || closed) return;

    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const route = method === 'POST' ? ROUTES.get(path) : undefined;
    const dialect = route?.dialect ?? (req.headers['anthropic-version'] === undefined ? 'openai' : 'anthropic');
    const headers = { [REQUEST_ID_HEADERS[dialect]]: 'req_' + sha256Hex(`${seq}\n${body.text}`).slice(0, 32) };
    let request: unknown = null;
    let delay = latencyMs;
    let mode: DeliveryMode = { kind: 'whole' };
    let reply: Reply;

    try {
      if (route === undefined) throw new MockApiError(404, `Invalid URL (${method} ${path})`);
      if (body.tooLarge) throw new MockApiError(413, `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
      try {
        request = JSON.parse(body.text);
      } catch {
        request = body.text === '' ? null : body.text;
        throw new MockApiError(400, PARSE_ERRORS[dialect]);
      }
      const model = field(request, 'model');
      const triggered = errorForModel(model, dialect);
      if (triggered) throw triggered;
      if (model === SLOW_MODEL) delay += slowMs;
      mode = modeFor(model, slowMs);
      reply =
        route.events !== undefined && field(request, 'stream') === true
          ? sseReply(route.events(request), route.named, route.done)
          : jsonReply(200, route.json(request));
    } catch (err) {
      const error =
        err instanceof MockApiError
          ? err
          : new MockApiError(500, 'The server had an error while processing your request.', 'server_error');
      reply = jsonReply(error.status, errorBody(error, dialect));
      mode = { kind: 'whole' };
    }

    // Cancellable: a client that disconnects during the delay gets nothing, and nothing throws.
    if (delay > 0 && !(await wait(res, delay))) return;
    if (closed) return;
    const outcome = await deliver(res, reply, headers, mode);
    if (!record) return;
    const exchange: ServedExchange = {
      method,
      path,
      request,
      status: reply.status,
      response: reply.response,
      stream: reply.stream,
    };
    if (outcome !== 'complete') {
      exchange.response = reply.partial(reply.cut);
      exchange.aborted = outcome;
    }
    served.push(exchange);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const hostPart = address.address.includes(':') ? `[${address.address}]` : address.address;
  const root = `http://${hostPart}:${address.port}`;
  let closing: Promise<void> | undefined;

  return {
    url: `${root}/v1`,
    anthropicUrl: root,
    get served(): readonly ServedExchange[] {
      return served;
    },
    clearServed(): void {
      served.length = 0;
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
