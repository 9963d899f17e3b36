import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { type AuditRecord, type ChainRow, type CheckpointRecord, COST_CORRECTION, ERASURE_EVENT_TYPES, erasedPayloadsOf, type EventBatch, type PayloadRow } from '@auditrail/core';
import { StoreError } from './errors.js';
import { chTime, limitOf, minCostOf, whereOf } from './queries/filter.js';
import { latestCorrectionsSql, ofLatest, withEffectiveCost } from './queries/effective-cost.js';
import { afterPositions, namedByErasuresSql, payloadProblemsSql } from './queries/payload-checks.js';
import { DERIVED_COLUMNS, DERIVED_HASH_EXPR, LINK_COLUMNS, STORED_HASH_EXPR } from './schema/columns.js';
import { MIGRATIONS, MIGRATIONS_TABLE } from './schema/migrations.js';
import type {
  ChainRead,
  ColumnDrift,
  CorrectionRow,
  CostGroup,
  CostRow,
  EventFilter,
  PayloadProblem,
  PayloadProblemOptions,
  RecordedErasure,
  StreamOpening,
  RequestSummary,
  ScanOptions,
  Store,
  StreamPosition,
  StreamSummary,
} from './types.js';

const TOKEN = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * A byte stream (not object mode, as the client requires) that hands out the body as text: the
 * embedded connection concatenates text chunks as they are, so the body is never encoded to a
 * Buffer and decoded back (two copies of ~20 MB per 10,000-event batch); over HTTP it is sent as UTF-8.
 */
function textStream(body: string): Readable {
  const stream = new Readable({ encoding: 'utf8', read() {} });
  stream.push(body, 'utf8');
  stream.push(null);
  return stream;
}

/** True when a value can travel unescaped in TabSeparatedRaw: no tab, no newline. */
function isRawField(value: string): boolean {
  return !value.includes('\t') && !value.includes('\n');
}

/**
 * Per derived column: does the stored value differ from what the record derives? Compared as text
 * so that NULL equals NULL: '\0' never occurs in a derived value.
 */
const differs = (c: { name: string; expr: string }) => `ifNull(toString(${c.name}), '\\0') != ifNull(toString(${c.expr}), '\\0')`;
const ALL_COLUMNS = [...DERIVED_COLUMNS, ...LINK_COLUMNS];
const DIFFERS = ALL_COLUMNS.map(differs);

/** The names of the derived columns of a row that differ from what its record derives. */
const DRIFTED_COLUMNS = `arrayFilter((name, bad) -> bad, [${ALL_COLUMNS.map((c) => `'${c.name}'`).join(', ')}], [${DIFFERS.join(', ')}])`;

/**
 * Correction rows whose link columns differ from their record. The link columns are outside
 * derived_hash (see columns.ts) and are read by queries on correction rows only, so these rows are
 * the ones to check: few, and found through the event_type skip index without reading any other.
 */
const LINK_DRIFT = `event_type = '${COST_CORRECTION}' AND (${LINK_COLUMNS.map(differs).join(' OR ')})`;

/**
 * Decodes RowBinary rows of (seq UInt64, prev_hash String, record String), or with `leafHashes`
 * of (seq UInt64, prev_hash String, leaf FixedString(32), block String of 0 or 32 bytes).
 */
function parseChainRows(buf: Buffer, leafHashes: boolean): ChainRow[] {
  const rows: ChainRow[] = [];
  let at = 0;
  const varint = () => {
    let n = 0;
    let shift = 1;
    for (;;) {
      const b = buf[at++]!;
      n += (b & 0x7f) * shift;
      if (b < 0x80) return n;
      shift *= 128;
    }
  };
  while (at < buf.length) {
    // seq < 2^53: the low and high 32-bit words combine exactly.
    const seq = buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
    at += 8;
    const hashLength = varint();
    const prevHash = buf.toString('latin1', at, at + hashLength);
    at += hashLength;
    if (leafHashes) {
      const leaf = buf.subarray(at, at + 32);
      const blockLength = buf[at + 32]!;
      const block = blockLength === 32 ? buf.subarray(at + 33, at + 65) : undefined;
      rows.push({ seq, prevHash, leafHash: buf.toString('hex', at, at + 32), leaf, block });
      at += 33 + blockLength;
    } else {
      const recordLength = varint();
      rows.push({ seq, prevHash, record: buf.subarray(at, at + recordLength) });
      at += recordLength;
    }
  }
  if (at !== buf.length) throw new StoreError('QUERY', 'truncated chain rows');
  return rows;
}

