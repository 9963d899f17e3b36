import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { contextAttributes, safely, tracer } from './run-span.js';
import { json } from './values.js';
import * as sc from './semconv.js';
import type { SpanReference } from './types.js';

/**
 * Records one point-in-time event of auditrail's own kinds as a span that starts and ends at once
 * (it belongs to the active trace and request context). Returns a reference decisions can rest on.
 * Never throws.
 */
function recordEvent(type: string, name: string, attributes: Attributes, error?: string): SpanReference | undefined {
  let ref: SpanReference | undefined;
  safely(() => {
    const span = tracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes: { ...contextAttributes(), [sc.ATTR_AUDITRAIL_EVENT_TYPE]: type, ...attributes } });
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    const { traceId, spanId } = span.spanContext();
    ref = { traceId, spanId };
    span.end();
  });
  return ref;
}

/** Sets `key` to `value` when it is defined; objects become JSON. */
function put(a: Attributes, key: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') a[key] = value;
  else {
    const text = json(value);
    if (text !== undefined) a[key] = text;
  }
}

export interface GuardrailOptions {
  /** The guardrail (e.g. `pii-filter`, `jailbreak-detector`). */
  name: string;
  /** The rule that fired. */
  rule: string;
  /** What it did: `blocked`, `redacted`, `flagged`, `allowed`, … */
  action: string;
  severity?: 'low' | 'medium' | 'high' | 'critical' | string;
  /** What triggered it (content: stored beside the record, by policy). */
  details?: unknown;
}

/**
 * Records that a guardrail triggered.
 *
 * @example
 * recordGuardrail({ name: 'pii-filter', rule: 'credit-card', action: 'redacted', severity: 'high' });
 */
export function recordGuardrail(o: GuardrailOptions): SpanReference | undefined {
  const a: Attributes = {};
  safely(() => {
    put(a, sc.ATTR_AUDITRAIL_GUARDRAIL_NAME, o.name);
    put(a, sc.ATTR_AUDITRAIL_GUARDRAIL_RULE, o.rule);
    put(a, sc.ATTR_AUDITRAIL_GUARDRAIL_ACTION, o.action);
    put(a, sc.ATTR_AUDITRAIL_GUARDRAIL_SEVERITY, o.severity);
    put(a, sc.ATTR_AUDITRAIL_GUARDRAIL_DETAILS, o.details);
  });
  return recordEvent('guardrail', `guardrail ${o.name}`, a);
}

export interface AuthEventOptions {
  /** `login`, `logout`, `token_issued`, `token_revoked`, `access_denied`, `mfa_challenge`, … */
  action: string;
  /** `success` or `failure`. */
  outcome: 'success' | 'failure' | string;
  /** Who (a user or service id — not a secret). */
  principal?: string;
  /** `password`, `oauth`, `api_key`, `sso`, … */
  method?: string;
  reason?: string;
}

/** Records an authentication or authorization event. */
export function recordAuthEvent(o: AuthEventOptions): SpanReference | undefined {
  const a: Attributes = {};
  safely(() => {
    put(a, sc.ATTR_AUDITRAIL_AUTH_ACTION, o.action);
    put(a, sc.ATTR_AUDITRAIL_AUTH_OUTCOME, o.outcome);
    put(a, sc.ATTR_AUDITRAIL_AUTH_PRINCIPAL, o.principal);
    put(a, sc.ATTR_AUDITRAIL_AUTH_METHOD, o.method);
    put(a, sc.ATTR_AUDITRAIL_AUTH_REASON, o.reason);
  });
  return recordEvent('auth', `auth ${o.action}`, a, o.outcome === 'failure' ? (o.reason ?? 'failure') : undefined);
}

export interface AdminActionOptions {
  /** `update_prompt`, `change_model`, `grant_role`, `rotate_key`, `change_policy`, … */
  action: string;
  /** Who did it. */
  actor: string;
  /** What it was done to. */
  target?: string;
  /** What changed, e.g. `{ from, to }` (content: stored beside the record, by policy). */
  changes?: unknown;
}

/** Records an administrative action on the AI system (configuration, prompts, models, access). */
export function recordAdminAction(o: AdminActionOptions): SpanReference | undefined {
  const a: Attributes = {};
  safely(() => {
    put(a, sc.ATTR_AUDITRAIL_ADMIN_ACTION, o.action);
    put(a, sc.ATTR_AUDITRAIL_ADMIN_ACTOR, o.actor);
    put(a, sc.ATTR_AUDITRAIL_ADMIN_TARGET, o.target);
    put(a, sc.ATTR_AUDITRAIL_ADMIN_CHANGES, o.changes);
  });
  return recordEvent('admin', `admin ${o.action}`, a);
}

export interface ErrorEventOptions {
  /** What was being done when it failed (the event's name). Default: the error's name. */
  operation?: string;
  /** The context the error happened in (content: stored beside the record, by policy). */
  context?: unknown;
}

/**
 * Records an error with its context, for failures that are not already a failed call (those are
 * recorded on the call itself).
 *
 * @example
 * try { … } catch (e) { recordError(e, { operation: 'parse_tool_arguments', context: { raw } }); throw e; }
 */
export function recordError(error: unknown, o: ErrorEventOptions = {}): SpanReference | undefined {
  const a: Attributes = {};
  let type = '_OTHER';
  let message = String(error);
  safely(() => {
    const e = error as { name?: unknown; message?: unknown };
    if (typeof e?.name === 'string') type = e.name;
    if (typeof e?.message === 'string') message = e.message;
    put(a, sc.ATTR_ERROR_TYPE, type);
    put(a, sc.ATTR_AUDITRAIL_ERROR_MESSAGE, message);
    put(a, sc.ATTR_AUDITRAIL_ERROR_CONTEXT, o.context);
  });
  return recordEvent('error', `error ${o.operation ?? type}`, a, message);
}
