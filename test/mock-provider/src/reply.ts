import { Buffer } from 'node:buffer';
import type { ServerResponse } from 'node:http';

/** A response ready to send: its body split into the parts a cut or a pause falls between. */
export interface Reply {
  status: number;
  contentType: string;
  /** Set for a JSON body; an SSE body is sent chunked. */
  contentLength?: number;
  parts: Buffer[];
  /** How many parts go out before a cut or a pause: about half, and at least one. */
  cut: number;
  stream: boolean;
  /** What `served` records once every part is sent. */
  response: unknown;
  /** What `served` records when only the first `sent` parts went out. */
  partial(sent: number): unknown;
}

/** How a reply is delivered: whole, cut off by the server after `cut` parts, or paused there. */
export type DeliveryMode = { kind: 'whole' } | { kind: 'cut' } | { kind: 'pause'; ms: number };

/** How a delivery ended: every part sent, the server cut it, or the client went away during a pause. */
export type DeliveryOutcome = 'complete' | 'server' | 'client';

/** A JSON body; cut or paused halfway through its bytes. */
export function jsonReply(status: number, body: unknown): Reply {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  const half = Math.floor(bytes.length / 2);
  return {
    status,
    contentType: 'application/json',
    contentLength: bytes.length,
    parts: [bytes.subarray(0, half), bytes.subarray(half)],
    cut: 1,
    stream: false,
    response: body,
    partial: () => bytes.subarray(0, half).toString('utf8'),
  };
}

/**
 * An SSE body: one `data: <json>` frame per event — preceded by an `event: <type>` line
 * when `named` (Responses, Anthropic) — and a final `data: [DONE]` when `done` (chat).
 */
export function sseReply(events: readonly unknown[], named: boolean, done: boolean): Reply {
  const frames = events.map((event) => {
    const data = `data: ${JSON.stringify(event)}\n\n`;
    return Buffer.from(named ? `event: ${String((event as { type?: unknown }).type)}\n${data}` : data, 'utf8');
  });
  if (done) frames.push(Buffer.from('data: [DONE]\n\n', 'utf8'));
  return {
    status: 200,
    contentType: 'text/event-stream',
    parts: frames,
    cut: Math.max(1, Math.floor(events.length / 2)),
    stream: true,
    response: events,
    partial: (sent) => events.slice(0, sent),
  };
}

/** Wait `ms`; resolves false (early) if the connection closes meanwhile. */
export function wait(res: ServerResponse, ms: number): Promise<boolean> {
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

/** Write `parts`; resolves once the last one is handed to the socket, or the connection is gone. */
function writeAll(res: ServerResponse, parts: readonly Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('close', done);
      resolve();
    };
    res.once('close', done);
    parts.forEach((part, i) => res.write(part, i === parts.length - 1 ? done : undefined));
  });
}

/** Send `reply` with `headers` in `mode`; a cut destroys the connection once the first parts are out. */
export async function deliver(
  res: ServerResponse,
  reply: Reply,
  headers: Record<string, string>,
  mode: DeliveryMode,
): Promise<DeliveryOutcome> {
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    ...(reply.contentLength === undefined
      ? { 'cache-control': 'no-cache' }
      : { 'content-length': reply.contentLength }),
    ...headers,
  });
  if (mode.kind === 'whole') {
    // Corked, the parts leave in one writev (as one body), not one TCP segment each.
    res.cork();
    for (const part of reply.parts) res.write(part);
    res.end();
    return 'complete';
  }
  await writeAll(res, reply.parts.slice(0, reply.cut));
  if (mode.kind === 'cut') {
    res.destroy();
    return 'server';
  }
  if (!(await wait(res, mode.ms))) return 'client';
  for (const part of reply.parts.slice(reply.cut)) res.write(part);
  res.end();
  return 'complete';
}
