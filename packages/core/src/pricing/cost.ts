import type { Usage } from '../event/schema.js';
import type { PriceTable } from './price-table.js';
import { type Cost, createPricer, type Pricer } from './pricer.js';

/** One pricer per tables array: its cache lives as long as the array (the processor's config holds one). */
const pricers = new WeakMap<readonly PriceTable[], Pricer>();

/**
 * Cost of one call: `tables` (local overrides, searched in order) first, then the bundled
 * genai-prices data; a model neither knows is unpriced (null, never $0). `usage` follows the OTel
 * GenAI conventions: input includes cache reads and writes, output includes reasoning tokens.
 * `at` is the call's time and selects the price in force then; default now.
 *
 * The pricer behind `tables` is made once per array and remembers its lookups; pass the same
 * array every time (and do not change it afterwards), or use `createPricer` directly.
 */
export function computeCost(tables: readonly PriceTable[], provider: string | null, model: string | null, usage: Usage | null, at?: Date): Cost {
  let pricer = pricers.get(tables);
  if (pricer === undefined) {
    pricer = createPricer({ overrides: tables });
    pricers.set(tables, pricer);
  }
  return pricer.price(provider, model, usage, at);
}
