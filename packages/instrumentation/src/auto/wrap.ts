/** An SDK method as the wrappers see it. */
export type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Marks our own wrappers, with the instrumentation that made each: shared by every copy of this
 * package loaded in the process, so two copies (or two instances) never record a call twice.
 */
const OURS = Symbol.for('auditrail.instrumentation.wrapper');

interface Wrapper {
  [OURS]?: object;
  __original?: unknown;
  __unwrap?: () => void;
}

/** Set while we unwrap our own wrapper: the only time its `__unwrap` does anything. */
let unwrapping = false;

/** The instrumentation whose wrapper is in the chain of wrappers of `fn` (ours may sit under another one). */
export function wrappedBy(fn: unknown): object | undefined {
  let f: unknown = fn;
  while (typeof f === 'function') {
    const owner = (f as Wrapper)[OURS];
    if (owner) return owner;
    f = (f as Wrapper).__original;
  }
  return undefined;
}

function define(target: object, name: string, value: Method, descriptor: PropertyDescriptor | undefined): void {
  Object.defineProperty(target, name, { configurable: true, enumerable: descriptor?.enumerable ?? false, writable: true, value });
}

/**
 * Wraps `target[name]` in the shape shimmer gives its wrappers (`__wrapped`, `__original`,
 * `__unwrap`), which `isWrapped` and other instrumentations recognise — but not with
 * InstrumentationBase's `_wrap`, because that first unwraps whatever wrapper it finds: another
 * GenAI instrumentation's (OTel's instrumentation-openai, OpenLLMetry, OpenInference: it would
 * stop working), or, when another one wraps after us, ours (the audit would silently stop
 * recording). So our wrapper goes on top of any other, and its `__unwrap` does nothing unless we
 * call it ourselves: another instrumentation's `_wrap` then stacks on top of ours instead of
 * removing it, and its own unwrap puts ours back. A wrapper left under another one must do
 * nothing while its instrumentation is disabled.
 */
export function wrapMethod(target: object, name: string, wrapper: Method, owner: object): void {
  const original = (target as Record<string, unknown>)[name];
  const descriptor = Object.getOwnPropertyDescriptor(target, name);
  Object.defineProperties(wrapper, {
    [OURS]: { value: owner },
    __original: { value: original },
    __wrapped: { value: true },
    __unwrap: {
      value: () => {
        if (unwrapping && (target as Record<string, unknown>)[name] === wrapper) define(target, name, original as Method, descriptor);
      },
    },
  });
  define(target, name, wrapper, descriptor);
}

/** Removes `owner`'s wrapper when it is on top; under another instrumentation's it stays (inert once disabled). */
export function unwrapMethod(target: object, name: string, owner: object): void {
  const top = (target as Record<string, unknown>)[name];
  if (typeof top !== 'function' || (top as Wrapper)[OURS] !== owner) return;
  unwrapping = true;
  try {
    (top as Wrapper).__unwrap?.();
  } finally {
    unwrapping = false;
  }
}
