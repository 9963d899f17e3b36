import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { contextAttributes, safely } from '../run-span.js';
import { requestAttributes, responseAttributes } from '../llm-call.js';
import * as sc from '../semconv.js';
import type { LlmCallOptions, LlmResponse } from '../types.js';

/** Attributes that carry content: left out when content capture is off. */
const REQUEST_CONTENT = [sc.ATTR_GEN_AI_INPUT_MESSAGES, sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, sc.ATTR_GEN_AI_TOOL_DEFINITIONS];

/**
 * One GenAI client call seen by an auto-instrumentation: a CLIENT span named `{operation} {model}`,
 * started before the SDK sends the request and ended exactly once — when the response (or the last
 * chunk of a stream) arrived, the call failed, or the app abandoned the stream. Nothing here
 * throws into the app: every span operation is guarded.
 */
export class ObservedCall {
  readonly span: Span;
  /** The active context with this call's span: the SDK's own HTTP spans nest under it. */
  readonly context: Context;
  readonly #captureContent: boolean;
  #ended = false;

  private constructor(span: Span, captureContent: boolean) {
    this.span = span;
    this.context = trace.setSpan(context.active(), span);
    this.#captureContent = captureContent;
  }

  /**
   * Starts the span with the request context, the request and the SDK's own `extra` attributes, all
   * given at start (one pass, and samplers see them). Returns undefined when even that fails: the
   * app's call then runs untraced.
   */
  static start(tracer: Tracer, options: LlmCallOptions, captureContent: boolean, extra?: Attributes): ObservedCall | undefined {
    try {
      const attributes: Attributes = Object.assign(contextAttributes(), requestAttributes(options), extra);
      if (!captureContent) for (const key of REQUEST_CONTENT) delete attributes[key];
      const span = tracer.startSpan(`${options.operation ?? 'chat'} ${options.model}`, { kind: SpanKind.CLIENT, attributes });
      return new ObservedCall(span, captureContent);
    } catch {
      return undefined;
    }
  }

  /**
   * Records the response: id, model, finish reasons, usage, output messages when capturing content,
   * and the SDK's own `extra` attributes, in one `setAttributes`.
   */
  respond(response: LlmResponse, extra?: Attributes): void {
    safely(() => {
      const attributes = responseAttributes(this.#captureContent ? response : { ...response, outputMessages: undefined });
      this.span.setAttributes(extra ? Object.assign(attributes, extra) : attributes);
    });
  }

  /**
   * Marks the call failed and ends it. `error.type` is the error's class name (`RateLimitError`,
   * `APIConnectionTimeoutError`, `AbortError`, …); `aborted` says the app or the network cut the
   * call short (the record then says so in `auditrail.call.aborted`).
   */
  fail(error: unknown, options: { aborted?: boolean } = {}): void {
    safely(() => {
      if (this.#ended) return;
      const e = error as { name?: unknown; message?: unknown; status?: unknown; constructor?: { name?: unknown } } | undefined;
      // openai's error classes keep `name` 'Error': their class name says what happened.
      const ctor = typeof error === 'object' && error !== null ? e?.constructor?.name : undefined;
      const type =
        typeof e?.name === 'string' && e.name !== 'Error'
          ? e.name
          : typeof ctor === 'string' && ctor !== 'Error' && ctor !== 'Object'
            ? ctor
            : typeof e?.status === 'number'
              ? String(e.status)
              : '_OTHER';
      this.span.setAttribute(sc.ATTR_ERROR_TYPE, type);
      if (options.aborted) this.span.setAttribute(sc.ATTR_AUDITRAIL_CALL_ABORTED, true);
      if (error instanceof Error) this.span.recordException(error);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: typeof e?.message === 'string' ? e.message : String(error) });
    });
    this.end();
  }

  /** Ends the span once; later calls do nothing. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    safely(() => this.span.end());
  }

  /** Runs `fn` (the SDK's original method) with this call's span active. */
  run<T>(fn: () => T): T {
    return context.with(this.context, fn);
  }
}

/**
 * Calls `onValue` or `onError` when `promise` settles and returns `promise` itself, unchanged, and
 * the app still sees its own rejection (the observer's branch handles it, so observing never creates
 * an unhandled rejection of its own).
 *
 * Not for the SDKs' lazy `APIPromise`s: their `then` parses (reads) the HTTP body, after which the
 * app's own `asResponse()` finds the body used. The OpenAI and Anthropic instrumentations observe
 * those through the SDK's own parse step instead.
 */
export function observePromise<P extends PromiseLike<unknown>>(
  promise: P,
  onValue: (value: Awaited<P>) => void,
  onError: (error: unknown) => void,
): P {
  safely(() => {
    promise.then(
      (value) => safely(() => onValue(value as Awaited<P>)),
      (error: unknown) => safely(() => onError(error)),
    );
  });
  return promise;
}

export interface IterationHooks<T> {
  /** Each item the app receives. */
  item(value: T): void;
  /** The iteration reached its end. */
  done(): void;
  /** The iteration threw (network cut, server error mid-stream, abort signal). */
  error(error: unknown): void;
  /** The app stopped iterating early (`break`, `return()`): the call is recorded as abandoned. */
  abandoned(): void;
}

/**
 * Observes the iteration of an SDK stream object in place: its `Symbol.asyncIterator` is wrapped on
 * the instance, so the object the app holds (with its SDK methods: `controller`, `tee()`,
 * `toReadableStream()`, `finalMessage()`…) is the same object. Exactly one of done / error /
 * abandoned is reported, once, whichever iterator the app or the SDK itself drives.
 */
export function observeIteration<T>(target: AsyncIterable<T>, hooks: IterationHooks<T>): void {
  safely(() => {
    const original = target[Symbol.asyncIterator];
    if (typeof original !== 'function') return;
    let settled = false;
    const settle = (report: () => void) => {
      if (settled) return;
      settled = true;
      safely(report);
    };
    Object.defineProperty(target, Symbol.asyncIterator, {
      configurable: true,
      writable: true,
      value: function (this: AsyncIterable<T>): AsyncIterator<T> {
        const inner = original.call(this) as AsyncIterator<T>;
        return {
          async next(...args: [] | [undefined]) {
            let result: IteratorResult<T>;
            try {
              result = await inner.next(...args);
            } catch (error) {
              settle(() => hooks.error(error));
              throw error;
            }
            if (result.done) settle(() => hooks.done());
            else safely(() => hooks.item(result.value));
            return result;
          },
          async return(value?: unknown) {
            settle(() => hooks.abandoned());
            return inner.return ? inner.return(value) : { done: true as const, value: value as T };
          },
          async throw(error?: unknown) {
            settle(() => hooks.error(error));
            if (inner.throw) return inner.throw(error);
            throw error;
          },
          [Symbol.asyncIterator]() {
            return this;
          },
        } as AsyncIterator<T>;
      },
    });
  });
}
