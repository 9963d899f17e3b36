import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { JsonValue } from '@auditrail/core';

export function str(a: Attributes, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === 'string') return v;
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
  return v as JsonValue;
}

/** Content attributes are JSON strings in the semconv structure; parse them so the payload is structured. */
export function parseContent(v: AttributeValue | undefined): JsonValue {
  if (typeof v === 'string') {
    const first = v.trimStart()[0];
    if (first === '[' || first === '{') {
      try {
        return JSON.parse(v) as JsonValue;
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    return v;
  }
  return toJson(v);
}
