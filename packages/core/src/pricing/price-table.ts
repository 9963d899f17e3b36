import { z } from 'zod';

const perMillion = z.string().regex(/^\d{1,6}(\.\d{1,9})?$/, 'USD per million tokens as a decimal string, e.g. "0.15"');

/** USD per million tokens. `cache_read`/`cache_write` default to `input` when absent. */
export const modelPriceSchema = z.strictObject({
  input: perMillion,
  output: perMillion,
  cache_read: perMillion.optional(),
  cache_write: perMillion.optional(),
});

export const priceTableSchema = z.strictObject({
  /** Names the table and its version in every record priced from it, e.g. `acme-prices@2026-11`. */
  source: z.string().min(1),
  /** Keyed by `provider/model`, e.g. `openai/gpt-4o-mini`. */
  prices: z.record(z.string(), modelPriceSchema),
});

export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = z.infer<typeof priceTableSchema>;

/**
 * A small offline table for the models the demo and tests use. Issue-tracked work replaces it
 * with a maintained price database; an unknown model is unpriced (null), never $0.
 */
export const BUILTIN_PRICES: PriceTable = {
  source: 'auditrail-builtin@2026-11-01',
  prices: {
    'openai/gpt-4o-mini': { input: '0.15', output: '0.6', cache_read: '0.075' },
    'openai/gpt-4o': { input: '2.5', output: '10', cache_read: '1.25' },
    'openai/gpt-4.1-mini': { input: '0.4', output: '1.6', cache_read: '0.1' },
    'openai/text-embedding-3-small': { input: '0.02', output: '0' },
    'anthropic/claude-sonnet-4-5': { input: '3', output: '15', cache_read: '0.3', cache_write: '3.75' },
    'anthropic/claude-haiku-4-5': { input: '1', output: '5', cache_read: '0.1', cache_write: '1.25' },
  },
};
