import {
  AuditrailError,
  type Checkpoint,
  type CheckpointRecord,
  consistencyPathFlat,
  formatConsistencyProof,
  formatTlogProof,
  inclusionPathFlat,
  leafHashOf,
  openNote,
  parseCheckpoint,
  streamOfOrigin,
  verifyConsistency,
  verifyInclusion,
} from '@auditrail/core';
import type { Store } from './types.js';

export interface ProveOptions {
  /**
   * Prove against the stored checkpoint of exactly this size. Default: the largest stored one that
   * covers the event, is no larger than the stream, and whose note is the stream's checkpoint of
   * that size (others are passed over).
   */
  size?: number;
  /** Leaf hashes read per query. Default 50000. */
  pageSize?: number;
}

/**
 * Why no proof was made: no event has that id; no stored checkpoint covers it yet; no checkpoint of
 * the size asked for; or the store no longer matches its signed checkpoint (run `auditrail verify`).
 */
export interface ProveFailure {
  readonly ok: false;
  readonly reason: 'unknown_event' | 'not_covered' | 'no_checkpoint' | 'altered';
  /** One sentence or two for a person. */
  readonly message: string;
}

/** A proof of one event (a C2SP tlog-proof, see `formatTlogProof`), or why there is none. */
export type EventProofResult = { readonly ok: true; readonly proof: string; readonly stream_id: string; readonly seq: number; readonly size: number } | ProveFailure;

/** A consistency proof between two stored checkpoints of a stream (see `formatConsistencyProof`), or why there is none. */
export type ConsistencyProofResult = { readonly ok: true; readonly proof: string; readonly stream_id: string; readonly size1: number; readonly size2: number } | ProveFailure;

const HASH = 32;

const fail = (reason: ProveFailure['reason'], message: string): ProveFailure => ({ ok: false, reason, message });

const altered = (stream: string, size: number, detail: string): ProveFailure =>
  fail('altered', `Stream ${stream} no longer matches its signed checkpoint of size ${size}: ${detail}. The store was altered; run auditrail verify to find what changed. No proof was made.`);

/** A stored checkpoint the stream is too short for: a bogus row, or events removed from its end. */
const beyond = (stream: string, size: number, events: number): ProveFailure =>
  altered(stream, size, `it covers ${size} events, but the stream holds ${events === 0 ? 'none' : `seq 0 to ${events - 1}`}`);

/**
 * The proof that event `eventId` is in its stream's log, against a signed checkpoint stored with
 * the stream: the canonical record as stored, its index (seq), its inclusion path, and the
 * checkpoint's signed note, as a C2SP tlog-proof that `checkEventProof` checks offline.
 *
 * Reads the stream's leaf hashes [0, size) (computed by the database, `pageSize` per query) into
 * one buffer: O(size) reads and hashes. Before handing out a proof it recomputes the tree's root
 * from them and hashes the record here; when either disagrees with the signed checkpoint the store
 * was altered, and the result says so instead of a proof.
 * @example const r = await proveEvent(store, '019a…'); if (r.ok) writeFileSync('event.tlog-proof', r.proof);
 */
