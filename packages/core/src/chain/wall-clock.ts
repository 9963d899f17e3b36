import { performance } from 'node:perf_hooks';

/** A source of authoritative time in microseconds since the Unix epoch. */
export type Clock = () => number;

/**
 * Wall clock with microsecond resolution: the process's time origin plus the monotonic
 * `performance.now()`, so readings never go backwards while the process runs.
 */
export const wallClockMicros: Clock = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);
