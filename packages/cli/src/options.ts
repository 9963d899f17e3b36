import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './io.js';

type Spec = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const STORE_OPTIONS = {
  store: { type: 'string' },
  clickhouse: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Spec;

/** Filter options of query and cost. */
export const FILTER_OPTIONS = {
  tenant: { type: 'string' },
  user: { type: 'string' },
  session: { type: 'string' },
  request: { type: 'string' },
  type: { type: 'string' },
  model: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'min-cost': { type: 'string' },
  limit: { type: 'string' },
} as const satisfies Spec;

/** Parses argv strictly: an unknown option is an error that names it. */
export function parse<O extends Spec>(argv: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new CliError((cause as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), 2, { cause });
  }
}

const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** `7d`, `12h`, `30m` (before `now`), or an ISO 8601 date or time. */
export function parseTime(value: string, key: string, now = Date.now()): Date {
  const rel = /^(\d+)([smhdw])$/.exec(value);
  if (rel) return new Date(now - Number(rel[1]) * UNITS[rel[2]!]!);
  const d = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(d.getTime())) return d;
  throw new CliError(`--${key} must be a duration like 7d, 12h, 30m or an ISO date like 2026-11-01; got ${JSON.stringify(value)}`);
}

export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000) throw new CliError(`--limit must be a whole number from 1 to 100000; got ${JSON.stringify(value)}`);
  return Number(value);
}
