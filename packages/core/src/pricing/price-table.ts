import { z } from 'zod';
import { AuditrailError } from '../errors.js';

const PER_MILLION = 'USD per million tokens as a decimal string, e.g. "0.15"';
const perMillion = z.string({ error: PER_MILLION }).regex(/^\d{1,6}(\.\d{1,9})?$/, PER_MILLION);

/**
 * USD per million tokens. `cache_read` and `cache_write` are the rates of cache reads and cache
 * writes; absent, those tokens are priced as ordinary input.
 */
export const modelPriceSchema = z.strictObject({
  input: perMillion,
  output: perMillion,
  cache_read: perMillion.optional(),
  cache_write: perMillion.optional(),
});

/**
 * A local price table, consulted before the bundled price data.
 *
 * @example
 * { "source": "acme-contract@2026-11", "prices": { "openai/gpt-4o-mini": { "input": "0.12", "output": "0.48", "cache_read": "0.06" } } }
 */
export const priceTableSchema = z.strictObject({
  /** Names the table and its version in every record priced from it, e.g. `acme-prices@2026-11`. */
  source: z.string().min(1).max(200),
  /**
   * Keyed by `provider/model`, with the provider as the record names it (`gen_ai.provider.name`,
   * e.g. `openai`, `aws.bedrock`) and the model as called; a dated snapshot
   * (`gpt-4o-mini-2024-07-18`) also finds its undated key.
   */
  prices: z.record(z.string().regex(/^[^/\s]+\/\S+$/, 'a "provider/model" key, e.g. "openai/gpt-4o-mini"'), modelPriceSchema),
});

export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = z.infer<typeof priceTableSchema>;

/**
 * Validates price tables read from a file or configuration: one table or an array of them (the
 * first that prices a model wins). Throws an `INVALID_CONFIG` error naming the offending field.
 */
export function parsePriceTables(value: unknown): PriceTable[] {
  const many = Array.isArray(value);
  const parsed = (many ? z.array(priceTableSchema) : priceTableSchema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${/^[A-Za-z_][\w]*$/.test(String(p)) ? String(p) : JSON.stringify(p)}`)).join('');
    // A bad record key reports its own reason one level down.
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    throw new AuditrailError('INVALID_CONFIG', `${path.replace(/^\./, '') || '(top level)'}: ${message}`);
  }
  return many ? (parsed.data as PriceTable[]) : [parsed.data as PriceTable];
}
