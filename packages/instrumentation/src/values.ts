import type { Attributes } from '@opentelemetry/api';

/**
 * Readers for values taken from request bodies, responses and stream events, shared by the helpers
 * and both SDK instrumentations: nothing an app or a provider sends is trusted to have a shape.
 */

/** A JSON object: a request body, a response, a stream event. */
export type Json = Record<string, unknown>;

/** A non-null object that is not an array. */
export function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A finite number (NaN and the infinities are not counts). */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function array(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Sets `key` only when `value` is defined: attributes never carry undefined. */
export function put(a: Attributes, key: string, value: string | number | boolean | string[] | undefined): void {
  if (value !== undefined) a[key] = value;
}

/** A JSON string of `value`, or undefined when it is undefined or cannot be serialized. */
export function json(value: unknown): string | undefined {
  try {
    return value === undefined ? undefined : JSON.stringify(value);
  } catch {
    return undefined;
  }
}
