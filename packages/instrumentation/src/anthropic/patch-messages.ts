import type { Tracer } from '@opentelemetry/api';
import { ObservedCall } from '../auto/observed-call.js';
import { safely } from '../run-span.js';
import { isJson, type Json } from '../values.js';
import { observeApiPromise } from './api-promise.js';
import type { SdkMethod, SdkStream } from './internal-types.js';
import { stubTracer, withSdkTracer } from './native-spans.js';
import { callOptions, extraRequestAttributes, providerOf, serverAttributes } from './request.js';
import { recordedMessage } from './response.js';
import { finish, isCutShort, observeMessageStream } from './stream.js';

/** What a patched method reads at each call (the config can change after patching). */
export interface PatchSettings {
  /** False once the instrumentation is disabled: a wrapper another one's sits on then does nothing. */
  enabled(): boolean;
  tracer(): Tracer;
  captureContent(): boolean;
  replaceSdkSpans(): boolean;
}

function clientOf(resource: unknown): unknown {
  return isJson(resource) ? resource['_client'] : undefined;
}

function isStream(value: unknown): value is SdkStream {
  return isJson(value) && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/**
 * `Messages.prototype.create`, recorded: a `chat {model}` span starts before the SDK sends the
 * request, the SDK runs with it active, and the app gets the SDK's own `APIPromise` back. The span
 * ends when the response is parsed, or for `stream: true` when the stream ends (see
 * `observeMessageStream`). `messages.stream()` and `messages.parse()` call this method, so they are
 * recorded here, once.
 */
export function patchCreate(original: SdkMethod, settings: PatchSettings): SdkMethod {
  return function create(this: unknown, ...args: unknown[]) {
    const [params, options] = args;
    if (!isJson(params) || !settings.enabled()) return original.apply(this, args);
    const client = clientOf(this);
    let call: ObservedCall | undefined;
    let capture = false;
    let replace = false;
    safely(() => {
      capture = settings.captureContent();
      replace = settings.replaceSdkSpans();
      call = ObservedCall.start(settings.tracer(), callOptions(params, options, providerOf(client), capture), capture, { ...serverAttributes(client), ...extraRequestAttributes(params) });
    });
    const observed = call;
    if (!observed) return original.apply(this, args);
    let result: unknown;
    try {
      result = observed.run(() =>
        replace ? withSdkTracer(client, stubTracer(observed.span.spanContext()), () => original.apply(this, args)) : original.apply(this, args),
      );
    } catch (error) {
      observed.fail(error);
      throw error;
    }
    observeResult(result, observed, params, capture);
    return result;
  };
}

function observeResult(result: unknown, call: ObservedCall, params: Json, capture: boolean): void {
  observeApiPromise(result, {
    value: (value) => {
      if (params['stream'] === true && isStream(value)) observeMessageStream(value, call, capture);
      else finish(call, recordedMessage(value, capture));
    },
    error: (error) => finish(call, undefined, error, isCutShort(error)),
    unread: () => call.end(),
  });
}

/**
 * `Messages.prototype.stream`: the `MessageStream` helper starts the SDK's own span before it calls
 * `create()`, which records the call. When replacing SDK spans, that helper span is not started
 * (the SDK is given a tracer whose spans are invalid, which it treats as tracing off); the
 * `MessageStream` the app gets is the SDK's, untouched.
 */
export function patchStream(original: SdkMethod, settings: PatchSettings): SdkMethod {
  return function stream(this: unknown, ...args: unknown[]) {
    let replace = false;
    safely(() => (replace = settings.enabled() && settings.replaceSdkSpans()));
    if (!replace) return original.apply(this, args);
    return withSdkTracer(clientOf(this), stubTracer(), () => original.apply(this, args));
  };
}