export async function proveEvent(store: Store, eventId: string, options: ProveOptions = {}): Promise<EventProofResult> {
  const at = await store.locate(eventId);
  if (at === undefined) return fail('unknown_event', `No stored event has the id ${JSON.stringify(eventId)}.`);
  const { stream_id: stream, seq } = at;
  const what = `Event ${eventId} (stream ${stream}, seq ${seq})`;
  const [stored, events] = await Promise.all([store.checkpoints({ streamId: stream }), store.streamLength(stream)]);
  let chosen: CheckpointRecord;
  let checkpoint: Checkpoint;
  if (options.size !== undefined) {
    if (options.size <= seq) return fail('not_covered', `${what} is not covered by a checkpoint of size ${options.size}, which covers seq 0 to ${options.size - 1}.`);
    const sized = stored.filter((c) => c.size === options.size);
    if (sized.length === 0) return fail('no_checkpoint', `Stream ${stream} has no stored checkpoint of size ${options.size} (${storedSizes(stored)}).`);
    if (options.size > events) return beyond(stream, options.size, events);
    const read = latestReadable(sized, stream);
    if (typeof read === 'string') return altered(stream, options.size, read);
    [chosen, checkpoint] = read;
  } else {
    // Stored rows are not trusted for their size or their note: the latest that covers the event
    // and could be the stream's is taken. One larger than the stream (a bogus row, or events cut
    // from its end, which verify reports) would ask for leaves that do not exist.
    let passedOver = 0;
    let latest: CheckpointRecord | undefined;
    let found: [CheckpointRecord, Checkpoint] | undefined;
    // Stored by size, then signing time: the latest first.
    for (const c of [...stored].reverse()) {
      const read = c.size > events ? 'beyond the stream' : readStored(c, stream);
      if (typeof read === 'string') {
        if (c.size > seq) passedOver++;
        continue;
      }
      if (c.size > seq) found = [c, read];
      else latest = c;
      break;
    }
    if (found === undefined) {
      const skipped =
        passedOver === 0
          ? ''
          : ` ${passedOver} stored checkpoint${passedOver === 1 ? '' : 's'} that would cover it ${passedOver === 1 ? 'was' : 'were'} passed over: larger than the stream's ${events} events, or with a note that is not this stream's checkpoint of that size (run auditrail verify).`;
      return fail(
        'not_covered',
        `${what} is not covered by a checkpoint yet${latest === undefined ? '' : ` (the latest, of size ${latest.size}, covers seq 0 to ${latest.size - 1})`}; the writer signs one every so many events or seconds (its checkpoint interval): try again after the next one.${skipped}`,
      );
    }
    [chosen, checkpoint] = found;
  }
  const size = chosen.size;
  const leaves = await readLeaves(store, stream, size, options.pageSize);
  if (typeof leaves === 'string') return altered(stream, size, leaves);
  const { path, root } = inclusionPathFlat(leaves, seq, size);
  if (!root.equals(checkpoint.root)) return altered(stream, size, `the root of its ${size} stored events differs from the signed root`);
  const rows = await store.readChain(stream, seq, seq + 1, 'records');
  const row = rows[0];
  if (rows.length !== 1 || row === undefined || !('record' in row)) return altered(stream, size, `event ${seq} can no longer be read`);
  const record = Buffer.from(row.record);
  const leaf = leafHashOf(record);
  if (!leaf.equals(leaves.subarray(seq * HASH, (seq + 1) * HASH)) || !verifyInclusion(seq, size, leaf, path, checkpoint.root)) {
    return altered(stream, size, `the stored record of event ${seq} does not hash to its leaf`);
  }
  return { ok: true, proof: formatTlogProof({ extra: record, index: seq, path, checkpoint: chosen.note }), stream_id: stream, seq, size };
}

/**
 * The proof that stream `streamId`'s signed checkpoint of `size1` events is a prefix of its signed
 * checkpoint of `size2` (both stored), as `checkConsistencyProof` checks offline. Reads the leaf
 * hashes [0, size2) and refuses, as `proveEvent` does, when they no longer give both signed roots.
 */
