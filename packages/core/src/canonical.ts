import canonicalize from 'canonicalize';
import { AuditrailError } from './errors.js';

/**
 * RFC 8785 (JCS) canonical JSON of `value`.
 *
 * Why not call `canonicalize` directly: it costs about 13 µs per audit record (a JS loop over every
 * character of every string to find lone surrogates, a Set per call, template strings per member),
 * a third of all sealing time. JCS defines string escaping and number formatting as exactly what
 * ECMAScript's JSON.stringify produces, and JSON.stringify writes members in property order, so
 * whenever every object's property order is already the JCS order (keys sorted by UTF-16 code
 * units), one native JSON.stringify call is the canonical form. `prepare` walks the value once to
 * check that, and that every string is well formed and every number finite: 3.8 instead of 5.8 µs
 * for a 1.6 KB record (`bench/canonical.mjs`). The writer builds its records in that order. Any
 * other value (keys out of order, array-index keys such as "10" before "9", which objects enumerate
 * numerically first, class instances) goes through `encode`, which sorts and concatenates member by
 * member. `canonicalize@4`, which passes the RFC's test data, stays the
 * reference: `packages/core/test/canonical.test.ts` checks the two agree byte for byte on the RFC
 * examples and on thousands of generated values; `bench/canonical.mjs` measures both.
 *
 * Refused, like canonicalize: non-finite numbers, lone surrogates, cycles. Numbers must be safe
 * integers or finite floats; integers beyond 2^53 and nanosecond times are strings in the event model.
 * Values are plain data: a getter is read once by the check and again by JSON.stringify.
 */
export function canonicalJson(value: unknown): string {
  try {
    let prepared: unknown;
    try {
      prepared = prepare(value, 0);
    } catch (e) {
      if (e !== NEEDS_ENCODER) throw e;
      return encode(value, 0);
    }
    if (prepared === undefined || typeof prepared === 'function' || typeof prepared === 'symbol') {
      throw new AuditrailError('NON_CANONICAL', `a ${typeof prepared} has no JSON form`);
    }
    return JSON.stringify(prepared);
  } catch (cause) {
    if (cause instanceof AuditrailError) throw cause;
    throw new AuditrailError('NON_CANONICAL', `value has no canonical JSON form: ${(cause as Error).message}`, { cause });
  }
}

/** Thrown by `prepare` for a value JSON.stringify would not write in JCS order. */
const NEEDS_ENCODER = Symbol('needs encoder');

/**
 * Checks that JSON.stringify of `v` is its canonical form and returns `v` (or, where a member has a
 * toJSON method, a copy holding its JSON value instead). Members JSON.stringify skips or writes as
 * null (undefined, functions, symbols) are left to it: JCS does the same. Throws AuditrailError for
 * what JCS refuses, NEEDS_ENCODER for an object that is not plain or has keys out of order.
 */
function prepare(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
      if (!v.isWellFormed()) throw new AuditrailError('NON_CANONICAL', 'lone surrogate in a string');
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new AuditrailError('NON_CANONICAL', `${v} is not a JSON number`);
      return v;
    case 'boolean':
    case 'undefined':
    case 'function':
    case 'symbol':
      return v;
    case 'object': {
      if (v === null) return v;
      if (depth > MAX_DEPTH) throw new AuditrailError('NON_CANONICAL', 'nesting too deep (or a cycle)');
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return prepare((v as { toJSON(): unknown }).toJSON(), depth + 1);
      if (Array.isArray(v)) {
        let out: unknown[] | undefined;
        for (let i = 0; i < v.length; i++) {
          const item = v[i] as unknown;
          const p = prepare(item, depth + 1);
          if (p !== item) (out ??= v.slice())[i] = p;
        }
        return out ?? v;
      }
      // Plain objects only are written as they are (JSON.stringify unwraps boxed primitives, which
      // JCS treats as objects with index keys), and only with their keys in order. Anything else is
      // left to `encode`: copying objects into order measured slower than encoding them directly.
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) throw NEEDS_ENCODER;
      const keys = Object.keys(v);
      let changed: Map<string, unknown> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (i > 0 && keys[i - 1]! > key) throw NEEDS_ENCODER;
        if (!key.isWellFormed()) throw new AuditrailError('NON_CANONICAL', 'lone surrogate in a key');
        const item = (v as Record<string, unknown>)[key];
        const p = prepare(item, depth + 1);
        if (p !== item) (changed ??= new Map()).set(key, p);
      }
      if (changed === undefined) return v;
      // A member with toJSON (a Date): the object is copied with that member's JSON value.
      const out: Record<string, unknown> = {};
      for (const key of keys) out[key] = changed.has(key) ? changed.get(key) : (v as Record<string, unknown>)[key];
      return out;
    }
    default:
      throw new AuditrailError('NON_CANONICAL', `a ${typeof v} has no JSON form`);
  }
}

/** Deeper than this is treated as a cycle: records are shallow, and recursion must stay bounded. */
const MAX_DEPTH = 256;

/**
 * Encoded object keys (`"key":`), keyed by the key. Audit records repeat the same few hundred keys
 * in every record, so a Map lookup replaces a well-formedness check and a JSON.stringify per member.
 * Bounded: past KEY_CACHE_LIMIT distinct keys, new keys are encoded without being cached.
 */
const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 10_000;

function encodeKey(key: string): string {
  let out = keyCache.get(key);
  if (out === undefined) {
    if (!key.isWellFormed()) throw new AuditrailError('NON_CANONICAL', 'lone surrogate in a key');
    out = JSON.stringify(key) + ':';
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, out);
  }
  return out;
}

function encode(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      if (!v.isWellFormed()) throw new AuditrailError('NON_CANONICAL', 'lone surrogate in a string');
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new AuditrailError('NON_CANONICAL', `${v} is not a JSON number`);
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (depth > MAX_DEPTH) throw new AuditrailError('NON_CANONICAL', 'nesting too deep (or a cycle)');
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return encode((v as { toJSON(): unknown }).toJSON(), depth + 1);
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          const item = v[i] as unknown;
          out += (i === 0 ? '' : ',') + (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : encode(item, depth + 1));
        }
        return out + ']';
      }
      const keys = Object.keys(v).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = (v as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        out += (first ? '' : ',') + encodeKey(key) + encode(item, depth + 1);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new AuditrailError('NON_CANONICAL', `a ${typeof v} has no JSON form`);
  }
}

/** The reference implementation (`canonicalize@4`), for tests and cross-checks. */
export function canonicalJsonReference(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new AuditrailError('NON_CANONICAL', 'value has no canonical JSON form');
  return out;
}
