import type { CreateMethod } from './internal-types.js';

/** Marks our own wrappers (shared by every copy of this package loaded in the process). */
const OURS = Symbol.for('auditrail.openai.create');

interface Wrapper {
  [OURS]?: true;
  __original?: unknown;
  __unwrap?: () => void;
}

type Resource = { create: CreateMethod };

/** Set while we unwrap our own wrapper: the only time its `__unwrap` does anything. */
let unwrapping = false;

/** Whether our wrapper is in the chain of wrappers of `fn` (ours may sit under another one). */
export function patchedByUs(fn: unknown): boolean {
  let f: unknown = fn;
  while (typeof f === 'function') {
    if ((f as Wrapper)[OURS]) return true;
    f = (f as Wrapper).__original;
  }
  return false;
}

function define(proto: Resource, value: CreateMethod, descriptor: PropertyDescriptor | undefined): void {
  Object.defineProperty(proto, 'create', { configurable: true, enumerable: descriptor?.enumerable ?? false, writable: true, value });
}

/**
 * Wraps `proto.create` in the shape shimmer gives its wrappers (`__wrapped`, `__original`,
 * `__unwrap`), which `isWrapped` and other instrumentations recognise — but not with
 * InstrumentationBase's `_wrap`, because that first unwraps whatever wrapper it finds: another
 * GenAI instrumentation's (OTel's instrumentation-openai, OpenLLMetry, OpenInference: it would
 * stop working), or, when another one wraps after us, ours (the audit would silently stop
 * recording). So our wrapper goes on top of any other, and its `__unwrap` does nothing unless we
 * call it ourselves: another instrumentation's `_wrap` then stacks on top of ours instead of
 * removing it, and its own unwrap puts ours back.
 */
export function wrapCreate(proto: Resource, wrapper: CreateMethod): void {
  const original = proto.create;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'create');
  Object.defineProperties(wrapper, {
    [OURS]: { value: true },
    __original: { value: original },
    __wrapped: { value: true },
    __unwrap: {
      value: () => {
        if (unwrapping && proto.create === wrapper) define(proto, original, descriptor);
      },
    },
  });
  define(proto, wrapper, descriptor);
}

/** Removes our wrapper when it is on top; under another instrumentation's it stays (inert once disabled). */
export function unwrapCreate(proto: Resource): void {
  const top = proto.create as Wrapper;
  if (!top[OURS]) return;
  unwrapping = true;
  try {
    top.__unwrap?.();
  } finally {
    unwrapping = false;
  }
}
