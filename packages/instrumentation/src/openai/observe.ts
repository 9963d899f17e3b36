import { type IterationHooks, type ObservedCall, observeIteration, observePromise } from '../auto/observed-call.js';
import { safely } from '../run-span.js';
import type { ApiPromiseLike, Operation, ResultInfo, SdkStreamLike } from './internal-types.js';

/** What a stream the app aborted is recorded as: the error the SDK throws for an aborted request that has not streamed yet. */
const USER_ABORT = { name: 'APIUserAbortError', message: 'Request was aborted.' };
/** What a stream the app stopped reading (`break`, `return()`) is recorded as. */
const ABANDONED = { name: 'stream_abandoned', message: 'The app stopped reading the stream before it ended.' };

function isApiPromise(v: unknown): v is ApiPromiseLike {
  const p = v as Partial<ApiPromiseLike> | null;
  return typeof p?.then === 'function' && typeof p.parseResponse === 'function' && typeof p.responsePromise?.then === 'function';
}

function isSdkStream(v: unknown): v is SdkStreamLike {
  return typeof (v as Partial<SdkStreamLike> | null)?.iterator === 'function';
}

/** The app (or a helper) aborted the request: the SDK's `APIUserAbortError`, or the platform's `AbortError`. */
function isAbortError(e: unknown): boolean {
  const err = e as { name?: unknown; constructor?: { name?: unknown } } | null;
  return err?.name === 'AbortError' || err?.constructor?.name === 'APIUserAbortError';
}

/** Records a result (or what a stream added up to) and ends the call. */
function record(call: ObservedCall, info: ResultInfo): void {
  call.respond(info.response, info.attributes);
  if (info.failure) call.fail(info.failure);
  else call.end();
}

/**
 * Follows the iteration of an SDK `Stream` without replacing it: its own `iterator` property is
 * wrapped, which every way of reading it goes through (`for await`, `tee()`, `toReadableStream()`,
 * the `.stream()` helpers). The call ends when the stream ends, with the accumulated answer; a
 * stream that fails mid-way, is aborted (`controller.abort()`, the request's `signal`) or is left
 * early (`break`) is recorded with what had arrived and `auditrail.call.aborted`.
 */
function observeStream(stream: SdkStreamLike, call: ObservedCall, op: Operation, capture: boolean): void {
  const acc = op.accumulator(capture);
  const signal = stream.controller?.signal;
  let settled = false;
  const settle = (end: (info: ResultInfo) => void) => {
    if (settled) return;
    settled = true;
    signal?.removeEventListener('abort', onAbort);
    safely(() => end(acc.result()));
  };
  const aborted = (error: unknown) => (info: ResultInfo) => {
    call.respond(info.response, info.attributes);
    call.fail(error, { aborted: true });
  };
  // The SDK ends an aborted stream quietly (its iterator just returns), and an app may abort a
  // stream it no longer reads: either way the abort signal says so. Deferred past the microtasks in
  // flight, so that an error or an abandonment that caused the abort is what gets recorded.
  const onAbort = () => setImmediate(() => settle(aborted(USER_ABORT)));
  signal?.addEventListener('abort', onAbort, { once: true });
  const hooks: IterationHooks<unknown> = {
    item: (value) => {
      if (!settled) acc.add(value);
    },
    done: () => settle(signal?.aborted ? aborted(USER_ABORT) : (info) => record(call, info)),
    error: (error) => settle(aborted(error)),
    abandoned: () => settle(aborted(ABANDONED)),
  };
  const holder = { [Symbol.asyncIterator]: stream.iterator };
  observeIteration(holder, hooks);
  stream.iterator = holder[Symbol.asyncIterator];
}

function onValue(value: unknown, call: ObservedCall, op: Operation, capture: boolean): void {
  if (isSdkStream(value)) observeStream(value, call, op, capture);
  else record(call, op.result(value, capture));
}

/**
 * Observes an `APIPromise` without reading the body itself: the body is read when the app asks
 * for it (`await`, `then`, `withResponse()`), through the instance's `parseResponse`, which is
 * where the result is picked up. So `asResponse()` still hands the app an unread body (the call
 * then ends when the response arrives, without usage: the app took the body), and a derived
 * promise (`_thenUnwrap`, as in `chat.completions.parse()`) is observed through the one it wraps.
 */
function observeApiPromise(p: ApiPromiseLike, call: ObservedCall, op: Operation, capture: boolean): void {
  let wanted = false; // someone asked for the parsed body
  let observed = false;
  p.responsePromise.then(
    () => {},
    (error: unknown) => call.fail(error, { aborted: isAbortError(error) }),
  );
  const parseResponse = p.parseResponse;
  p.parseResponse = function (this: unknown, ...args: unknown[]) {
    wanted = true;
    let parsed: unknown;
    try {
      parsed = parseResponse.apply(this, args);
    } catch (error) {
      call.fail(error, { aborted: true });
      throw error;
    }
    if (!observed) {
      observed = true;
      safely(() => {
        // A failure while reading the body is a response cut short (the network, or an abort).
        Promise.resolve(parsed).then(
          (value) => safely(() => onValue(value, call, op, capture)),
          (error: unknown) => call.fail(error, { aborted: true }),
        );
      });
    }
    return parsed;
  };
  const parse = p.parse;
  if (typeof parse === 'function') {
    p.parse = function (this: unknown, ...args: unknown[]) {
      wanted = true;
      return parse.apply(this, args);
    };
  }
  const asResponse = p.asResponse;
  if (typeof asResponse === 'function') {
    p.asResponse = function (this: unknown, ...args: unknown[]) {
      const raw = asResponse.apply(this, args);
      safely(() => {
        Promise.resolve(raw).then(
          () => {
            if (!wanted) call.end();
          },
          () => {},
        );
      });
      return raw;
    };
  }
}

/**
 * Observes what an instrumented SDK method returned — the SDK's own object, handed back to the app
 * untouched apart from the instance hooks above — and ends `call` when the answer is complete.
 */
export function observeResult(result: unknown, call: ObservedCall, op: Operation, capture: boolean): void {
  safely(() => {
    if (isApiPromise(result)) observeApiPromise(result, call, op, capture);
    else if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      observePromise(
        result as PromiseLike<unknown>,
        (value) => onValue(value, call, op, capture),
        (error) => call.fail(error, { aborted: isAbortError(error) }),
      );
    } else onValue(result, call, op, capture);
  });
}
