import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as GenaiPrices from '@pydantic/genai-prices';
import { GENAI_PRICES_PROVIDER_IDS } from './provider-ids.js';
import { type Rate, type Rates, rateOf } from './rates.js';

const PACKAGE = '@pydantic/genai-prices';

/** A start-date constraint (from that UTC day on) or a time-of-day window (UTC seconds, may wrap midnight). */
type Constraint = { readonly kind: 'from'; readonly ms: number } | { readonly kind: 'window'; readonly start: number; readonly end: number };

/**
 * A model's prices over time, as genai-prices publishes them: the last period whose constraint
 * holds at the call's time applies, else the first. `rates` is null for a period that prices
 * nothing auditrail measures (say, audio hours only): calls then are unpriced, never $0.
 */
export interface PriceSchedule {
  readonly periods: readonly { readonly constraint: Constraint | null; readonly rates: Rates | null }[];
}

interface Loaded {
  readonly lib: typeof GenaiPrices;
  readonly source: string;
}

let loaded: Loaded | undefined;

/**
 * Loads genai-prices on first use (its bundled data is ~800 KB of JavaScript, 25 ms to load: a
 * process that never reaches it, like `auditrail verify`, never pays for it). Only the bundled
 * data is used: auditrail never calls `updatePrices`, so nothing is fetched at runtime.
 */
function load(): Loaded {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    const lib = require(PACKAGE) as typeof GenaiPrices;
    let version = 'unknown';
    try {
      // The package exports no ./package.json; it sits one level above the resolved entry (dist/).
      const pkg = JSON.parse(readFileSync(join(dirname(require.resolve(PACKAGE)), '..', 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE && typeof pkg.version === 'string') version = pkg.version;
    } catch {
      // Priced all the same; the source then says the version is unknown.
    }
    loaded = { lib, source: `${PACKAGE}@${version}` };
  }
  return loaded;
}

/** The price source recorded for prices from the bundled data, e.g. `@pydantic/genai-prices@0.1.8`. */
export function genaiPricesSource(): string {
  return load().source;
}

/** genai-prices price keys that auditrail's usage (GenAI semconv) can be charged against. */
const KEYS: Readonly<Record<string, keyof Rates>> = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cacheRead',
  cache_write_mtok: 'cacheWrite',
  output_reasoning_mtok: 'reasoning',
  requests_kcount: 'requests',
};

function ratesOf(prices: Record<string, unknown>): Rates | null {
  const rates: { -readonly [K in keyof Rates]: Rate } = {};
  for (const [key, field] of Object.entries(KEYS)) {
    if (prices[key] === undefined) continue;
    const rate = rateOf(prices[key]);
    if (rate === null) return null;
    rates[field] = rate;
  }
  return rates.input || rates.output || rates.requests ? rates : null;
}

/** `HH:MM:SS[.fff](Z|±HH:MM)` → seconds after midnight UTC, as genai-prices reads it. */
function secondsUtc(text: unknown): number | null {
  const m = typeof text === 'string' ? /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text) : null;
  if (!m) return null;
  const [, h, min, s, frac = '', , sign, oh = '00', om = '00'] = m;
  if (Number(h) > 23 || Number(min) > 59 || Number(s) > 59 || Number(oh) > 23 || Number(om) > 59) return null;
  const offset = (Number(oh) * 60 + Number(om)) * 60 * (sign === '-' ? -1 : sign === '+' ? 1 : 0);
  return (Number(h) * 3600 + Number(min) * 60 + Number(s) + Number(`0.${frac}`) - offset + 86400) % 86400;
}

function constraintOf(c: unknown): Constraint | null | undefined {
  if (c === undefined || c === null) return null;
  const o = c as { type?: unknown; start_date?: unknown; start_time?: unknown; end_time?: unknown };
  if ((o.type === 'start_date' || o.type === undefined) && typeof o.start_date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(o.start_date)) {
    const ms = Date.parse(`${o.start_date}T00:00:00Z`);
    return Number.isNaN(ms) ? undefined : { kind: 'from', ms };
  }
  if (o.type === 'time_of_date' || (o.type === undefined && o.start_time !== undefined)) {
    const start = secondsUtc(o.start_time);
    const end = secondsUtc(o.end_time);
    return start === null || end === null ? undefined : { kind: 'window', start, end };
  }
  return undefined; // a constraint this version does not understand: the model is unpriced
}

function scheduleOf(model: GenaiPrices.ModelInfo): PriceSchedule | null {
  if (!Array.isArray(model.prices)) return { periods: [{ constraint: null, rates: ratesOf(model.prices) }] };
  const periods: PriceSchedule['periods'][number][] = [];
  for (const p of model.prices) {
    const constraint = constraintOf(p.constraint);
    if (constraint === undefined) return null;
    periods.push({ constraint, rates: ratesOf(p.prices) });
  }
  return periods.length > 0 ? { periods } : null;
}

/** The rates in force at `at`, selected as genai-prices selects them. */
export function ratesAt(schedule: PriceSchedule, at: Date): Rates | null {
  const { periods } = schedule;
  if (periods.length === 1) return periods[0]!.rates;
  const ms = at.getTime();
  if (Number.isNaN(ms)) return null;
  const second = (((ms % 86_400_000) + 86_400_000) % 86_400_000) / 1000;
  for (let i = periods.length - 1; i >= 0; i--) {
    const { constraint: c, rates } = periods[i]!;
    if (c === null) return rates;
    if (c.kind === 'from' ? ms >= c.ms : c.end < c.start ? second >= c.start || second < c.end : second >= c.start && second < c.end) return rates;
  }
  return periods[0]!.rates;
}

/**
 * The genai-prices schedule of a model, or null when genai-prices does not know it. The provider
 * is a `gen_ai.provider.name` value; the model is matched by genai-prices' own rules (which also
 * read `-20250929` as `-2025-09-29`).
 */
export function lookupGenaiPrices(provider: string, model: string): PriceSchedule | null {
  const { lib } = load();
  const name = provider.toLowerCase();
  const id = GENAI_PRICES_PROVIDER_IDS[name] ?? name;
  if (lib.findProvider({ providerId: id })?.id !== id) return null;
  // Empty usage: this call only resolves the model (and validates its price entry); the cost is
  // computed by auditrail in exact decimals from the rates, not from genai-prices' float totals.
  const found = lib.calcPrice({}, model, { providerId: id });
  return found ? scheduleOf(found.model) : null;
}
