import { createStore, type Store, StoreError } from '@auditrail/clickhouse';
import { CliError, type Io } from './io.js';

export interface StoreFlags {
  store?: string | undefined;
  clickhouse?: string | undefined;
}

/**
 * Opens the store named by `--store DIR` (embedded, default `./.auditrail`) or `--clickhouse URL`.
 * Credentials come from the URL or, preferably, AUDITRAIL_CLICKHOUSE_USER / _PASSWORD.
 */
export async function openStore(flags: StoreFlags, io: Io): Promise<Store> {
  if (flags.store !== undefined && flags.clickhouse !== undefined) throw new CliError('use either --store DIR or --clickhouse URL, not both');
  const url = flags.clickhouse ?? (flags.store === undefined ? io.env['AUDITRAIL_CLICKHOUSE_URL'] : undefined);
  try {
    if (url !== undefined) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new CliError(`--clickhouse must be a URL like https://clickhouse.example:8443; got ${JSON.stringify(url)}`);
      }
      const username = decodeURIComponent(parsed.username) || io.env['AUDITRAIL_CLICKHOUSE_USER'] || 'default';
      const password = decodeURIComponent(parsed.password) || io.env['AUDITRAIL_CLICKHOUSE_PASSWORD'] || '';
      const database = parsed.pathname.replace(/^\//, '') || 'auditrail';
      parsed.username = '';
      parsed.password = '';
      parsed.pathname = '/';
      return await createStore({ kind: 'server', url: parsed.toString(), username, password, database });
    }
    return await createStore({ kind: 'embedded', path: flags.store ?? io.env['AUDITRAIL_STORE'] ?? './.auditrail' });
  } catch (cause) {
    if (cause instanceof StoreError) throw new CliError(cause.message, 2, { cause });
    throw cause;
  }
}
