import { describe, expect, it } from 'vitest';
import { BUILTIN_PRICES, computeCost, priceTableSchema } from '../src/index.ts';

const usage = (input: number, output: number, cacheRead: number | null = null) => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_tokens: cacheRead,
  cache_write_tokens: null,
  reasoning_tokens: null,
});

describe('computeCost', () => {
  it('prices a dated snapshot by its base model, exactly in decimal', () => {
    // 1000 × $0.15/M + 500 × $0.60/M = $0.00015 + $0.0003
    expect(computeCost([BUILTIN_PRICES], 'openai', 'gpt-4o-mini-2024-07-18', usage(1000, 500))).toEqual({
      cost_usd: '0.00045',
      price_source: 'auditrail-builtin@2026-11-01',
    });
  });

  it('takes cached tokens out of input and prices them at the cache rate', () => {
    // 600 uncached × 2.5 + 400 cached × 1.25 + 100 × 10, per million
    expect(computeCost([BUILTIN_PRICES], 'openai', 'gpt-4o', usage(1000, 100, 400)).cost_usd).toBe('0.003');
  });

  it('leaves an unknown model unpriced, never $0', () => {
    expect(computeCost([BUILTIN_PRICES], 'openai', 'gpt-9-imaginary', usage(10, 10))).toEqual({ cost_usd: null, price_source: null });
  });

  it('lets an override table win, and names it as the source', () => {
    const override = priceTableSchema.parse({ source: 'acme-contract@2026-10', prices: { 'openai/gpt-4o-mini': { input: '0.1', output: '0.4' } } });
    expect(computeCost([override, BUILTIN_PRICES], 'openai', 'gpt-4o-mini', usage(1_000_000, 1_000_000))).toEqual({
      cost_usd: '0.5',
      price_source: 'acme-contract@2026-10',
    });
  });

  it('rejects a malformed price with a message naming the field', () => {
    const r = priceTableSchema.safeParse({ source: 'x', prices: { 'openai/m': { input: '-1', output: '1' } } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues[0]?.path)).toBe('["prices","openai/m","input"]');
  });
});
