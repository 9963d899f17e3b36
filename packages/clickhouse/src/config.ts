import { resolve } from 'node:path';
import { z } from 'zod';
import { StoreError } from './errors.js';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a ClickHouse identifier (letters, digits, _)');

export const storeOptionsSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('embedded'),
    /** Data directory of the embedded engine. Default `./.auditrail`. */
    path: z.string().min(1).default('./.auditrail'),
    database: identifier.default('auditrail'),
  }),
  z.strictObject({
    kind: z.literal('server'),
    /** HTTP(S) URL of a ClickHouse server, e.g. `https://ch.internal:8443`. */
    url: z.url({ protocol: /^https?$/ }),
    username: z.string().default('default'),
    password: z.string().default(''),
    database: identifier.default('auditrail'),
    /** Milliseconds. Default 30000. */
    requestTimeout: z.number().int().positive().default(30_000),
  }),
]);

export type StoreOptions = z.input<typeof storeOptionsSchema>;
export type ResolvedStoreOptions = z.output<typeof storeOptionsSchema>;

/** Resolves options; a bad value fails here with a message that names the key. */
export function resolveStoreOptions(options: StoreOptions): ResolvedStoreOptions {
  const parsed = storeOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StoreError('INVALID_CONFIG', `store option ${issue.path.join('.') || 'kind'}: ${issue.message}`, { cause: parsed.error });
  }
  const resolved = parsed.data;
  return resolved.kind === 'embedded' ? { ...resolved, path: resolve(resolved.path) } : resolved;
}
