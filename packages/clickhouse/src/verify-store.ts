import { type ChainRow, type Finding, StreamVerifier } from '@auditrail/core';
import type { ChainRead, Store, StreamSummary } from './types.js';

/** Pages read ahead: two keep the engine busy while this process hashes (measured: 1 → 2 pages, +20%). */
const PREFETCH = 2;

export interface VerifyProgress {
  readonly stream_id: string;
  readonly streamIndex: number;
  readonly streams: number;
  /** Events read so far, over all streams, and the total expected. */
  readonly events: number;
  readonly totalEvents: number;
}

export interface VerifyOptions {
  /** Rows read per query. Default 50000. */
  pageSize?: number;
  /**
   * Assume nothing of the database: hash every record in this process (instead of reading the
   * leaf hashes the database's built-in SHA256 computes) and compare every derived column with its
   * record (instead of using derived_hash). Several times slower.
   */
  deep?: boolean;
  onProgress?: (p: VerifyProgress) => void;
}

export interface StreamReport {
  readonly stream_id: string;
  readonly events: number;
  readonly first_seq: number;
  readonly last_seq: number;
  readonly findings: number;
}

export interface VerifyReport {
  readonly intact: boolean;
  readonly events: number;
  readonly streams: StreamReport[];
  readonly findings: Finding[];
  /** Where the leaf hashes of intact streams were computed; a stream with findings is always rehashed here. */
  readonly hashedBy: 'database' | 'auditrail';
  readonly durationMs: number;
}

/**
 * Verifies the whole store: the schema still derives every column from the record, every column
 * equals what its record derives, and each stream's chain holds.
 *
 * Routinely the database computes each record's leaf hash (built-in SHA256, which SQL cannot
 * redefine; a tenth of the bytes to move) and this process checks every link. A stream with any
 * finding is verified again from its raw records hashed here, so every finding reported rests on
 * this process's own hashing; `deep` does that for every stream.
 */
export async function verifyStore(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const deep = options.deep ?? false;
  // The column check is one scan inside the database; it runs while this process checks chains.
  // A schema that lost columns (or an events that is not a table) can make the column scan fail:
  // the schema finding then says why, and the failure is not the report.
  const columnCheck = Promise.all([store.schemaDrift(), store.columnDrift({ deep }).catch((e: unknown) => e as Error)]);
  columnCheck.catch(() => {});
  const streams = await store.streams();
  const totalEvents = streams.reduce((n, s) => n + s.events, 0);
  const chainFindings: Finding[] = [];
  const counts = new Map<string, number>();
  let read = 0;
  for (const [i, s] of streams.entries()) {
    const progress = (rows: number) => {
      read += rows;
      options.onProgress?.({ stream_id: s.stream_id, streamIndex: i, streams: streams.length, events: read, totalEvents });
    };
    let found = await verifyChain(store, s, deep ? 'records' : 'leaf-hashes', options.pageSize, progress);
    if (found.length > 0 && !deep) found = await verifyChain(store, s, 'records', options.pageSize, () => {});
    chainFindings.push(...found);
    counts.set(s.stream_id, found.length);
  }
  const [schema, driftOrError] = await columnCheck;
  if (driftOrError instanceof Error && schema.length === 0) throw driftOrError;
  const drift = driftOrError instanceof Error ? [] : driftOrError;
  const findings: Finding[] = [
    ...schema.map((problem): Finding => ({ stream_id: '*', seq: -1, kind: 'modified', detail: `schema: ${problem}` })),
    ...drift.map((d): Finding => ({
      stream_id: d.stream_id,
      seq: d.seq,
      kind: 'modified',
      detail: `column${d.columns.length > 1 ? 's' : ''} ${d.columns.join(', ')} differ${d.columns.length > 1 ? '' : 's'} from the record`,
    })),
    ...chainFindings,
  ];
  for (const d of drift) counts.set(d.stream_id, (counts.get(d.stream_id) ?? 0) + 1);
  const reports = streams.map((s) => ({ ...s, findings: counts.get(s.stream_id) ?? 0 }));
  return {
    intact: findings.length === 0,
    events: totalEvents,
    streams: reports,
    findings,
    hashedBy: deep ? 'auditrail' : 'database',
    durationMs: performance.now() - started,
  };
}

/** One stream's chain findings, reading up to PREFETCH pages ahead while the current one is checked. */
async function verifyChain(
  store: Store,
  stream: StreamSummary,
  readAs: ChainRead,
  pageSize = 50_000,
  onRows: (rows: number) => void,
): Promise<Finding[]> {
  const verifier = new StreamVerifier(stream.stream_id);
  const pages: Promise<ChainRow[]>[] = [];
  let nextFrom = 0;
  const readAhead = () => {
    while (pages.length < PREFETCH && nextFrom <= stream.last_seq) {
      const page = store.readChain(stream.stream_id, nextFrom, nextFrom + pageSize, readAs);
      page.catch(() => {});
      pages.push(page);
      nextFrom += pageSize;
    }
  };
  readAhead();
  while (pages.length > 0) {
    const rows = await pages.shift()!;
    readAhead();
    for (const row of rows) verifier.push(row);
    onRows(rows.length);
  }
  return verifier.finish();
}
