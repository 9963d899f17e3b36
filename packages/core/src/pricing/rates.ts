import type { Usage } from '../event/schema.js';
import { decimalToUnits, numberToDecimal } from './decimal.js';

/**
 * One price, in units of 10^-18 USD per million tokens (per thousand for `requests`), with optional
 * tiers: when a call's total input tokens exceed a tier's `start`, the whole call is priced at
 * that tier (as genai-prices does, e.g. Anthropic's and Gemini's long-context prices above 200k).
 */
export interface Rate {
  readonly base: bigint;
  readonly tiers: readonly { readonly start: bigint; readonly price: bigint }[];
}

/**
 * The rates of one model that auditrail's usage can be charged against. A rate that is absent is
 * not charged separately: cache tokens without a cache rate stay in input, reasoning tokens without
 * a reasoning rate stay in output (both are included in them under the GenAI conventions).
 */
export interface Rates {
  readonly input?: Rate;
  readonly output?: Rate;
  readonly cacheRead?: Rate;
  readonly cacheWrite?: Rate;
  readonly reasoning?: Rate;
  /** Per thousand requests: a call is one request. */
  readonly requests?: Rate;
}

/** A rate from a decimal string (an override table) or a genai-prices number or tiered price. */
export function rateOf(value: unknown): Rate | null {
  if (typeof value === 'string') {
    const base = decimalToUnits(value);
    return base === null ? null : { base, tiers: [] };
  }
  if (typeof value === 'number') {
    const text = numberToDecimal(value);
    const base = text === null ? null : decimalToUnits(text);
    return base === null ? null : { base, tiers: [] };
  }
  if (typeof value === 'object' && value !== null && 'base' in value && 'tiers' in value && Array.isArray(value.tiers)) {
    const base = rateOf(value.base);
    if (base === null) return null;
    const tiers: { start: bigint; price: bigint }[] = [];
    for (const t of value.tiers as { start?: unknown; price?: unknown }[]) {
      const price = rateOf(t?.price);
      if (price === null || typeof t.start !== 'number' || !Number.isSafeInteger(t.start) || t.start < 0) return null;
      tiers.push({ start: BigInt(t.start), price: price.base });
    }
    return { base: base.base, tiers: tiers.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)) };
  }
  return null;
}

function at(rate: Rate, inputTokens: bigint): bigint {
  let price = rate.base;
  for (const t of rate.tiers) if (inputTokens > t.start) price = t.price;
  return price;
}

/**
 * Cost of one call in units of 10^-24 USD, or null when the usage contradicts itself (cache tokens
 * beyond input tokens, reasoning beyond output): such a call is unpriced rather than guessed.
 *
 * Usage follows the OTel GenAI conventions, like genai-prices' own usage model: `input_tokens`
 * includes cache reads and cache writes, `output_tokens` includes reasoning tokens. Each part is
 * charged once, at the most specific rate the model has.
 */
export function costUnits(rates: Rates, usage: Usage): bigint | null {
  const input = BigInt(usage.input_tokens ?? 0);
  const output = BigInt(usage.output_tokens ?? 0);
  const cacheRead = BigInt(usage.cache_read_tokens ?? 0);
  const cacheWrite = BigInt(usage.cache_write_tokens ?? 0);
  const reasoning = BigInt(usage.reasoning_tokens ?? 0);
  if (cacheRead + cacheWrite > input || reasoning > output) return null;
  let total = 0n;
  let uncached = input;
  if (rates.cacheRead) {
    total += cacheRead * at(rates.cacheRead, input);
    uncached -= cacheRead;
  }
  if (rates.cacheWrite) {
    total += cacheWrite * at(rates.cacheWrite, input);
    uncached -= cacheWrite;
  }
  if (rates.input) total += uncached * at(rates.input, input);
  let plainOutput = output;
  if (rates.reasoning) {
    total += reasoning * at(rates.reasoning, input);
    plainOutput -= reasoning;
  }
  if (rates.output) total += plainOutput * at(rates.output, input);
  // Per thousand requests: ×1000 brings 10^-18 USD per thousand to the 10^-24 USD of a per-million product.
  if (rates.requests) total += at(rates.requests, input) * 1000n;
  return total;
}
