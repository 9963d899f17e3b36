import { type ChainRow, type CheckpointRecord, type Finding, parseVerifierKey, StreamVerifier, type Verifier } from '@auditrail/core';
import { type CheckpointSource, judgeCheckpoints, type TrustedHead } from './verify/checkpoint-judge.js';
import { MerkleFeed, type VerifiedHead } from './verify/merkle-feed.js';
import type { ChainRead, PayloadProblem, RecordedErasure, Store, StreamOpening, StreamSummary } from './types.js';

/** Payload problems listed at most (a store past it has failed verification many times over). */
const PAYLOAD_PROBLEM_LIMIT = 100_000;

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
  /** Trusted verifier keys: a checkpoint counts only when one of them verified its signature. */
  keys?: readonly Verifier[];
  /** Checkpoints published outside the database (a checkpoint log, see `parseCheckpointLog`). */
  published?: readonly CheckpointRecord[];
  /**
   * Go on from an earlier verify (its `state`): each stream is read from its last verified
   * checkpoint on, the tree resumed from there. Streams the state does not know are read whole.
   */
  since?: VerifyState;
  onProgress?: (p: VerifyProgress) => void;
}

export interface StreamReport {
  readonly stream_id: string;
  readonly events: number;
  readonly first_seq: number;
  readonly last_seq: number;
  readonly findings: number;
  /** Size of the largest checkpoint whose root was recomputed from the stored events (0: none). */
  readonly checkpoint_size: number;
  /** Checkpoints of this stream whose roots were compared. */
  readonly checkpoints: number;
  /** Where this verify began reading the stream (0, or the state's checkpoint size when incremental). */
  readonly from_seq: number;
}

/** What an incremental verify goes on from: per stream, the last checkpoint verified. Kept by the verifier, outside the store. */
export interface VerifyState {
  readonly version: 1;
  readonly database: string;
  readonly streams: Readonly<Record<string, VerifiedHead & { readonly note: string }>>;
}

export interface ErasedReport {
  readonly stream_id: string;
  readonly seq: number;
  readonly digest: string;
  /** The erasure or retention-purge event that records the removal. */
  readonly by: { readonly event_id: string; readonly event_type: string; readonly stream_id: string; readonly seq: number; readonly observed_at: string };
}

export interface VerifyReport {
  readonly intact: boolean;
  readonly events: number;
  /** Events read this time (fewer than `events` when incremental). */
  readonly eventsRead: number;
  readonly streams: StreamReport[];
  readonly findings: Finding[];
  /** Where the leaf hashes of intact streams were computed; a stream with findings is always rehashed here. */
  readonly hashedBy: 'database' | 'auditrail';
  readonly checkpoints: {
    readonly stored: number;
    readonly published: number;
    /** Signatures verified by a trusted key (0 when no keys were given). */
    readonly verified: number;
    /** Checkpoints whose root was recomputed from the stored events and matched. */
    readonly rootsMatched: number;
    readonly signaturesChecked: boolean;
  };
  /**
   * Payload rows removed lawfully: each missing payload that a recorded erasure or retention purge
   * names (stream, seq and digest), with the event that removed it. Not findings.
   */
  readonly erased: ErasedReport[];
  /** For the next incremental verify; carries only what this one verified. */
  readonly state: VerifyState;
  readonly durationMs: number;
}

/**
 * Verifies the whole store: the schema still derives every column from the record, every column
 * equals what its record derives, each stream's chain holds, and its Merkle tree has the root its
 * signed checkpoints state, stored and published ones alike.
 *
 * Routinely the database computes each record's leaf hash (built-in SHA256, which SQL cannot
 * redefine; a tenth of the bytes to move) and this process checks every link. A stream with any
 * finding is verified again from its raw records hashed here, so every finding reported rests on
 * this process's own hashing; `deep` does that for every stream.
 */
