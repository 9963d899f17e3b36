import { mkdirSync } from 'node:fs';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { ClickHouseStore } from './clickhouse-store.js';
import { resolveStoreOptions, type StoreOptions } from './config.js';
import { StoreError } from './errors.js';
import type { Store } from './types.js';

/**
 * Opens a store and applies pending migrations.
 *
 * @example
 * const store = await createStore({ kind: 'embedded', path: './.auditrail' });
 * const store = await createStore({ kind: 'server', url: 'https://ch.example:8443', username: 'auditrail_writer', password });
 */
export async function createStore(options: StoreOptions): Promise<Store> {
  const o = resolveStoreOptions(options);
  let store: ClickHouseStore;
  if (o.kind === 'embedded') {
    mkdirSync(o.path, { recursive: true });
    // Loaded on demand: server users never load the native engine.
    const { createChdbConnection } = await import('chdb/connection');
    let connection;
    try {
      connection = createChdbConnection({ path: o.path });
    } catch (cause) {
      const message = (cause as Error).message ?? String(cause);
      // The engine reports a held lock either as "Cannot lock file …/status" or, depending on timing,
      // only as a failure to create the connection (the lock message then goes to stderr).
      if (/lock|Failed to create connection/i.test(message)) {
        throw new StoreError('LOCKED', `the store at ${o.path} is open in another process (the embedded engine locks its data directory); stop that process or use --clickhouse. Engine said: ${message}`, { cause });
      }
      throw new StoreError('CONNECTION', `cannot open the embedded store at ${o.path}: ${message}`, { cause });
    }
    const chdb = connection.chdb;
    store = new ClickHouseStore(createClient({ connection } as Parameters<typeof createClient>[0]), 'embedded', o.database, (sql) => chdb.queryAsync(sql));
  } else {
    store = new ClickHouseStore(
      // The client's own logger is off: every failure reaches the caller as a StoreError instead.
      createClient({ url: o.url, username: o.username, password: o.password, request_timeout: o.requestTimeout, log: { level: ClickHouseLogLevel.OFF } }),
      'server',
      o.database,
    );
  }
  try {
    await store.migrate();
  } catch (cause) {
    await store.close().catch(() => {});
    if (cause instanceof StoreError) throw cause;
    throw new StoreError('CONNECTION', `cannot reach the store: ${(cause as Error).message}`, { cause });
  }
  return store;
}