export async function proveConsistency(store: Store, streamId: string, size1: number, size2: number, options: Pick<ProveOptions, 'pageSize'> = {}): Promise<ConsistencyProofResult> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size1 > size2) {
    throw new AuditrailError('INVALID_INPUT', `a consistency proof goes from a size of at least 1 to one at least as large; got ${size1} → ${size2}`);
  }
  const [stored, events] = await Promise.all([store.checkpoints({ streamId }), store.streamLength(streamId)]);
  const pair: [CheckpointRecord, Checkpoint][] = [];
  for (const size of [size1, size2]) {
    const sized = stored.filter((c) => c.size === size);
    if (sized.length === 0) return fail('no_checkpoint', `Stream ${streamId} has no stored checkpoint of size ${size} (${storedSizes(stored)}).`);
    if (size > events) return beyond(streamId, size, events);
    const read = latestReadable(sized, streamId);
    if (typeof read === 'string') return altered(streamId, size, read);
    pair.push(read);
  }
  const [[oldRecord, oldCheckpoint], [newRecord, newCheckpoint]] = pair as [[CheckpointRecord, Checkpoint], [CheckpointRecord, Checkpoint]];
  const leaves = await readLeaves(store, streamId, size2, options.pageSize);
  if (typeof leaves === 'string') return altered(streamId, size2, leaves);
  const { path, root1, root2 } = consistencyPathFlat(leaves, size1, size2);
  if (!root2.equals(newCheckpoint.root)) return altered(streamId, size2, `the root of its ${size2} stored events differs from the signed root`);
  if (!root1.equals(oldCheckpoint.root) || !verifyConsistency(size1, size2, oldCheckpoint.root, newCheckpoint.root, path)) {
    return altered(streamId, size1, `the root of its first ${size1} stored events differs from the signed root`);
  }
  return { ok: true, proof: formatConsistencyProof({ path, oldCheckpoint: oldRecord.note, newCheckpoint: newRecord.note }), stream_id: streamId, size1, size2 };
}

/**
 * The latest of these stored checkpoints whose note is the stream's checkpoint of its size, with
 * what the note states; or, when none is, what is wrong with the latest.
 */
function latestReadable(records: readonly CheckpointRecord[], stream: string): [CheckpointRecord, Checkpoint] | string {
  let problem = 'no stored checkpoint';
  for (let i = records.length - 1; i >= 0; i--) {
    const read = readStored(records[i]!, stream);
    if (typeof read !== 'string') return [records[i]!, read];
    if (i === records.length - 1) problem = read;
  }
  return problem;
}

function storedSizes(stored: readonly CheckpointRecord[]): string {
  if (stored.length === 0) return 'it has none';
  return `it has ${stored.length} from size ${stored[0]!.size} to ${stored.at(-1)!.size}`;
}

/**
 * What a stored checkpoint's note states (the note is what a verifier trusts, not the columns
 * beside it), or what is wrong with it: a note that is not a checkpoint of this stream at this size.
 */
function readStored(record: CheckpointRecord, stream: string): Checkpoint | string {
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(openNote(record.note, []).text);
  } catch (e) {
    return `its stored note is not a signed checkpoint (${(e as Error).message})`;
  }
  if (streamOfOrigin(checkpoint.origin) !== stream || checkpoint.size !== BigInt(record.size)) {
    return `its stored note states ${checkpoint.origin} at size ${checkpoint.size}`;
  }
  return checkpoint;
}

/**
 * The leaf hashes of events [0, size) of a stream in one buffer, 32 bytes each, read a page at a
 * time with the next page in flight; or what is wrong (an event missing, or stored twice).
 */
async function readLeaves(store: Store, stream: string, size: number, pageSize = 50_000): Promise<Buffer | string> {
  const leaves = Buffer.allocUnsafe(size * HASH);
  const read = (from: number) => {
    const page = store.readChain(stream, from, Math.min(from + pageSize, size), 'leaf-hashes');
    page.catch(() => {});
    return page;
  };
  let next = read(0);
  for (let from = 0; from < size; from += pageSize) {
    const rows = await next;
    if (from + pageSize < size) next = read(from + pageSize);
    for (const [i, row] of rows.entries()) {
      const seq = from + i;
      if (row.seq !== seq) return row.seq > seq ? `event ${seq} is missing` : `event ${row.seq} is stored more than once`;
      if (!('leafHash' in row)) return `event ${seq} came back without its leaf hash`;
      leaves.set(row.leaf, seq * HASH);
    }
    const expected = Math.min(pageSize, size - from);
    if (rows.length < expected) return `event ${from + rows.length} is missing`;
  }
  return leaves;
}