export async function verifyStore(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const deep = options.deep ?? false;
  const since = options.since?.database === store.database ? options.since : undefined;
  const [streams, stored] = await Promise.all([store.streams(), store.checkpoints()]);
  const judged = judgeCheckpoints({ store: stored, published: options.published ?? [] }, options.keys ?? []);
  // Where each stream is read from: its state's head when that can still be trusted, else 0.
  const resumes = new Map(streams.map((s) => [s.stream_id, resumable(since?.streams[s.stream_id], judged.heads.get(s.stream_id) ?? new Map())]));
  const after = since === undefined ? undefined : streams.map((s) => ({ stream_id: s.stream_id, seq: resumes.get(s.stream_id)?.size ?? 0 }));
  // The column check is one scan inside the database; it runs while this process checks chains.
  // A schema that lost columns (or an events that is not a table) can make the column scan fail:
  // the schema finding then says why, and the failure is not the report.
  const columnCheck = Promise.all([store.schemaDrift(), store.columnDrift({ deep, ...(after === undefined ? {} : { after }) }).catch((e: unknown) => e as Error)]);
  columnCheck.catch(() => {});
  // Payloads: each event's content row must exist and hash to the digest its record commits to
  // (rehashed in the database), unless a recorded erasure removed it.
  // Removals a recorded erasure names are left out of the scan (they never fill its limit) and
  // judged apart, once it is known which erasure events a verified checkpoint covers.
  const payloadCheck = store.erasures().then(async (erasures) => {
    const exclude = erasures.flatMap((e) => e.payloads);
    const problems = await store.payloadProblems({ ...(after === undefined ? {} : { after }), exclude, limit: PAYLOAD_PROBLEM_LIMIT });
    return { erasures, problems };
  });
  payloadCheck.catch(() => {});
  const openings = (options.keys ?? []).length > 0 ? store.streamOpenings() : Promise.resolve([]);
  openings.catch(() => {});
  const totalEvents = streams.reduce((n, s) => n + s.events, 0);
  const findings: Finding[] = [...judged.findings];
  const counts = new Map<string, number>();
  const count = (f: Finding) => counts.set(f.stream_id, (counts.get(f.stream_id) ?? 0) + 1);
  const reports: StreamReport[] = [];
  const state: Record<string, VerifyState['streams'][string]> = {};
  let read = 0;
  let rootsMatched = 0;
  // Events an incremental verify skips: those below each resumed stream's verified size.
  const skipped = streams.reduce((n, s) => n + Math.min(s.events, resumes.get(s.stream_id)?.size ?? 0), 0);
  const known = new Set(streams.map((s) => s.stream_id));
  for (const [stream, heads] of judged.heads) {
    if (known.has(stream)) continue;
    const largest = Math.max(...heads.keys());
    findings.push({ stream_id: stream, seq: -1, kind: 'stream_missing', detail: `a signed checkpoint (${sourcesOf(heads)}) covers ${largest} events of this stream; the store holds none` });
  }
  for (const [i, s] of streams.entries()) {
    const heads = judged.heads.get(s.stream_id) ?? new Map<number, TrustedHead>();
    const resume = resumes.get(s.stream_id);
    const progress = (rows: number) => {
      read += rows;
      options.onProgress?.({ stream_id: s.stream_id, streamIndex: i, streams: streams.length, events: read, totalEvents: totalEvents - skipped });
    };
    let result = await verifyStream(store, s, heads, resume, deep ? 'records' : 'leaf-hashes', options.pageSize, progress);
    if (result.findings.length > 0 && !deep) result = await verifyStream(store, s, heads, resume, 'records', options.pageSize, () => {});
    findings.push(...result.findings);
    rootsMatched += result.matched.length;
    const best = result.matched.at(-1);
    if (best !== undefined) state[s.stream_id] = { ...best, note: heads.get(best.size)!.note };
    else if (resume !== undefined) state[s.stream_id] = since!.streams[s.stream_id]!;
    reports.push({ ...s, findings: 0, checkpoint_size: best?.size ?? resume?.size ?? 0, checkpoints: result.compared, from_seq: resume?.size ?? 0 });
  }
  const [schema, driftOrError] = await columnCheck;
  if (driftOrError instanceof Error && schema.length === 0) throw driftOrError;
  const drift = driftOrError instanceof Error ? [] : driftOrError;
  findings.unshift(
    ...schema.map((problem): Finding => ({ stream_id: '*', seq: -1, kind: 'modified', detail: `schema: ${problem}` })),
    ...drift.map((d): Finding => ({
      stream_id: d.stream_id,
      seq: d.seq,
      kind: 'modified',
      detail: `column${d.columns.length > 1 ? 's' : ''} ${d.columns.join(', ')} differ${d.columns.length > 1 ? '' : 's'} from the record`,
    })),
  );
  const { erasures, problems } = await payloadCheck;
  const named = erasures.flatMap((e) => e.payloads);
  const removed = named.length === 0 ? [] : (await store.payloadProblems({ at: named, limit: PAYLOAD_PROBLEM_LIMIT })).filter((p) => p.problem === 'missing');
  const covered = new Map(reports.map((r) => [r.stream_id, r.checkpoint_size]));
  const { payloadFindings, erased } = judgePayloads(problems, removed, erasures, (e) => e.seq < (covered.get(e.stream_id) ?? 0));
  if (problems.length >= PAYLOAD_PROBLEM_LIMIT) {
    payloadFindings.push({ stream_id: '*', seq: -1, kind: 'missing', detail: `at least ${PAYLOAD_PROBLEM_LIMIT.toLocaleString('en')} payloads are missing or altered; the first ${PAYLOAD_PROBLEM_LIMIT.toLocaleString('en')} (by stream and seq) are listed` });
  }
  findings.push(...payloadFindings);
  findings.push(...undeclaredGaps(await openings, reports, options.keys ?? []));
  findings.forEach(count);
  return {
    intact: findings.length === 0,
    events: totalEvents,
    eventsRead: read,
    streams: reports.map((r) => ({ ...r, findings: counts.get(r.stream_id) ?? 0 })),
    findings,
    hashedBy: deep ? 'auditrail' : 'database',
    erased,
    checkpoints: { stored: judged.counts.store, published: judged.counts.published, verified: judged.counts.verified, rootsMatched, signaturesChecked: judged.signaturesChecked },
    state: { version: 1, database: store.database, streams: findings.length === 0 ? state : {} },
    durationMs: performance.now() - started,
  };
}