/** `data` of a stored record, or undefined when the record is not JSON (the chain check reports that). */
function dataOf(record: string): unknown {
  try {
    return (JSON.parse(record) as { data?: unknown }).data;
  } catch {
    return undefined;
  }
}

const COST_KEYS: Record<CostGroup, string> = {
  user: 'user_id',
  tenant: 'tenant_id',
  model: `if(response_model != '', response_model, request_model)`,
  day: 'toString(toDate(observed_at))',
};

/**
 * The Store over any `@clickhouse/client` client: the transport (embedded chDB or HTTP) is injected.
 */
export class ClickHouseStore implements Store {
  readonly kind: 'embedded' | 'server';
  readonly database: string;
  readonly #client: ClickHouseClient;
  readonly #runSql: ((sql: string) => Promise<unknown>) | undefined;
  #closed = false;

  /**
   * `runSql`: the embedded engine's own entry for one statement with inline data (inserts skip the
   * client there); absent for a server.
   */
  constructor(client: ClickHouseClient, kind: 'embedded' | 'server', database: string, runSql?: (sql: string) => Promise<unknown>) {
    this.#client = client;
    this.#runSql = runSql;
    this.kind = kind;
    this.database = database;
  }

  async migrate(): Promise<void> {
    const db = this.database;
    await this.#command(`CREATE DATABASE IF NOT EXISTS ${db}`);
    await this.#command(MIGRATIONS_TABLE(db));
    const applied = new Set((await this.#rows<{ version: number }>(`SELECT DISTINCT version FROM ${db}.schema_migrations`)).map((r) => Number(r.version)));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      try {
        for (const statement of m.statements(db)) await this.#command(statement);
      } catch (cause) {
        throw new StoreError('MIGRATION', `migration ${m.version} (${m.name}) failed: ${(cause as Error).message}`, { cause });
      }
      await this.#insert(`${db}.schema_migrations`, 'JSONEachRow', [JSON.stringify({ version: m.version, name: m.name, applied_at: chTime(new Date()) })], `migration-${m.version}`);
    }
  }

  async append(batch: EventBatch): Promise<void> {
    if (!TOKEN.test(batch.token)) throw new StoreError('QUERY', `invalid batch token ${JSON.stringify(batch.token)}`);
    // Payloads first: a record is never stored without the content it commits to. Both inserts are
    // idempotent, so a retry after a partial failure stores each row once.
    // Canonical JSON escapes every control character, so records and payload content are single
    // lines without tabs: TabSeparatedRaw carries their exact bytes with no escaping on either side,
    // and costs the engine about half of what JSONEachRow does (measured on 10,000-row payload
    // inserts: 10 vs 16-22 µs per row, serialization included).
    if (batch.payloads.length > 0) {
      const table = `${this.database}.payloads (digest, nonce, content, tenant_id, stream_id, seq, observed_at)`;
      const time = (p: PayloadRow) => p.observed_at.replace('T', ' ').replace('Z', '');
      if (batch.payloads.every((p) => isRawField(p.tenant_id) && isRawField(p.stream_id) && isRawField(p.content))) {
        const lines = batch.payloads.map((p) => `${p.digest}\t${p.nonce}\t${p.content}\t${p.tenant_id}\t${p.stream_id}\t${p.seq}\t${time(p)}`);
        await this.#insert(table, 'TabSeparatedRaw', lines, `${batch.token}:p`);
      } else {
        // A tenant id (free text) with a tab or newline: JSON carries it safely.
        const rows = batch.payloads.map((p) => JSON.stringify({ ...p, observed_at: time(p) }));
        await this.#insert(table, 'JSONEachRow', rows, `${batch.token}:p`);
      }
    }
    if (batch.records.length > 0) {
      if (!batch.records.every(isRawField)) throw new StoreError('QUERY', 'a record is not canonical JSON (raw newline or tab)');
      await this.#insert(`${this.database}.events (record)`, 'TabSeparatedRaw', batch.records, `${batch.token}:e`);
    }
  }

