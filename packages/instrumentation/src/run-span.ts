import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRequestContext } from './request-context.js';
import { ATTR_AUDITRAIL_REQUEST_ID, ATTR_ERROR_TYPE, ATTR_SESSION_ID, ATTR_USER_ID } from './semconv.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

export function tracer() {
  return trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);
}

/** Request-context attributes for a new span. */
export function contextAttributes(): Attributes {
  const rc = getRequestContext();
  if (!rc) return {};
  const a: Attributes = {};
  if (rc.requestId !== undefined) a[ATTR_AUDITRAIL_REQUEST_ID] = rc.requestId;
  if (rc.userId !== undefined) a[ATTR_USER_ID] = rc.userId;
  if (rc.sessionId !== undefined) a[ATTR_SESSION_ID] = rc.sessionId;
  return a;
}

/** Span work never breaks the app: a failure here is swallowed and the app's own code still runs. */
export function safely(work: () => void): void {
  try {
    work();
  } catch {
    // Telemetry must not change the behaviour of the code it observes.
  }
}

/**
 * Runs `fn` inside an active span. The span ends when `fn` settles; an exception from `fn` marks
 * the span as an error and is rethrown unchanged.
 */
export async function runInSpan<T>(name: string, kind: SpanKind, attributes: Attributes, fn: (span: Span) => Promise<T> | T): Promise<T> {
  let span: Span | undefined;
  const body = async (s: Span) => {
    try {
      const result = await fn(s);
      return result;
    } catch (error) {
      safely(() => {
        s.recordException(error as Error);
        s.setAttribute(ATTR_ERROR_TYPE, (error as Error)?.name ?? typeof error);
        s.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
      });
      throw error;
    } finally {
      safely(() => s.end());
    }
  };
  try {
    return await tracer().startActiveSpan(name, { kind, attributes: { ...contextAttributes(), ...attributes } }, (s) => {
      span = s;
      return body(s);
    });
  } catch (error) {
    if (span) throw error;
    // The tracer itself failed before running fn: run the app's code untraced.
    return fn(trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }));
  }
}