/**
 * A payload that is missing is lawful only when an erasure or retention purge names exactly it (its
 * event's stream and seq, and the digest) and that erasure event is itself covered by a verified
 * signed checkpoint of its stream (`trusted`): anyone who can write rows could otherwise record an
 * "erasure" for a payload they deleted. It is then reported as erased, with that event. Any other
 * missing row is `missing`; a row that no longer hashes to its digest is `modified`.
 */
function judgePayloads(
  problems: readonly PayloadProblem[],
  removed: readonly PayloadProblem[],
  erasures: readonly RecordedErasure[],
  trusted: (erasure: RecordedErasure) => boolean,
): { payloadFindings: Finding[]; erased: ErasedReport[] } {
  const key = (p: { stream_id: string; seq: number; digest: string }) => `${p.stream_id}\n${p.seq}\n${p.digest}`;
  const byPosition = new Map<string, RecordedErasure>();
  for (const e of erasures) for (const p of e.payloads) if (!byPosition.has(key(p)) || trusted(e)) byPosition.set(key(p), e);
  const payloadFindings: Finding[] = [];
  const erased: ErasedReport[] = [];
  for (const p of problems) {
    payloadFindings.push(
      p.problem === 'missing'
        ? { stream_id: p.stream_id, seq: p.seq, kind: 'missing', detail: `the payload of event ${p.seq} is missing, and no recorded erasure removed it` }
        : { stream_id: p.stream_id, seq: p.seq, kind: 'modified', detail: `the payload of event ${p.seq} does not hash to the digest its record commits to` },
    );
  }
  for (const p of removed) {
    const by = byPosition.get(key(p));
    if (by === undefined) continue;
    if (trusted(by)) {
      erased.push({ stream_id: p.stream_id, seq: p.seq, digest: p.digest, by: { event_id: by.event_id, event_type: by.event_type, stream_id: by.stream_id, seq: by.seq, observed_at: by.observed_at } });
    } else {
      payloadFindings.push({
        stream_id: p.stream_id,
        seq: p.seq,
        kind: 'missing',
        detail: `the payload of event ${p.seq} is missing; the ${by.event_type} event that names it (stream ${by.stream_id}, seq ${by.seq}) is covered by no verified signed checkpoint`,
      });
    }
  }
  return { payloadFindings, erased };
}

