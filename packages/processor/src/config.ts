import { z } from 'zod';
import { priceTableSchema, type RedactionConfig } from '@auditrail/core';
import type { AuditSpanProcessorOptions } from './types.js';

const schema = z.object({
  sink: z.custom<AuditSpanProcessorOptions['sink']>((v) => typeof (v as { append?: unknown })?.append === 'function', 'an object with an append(batch) method'),
  tenantId: z.string().min(1).max(512).default('default'),
  streamId: z.string().regex(/^[0-9A-Za-z._:-]{1,128}$/, 'letters, digits and . _ : - (at most 128)').optional(),
  prices: z.array(priceTableSchema).default([]),
  maxQueueSize: z.number().int().min(1).default(20_000),
  maxBatchSize: z.number().int().min(1).default(10_000),
  sealChunkSize: z.number().int().min(1).default(256),
  minBatchSize: z.number().int().min(1).default(5_000),
  batchLingerMillis: z.number().int().min(0).default(200),
  scheduledDelayMillis: z.number().int().min(0).default(500),
  exportTimeoutMillis: z.number().int().min(1).default(30_000),
  retryBackoffMillis: z.number().int().min(1).default(100),
  redaction: z.union([z.literal(false), z.custom<RedactionConfig>((v) => typeof v === 'object' && v !== null, 'an object (RedactionConfig) or false')]).default({}),
  redactionWorker: z.boolean().default(true),
  redactionWorkerUrl: z.instanceof(URL).optional(),
  logger: z.custom<AuditSpanProcessorOptions['logger']>().optional(),
});

/** Where the redaction key comes from when `redaction.key` is not set. */
const REDACTION_KEY_ENV = 'AUDITRAIL_REDACTION_KEY';

/** `priceTables`: the override tables, searched before the bundled genai-prices data (see computeCost). */
export type ResolvedProcessorConfig = z.output<typeof schema> & { priceTables: AuditSpanProcessorOptions['prices'] & object };

/** Resolves options once, at construction; a bad option throws naming its key. */
export function resolveProcessorConfig(options: AuditSpanProcessorOptions): ResolvedProcessorConfig {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`AuditSpanProcessor option ${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  // The key from the environment unless the options give one: a secret is better kept out of code.
  const envKey = process.env[REDACTION_KEY_ENV];
  const redaction = c.redaction !== false && c.redaction.key === undefined && envKey !== undefined && envKey !== '' ? { ...c.redaction, key: envKey } : c.redaction;
  return { ...c, redaction, maxBatchSize: Math.min(c.maxBatchSize, c.maxQueueSize), sealChunkSize: Math.min(c.sealChunkSize, c.maxBatchSize), priceTables: [...c.prices] };
}
