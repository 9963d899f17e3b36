/**
 * Formats microseconds since the Unix epoch as RFC 3339 UTC with 6 fractional digits. Plain number
 * arithmetic: microsecond epoch times stay far below 2^53, and this runs once per sealed event.
 */
export function formatUtcMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const frac = String(micros - (ms - (ms % 1000)) * 1000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/**
 * Formats a time given as whole nanoseconds since the Unix epoch (a bigint) as RFC 3339 UTC with
 * `digits` fractional digits (3, 6 or 9).
 */
export function formatUtcNanos(nanos: bigint, digits: 3 | 6 | 9 = 9): string {
  const ms = nanos / 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  const frac = (nanos % 1_000_000_000n + 1_000_000_000n) % 1_000_000_000n;
  return `${base}.${frac.toString().padStart(9, '0').slice(0, digits)}Z`;
}

/** OTel's `HrTime` ([seconds, nanoseconds]) as RFC 3339 UTC with nanoseconds. */
export function formatHrTime(time: readonly [number, number]): string {
  return formatUtcNanos(BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]), 9);
}

/** Milliseconds between two `HrTime`s, rounded to microseconds. */
export function hrDurationMs(start: readonly [number, number], end: readonly [number, number]): number {
  const ns = (end[0] - start[0]) * 1e9 + (end[1] - start[1]);
  return Math.max(0, Math.round(ns / 1e3) / 1e3);
}
