import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Buffer } from 'node:buffer';
import type { AddressInfo } from 'node:net';
import { errorForModel, SLOW_MODEL, SLOW_MS } from './error-triggers.js';
import { MockApiError } from './errors.js';
import { createChatCompletion, createChatCompletionChunks } from './openai-chat.js';
import { createEmbeddingResponse } from './openai-embeddings.js';
import { sha256Hex } from './sha256.js';
import type { MockProvider, MockProviderOptions, ServedExchange } from './types.js';

const CHAT_PATH = '/v1/chat/completions';
const ROUTES = new Map<string, (request: unknown) => unknown>([
  [CHAT_PATH, createChatCompletion],
  ['/v1/embeddings', createEmbeddingResponse],
]);
/** Bodies larger than this are answered with 413 (and not buffered further). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '::0', '[::]']);

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

/** Wait `ms`; resolves false (early) if the connection closes meanwhile. */
function wait(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text, 'utf8'),
    'x-request-id': requestId,
  });
  res.end(text);
}

function sendSse(res: ServerResponse, chunks: readonly unknown[], requestId: string): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': requestId,
  });
  for (const chunk of chunks) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  res.end('data: [DONE]\n\n');
}

function modelOf(request: unknown): unknown {
  return typeof request === 'object' && request !== null ? (request as Record<string, unknown>)['model'] : undefined;
}

/**
 * Start a deterministic mock of the OpenAI HTTP API (chat completions, JSON and
 * SSE, and embeddings) on a loopback address. Resolves once it is listening.
 */
export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const host = options.host ?? '127.0.0.1';
  if (WILDCARD_HOSTS.has(host)) {
    throw new TypeError(`mock-provider: refusing to listen on the wildcard address '${host}'; use a loopback address`);
  }
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const record = options.record ?? true;
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
    const requestId = 'req_' + sha256Hex(`${seq}\n${body.text}`).slice(0, 32);
    const exchange: ServedExchange = { method, path, request: null, status: 200, response: null, stream: false };
    let delay = latencyMs;
    let send: () => void;

    try {
      const route = method === 'POST' ? ROUTES.get(path) : undefined;
      if (route === undefined) throw new MockApiError(404, `Invalid URL (${method} ${path})`);
      if (body.tooLarge) throw new MockApiError(413, `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
      let request: unknown;
      try {
        request = JSON.parse(body.text);
      } catch {
        exchange.request = body.text === '' ? null : body.text;
        throw new MockApiError(
          400,
          'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.',
        );
      }
      exchange.request = request;
      const model = modelOf(request);
      const triggered = errorForModel(model);
      if (triggered) throw triggered;
      if (model === SLOW_MODEL) delay += SLOW_MS;
      const isStream =
        path === CHAT_PATH && (request as Record<string, unknown>)['stream'] === true;
      if (isStream) {
        const chunks = createChatCompletionChunks(request);
        exchange.stream = true;
        exchange.response = chunks;
        send = () => sendSse(res, chunks, requestId);
      } else {
        const payload = route(request);
        exchange.response = payload;
        send = () => sendJson(res, 200, payload, requestId);
      }
    } catch (err) {
      const error =
        err instanceof MockApiError
          ? err
          : new MockApiError(500, 'The server had an error while processing your request.', 'server_error');
      exchange.status = error.status;
      exchange.stream = false;
      exchange.response = error.body;
      send = () => sendJson(res, error.status, error.body, requestId);
    }

    // Cancellable: a client that disconnects during the delay gets nothing, and nothing throws.
    if (delay > 0 && !(await wait(res, delay))) return;
    if (closed) return;
    send();
    if (record) served.push(exchange);
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
  const url = `http://${hostPart}:${address.port}/v1`;
  let closing: Promise<void> | undefined;

  return {
    url,
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