/**
 * A stream whose first event declares checkpoints every `every_events` events, signed by a trusted
 * key, cannot honestly end with more than `every_events + max_queue_size` events no verified
 * checkpoint covers: its writer signs as soon as that many are written, and one write holds at most
 * its queue. A longer unsigned tail means its checkpoints were removed (or never stored): `missing`.
 */
function undeclaredGaps(openings: readonly StreamOpening[], reports: readonly StreamReport[], keys: readonly Verifier[]): Finding[] {
  const byStream = new Map(reports.map((r) => [r.stream_id, r]));
  const findings: Finding[] = [];
  for (const o of openings) {
    const report = byStream.get(o.stream_id);
    const data = o.data as { checkpoints?: { every_events?: unknown; verifier_key?: unknown } | null; max_queue_size?: unknown } | undefined;
    const declared = data?.checkpoints;
    if (o.seq !== 0 || report === undefined || typeof declared !== 'object' || declared === null) continue;
    const every = declared.every_events;
    const queue = data?.max_queue_size;
    if (typeof every !== 'number' || typeof queue !== 'number' || typeof declared.verifier_key !== 'string') continue;
    let key: Verifier;
    try {
      key = parseVerifierKey(declared.verifier_key);
    } catch {
      continue;
    }
    if (!keys.some((k) => k.name === key.name && k.hash === key.hash)) continue;
    const unsigned = report.events - report.checkpoint_size;
    if (unsigned <= every + queue) continue;
    findings.push({
      stream_id: o.stream_id,
      seq: report.checkpoint_size,
      kind: 'missing',
      detail: `${unsigned} events at the end of this stream are covered by no verified checkpoint, though its writer declared one every ${every} events signed by ${key.name} (at most ${every + queue} unsigned): its checkpoints were removed or never stored; compare with the published ones (--checkpoints)`,
    });
  }
  return findings;
}

function sourcesOf(heads: ReadonlyMap<number, TrustedHead>): string {
  const sources = new Set<CheckpointSource>([...heads.values()].flatMap((h) => h.sources));
  return [...sources].join(' and ');
}


/**
 * The state's head of a stream, if it can be gone on from: its tree edge hashes to its root, and
 * the checkpoint it was verified against is still among those trusted now (with keys given, its
 * signature verified again), or it is the state's own note with no keys given.
 */
function resumable(head: (VerifiedHead & { note: string }) | undefined, heads: ReadonlyMap<number, TrustedHead>): VerifiedHead | undefined {
  if (head === undefined) return undefined;
  const trusted = heads.get(head.size);
  if (trusted === undefined || trusted.root !== head.root) return undefined;
  try {
    const feed = new MerkleFeed([head.size], head);
    return feed.tree.roots.get(head.size)?.toString('hex') === head.root ? head : undefined;
  } catch {
    return undefined;
  }
}

