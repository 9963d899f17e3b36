import { AuditrailError } from '../errors.js';
import { formatUtcMicros } from '../time.js';
import { formatCheckpoint } from './checkpoint.js';
import { type Signer, signNote } from './note.js';

/**
 * A signed checkpoint of one stream as auditrail stores and publishes it: the stream, the tree
 * size and root it states, and the signed note itself (the only part a verifier trusts: the other
 * fields repeat what the note says, for queries and for people reading a published log).
 */
export interface CheckpointRecord {
  readonly stream_id: string;
  /** The log's origin line: `<prefix>/<stream_id>`. */
  readonly origin: string;
  /** Events of the stream the checkpoint covers (seq 0 … size-1). */
  readonly size: number;
  /** Merkle root of those events' leaf hashes, lowercase hex. */
  readonly root: string;
  /** The C2SP signed note: checkpoint text, a blank line, signature lines. */
  readonly note: string;
  /** When the writer signed it, RFC 3339 UTC with microseconds. Not signed: informational. */
  readonly signed_at: string;
}

/**
 * Where checkpoints are published outside the database (a file, syslog, an HTTP endpoint). A
 * publication that throws is retried later; `publish` may be called again with the same records.
 */
export interface CheckpointSink {
  /** For diagnostics and counters, e.g. `file:/var/log/auditrail/checkpoints.jsonl`. */
  readonly name: string;
  publish(records: readonly CheckpointRecord[]): Promise<void>;
  close?(): Promise<void>;
}

/** Stream ids as the processor accepts them: they never contain `/`, so an origin names its stream. */
const STREAM_ID = /^[0-9A-Za-z._:-]{1,128}$/;

/** The origin line of a stream's checkpoints: the log name (by default the signer's key name), a slash, the stream id. */
export function checkpointOrigin(prefix: string, streamId: string): string {
  if (!STREAM_ID.test(streamId)) throw new AuditrailError('INVALID_INPUT', `stream id ${JSON.stringify(streamId)} cannot name a checkpoint origin`);
  if (prefix.length === 0 || /[\s]/u.test(prefix)) throw new AuditrailError('INVALID_INPUT', `checkpoint origin prefix ${JSON.stringify(prefix)}: must be non-empty, without whitespace`);
  return `${prefix}/${streamId}`;
}

/** The stream an origin names (its last path segment), or undefined when it names none. */
export function streamOfOrigin(origin: string): string | undefined {
  const id = origin.slice(origin.lastIndexOf('/') + 1);
  return origin.includes('/') && STREAM_ID.test(id) ? id : undefined;
}

/** Signs the checkpoint of a stream at `size` with root `root` (32 bytes). */
export function signCheckpoint(signer: Signer, c: { streamId: string; origin: string; size: number; root: Uint8Array }, nowMicros = Date.now() * 1000): CheckpointRecord {
  const note = signNote(formatCheckpoint({ origin: c.origin, size: c.size, root: c.root }), signer);
  return { stream_id: c.streamId, origin: c.origin, size: c.size, root: Buffer.from(c.root).toString('hex'), note, signed_at: formatUtcMicros(nowMicros) };
}
