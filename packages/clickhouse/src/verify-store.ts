import { type ChainRow, type Finding, StreamVerifier } from '@auditrail/core';
import type { Store } from './types.js';

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
  /** Compare every derived column with its record instead of using derived_hash. Slower (parses every record). */
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
  readonly durationMs: number;
}

/**
 * Verifies the whole store: the schema still derives every column from the record, every column
 * equals what its record derives, and each stream's chain holds (leaf hashes recomputed here,
 * from the stored bytes, not by the database).
 */
export async function verifyStore(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const pageSize = options.pageSize ?? 50_000;
  // The column check is one scan inside the database; it runs while this process hashes chains.
  const columnCheck = Promise.all([store.schemaDrift(), store.columnDrift({ deep: options.deep ?? false })]);
  columnCheck.catch(() => {});
  const streams = await store.streams();
  const totalEvents = streams.reduce((n, s) => n + s.events, 0);
  const chainFindings: Finding[] = [];
  const counts = new Map<string, number>();
  let read = 0;
  for (const [i, s] of streams.entries()) {
    const verifier = new StreamVerifier(s.stream_id);
    // Up to PREFETCH pages are read ahead while this process hashes the current one.
    const pages: Promise<ChainRow[]>[] = [];
    let nextFrom = 0;
    const readAhead = () => {
      while (pages.length < PREFETCH && nextFrom <= s.last_seq) {
        const page = store.readChain(s.stream_id, nextFrom, nextFrom + pageSize);
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
      read += rows.length;
      options.onProgress?.({ stream_id: s.stream_id, streamIndex: i, streams: streams.length, events: read, totalEvents });
    }
    const found = verifier.finish();
    chainFindings.push(...found);
    counts.set(s.stream_id, found.length);
  }
  const [schema, drift] = await columnCheck;
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
  return { intact: findings.length === 0, events: totalEvents, streams: reports, findings, durationMs: performance.now() - started };
}
