import { type Context, context, createContextKey } from '@opentelemetry/api';

/** Who and what a unit of work belongs to. Set once per request; every span beneath carries it. */
export interface RequestContext {
  requestId?: string;
  userId?: string;
  sessionId?: string;
  /**
   * Tenant of the request. Read in-process by `AuditSpanProcessor` from the OTel context, never from
   * span attributes (which any instrumentation, or a remote app, could set).
   */
  tenantId?: string;
}

const KEY = createContextKey('auditrail.request_context');

/** The request context in `ctx` (default: the active context), if any. */
export function getRequestContext(ctx: Context = context.active()): RequestContext | undefined {
  return ctx.getValue(KEY) as RequestContext | undefined;
}

/** A context carrying `request`, merged over the request context already in `ctx`. */
export function setRequestContext(ctx: Context, request: RequestContext): Context {
  const outer = getRequestContext(ctx);
  return ctx.setValue(KEY, Object.freeze(outer ? { ...outer, ...request } : { ...request }));
}

/**
 * Runs `fn` with `request` as the request context: every span started inside, by our helpers or
 * by any other instrumentation, is attributed to it.
 *
 * @example
 * app.post('/chat', (req, res) =>
 *   withRequestContext({ requestId: req.id, userId: req.user.id, tenantId: req.user.org }, () => handle(req, res)));
 */
export function withRequestContext<T>(request: RequestContext, fn: () => T): T {
  return context.with(setRequestContext(context.active(), request), fn);
}
