import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCost, createPricer, genaiPricesSource, parsePriceTables, priceTableSchema, type Usage } from '../src/index.ts';
import { numberToDecimal } from '../src/pricing/decimal.ts';

/** Usage under the OTel GenAI conventions: input includes cache reads and writes, output includes reasoning. */
const usage = (u: Partial<Usage>): Usage => ({ input_tokens: null, output_tokens: null, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null, ...u });

const require = createRequire(import.meta.url);
const installed = JSON.parse(readFileSync(join(dirname(require.resolve('@pydantic/genai-prices')), '..', 'package.json'), 'utf8')) as { version: string };
const GENAI = `@pydantic/genai-prices@${installed.version}`;
const NONE: never[] = [];

describe('pricing from the bundled genai-prices data', () => {
  it('names the package and its installed version as the source', () => {
    expect(genaiPricesSource()).toBe(GENAI);
    expect(installed.version).toMatch(/^0\.1\.\d+$/);
  });

  it('OpenAI: prompt tokens include the cached ones, which are charged at the cache rate', () => {
    // gpt-4o-mini: 3,000 prompt tokens of which 2,048 cached, 200 completion tokens:
    // 952 × $0.15 + 2,048 × $0.075 + 200 × $0.60 per million = $0.0004164 (OpenAI's published formula).
    expect(computeCost(NONE, 'openai', 'gpt-4o-mini', usage({ input_tokens: 3000, cache_read_tokens: 2048, output_tokens: 200 }))).toEqual({
      cost_usd: '0.0004164',
      price_source: GENAI,
    });
  });

  it('Anthropic: cache reads and 5-minute cache writes at their own rates, converted to the GenAI convention', () => {
    // Anthropic reports input_tokens 1,000 (uncached only), cache_read_input_tokens 2,000,
    // cache_creation_input_tokens 500; under the GenAI conventions input_tokens is their sum, 3,500.
    // claude-sonnet-4-5: 1,000 × $3 + 2,000 × $0.30 + 500 × $3.75 + 300 × $15 per million = $0.009975.
    const anthropic = { input_tokens: 1000, cache_read_input_tokens: 2000, cache_creation_input_tokens: 500, output_tokens: 300 };
    const semconv = usage({
      input_tokens: anthropic.input_tokens + anthropic.cache_read_input_tokens + anthropic.cache_creation_input_tokens,
      cache_read_tokens: anthropic.cache_read_input_tokens,
      cache_write_tokens: anthropic.cache_creation_input_tokens,
      output_tokens: anthropic.output_tokens,
    });
    expect(computeCost(NONE, 'anthropic', 'claude-sonnet-4-5', semconv)).toEqual({ cost_usd: '0.009975', price_source: GENAI });
    // Fed Anthropic's own counts unconverted, the usage contradicts itself: unpriced, not a guess.
    expect(computeCost(NONE, 'anthropic', 'claude-sonnet-4-5', usage({ input_tokens: 1000, cache_read_tokens: 2000, cache_write_tokens: 500, output_tokens: 300 }))).toEqual({
      cost_usd: null,
      price_source: null,
    });
  });

  it('prices dated snapshots by genai-prices matching, and by the undated model it does not list', () => {
    const u = usage({ input_tokens: 1000, output_tokens: 500 });
    // 1,000 × $0.15 + 500 × $0.60 per million
    expect(computeCost(NONE, 'openai', 'gpt-4o-mini-2024-07-18', u).cost_usd).toBe('0.00045');
    // A snapshot genai-prices does not list (the mock provider's) falls back to its undated model.
    expect(computeCost(NONE, 'openai', 'gpt-4o-mini-2024-08-06', u).cost_usd).toBe('0.00045');
    // A snapshot with its own price keeps it: gpt-4o-2024-05-13 is $5 / $15, not gpt-4o's $2.50 / $10.
    expect(computeCost(NONE, 'openai', 'gpt-4o-2024-05-13', u).cost_usd).toBe('0.0125');
    expect(computeCost(NONE, 'openai', 'gpt-4o-2024-08-06', u).cost_usd).toBe('0.0075');
    // claude-sonnet-4-6: $3 / $15; the -YYYYMMDD suffix resolves.
    expect(computeCost(NONE, 'anthropic', 'claude-sonnet-4-6-20250929', u, new Date('2026-06-01T00:00:00Z')).cost_usd).toBe('0.0105');
    expect(computeCost(NONE, 'anthropic', 'claude-haiku-4-5-20251001', u).cost_usd).toBe('0.0035');
  });

  it('embeddings: input tokens only', () => {
    // text-embedding-3-small: 12,345 × $0.02 per million
    expect(computeCost(NONE, 'openai', 'text-embedding-3-small', usage({ input_tokens: 12_345 }))).toEqual({ cost_usd: '0.0002469', price_source: GENAI });
  });

  it('reasoning tokens are part of output, at the reasoning rate where the model has one', () => {
    // o3-mini has no separate reasoning rate: 1,000 × $1.10 + 2,000 × $4.40 per million (1,500 of the 2,000 are reasoning).
    expect(computeCost(NONE, 'openai', 'o3-mini', usage({ input_tokens: 1000, output_tokens: 2000, reasoning_tokens: 1500 })).cost_usd).toBe('0.0099');
    // Perplexity sonar-deep-research: output $8, reasoning $3: 1,000 × 2 + 500 × 8 + 1,500 × 3 per million.
    expect(computeCost(NONE, 'perplexity', 'sonar-deep-research', usage({ input_tokens: 1000, output_tokens: 2000, reasoning_tokens: 1500 })).cost_usd).toBe('0.0105');
    // Reasoning beyond output contradicts the conventions: unpriced.
    expect(computeCost(NONE, 'openai', 'o3-mini', usage({ input_tokens: 10, output_tokens: 5, reasoning_tokens: 6 })).cost_usd).toBeNull();
  });

  it('adds per-request prices: one call is one request', () => {
    // Perplexity sonar: $1 / $1 per million tokens plus $12 per thousand requests.
    expect(computeCost(NONE, 'perplexity', 'sonar', usage({ input_tokens: 100, output_tokens: 100 })).cost_usd).toBe('0.0122');
  });

  it('uses the price in force at the call time: long-context tiers, dated changes, time-of-day discounts', () => {
    const long = usage({ input_tokens: 300_000, cache_read_tokens: 2000, cache_write_tokens: 500, output_tokens: 300 });
    // Anthropic charges a call above 200k input tokens (cache included) at the long-context rates, for the whole call:
    // 297,500 × $6 + 2,000 × $0.60 + 500 × $7.50 + 300 × $22.50 per million.
    expect(computeCost(NONE, 'anthropic', 'claude-sonnet-4-5', long).cost_usd).toBe('1.7967');
    // claude-sonnet-4-6 dropped its long-context surcharge on 2026-03-13 (genai-prices' start_date).
    expect(computeCost(NONE, 'anthropic', 'claude-sonnet-4-6', long, new Date('2026-03-12T23:59:59Z')).cost_usd).toBe('1.7967');
    expect(computeCost(NONE, 'anthropic', 'claude-sonnet-4-6', long, new Date('2026-03-13T00:00:00Z')).cost_usd).toBe('0.899475');
    // DeepSeek: $0.27 per million input from 00:30 to 16:30 UTC, $0.135 off-peak.
    const million = usage({ input_tokens: 1_000_000, output_tokens: 0 });
    expect(computeCost(NONE, 'deepseek', 'deepseek-chat', million, new Date('2026-01-01T00:30:00Z')).cost_usd).toBe('0.27');
    expect(computeCost(NONE, 'deepseek', 'deepseek-chat', million, new Date('2026-01-01T16:30:00Z')).cost_usd).toBe('0.135');
  });

  it('maps OTel provider names to genai-prices providers', () => {
    const u = usage({ input_tokens: 1_000_000, output_tokens: 0 });
    expect(computeCost(NONE, 'azure.ai.openai', 'gpt-4o-mini', u).cost_usd).toBe('0.15');
    expect(computeCost(NONE, 'aws.bedrock', 'anthropic.claude-3-haiku-20240307-v1:0', u).cost_usd).toBe('0.25');
    expect(computeCost(NONE, 'gcp.vertex_ai', 'gemini-2.5-flash', u).cost_usd).toBe('0.3');
    expect(computeCost(NONE, 'gcp.gemini', 'gemini-2.5-flash', u).cost_usd).toBe('0.3');
    // A provider genai-prices does not name exactly is never guessed.
    expect(computeCost(NONE, 'my-openai-proxy', 'gpt-4o-mini', u)).toEqual({ cost_usd: null, price_source: null });
  });

  it('leaves unknown models and calls without usage unpriced, never $0', () => {
    const u = usage({ input_tokens: 10, output_tokens: 10 });
    expect(computeCost(NONE, 'openai', 'gpt-9-imaginary', u)).toEqual({ cost_usd: null, price_source: null });
    expect(computeCost(NONE, null, 'gpt-4o-mini', u)).toEqual({ cost_usd: null, price_source: null });
    expect(computeCost(NONE, 'openai', null, u)).toEqual({ cost_usd: null, price_source: null });
    expect(computeCost(NONE, 'openai', 'gpt-4o-mini', null)).toEqual({ cost_usd: null, price_source: null });
    expect(computeCost(NONE, 'openai', 'gpt-4o-mini', usage({}))).toEqual({ cost_usd: null, price_source: null });
    // A call that used no tokens of a known model does cost $0.
    expect(computeCost(NONE, 'openai', 'gpt-4o-mini', usage({ input_tokens: 0, output_tokens: 0 }))).toEqual({ cost_usd: '0', price_source: GENAI });
  });
});

