import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { JsonValue } from '@auditrail/core';

/**
 * A string the canonical form accepts: lone UTF-16 surrogates (a truncated emoji, say) become
 * U+FFFD. JavaScript strings may hold them; RFC 8785 refuses them.
 */
export function wellFormed(v: string): string {
  return v.isWellFormed() ? v : v.toWellFormed();
}

export function str(a: Attributes, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === 'string') return wellFormed(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return null;
}

export function int(a: Attributes, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = a[k];
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  }
  return null;
}

export function num(a: Attributes, key: string): number | null {
  const v = a[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function strings(a: Attributes, key: string): string[] | null {
  const v = a[key];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return [v];
  return null;
}

/**
 * An attribute value as JSON the canonical form accepts: non-finite numbers (which JSON cannot
 * carry) become strings, and unsafe integers too, so that nothing is silently rounded.
 */
export function toJson(v: AttributeValue | undefined): JsonValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) && (!Number.isInteger(v) || Number.isSafeInteger(v)) ? v : String(v);
  if (Array.isArray(v)) return (v as unknown[]).map((x) => toJson(x as AttributeValue));
  if (typeof v === 'string') return wellFormed(v);
  return v as JsonValue;
}

/**
 * A content attribute (messages, tool arguments and results) as it goes into the payload: the exact
 * text the instrumentation recorded, not re-parsed. That keeps the payload byte-faithful to what
 * the app sent and saves a JSON parse plus a structural re-encoding per span (about 5 µs and much of
 * the garbage at 2 KB of messages); readers parse it when they need the structure.
 */
export function contentValue(v: AttributeValue | undefined): JsonValue {
  return typeof v === 'string' ? wellFormed(v) : toJson(v);
}
