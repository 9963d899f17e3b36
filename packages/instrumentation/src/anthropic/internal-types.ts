/**
 * The shapes of `@anthropic-ai/sdk` this instrumentation touches, written structurally: the SDK is
 * not a dependency (nothing imports it, not even its types), and every value is checked at run
 * time because apps can pass anything.
 */

/** A plain object as JSON gives it. */
export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A resource method as the SDK defines it on `Messages.prototype`. */
export type SdkMethod = (this: unknown, ...args: unknown[]) => unknown;

/** `Messages.prototype` of the SDK (`client.messages`, `client.beta.messages`). */
export interface MessagesPrototype {
  create: SdkMethod;
  stream?: SdkMethod;
}

/** A `Stream` of server-sent events: an async iterable with the request's abort controller. */
export interface SdkStream extends AsyncIterable<unknown> {
  controller?: { signal?: AbortSignal };
}
