import type { Attributes } from '@opentelemetry/api';
import type { LlmCallOptions, LlmResponse } from '../types.js';
import type { Json } from '../values.js';

/**
 * Shapes of the `openai` SDK objects this instrumentation touches, written out structurally: the
 * package never imports `openai` (not even its types), so one build serves every major version,
 * and the SDK's published `.d.ts` does not leak into ours.
 */

/** What a request becomes before the call: the span's options and extra request attributes. */
export interface RequestInfo {
  readonly options: LlmCallOptions;
  readonly attributes: Attributes;
}

/** What a result (or an accumulated stream) becomes. */
export interface ResultInfo {
  readonly response: LlmResponse;
  /** Response attributes beyond `LlmResponse` (service tier, system fingerprint, conversation id). */
  readonly attributes: Attributes;
  /** Set when the provider answered but reported a failure (a Responses `status: 'failed'`). */
  readonly failure?: { readonly name: string; readonly message: string };
}

/** Collects a streamed answer item by item; `result()` is what arrived so far. */
export interface StreamAccumulator {
  add(item: unknown): void;
  result(): ResultInfo;
}

/**
 * One instrumented SDK method (`chat.completions.create`, `responses.create`, `embeddings.create`).
 * `capture` says whether content is recorded: when it is not, messages are not even converted.
 */
export interface Operation {
  request(body: Json, client: ClientInfo, capture: boolean): RequestInfo;
  result(value: unknown, capture: boolean): ResultInfo;
  accumulator(capture: boolean): StreamAccumulator;
}

/** What the call's client tells about the endpoint. */
export interface ClientInfo {
  readonly provider: string;
  readonly attributes: Attributes;
}

/** An SDK method, as `_wrap` sees it. */
export type CreateMethod = (this: unknown, ...args: unknown[]) => unknown;

/** A resource class of the SDK (`Completions`, `Responses`, `Embeddings`) whose prototype is patched. */
export interface ResourceClass {
  prototype: { create: CreateMethod };
}

/** The SDK's client class, as every major version exposes it (`OpenAI.Chat.Completions`, …). */
export interface OpenAIClass {
  Chat?: { Completions?: ResourceClass };
  Responses?: ResourceClass;
  Embeddings?: ResourceClass;
}

/**
 * The SDK's `APIPromise` (v4 to v7): a Promise subclass that only reads the body when someone asks
 * for it (`then`, `parse()`, `withResponse()`); every such path goes through the instance's
 * `parseResponse`, also for derived promises (`_thenUnwrap`: `responses.create`, `chat.completions.parse`).
 */
export interface ApiPromiseLike extends PromiseLike<unknown> {
  responsePromise: Promise<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
  parse?: (...args: unknown[]) => unknown;
  asResponse?: (...args: unknown[]) => unknown;
}

/**
 * The SDK's `Stream` (v4 to v7): `Symbol.asyncIterator`, `tee()` and `toReadableStream()` all go
 * through the instance's own `iterator` property; `controller` aborts the request.
 */
export interface SdkStreamLike {
  iterator: () => AsyncIterator<unknown>;
  controller?: AbortController;
}