interface StreamResult {
  readonly findings: Finding[];
  /** Heads whose root was recomputed and matched, by size. */
  readonly matched: VerifiedHead[];
  /** Checkpoints compared. */
  readonly compared: number;
}

/**
 * One stream: its chain, read up to PREFETCH pages ahead while the current one is checked, and its
 * tree's root at each checkpoint. A root that differs is reported once per stream (the first; every
 * later checkpoint covers the same difference) and only while the chain itself holds up to it:
 * a chain finding before a checkpoint already explains why its root cannot match.
 */
async function verifyStream(
  store: Store,
  stream: StreamSummary,
  heads: ReadonlyMap<number, TrustedHead>,
  resume: VerifiedHead | undefined,
  readAs: ChainRead,
  pageSize = 50_000,
  onRows: (rows: number) => void,
): Promise<StreamResult> {
  const from = resume?.size ?? 0;
  const verifier = new StreamVerifier(stream.stream_id, resume === undefined ? undefined : { seq: resume.size, prevLeafHash: resume.lastLeaf });
  const sizes = [...heads.keys()].filter((n) => n > from);
  const feed = new MerkleFeed(sizes, resume);
  const pages: Promise<ChainRow[]>[] = [];
  let nextFrom = from;
  const readAhead = () => {
    while (pages.length < PREFETCH && nextFrom <= stream.last_seq) {
      const page = store.readChain(stream.stream_id, nextFrom, nextFrom + pageSize, readAs);
      page.catch(() => {});
      pages.push(page);
      nextFrom += pageSize;
    }
  };
  readAhead();
  let rowsRead = 0;
  while (pages.length > 0) {
    const rows = await pages.shift()!;
    // Rows written since the stream was summed up are read too; they are not in its count.
    for (const row of rows) if (row.seq <= stream.last_seq) rowsRead++;
    readAhead();
    // Without checkpoints past where this verify starts there is no root to compare: no tree.
    if (sizes.length > 0) for (const row of rows) feed.push(row);
    for (const row of rows) verifier.push(row);
    onRows(rows.length);
  }
  feed.finish();
  const findings = verifier.finish();
  // Behind where an incremental verify starts, the stream must still hold exactly seq 0..from-1.
  const behind = stream.events - rowsRead;
  if (from > 0 && behind !== from) {
    findings.push({
      stream_id: stream.stream_id,
      seq: from - 1,
      kind: behind < from ? 'missing' : 'inserted',
      detail: `behind the last verified checkpoint (size ${from}) the stream now holds ${behind} events; run a full verify to find which`,
    });
  }
  const firstChainFinding = findings[0]?.seq ?? Infinity;
  const matched: VerifiedHead[] = [];
  let mismatch = false;
  // Every trusted size, those behind the state too: a stream cut below one is truncated whatever
  // this verify read.
  for (const size of [...heads.keys()].sort((a, b) => a - b)) {
    const head = heads.get(size)!;
    if (size > stream.last_seq + 1) {
      findings.push({ stream_id: stream.stream_id, seq: stream.last_seq + 1, kind: 'truncated', detail: `a signed checkpoint (${head.sources.join(' and ')}) covers ${size} events; the stream ends after ${stream.last_seq + 1}` });
      break;
    }
    if (size <= from) continue;
    const recomputed = feed.headAt(size);
    if (recomputed === undefined || size > firstChainFinding) continue;
    if (recomputed.root === head.root) {
      if (!mismatch) matched.push(recomputed);
    } else if (!mismatch) {
      mismatch = true;
      findings.push({ stream_id: stream.stream_id, seq: size - 1, kind: 'modified', detail: `events 0..${size - 1} do not hash to the Merkle root of the signed checkpoint at size ${size} (${head.sources.join(' and ')})` });
    }
  }
  return { findings: findings.sort((a, b) => a.seq - b.seq), matched, compared: sizes.length };
}
