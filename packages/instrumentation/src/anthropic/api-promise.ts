import { observePromise } from '../auto/observed-call.js';
import { safely } from '../run-span.js';
import { isJson } from '../values.js';

export interface ApiPromiseHooks {
  /** The parsed response: a `Message`, or a `Stream` for `stream: true`. */
  value(value: unknown): void;
  error(error: unknown): void;
  /** The app took the raw `Response` (`asResponse()`) without parsing it: the body is the app's. */
  unread(): void;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

function replace(target: object, name: string, make: (original: Method) => Method): boolean {
  const original = (target as Record<string, unknown>)[name];
  if (typeof original !== 'function') return false;
  Object.defineProperty(target, name, { configurable: true, writable: true, value: make(original as Method) });
  return true;
}

/**
 * Observes the SDK's `APIPromise` without changing what it does, and returns nothing: the app keeps
 * the very object the SDK returned.
 *
 * An `APIPromise` parses the response body only when the app asks for it (`await`, `then`,
 * `withResponse()`); `asResponse()` hands over the raw `Response` with its body unread. Attaching
 * `then` eagerly (`observePromise` on the APIPromise itself) would read the body, and the app's
 * `(await p.asResponse()).json()` would then fail with "Body is unusable". So the observer hooks the
 * instance's own `parse()` (what `then`, `catch`, `finally` and `withResponse()` all go through) and
 * `asResponse()`, and attaches to what they return, when the app calls them. The observer's branch
 * handles rejections itself, so it never adds an unhandled rejection, and never hides the app's.
 *
 * A thenable of another shape is observed through its own `then`, also lazily.
 */
export function observeApiPromise(promise: unknown, hooks: ApiPromiseHooks): void {
  safely(() => {
    if (!isJson(promise)) return;
    let observed = false;
    const attach = (result: unknown, onValue: (v: unknown) => void) => {
      if (observed || !isJson(result) || typeof result['then'] !== 'function') return;
      observed = true;
      observePromise(result as unknown as PromiseLike<unknown>, onValue, hooks.error);
    };
    const parses = replace(promise, 'parse', (original) =>
      function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        attach(result, hooks.value);
        return result;
      },
    );
    if (parses) {
      replace(promise, 'asResponse', (original) =>
        function (this: unknown, ...args: unknown[]) {
          const result = original.apply(this, args);
          // withResponse() parses first, then asks for the Response: only a bare asResponse() is unread.
          attach(result, () => hooks.unread());
          return result;
        },
      );
      return;
    }
    replace(promise, 'then', (original) =>
      function (this: unknown, ...args: unknown[]) {
        if (!observed) {
          observed = true;
          safely(() => void original.call(this, (v: unknown) => safely(() => hooks.value(v)), (e: unknown) => safely(() => hooks.error(e))));
        }
        return original.apply(this, args);
      },
    );
  });
}
