import type { Usage } from '../event/schema.js';
import type { ModelPrice, PriceTable } from './price-table.js';

/** Cost is computed in integer units of 10^-12 USD: exact decimal arithmetic, no float drift. */
const SCALE = 12;

function toUnits(decimal: string): bigint {
  const [whole = '0', frac = ''] = decimal.split('.');
  return BigInt(whole + frac.padEnd(SCALE, '0').slice(0, SCALE));
}

function fromUnits(units: bigint): string {
  const s = units.toString().padStart(SCALE + 1, '0');
  const whole = s.slice(0, -SCALE);
  const frac = s.slice(-SCALE).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

/** Strips a dated snapshot suffix: `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, `claude-x-20250929` → `claude-x`. */
function baseModel(model: string): string {
  return model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '');
}

export interface Cost {
  /** Decimal USD, or null when the model is not in the table (unpriced — never $0). */
  readonly cost_usd: string | null;
  readonly price_source: string | null;
}

const UNPRICED: Cost = { cost_usd: null, price_source: null };

/** Finds the price of a model: exact `provider/model`, then its undated base name. */
export function findPrice(tables: readonly PriceTable[], provider: string, model: string): { price: ModelPrice; source: string } | null {
  for (const key of [`${provider}/${model}`, `${provider}/${baseModel(model)}`]) {
    for (const table of tables) {
      const price = table.prices[key];
      if (price) return { price, source: table.source };
    }
  }
  return null;
}

/**
 * Cost of one call under the GenAI semantic conventions: `input_tokens` includes cached tokens,
 * so cache reads and writes are taken out of it and priced at their own rates.
 * `tables` are searched in order, so an override table goes first.
 */
export function computeCost(
  tables: readonly PriceTable[],
  provider: string | null,
  model: string | null,
  usage: Usage | null,
): Cost {
  if (!provider || !model || !usage || (usage.input_tokens === null && usage.output_tokens === null)) return UNPRICED;
  const found = findPrice(tables, provider, model);
  if (!found) return UNPRICED;
  const { price } = found;
  const cacheRead = BigInt(usage.cache_read_tokens ?? 0);
  const cacheWrite = BigInt(usage.cache_write_tokens ?? 0);
  const input = BigInt(usage.input_tokens ?? 0);
  const uncached = input > cacheRead + cacheWrite ? input - cacheRead - cacheWrite : 0n;
  const units =
    uncached * toUnits(price.input) +
    cacheRead * toUnits(price.cache_read ?? price.input) +
    cacheWrite * toUnits(price.cache_write ?? price.input) +
    BigInt(usage.output_tokens ?? 0) * toUnits(price.output);
  return { cost_usd: fromUnits(units / 1_000_000n), price_source: found.source };
}
