import { safely } from '../run-span.js';
import { type ObservedCall, observeIteration } from '../auto/observed-call.js';
import type { SdkStream } from './internal-types.js';
import { MessageAccumulator } from './message-accumulator.js';
import type { RecordedResponse } from './response.js';

/** Error-like values for ends the SDK reports without an error the app sees. */
function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** The app (or `MessageStream.abort()`) aborted the request: the SDK's own class name. */
const userAbort = () => named('APIUserAbortError', 'Request was aborted.');
/**
 * The app stopped reading the stream before it ended (`break`, `return()`; the SDK then aborts the
 * request). Named as the OpenAI instrumentation names it, so one query finds both.
 */
const abandoned = () => named('stream_abandoned', 'The app stopped reading the stream before it ended.');
/** The server ended the body cleanly but before `message_stop`. */
const incomplete = () => named('stream_incomplete', 'The stream ended before message_stop.');

/** An error that cut the call short: the app's abort, or the connection lost mid-answer. */
export function isCutShort(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | undefined;
  if (e?.name === 'APIUserAbortError' || e?.name === 'AbortError') return true;
  // node-fetch (the older SDKs' fetch on Node, as in 0.39) fails a body cut mid-way with a plain
  // `Error` 'Premature close', carrying Node's code for a stream that closed before its end.
  if (e?.code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
  // undici (Node's own fetch: 0.137, 1.x) fails it with `TypeError: terminated`.
  return error instanceof TypeError && e?.message === 'terminated';
}

/** Records what was received so far, then ends the call (failed when `error` is given). */
export function finish(call: ObservedCall, recorded: RecordedResponse | undefined, error?: Error | unknown, aborted = false): void {
  if (recorded) call.respond(recorded.response, recorded.attributes);
  if (error === undefined) call.end();
  else call.fail(error, { aborted });
}

/**
 * Observes the `Stream` that `messages.create({ stream: true })` resolved to, in place (same object,
 * same methods), and ends `call` when the stream does:
 *
 * - the last event read and `message_stop` seen → the whole response;
 * - the iteration ended because the request was aborted (`stream.controller.abort()`, an abort
 *   signal, `MessageStream.abort()`; the SDK then ends the iteration quietly) → `APIUserAbortError`,
 *   aborted;
 * - the iteration threw (the connection cut, an `error` event) → that error, aborted when the
 *   stream was cut short;
 * - the app stopped reading → `stream_abandoned`, aborted;
 * - the body ended cleanly before `message_stop` → `stream_incomplete`, aborted;
 * - the request aborted before anything iterated the stream → `APIUserAbortError`, aborted.
 *
 * Every end records what arrived before it (usage from `message_start`, partial content). A stream
 * that is never read nor aborted never ends its call.
 */
export function observeMessageStream(stream: SdkStream, call: ObservedCall, capture: boolean): void {
  const acc = new MessageAccumulator(capture);
  const signal = stream.controller?.signal;
  let started = false;
  let settled = false;
  const settle = (end: () => void) => {
    if (settled) return;
    settled = true;
    safely(() => signal?.removeEventListener('abort', onAbort));
    safely(end);
  };
  // The SDK aborts its own controller when an iteration fails or stops early: only an abort before
  // any iteration began is reported from here; the iteration's own end reports the others.
  const onAbort = () => {
    if (!started) settle(() => finish(call, acc.response(), userAbort(), true));
  };
  safely(() => {
    const original = stream[Symbol.asyncIterator];
    Object.defineProperty(stream, Symbol.asyncIterator, {
      configurable: true,
      writable: true,
      value: function (this: SdkStream) {
        started = true;
        return original.call(this);
      },
    });
  });
  observeIteration(stream, {
    item: (event) => acc.add(event),
    done: () =>
      settle(() => {
        if (signal?.aborted) finish(call, acc.response(), userAbort(), true);
        else if (acc.stopped) finish(call, acc.response());
        else finish(call, acc.response(), incomplete(), true);
      }),
    error: (error) => settle(() => finish(call, acc.response(), error, isCutShort(error))),
    abandoned: () => settle(() => finish(call, acc.response(), abandoned(), true)),
  });
  safely(() => signal?.addEventListener('abort', onAbort, { once: true }));
}
