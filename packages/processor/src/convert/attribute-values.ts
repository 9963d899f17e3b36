import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { JsonValue } from '@auditrail/core';

/**
 * A string the canonical form accepts: lone UTF-16 surrogates (a truncated emoji, say) become
 * U+FFFD. JavaScript strings may hold them; RFC 8785 refuses them.
 */
export function wellFormed(v: string): string {
  return v.isWellFormed() ? v : v.toWellFormed();
}

function wellFormedJson(v: JsonValue): JsonValue {
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(wellFormedJson);
  if (v !== null && typeof v === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) out[wellFormed(k)] = wellFormedJson(x);
    return out;
  }
  return v;
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

/** Content attributes are JSON strings in the semconv structure; parse them so the payload is structured. */
export function parseContent(v: AttributeValue | undefined): JsonValue {
  if (typeof v === 'string') {
    const first = v.trimStart()[0];
    if (first === '[' || first === '{') {
      try {
        // JSON.parse turns \ud800 escapes into lone surrogates: make the result well-formed too.
        return wellFormedJson(JSON.parse(v) as JsonValue);
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    return wellFormed(v);
  }
  return toJson(v);
}
