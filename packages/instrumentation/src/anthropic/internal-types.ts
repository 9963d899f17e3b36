/**
 * The shapes of `@anthropic-ai/sdk` this instrumentation touches, written structurally: the SDK is
 * not a dependency (nothing imports it, not even its types), and every value is checked at run
 * time (`../values.ts`) because apps can pass anything.
 */

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
