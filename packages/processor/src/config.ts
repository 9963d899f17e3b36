import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { type CheckpointSink, priceTableSchema, type RedactionConfig } from '@auditrail/core';
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
  checkpoints: z
    .union([
      z.literal(false),
      z.strictObject({
        key: z.string().min(1).optional(),
        originPrefix: z.string().regex(/^\S+$/, 'non-empty, without whitespace').optional(),
        everyEvents: z.number().int().min(1).default(10_000),
        everyMillis: z.number().int().min(1).default(60_000),
        sinks: z.array(z.custom<CheckpointSink>((v) => typeof (v as { publish?: unknown })?.publish === 'function', 'a CheckpointSink (an object with publish(records))')).default([]),
      }),
    ])
    .default({ everyEvents: 10_000, everyMillis: 60_000, sinks: [] }),
  logger: z.custom<AuditSpanProcessorOptions['logger']>().optional(),
});

/** Where the checkpoint signer key comes from when `checkpoints.key` is not set: its text, or a file holding it. */
const CHECKPOINT_KEY_ENV = 'AUDITRAIL_CHECKPOINT_KEY';
const CHECKPOINT_KEY_FILE_ENV = 'AUDITRAIL_CHECKPOINT_KEY_FILE';

/** The checkpoint signer key from the options or the environment; undefined when none is given. */
function checkpointKey(key: string | undefined): string | undefined {
  if (key !== undefined) return key;
  const text = process.env[CHECKPOINT_KEY_ENV];
  if (text !== undefined && text !== '') return text;
  const file = process.env[CHECKPOINT_KEY_FILE_ENV];
  if (file === undefined || file === '') return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new TypeError(`AuditSpanProcessor: cannot read the checkpoint key file named by $${CHECKPOINT_KEY_FILE_ENV}: ${(e as Error).message}`);
  }
}

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
  const checkpoints = c.checkpoints === false ? false : { ...c.checkpoints, key: checkpointKey(c.checkpoints.key) };
  return { ...c, redaction, checkpoints, maxBatchSize: Math.min(c.maxBatchSize, c.maxQueueSize), sealChunkSize: Math.min(c.sealChunkSize, c.maxBatchSize), priceTables: [...c.prices] };
}