describe('local override tables', () => {
  const acme = priceTableSchema.parse({
    source: 'acme-contract@2026-10',
    prices: { 'openai/gpt-4o-mini': { input: '0.1', output: '0.4', cache_read: '0.025' }, 'acme/house-model': { input: '1.000000001', output: '2' } },
  });

  it('take precedence over genai-prices and name their source', () => {
    expect(computeCost([acme], 'openai', 'gpt-4o-mini', usage({ input_tokens: 3000, cache_read_tokens: 2048, output_tokens: 200 }))).toEqual({
      // 952 × 0.1 + 2,048 × 0.025 + 200 × 0.4 per million
      cost_usd: '0.0002264',
      price_source: 'acme-contract@2026-10',
    });
    // A dated snapshot finds the undated key; models the table lacks still come from genai-prices.
    expect(computeCost([acme], 'openai', 'gpt-4o-mini-2024-07-18', usage({ input_tokens: 1_000_000 })).cost_usd).toBe('0.1');
    expect(computeCost([acme], 'openai', 'gpt-4o', usage({ input_tokens: 1_000_000 }))).toEqual({ cost_usd: '2.5', price_source: GENAI });
    // Models genai-prices has never heard of.
    expect(computeCost([acme], 'acme', 'house-model', usage({ input_tokens: 1000, output_tokens: 1 })).cost_usd).toBe('0.001002000001');
  });

  it('are searched in order, and without a cache rate cache tokens are input', () => {
    const later = priceTableSchema.parse({ source: 'later', prices: { 'openai/gpt-4o-mini': { input: '9', output: '9' } } });
    expect(computeCost([acme, later], 'openai', 'gpt-4o-mini', usage({ input_tokens: 1 })).price_source).toBe('acme-contract@2026-10');
    expect(computeCost([later, acme], 'openai', 'gpt-4o-mini', usage({ input_tokens: 1_000_000, cache_read_tokens: 500_000 })).cost_usd).toBe('9');
  });

  it('bundled: false prices from the overrides only', () => {
    const pricer = createPricer({ overrides: [acme], bundled: false });
    expect(pricer.price('openai', 'gpt-4o', usage({ input_tokens: 1 }))).toEqual({ cost_usd: null, price_source: null });
    expect(pricer.price('openai', 'gpt-4o-mini', usage({ input_tokens: 10_000_000 })).cost_usd).toBe('1');
  });

  it('reject a malformed table with a message naming the field', () => {
    const r = priceTableSchema.safeParse({ source: 'x', prices: { 'openai/m': { input: '-1', output: '1' } } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues[0]?.path)).toBe('["prices","openai/m","input"]');
    expect(() => parsePriceTables({ source: 'x', prices: { 'openai/m': { input: '0.1', output: 1 } } })).toThrow(
      'prices."openai/m".output: USD per million tokens as a decimal string, e.g. "0.15"',
    );
    expect(() => parsePriceTables([{ source: 'x', prices: {} }, { source: '', prices: {} }])).toThrow('[1].source: ');
    expect(() => parsePriceTables({ source: 'x', prices: { 'gpt-4o': { input: '1', output: '1' } } })).toThrow('a "provider/model" key');
    expect(() => parsePriceTables({ source: 'x', prices: {}, extra: 1 })).toThrow(/^\(top level\): Unrecognized key: "extra"/);
    expect(parsePriceTables([acme])).toEqual([acme]);
  });
});

