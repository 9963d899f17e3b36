import { z } from 'zod';
import type { AuditLogRecordProcessorOptions } from './types.js';

const schema = z.object({
  maxBufferedRecords: z.number().int().min(1).default(10_000),
  maxRecordsPerSpan: z.number().int().min(1).default(1000),
  maxAgeMillis: z.number().int().min(1).default(600_000),
});

export type ResolvedLogOptions = z.output<typeof schema>;

/** Resolves options once, at construction; a bad option throws naming its key. */
export function resolveLogOptions(options: AuditLogRecordProcessorOptions = {}): ResolvedLogOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`AuditLogRecordProcessor option ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
