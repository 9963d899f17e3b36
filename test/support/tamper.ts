import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { canonicalJson, leafHash } from '@auditrail/core';
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

  /** Exchanges the positions of two events: each record, unchanged but for its seq, moves to the other's place. */
  async swap(streamId: string, a: number, b: number): Promise<void> {
    const atA = await this.record(streamId, a);
    const atB = await this.record(streamId, b);
    await this.delete(streamId, a);
    await this.delete(streamId, b);
    await this.insert({ ...atA, seq: b });
    await this.insert({ ...atB, seq: a });
  }

  /** Every record of a stream from `fromSeq` on, in seq order. */
  async records(streamId: string, fromSeq = 0): Promise<Record<string, unknown>[]> {
    const rs = await this.#client.query({ query: `SELECT record FROM ${this.#db}.events WHERE stream_id = {s:String} AND seq >= {q:UInt64} ORDER BY seq`, query_params: { s: streamId, q: fromSeq }, format: 'JSONEachRow' });
    return (await rs.json<{ record: string }>()).map((r) => JSON.parse(r.record) as Record<string, unknown>);
  }

  /**
   * A forger's rewrite: the records from `fromSeq` on are replaced by `forged` (any records, any
   * number), renumbered from `fromSeq` and re-chained — each prev_hash recomputed from the record
   * before — so the chain itself holds again. Only signed checkpoints can tell.
   */
  async rechain(streamId: string, fromSeq: number, forged: Record<string, unknown>[]): Promise<void> {
    const before = fromSeq === 0 ? undefined : await this.record(streamId, fromSeq - 1);
    let prev = before === undefined ? '0'.repeat(64) : leafHash(canonicalJson(before));
    await this.sql(`ALTER TABLE {db}.events DELETE WHERE stream_id = '${streamId}' AND seq >= ${fromSeq}`);
    const rows = forged.map((r, i) => {
      const record = canonicalJson({ ...r, seq: fromSeq + i, prev_hash: prev });
      prev = leafHash(record);
      return { record };
    });
    if (rows.length > 0) await this.#client.insert({ table: `${this.#db}.events`, values: rows, format: 'JSONEachRow', clickhouse_settings: { insert_deduplicate: 0 } });
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
