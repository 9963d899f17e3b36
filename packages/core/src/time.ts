/**
 * `YYYY-MM-DDTHH:MM:SS` of a whole second since the Unix epoch. The writer stamps and formats
 * thousands of times per second, almost all within the same second: the last second's text is
 * kept, so a Date is built and formatted once per second instead of once or twice per event.
 */
let cachedSecond = Number.NaN;
let cachedSecondText = '';
function isoSecond(second: number): string {
  if (second !== cachedSecond) {
    cachedSecondText = new Date(second * 1000).toISOString().slice(0, 19);
    cachedSecond = second;
  }
  return cachedSecondText;
}

/**
 * Formats microseconds since the Unix epoch as RFC 3339 UTC with 6 fractional digits. Plain number
 * arithmetic: microsecond epoch times stay far below 2^53, and this runs once per sealed event.
 */
export function formatUtcMicros(micros: number): string {
  const second = Math.floor(micros / 1_000_000);
  return `${isoSecond(second)}.${String(micros - second * 1_000_000).padStart(6, '0')}Z`;
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
  const [seconds, nanos] = time;
  // The normal form ([whole seconds, 0 <= nanos < 1e9]) needs no bigint; anything else (negative or
  // carried nanoseconds) is normalized by the exact formatter.
  if (Number.isSafeInteger(seconds) && seconds >= 0 && Number.isInteger(nanos) && nanos >= 0 && nanos < 1_000_000_000) {
    return `${isoSecond(seconds)}.${String(nanos).padStart(9, '0')}Z`;
  }
  return formatUtcNanos(BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]), 9);
}

/** Milliseconds between two `HrTime`s, rounded to microseconds. */
export function hrDurationMs(start: readonly [number, number], end: readonly [number, number]): number {
  const ns = (end[0] - start[0]) * 1e9 + (end[1] - start[1]);
  return Math.max(0, Math.round(ns / 1e3) / 1e3);
}
