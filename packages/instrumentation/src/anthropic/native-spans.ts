import { INVALID_SPAN_CONTEXT, type Span, type SpanContext, trace, type Tracer } from '@opentelemetry/api';
import { isJson } from '../values.js';

/**
 * A tracer whose spans record nothing and carry `spanContext`. Given to the SDK in place of its
 * own while it starts a call recorded here: with this instrumentation's span context, the SDK
 * still injects `traceparent` (of this instrumentation's span) and runs the HTTP request with it
 * active, so HTTP spans nest under the recorded call; with the invalid context, the SDK treats
 * tracing as off for that call.
 */
export function stubTracer(spanContext: SpanContext = INVALID_SPAN_CONTEXT): Tracer {
  const span = (): Span => trace.wrapSpanContext(spanContext);
  return {
    startSpan: span,
    startActiveSpan(_name: string, ...rest: unknown[]) {
      const fn = rest[rest.length - 1] as (s: Span) => unknown;
      return fn(span());
    },
  } as Tracer;
}

/**
 * Runs `fn` (the SDK method) with `tracer` in place of the client's own `_tracer`, then puts the
 * client's tracer back. The SDK (≥ 0.134) reads `_tracer` synchronously when a method starts its
 * call span; every later step of the call uses the span it got. A client without native tracing
 * (older SDKs, or `openTelemetry: false`) is left as it is, and so is one whose field cannot be set.
 */
export function withSdkTracer<T>(client: unknown, tracer: Tracer, fn: () => T): T {
  if (!isJson(client) || !client['_tracer']) return fn();
  const own = client['_tracer'];
  try {
    client['_tracer'] = tracer;
  } catch {
    return fn();
  }
  try {
    return fn();
  } finally {
    try {
      client['_tracer'] = own;
    } catch {
      // Set a moment ago, so settable; nothing else to do if not.
    }
  }
}
