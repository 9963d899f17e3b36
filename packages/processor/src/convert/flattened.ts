import type { AttributeValue, Attributes } from '@opentelemetry/api';

/** The attributes under one index of a flattened list, keyed by what follows `prefix.N.`. */
export type Entry = Map<string, AttributeValue | undefined>;

const MAX_INDEX = 10_000;

/**
 * Regroups a list that an instrumentation flattened into attributes — `prefix.0.role`,
 * `prefix.0.content`, `prefix.1.role`, … — into one entry per index, in index order. Gaps are
 * skipped; an index that is not a plain decimal (or is absurdly large) is ignored.
 *
 * @example
 * indexed({ 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'hi' }, 'gen_ai.prompt')
 * // → [Map { 'role' → 'user', 'content' → 'hi' }]
 */
export function indexed(a: Attributes | Entry, prefix: string): Entry[] {
  const start = `${prefix}.`;
  const byIndex = new Map<number, Entry>();
  const entries = a instanceof Map ? a.entries() : Object.entries(a);
  for (const [key, value] of entries) {
    if (!key.startsWith(start)) continue;
    const dot = key.indexOf('.', start.length);
    if (dot < 0) continue;
    const digits = key.slice(start.length, dot);
    if (!/^\d{1,5}$/.test(digits)) continue;
    const i = Number(digits);
    if (i > MAX_INDEX) continue;
    let entry = byIndex.get(i);
    if (entry === undefined) byIndex.set(i, (entry = new Map()));
    entry.set(key.slice(dot + 1), value);
  }
  return [...byIndex.keys()].sort((x, y) => x - y).map((i) => byIndex.get(i)!);
}

/** True when some attribute key starts with `prefix.` (without building anything). */
export function hasIndexed(a: Attributes, prefix: string): boolean {
  const start = `${prefix}.`;
  for (const key in a) if (key.startsWith(start)) return true;
  return false;
}
