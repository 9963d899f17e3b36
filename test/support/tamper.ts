import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { canonicalJson } from '@auditrail/core';
import { storeDir } from './audited-app.ts';

/**
 * What an attacker with write access to the database can do, through the same engine the store
 * uses. Each helper changes stored rows of `db.events` directly.
 */
export class Tamperer {
  readonly #client: ClickHouseClient;
  readonly #db: string;

  private constructor(client: ClickHouseClient, db: string) {
    this.#client = client;
    this.#db = db;
  }

  static async open(db: string): Promise<Tamperer> {
    const { createChdbConnection } = await import('chdb/connection');
    return new Tamperer(createClient({ connection: createChdbConnection({ path: storeDir() }) } as never), db);
  }

  async sql(query: string): Promise<void> {
    await this.#client.command({ query: query.replaceAll('{db}', this.#db), clickhouse_settings: { mutations_sync: '1' } as never });
  }

  async record(streamId: string, seq: number): Promise<Record<string, unknown>> {
    const rs = await this.#client.query({ query: `SELECT record FROM ${this.#db}.events WHERE stream_id = {s:String} AND seq = {q:UInt64}`, query_params: { s: streamId, q: seq }, format: 'JSONEachRow' });
    const [row] = await rs.json<{ record: string }>();
    return JSON.parse(row!.record) as Record<string, unknown>;
  }

  async insert(record: Record<string, unknown>): Promise<void> {
    await this.#client.insert({ table: `${this.#db}.events`, values: [{ record: canonicalJson(record) }], format: 'JSONEachRow', clickhouse_settings: { insert_deduplicate: 0 } });
  }

  async delete(streamId: string, seq: number): Promise<void> {
    await this.sql(`ALTER TABLE {db}.events DELETE WHERE stream_id = '${streamId}' AND seq = ${seq}`);
  }

  /** Rewrites a stored record: delete the row, insert the changed one (UPDATE is refused by the schema). */
  async rewrite(streamId: string, seq: number, change: (r: Record<string, unknown>) => void): Promise<void> {
    const r = await this.record(streamId, seq);
    change(r);
    await this.delete(streamId, seq);
    await this.insert(r);
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
