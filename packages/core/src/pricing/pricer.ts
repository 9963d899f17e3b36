import type { Usage } from '../event/schema.js';
import { formatUsd } from './decimal.js';
import { genaiPricesSource, lookupGenaiPrices, type PriceSchedule, ratesAt } from './genai-prices.js';
import type { PriceTable } from './price-table.js';
import { costUnits, type Rates, rateOf } from './rates.js';

export interface Cost {
  /** Decimal USD, or null when the call cannot be priced (unpriced — never $0). */
  readonly cost_usd: string | null;
  /** Names the price data and its version, e.g. `@pydantic/genai-prices@0.1.8` or an override table's `source`. */
  readonly price_source: string | null;
}

export interface PricerOptions {
  /** Local price tables, searched in order before the bundled genai-prices data. */
  overrides?: readonly PriceTable[];
  /** Use the bundled genai-prices data after the overrides. Default true. */
  bundled?: boolean;
}

/** Prices LLM calls. Never throws: whatever cannot be priced is unpriced. */
export interface Pricer {
  /**
   * The cost of one call. `usage` follows the OTel GenAI conventions (input includes cache reads
   * and writes, output includes reasoning). `at` is the call's time, which selects the price in
   * force then (genai-prices has dated and time-of-day prices); default now.
   */
  price(provider: string | null, model: string | null, usage: Usage | null, at?: Date): Cost;
}

const UNPRICED: Cost = Object.freeze({ cost_usd: null, price_source: null });

/** A model's prices from one source: fixed rates (an override) or a genai-prices schedule. */
type Found = { readonly source: string; readonly rates: Rates } | { readonly source: string; readonly schedule: PriceSchedule };

/**
 * Distinct provider/model pairs remembered. Model names come from spans, so the cache is bounded;
 * past the bound it starts over (real deployments use a few dozen models).
 */
const MAX_CACHED = 4096;

/** Strips a dated snapshot suffix: `gpt-4o-mini-2024-08-06` → `gpt-4o-mini`, `claude-x-20250929` → `claude-x`. */
function baseModel(model: string): string {
  return model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '');
}

function overrideRates(tables: readonly PriceTable[], provider: string, model: string): Found | null {
  const base = baseModel(model);
  for (const key of base === model ? [`${provider}/${model}`] : [`${provider}/${model}`, `${provider}/${base}`]) {
    for (const table of tables) {
      const p = table.prices[key];
      if (!p) continue;
      const rates: { -readonly [K in keyof Rates]: NonNullable<Rates[K]> } = {};
      // Validated by priceTableSchema: every field is a plain decimal, so rateOf never returns null here.
      rates.input = rateOf(p.input)!;
      rates.output = rateOf(p.output)!;
      if (p.cache_read !== undefined) rates.cacheRead = rateOf(p.cache_read)!;
      if (p.cache_write !== undefined) rates.cacheWrite = rateOf(p.cache_write)!;
      return { source: table.source, rates };
    }
  }
  return null;
}

/**
 * Creates a pricer: override tables first (exact `provider/model`, then the undated model), then
 * the bundled genai-prices data (its own model matching, then the undated model), else unpriced.
 * Lookups are remembered per provider/model, so a priced call costs a Map lookup and a few bigint
 * multiplications, not a scan of the price database.
 *
 * @example
 * const pricer = createPricer({ overrides: [{ source: 'acme@2026-11', prices: { 'openai/gpt-4o-mini': { input: '0.1', output: '0.4' } } }] });
 * pricer.price('openai', 'gpt-4o-mini', { input_tokens: 1000, output_tokens: 10, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null });
 * // → { cost_usd: '0.000104', price_source: 'acme@2026-11' }
 */
export function createPricer(options: PricerOptions = {}): Pricer {
  const overrides = [...(options.overrides ?? [])];
  const bundled = options.bundled ?? true;
  const cache = new Map<string, Found | null>();

  const find = (provider: string, model: string): Found | null => {
    const key = `${provider}\n${model}`;
    let found = cache.get(key);
    if (found !== undefined) return found;
    found = overrideRates(overrides, provider, model);
    if (found === null && bundled) {
      const base = baseModel(model);
      const schedule = lookupGenaiPrices(provider, model) ?? (base === model ? null : lookupGenaiPrices(provider, base));
      if (schedule !== null) found = { source: genaiPricesSource(), schedule };
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, found);
    return found;
  };

  return {
    price(provider, model, usage, at) {
      if (!provider || !model || !usage || (usage.input_tokens === null && usage.output_tokens === null)) return UNPRICED;
      try {
        const found = find(provider, model);
        if (found === null) return UNPRICED;
        const rates = 'rates' in found ? found.rates : ratesAt(found.schedule, at ?? new Date());
        const units = rates === null ? null : costUnits(rates, usage);
        return units === null ? UNPRICED : { cost_usd: formatUsd(units), price_source: found.source };
      } catch {
        // Price data that cannot be read (say, a future genai-prices format) leaves the call unpriced.
        return UNPRICED;
      }
    },
  };
}