describe('exact decimals', () => {
  it('reads price data numbers as the decimals they were written as', () => {
    expect([0.075, 3.75, 0.15, 1e-7, 1.5e-10, 2.5e21, 0.08333333333333334].map(numberToDecimal)).toEqual([
      '0.075',
      '3.75',
      '0.15',
      '0.0000001',
      '0.00000000015',
      '2500000000000000000000',
      '0.08333333333333334',
    ]);
    expect([-1, Number.NaN, Infinity, '1'].map(numberToDecimal)).toEqual([null, null, null, null]);
  });

  it('sums without float drift and rounds the total once, half up, to 10^-12 USD', () => {
    // 7 × $0.15 per million is $0.00000105 exactly; floats give 0.0000010499999999999999.
    expect(computeCost(NONE, 'openai', 'gpt-4o-mini', usage({ input_tokens: 7 })).cost_usd).toBe('0.00000105');
    const tiny = priceTableSchema.parse({ source: 't', prices: { 'x/y': { input: '0.000000500', output: '0.000000499' } } });
    // 1 × 0.0000005 per million = 5 × 10^-13 → rounds up to 10^-12; 0.000000499 → rounds down to 0.
    expect(computeCost([tiny], 'x', 'y', usage({ input_tokens: 1 })).cost_usd).toBe('0.000000000001');
    expect(computeCost([tiny], 'x', 'y', usage({ output_tokens: 1 })).cost_usd).toBe('0');
  });

  it('prices a cached call in about a microsecond', () => {
    const pricer = createPricer();
    const u = usage({ input_tokens: 3000, cache_read_tokens: 2048, output_tokens: 200 });
    pricer.price('openai', 'gpt-4o-mini', u);
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) pricer.price('openai', 'gpt-4o-mini', u);
    // Generous bound for a shared CI machine: a scan of the price database would take ~50 µs.
    expect(((performance.now() - t0) * 1000) / n).toBeLessThan(10);
  });
});