  async trace(by: { requestId: string } | { traceId: string }): Promise<AuditRecord[]> {
    const [column, value] = 'requestId' in by ? ['request_id', by.requestId] : ['trace_id', by.traceId];
    return this.#records(
      `SELECT record FROM ${this.database}.events WHERE ${column} = {v:String} ORDER BY observed_at, stream_id, seq LIMIT 100000`,
      { v: value },
    );
  }

  async search(filter: EventFilter): Promise<AuditRecord[]> {
    const where = whereOf(filter);
    const minCost = minCostOf(filter);
    const db = this.database;
    // Two steps: find positions through the columns alone (which the by_user projection and the
    // skip indexes can serve), then fetch those records by primary key. A minimum cost applies to
    // each call's cost after corrections; corrections themselves are not calls.
    const keys =
      minCost === undefined
        ? `SELECT stream_id, seq FROM ${db}.events WHERE ${where.sql} ORDER BY observed_at DESC, stream_id, seq LIMIT {limit:UInt32}`
        : `SELECT stream_id, seq FROM (${withEffectiveCost(
            db,
            `SELECT stream_id, seq, observed_at, cost_usd FROM ${db}.events WHERE ${where.sql} AND event_type != '${COST_CORRECTION}'`,
            filter.tenant !== undefined,
            ['stream_id', 'seq', 'observed_at'],
          )}) WHERE effective_cost >= toDecimal64({min_cost:String}, 12) ORDER BY observed_at DESC, stream_id, seq LIMIT {limit:UInt32}`;
    return this.#records(
      `SELECT record FROM ${db}.events WHERE (stream_id, seq) IN (${keys}) ORDER BY observed_at DESC, stream_id, seq`,
      { ...where.params, min_cost: minCost, limit: limitOf(filter) },
    );
  }

  async requests(filter: EventFilter): Promise<RequestSummary[]> {
    const where = whereOf(filter);
    const minCost = minCostOf(filter);
    const db = this.database;
    // The events side reads only columns of the by_user projection, so a per-user query stays on it.
    // A correction is not part of a request (auditrail writes them without one; none is counted).
    const events = withEffectiveCost(
      db,
      `SELECT request_id, tenant_id, user_id, session_id, observed_at, event_type, cost_usd, stream_id, seq FROM ${db}.events WHERE ${where.sql} AND request_id != '' AND event_type != '${COST_CORRECTION}'`,
      filter.tenant !== undefined,
      ['request_id', 'tenant_id', 'user_id', 'session_id', 'observed_at', 'event_type'],
    );
    // Aliases differ from column names: ClickHouse resolves an alias before a column of the same
    // name, even in WHERE, which would put aggregates into the filter.
    const rows = await this.#rows<{ request: string; tenant: string; user: string; session: string; first_at: string; last_at: string; events: string; llm_calls: string; tool_calls: string; total_cost: string; unpriced: string }>(
      `SELECT request_id AS request, any(tenant_id) AS tenant, any(user_id) AS user, any(session_id) AS session,
        toString(min(observed_at)) AS first_at, toString(max(observed_at)) AS last_at, count() AS events,
        countIf(event_type LIKE 'llm.%') AS llm_calls, countIf(event_type = 'tool.call') AS tool_calls,
        toString(sum(ifNull(effective_cost, 0))) AS total_cost, countIf(event_type LIKE 'llm.%' AND effective_cost IS NULL) AS unpriced
      FROM (${events})
      GROUP BY request
      ${minCost === undefined ? '' : 'HAVING sum(ifNull(effective_cost, 0)) >= toDecimal64({min_cost:String}, 12)'}
      ORDER BY first_at DESC, request
      LIMIT {limit:UInt32}`,
      { ...where.params, min_cost: minCost, limit: limitOf(filter) },
    );
    return rows.map((r) => ({
      request_id: r.request,
      tenant_id: r.tenant,
      user_id: r.user,
      session_id: r.session,
      first_at: r.first_at,
      last_at: r.last_at,
      events: Number(r.events),
      llm_calls: Number(r.llm_calls),
      tool_calls: Number(r.tool_calls),
      cost_usd: r.total_cost,
      unpriced: Number(r.unpriced),
    }));
  }

  async cost(by: CostGroup, filter: EventFilter): Promise<CostRow[]> {
    const key = COST_KEYS[by];
    if (!key) throw new StoreError('QUERY', `cost can be grouped by ${Object.keys(COST_KEYS).join(', ')}; got ${JSON.stringify(by)}`);
    const where = whereOf(filter);
    const db = this.database;
    const events = withEffectiveCost(
      db,
      `SELECT ${key} AS group_key, input_tokens, output_tokens, cost_usd, stream_id, seq FROM ${db}.events WHERE ${where.sql} AND event_type LIKE 'llm.%'`,
      filter.tenant !== undefined,
      ['group_key', 'input_tokens', 'output_tokens'],
    );
    const rows = await this.#rows<{ key: string; total_cost: string; calls: string; unpriced: string; total_input: string; total_output: string }>(
      `SELECT group_key AS key, toString(sum(ifNull(effective_cost, 0))) AS total_cost, count() AS calls, countIf(effective_cost IS NULL) AS unpriced,
        sum(input_tokens) AS total_input, sum(output_tokens) AS total_output
      FROM (${events})
      GROUP BY key
      ORDER BY sum(ifNull(effective_cost, 0)) DESC, key
      LIMIT {limit:UInt32}`,
      { ...where.params, limit: filter.limit === undefined ? 10_000 : limitOf(filter) },
    );
    return rows.map((r) => ({
      key: r.key,
      cost_usd: r.total_cost,
      calls: Number(r.calls),
      unpriced: Number(r.unpriced),
      input_tokens: Number(r.total_input),
      output_tokens: Number(r.total_output),
    }));
  }

  async latestCorrections(positions: readonly StreamPosition[]): Promise<CorrectionRow[]> {
    if (positions.length === 0) return [];
    // The positions become a set (IN a subquery), not an array searched once per correction row.
    const corrections = latestCorrectionsSql(
      this.database,
      ' AND (corrects_stream_id, corrects_seq) IN (SELECT p.1, p.2 FROM (SELECT arrayJoin(arrayZip({s:Array(String)}, {q:Array(UInt64)})) AS p))',
      `, ${ofLatest('price_source')} AS c_source, ${ofLatest('event_id')} AS c_event, count() AS corrections`,
    );
    const rows = await this.#rows<{ c_stream: string; c_seq: string; cost: string; source: string; event: string; corrections: string }>(
      `SELECT c_stream, c_seq, toString(c_cost) AS cost, toString(c_source) AS source, toString(c_event) AS event, corrections
      FROM (${corrections})
      ORDER BY c_stream, c_seq`,
      { s: positions.map((p) => p.stream_id), q: positions.map((p) => p.seq) },
    );
    return rows.map((r) => ({
      stream_id: r.c_stream,
      seq: Number(r.c_seq),
      cost_usd: r.cost,
      price_source: r.source,
      correction_event_id: r.event,
      corrections: Number(r.corrections),
    }));
  }

  async scan(filter: EventFilter, options: ScanOptions = {}): Promise<AuditRecord[]> {
    const where = whereOf(filter);
    const after = options.after;
    return this.#records(
      `SELECT record FROM ${this.database}.events
      WHERE ${where.sql}${after ? ' AND (stream_id, seq) > ({after_stream:String}, {after_seq:UInt64})' : ''}
      ORDER BY stream_id, seq LIMIT {limit:UInt32}`,
      { ...where.params, after_stream: after?.stream_id, after_seq: after?.seq, limit: limitOf({ limit: options.limit ?? 10_000 }) },
    );
  }

  async streams(): Promise<StreamSummary[]> {
    const rows = await this.#rows<StreamSummary>(
      `SELECT stream_id, count() AS events, min(seq) AS first_seq, max(seq) AS last_seq FROM ${this.database}.events GROUP BY stream_id ORDER BY min(observed_at), stream_id`,
    );
    return rows.map((r) => ({ stream_id: r.stream_id, events: Number(r.events), first_seq: Number(r.first_seq), last_seq: Number(r.last_seq) }));
  }

  async streamLength(streamId: string): Promise<number> {
    const rows = await this.#rows<{ n: string }>(`SELECT if(count() = 0, 0, max(seq) + 1) AS n FROM ${this.database}.events WHERE stream_id = {s:String}`, { s: streamId });
    return Number(rows[0]?.n ?? 0);
  }

  async readChain(streamId: string, fromSeq: number, toSeq: number, read: ChainRead = 'records'): Promise<ChainRow[]> {
    this.#assertOpen();
    // RowBinary carries the record's exact stored bytes (a tampered record may hold anything) with
    // no text encoding to undo: three times faster than base64 in TSV at 10M events. SHA256() is
    // built in: SQL cannot redefine it (CREATE FUNCTION refuses built-in names).
    // With leaf hashes, each seq ≡ 3 (mod 4) also gets the Merkle node over the four records ending
    // there: each pair's node through its odd row's own prev_hash (the previous leaf hash while the
    // chain holds), two pairs joined through a window two rows back. Three quarters of the tree's
    // node hashes computed on the database's cores (+~5% query time, measured), none trusted before
    // the verifier has checked the four rows are consecutive and linked.
    const rows =
      read === 'leaf-hashes'
        ? `SELECT seq, prev_hash, leaf, if(seq % 4 = 3 AND length(pair_before) = 32 AND length(pair) = 32, SHA256(concat(unhex('01'), pair_before, pair)), '') FROM (
            SELECT seq, prev_hash, leaf, pair, lagInFrame(pair, 2, '') OVER (ORDER BY seq ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS pair_before FROM (
              SELECT seq, prev_hash, SHA256(concat(unhex('00'), record)) AS leaf,
                if(seq % 2 = 1 AND length(prev_hash) = 64, SHA256(concat(unhex('01'), unhex(prev_hash), leaf)), '') AS pair
              FROM ${this.database}.events WHERE stream_id = {s:String} AND seq >= {a:UInt64} AND seq < {b:UInt64}))
          ORDER BY seq FORMAT RowBinary`
        : `SELECT seq, prev_hash, record FROM ${this.database}.events WHERE stream_id = {s:String} AND seq >= {a:UInt64} AND seq < {b:UInt64} ORDER BY seq FORMAT RowBinary`;
    let buf: Buffer;
    try {
      const result = await this.#client.exec({
        query: rows,
        query_params: { s: streamId, a: fromSeq, b: toSeq },
      });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream) chunks.push(chunk as Buffer);
      buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    } catch (cause) {
      throw new StoreError('QUERY', `reading stream ${streamId} failed: ${(cause as Error).message}`, { cause });
    }
    return parseChainRows(buf, read === 'leaf-hashes');
  }

  async columnDrift(options: { limit?: number; deep?: boolean; after?: readonly StreamPosition[] } = {}): Promise<ColumnDrift[]> {
    // Cheap by default: rows whose stored columns no longer hash to the derived_hash computed at
    // insert (a key column, which cannot be updated). Deep: every column against its record, which
    // parses every record. Either way, the columns that differ are named for the rows found only.
    // The link columns of corrections (outside derived_hash) are compared with the record on every
    // correction row, in a query of their own so that the skip index on event_type serves it.
    const db = this.database;
    const after = options.after;
    // One key range per stream, so the primary key skips what an incremental verify saw before.
    // One key range per stream listed, so the primary key skips what an incremental verify saw
    // before; a stream not listed is read whole (as payloadProblems does).
    const ranges = (after ?? []).map((_, i) => `(stream_id = {as${i}:String} AND seq >= {aq${i}:UInt64})`);
    const since = after === undefined ? '' : ` AND (${[...ranges, 'stream_id NOT IN {listed:Array(String)}'].join(' OR ')})`;
    const positions = Object.fromEntries([...(after ?? []).flatMap((p, i) => [[`as${i}`, p.stream_id], [`aq${i}`, p.seq]]), ['listed', (after ?? []).map((p) => p.stream_id)]]);
    const suspects = options.deep
      ? `SELECT stream_id, seq FROM ${db}.events WHERE (${DIFFERS.join(' OR ')} OR ${STORED_HASH_EXPR} != derived_hash OR derived_hash != ${DERIVED_HASH_EXPR})${since}`
      : `SELECT stream_id, seq FROM ${db}.events WHERE ${STORED_HASH_EXPR} != derived_hash${since} UNION ALL SELECT stream_id, seq FROM ${db}.events WHERE ${LINK_DRIFT}${since}`;
    const rows = await this.#rows<{ stream_id: string; seq: string; columns: string[] }>(
      `SELECT stream_id, seq, ${DRIFTED_COLUMNS} AS columns
      FROM ${db}.events
      WHERE (stream_id, seq) IN (${suspects})
      ORDER BY stream_id, seq LIMIT {limit:UInt32}`,
      { limit: options.limit ?? 1000, ...positions },
    );
    return rows.map((r) => ({ stream_id: r.stream_id, seq: Number(r.seq), columns: r.columns.length > 0 ? r.columns : ['derived_hash'] }));
  }

  async schemaDrift(): Promise<string[]> {
    const [tables, rows] = await Promise.all([
      this.#rows<{ engine: string }>(`SELECT engine FROM system.tables WHERE database = {db:String} AND name = 'events'`, { db: this.database }),
      this.#rows<{ name: string; default_kind: string; is_in_sorting_key: number }>(
        `SELECT name, default_kind, is_in_sorting_key FROM system.columns WHERE database = {db:String} AND table = 'events'`,
        { db: this.database },
      ),
    ]);
    // A view (or any other engine) named events could serve records that are stored nowhere.
    const engine = tables[0]?.engine;
    if (engine !== 'MergeTree') return [engine === undefined ? 'table events is missing' : `events is a ${engine}, not the MergeTree table auditrail created`];
    const byName = new Map(rows.map((r) => [r.name, r]));
    const problems: string[] = [];
    for (const name of [...ALL_COLUMNS.map((c) => c.name), 'derived_hash']) {
      const c = byName.get(name);
      if (!c) problems.push(`column ${name} is missing`);
      else if (c.default_kind !== 'MATERIALIZED') problems.push(`column ${name} is no longer MATERIALIZED from the record`);
    }
    const hash = byName.get('derived_hash');
    if (hash && Number(hash.is_in_sorting_key) !== 1) problems.push('column derived_hash is no longer part of the sorting key');
    return problems;
  }

  async payloads(digests: readonly string[]): Promise<PayloadRow[]> {
    if (digests.length === 0) return [];
    const rows = await this.#rows<PayloadRow & { seq: string }>(
      `SELECT digest, nonce, content, tenant_id, stream_id, seq, toString(observed_at) AS observed_at FROM ${this.database}.payloads WHERE digest IN {d:Array(String)}`,
      { d: digests },
    );
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  async payloadProblems(options: PayloadProblemOptions = {}): Promise<PayloadProblem[]> {
    const after = afterPositions(options.after);
    const { at, exclude } = options;
    const rows = await this.#rows<{ stream_id: string; seq: string; digest: string; problem: PayloadProblem['problem'] }>(
      payloadProblemsSql(this.database, after.sql, { at: at !== undefined, exclude: exclude !== undefined && exclude.length > 0 }),
      {
        ...after.params,
        limit: limitOf({ limit: options.limit ?? 10_000 }),
        at_streams: at?.map((p) => p.stream_id),
        at_seqs: at?.map((p) => p.seq),
        ex_streams: exclude?.map((p) => p.stream_id),
        ex_seqs: exclude?.map((p) => p.seq),
        ex_digests: exclude?.map((p) => p.digest),
      },
    );
    return rows.map((r) => ({ stream_id: r.stream_id, seq: Number(r.seq), digest: r.digest, problem: r.problem }));
  }

  async erasures(): Promise<RecordedErasure[]> {
    const rows = await this.#rows<{ id: string; type: string; stream_id: string; seq: string; at: string; record: string }>(
      `SELECT toString(event_id) AS id, event_type AS type, stream_id, seq, toString(observed_at) AS at, record
      FROM ${this.database}.events WHERE event_type IN {types:Array(String)} ORDER BY stream_id, seq`,
      { types: ERASURE_EVENT_TYPES },
    );
    return rows.map((r) => ({
      event_id: r.id,
      event_type: r.type,
      stream_id: r.stream_id,
      seq: Number(r.seq),
      observed_at: `${r.at.replace(' ', 'T')}Z`,
      payloads: erasedPayloadsOf({ event_type: r.type, data: dataOf(r.record) }),
    }));
  }

  async streamOpenings(): Promise<StreamOpening[]> {
    const rows = await this.#rows<{ stream_id: string; seq: string; record: string }>(
      `SELECT stream_id, seq, record FROM ${this.database}.events WHERE event_type = 'audit.stream_open' ORDER BY stream_id, seq`,
    );
    return rows.map((r) => ({ stream_id: r.stream_id, seq: Number(r.seq), data: dataOf(r.record) }));
  }

  async erasePayloads(digests: readonly string[]): Promise<void> {
    if (digests.length === 0) return;
    const wanted = [...new Set(digests)];
    const named = new Set((await this.#rows<{ named: string }>(namedByErasuresSql(this.database), { d: wanted, types: ERASURE_EVENT_TYPES })).map((r) => r.named));
    const unrecorded = wanted.filter((d) => !named.has(d));
    if (unrecorded.length > 0) {
      throw new StoreError('QUERY', `refusing to erase ${unrecorded.length} payload(s) that no stored audit.erasure or audit.retention_purge event names (store the event first), e.g. ${unrecorded[0]}`);
    }
    // A mutation, not a lightweight DELETE: that one only masks rows and leaves the content in the
    // part until some later merge; this rewrites the parts without it before returning.
    await this.#command(`ALTER TABLE ${this.database}.payloads DELETE WHERE digest IN {d:Array(String)} SETTINGS mutations_sync = 1`, { d: wanted });
  }

  async appendCheckpoints(records: readonly CheckpointRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map((c) => JSON.stringify({ ...c, signed_at: c.signed_at.replace('T', ' ').replace('Z', '') }));
    // The token names the checkpoints (stream, size, root), so a retried insert of the same ones is a no-op.
    const token = createHash('sha256').update(records.map((c) => `${c.stream_id}:${c.size}:${c.root}`).join('\n')).digest('hex');
    await this.#insert(`${this.database}.checkpoints (stream_id, size, root, origin, note, signed_at)`, 'JSONEachRow', rows, `checkpoints:${token}`);
  }

  async checkpoints(options: { streamId?: string; minSize?: number } = {}): Promise<CheckpointRecord[]> {
    const where = [options.streamId === undefined ? '' : 'stream_id = {s:String}', options.minSize === undefined ? '' : 'size >= {m:UInt64}'].filter(Boolean);
    const rows = await this.#rows<CheckpointRecord & { size: string }>(
      `SELECT stream_id, size, root, origin, note, toString(signed_at) AS signed_at FROM ${this.database}.checkpoints
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY stream_id, size, signed_at`,
      { s: options.streamId, m: options.minSize },
    );
    return rows.map((r) => ({ ...r, size: Number(r.size), signed_at: `${r.signed_at.replace(' ', 'T')}Z` }));
  }

  async locate(eventId: string): Promise<StreamPosition | undefined> {
    const rows = await this.#rows<{ stream_id: string; seq: string }>(
      `SELECT stream_id, seq FROM ${this.database}.events WHERE event_id = toUUIDOrZero({id:String}) ORDER BY stream_id, seq LIMIT 1`,
      { id: eventId },
    );
    return rows[0] === undefined ? undefined : { stream_id: rows[0].stream_id, seq: Number(rows[0].seq) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  async #records(query: string, params: Record<string, unknown>): Promise<AuditRecord[]> {
    const rows = await this.#rows<{ record: string }>(query, params);
    return rows.map((r) => JSON.parse(r.record) as AuditRecord);
  }

  async #rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const rs = await this.#query(query, params, 'JSONEachRow');
    return rs.json<T>();
  }

  async #query(query: string, params: Record<string, unknown>, format: 'JSONEachRow' | 'TabSeparatedRaw') {
    this.#assertOpen();
    const query_params = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    try {
      return await this.#client.query({ query, query_params, format });
    } catch (cause) {
      throw new StoreError('QUERY', `query failed: ${(cause as Error).message}`, { cause });
    }
  }

  async #command(query: string, params?: Record<string, unknown>): Promise<void> {
    this.#assertOpen();
    try {
      await this.#client.command({ query, query_params: params });
    } catch (cause) {
      throw new StoreError('QUERY', `statement failed: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * One INSERT of pre-serialized lines. The deduplication token travels in the statement's own
   * SETTINGS clause, so it applies to this insert only (a token passed as a client setting becomes
   * a session-wide SET on the embedded engine and would silently drop later inserts).
   */
  async #insert(table: string, format: 'JSONEachRow' | 'TabSeparatedRaw', lines: readonly string[], token: string): Promise<void> {
    this.#assertOpen();
    const query = `INSERT INTO ${table} SETTINGS insert_deduplication_token = '${token}' FORMAT ${format}`;
    try {
      if (this.#runSql !== undefined) {
        // Embedded: statement and rows joined into one flat string, handed to the engine as is. Through
        // the client, the connection would prepend the statement to the body (a concatenation the
        // engine binding then copies flat again): two fewer copies of ~30 MB per 10,000-event batch.
        await this.#runSql([query, ...lines, ''].join('\n'));
        return;
      }
      const result = await this.#client.exec({ query, values: textStream(lines.join('\n') + '\n') });
      result.stream.resume();
    } catch (cause) {
      throw new StoreError('QUERY', `insert into ${table} failed: ${(cause as Error).message}`, { cause });
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('CLOSED', 'the store is closed');
  }
}
