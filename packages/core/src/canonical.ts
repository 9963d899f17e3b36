import canonicalize from 'canonicalize';
import { AuditrailError } from './errors.js';

/**
 * RFC 8785 (JCS) canonical JSON of `value`.
 *
 * Numbers must be safe integers or finite floats: integers beyond 2^53 and nanosecond times are
 * carried as strings by the event model, so this refuses anything JCS could not round-trip.
 */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) {
    throw new AuditrailError('NON_CANONICAL', 'value has no canonical JSON form (undefined or a function)');
  }
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of {@link canonicalJson}. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}
