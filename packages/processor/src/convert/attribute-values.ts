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

/** The first string array or string among `keys` (a string becomes a one-element array), strings made well-formed. */
export function stringsOf(a: Attributes, ...keys: string[]): string[] | null {
  for (const k of keys) {
    const v = a[k];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').map(wellFormed);
    if (typeof v === 'string') return [wellFormed(v)];
  }
  return null;
}

/** The first finite number among `keys`, numeric strings included. */
export function numOf(a: Attributes, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = a[k];
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
  }
  return null;
}

/**
 * JSON text parsed, or `undefined` when it is not JSON. Span values are untrusted: bad JSON never
 * throws, and callers keep the text as it came.
 */
export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  const t = text.trimStart();
  if (t === '' || !'{["-0123456789tfn'.includes(t[0]!)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Parsed JSON when the text is JSON, else the value itself (a tool argument that is plain text stays text). */
export function jsonOrText(v: unknown): unknown {
  const parsed = parseJson(v);
  return parsed === undefined ? v : parsed;
}

export function isRecord(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

const MAX_DEPTH = 32;
const MAX_NODES = 100_000;

/**
 * Any value (a log body, parsed JSON) as JSON the canonical form accepts: strings made
 * well-formed, unsafe numbers as strings, bytes as base64, `undefined` members dropped. Values
 * from apps are untrusted: a cycle becomes `'[cycle]'`, nesting deeper than 32 levels
 * `'[too deep]'`, and past 100,000 values the rest is `'[truncated]'`. Never throws on plain data
 * (a throwing getter is the caller's to catch).
 */
export function toJsonValue(v: unknown): JsonValue | undefined {
  return toJsonWithin(v, 0, { nodes: 0, path: new Set() });
}

function toJsonWithin(v: unknown, depth: number, walk: { nodes: number; readonly path: Set<object> }): JsonValue | undefined {
  if (++walk.nodes > MAX_NODES) return '[truncated]';
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
      return wellFormed(v);
    case 'number':
      return toJson(v);
    case 'boolean':
      return v;
    case 'bigint':
      return v.toString();
    case 'object':
      break;
    default:
      return undefined;
  }
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (walk.path.has(v)) return '[cycle]';
  walk.path.add(v);
  try {
    if (Array.isArray(v)) return v.map((x) => toJsonWithin(x, depth + 1, walk) ?? null);
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) {
      const j = toJsonWithin(x, depth + 1, walk);
      if (j !== undefined) out[wellFormed(k)] = j;
    }
    return out;
  } finally {
    walk.path.delete(v);
  }
}
