import { z } from 'zod';
import { AuditrailError } from '../../errors.js';
import { type Checkpoint, openCheckpoint } from '../checkpoint.js';
import { type CheckpointRecord, streamOfOrigin } from '../checkpoint-record.js';

/**
 * The wire form of published checkpoints: one line of JSON per checkpoint, the same in a file, in
 * a syslog message and in an HTTP body. A log of them is read back by `parseCheckpointLog`, which
 * checks form only: whether a note's signature is good is the verifier's question, and it answers
 * it from `note` alone.
 */

/** Every character outside printable ASCII, as UTF-16 code units (so an astral character becomes its two escaped surrogates, as JSON wants). */
const NON_ASCII = /[\u007f-\uffff]/g;
const HEX64 = /^[0-9a-f]{64}$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/**
 * What the note says, or why it cannot be read. Signatures are not checked (no keys are given), but
 * the note must be a well-formed signed note whose text is a checkpoint.
 */
function checkpointOfNote(note: string): Checkpoint | string {
  try {
    return openCheckpoint(note).checkpoint;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * A checkpoint record as published: types, ranges, and the repeated fields (`stream_id`, `origin`,
 * `size`, `root`) in agreement with each other and with the note, so that a person or a tool reading
 * the fields is not told something the signed note does not say. Unknown keys are ignored, for
 * logs written by a later version.
 */
export const checkpointRecordSchema = z
  .object({
    stream_id: z.string().min(1, 'must not be empty'),
    origin: z.string().min(1, 'must not be empty'),
    // zod's int() admits safe integers only.
    size: z.number().int('must be a non-negative safe integer').min(0, 'must be a non-negative safe integer'),
    root: z.string().regex(HEX64, 'must be 64 lowercase hex digits'),
    note: z.string().min(1, 'must not be empty'),
    signed_at: z.string().regex(RFC3339_UTC, 'must be an RFC 3339 UTC time (…T…Z)'),
  })
  .superRefine((r, ctx) => {
    if (streamOfOrigin(r.origin) !== r.stream_id) ctx.addIssue({ code: 'custom', path: ['origin'], message: `does not name stream ${JSON.stringify(r.stream_id)}` });
    const c = checkpointOfNote(r.note);
    if (typeof c === 'string') {
      ctx.addIssue({ code: 'custom', path: ['note'], message: c });
      return;
    }
    if (c.origin !== r.origin) ctx.addIssue({ code: 'custom', path: ['origin'], message: `the note's origin is ${JSON.stringify(c.origin)}` });
    if (c.size !== BigInt(r.size)) ctx.addIssue({ code: 'custom', path: ['size'], message: `the note's size is ${c.size}` });
    if (Buffer.from(c.root).toString('hex') !== r.root) ctx.addIssue({ code: 'custom', path: ['root'], message: `the note's root is ${Buffer.from(c.root).toString('hex')}` });
    // Only once every field has the right form: "size is wrong" and "disagrees with the note" would say one thing twice.
  }, { when: (payload) => payload.issues.length === 0 });

/** The checkpoint record a value holds (its six fields only), or why it holds none. */
export function readCheckpointRecord(value: unknown): CheckpointRecord | string {
  const result = checkpointRecordSchema.safeParse(value);
  if (!result.success) return result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'record'}: ${i.message}`).join('; ');
  const { stream_id, origin, size, root, note, signed_at } = result.data;
  return { stream_id, origin, size, root, note, signed_at };
}

/**
 * One checkpoint as one line of JSON, keys in a fixed order (`stream_id, origin, size, root, note,
 * signed_at`), without a trailing newline. Only printable ASCII: every other character is escaped
 * as `\uXXXX`, because the note's signature lines start with U+2014 and a syslog daemon may escape
 * or drop 8-bit bytes and control characters; escaped, the note survives byte for byte.
 * A record that is not well-formed (see `checkpointRecordSchema`) is an `INVALID_RECORD` error, so
 * that every line written reads back.
 *
 * @example formatCheckpointLine(record) // '{"stream_id":"s1","origin":"log.example/s1",…,"note":"…\n\n\u2014 log.example …\n",…}'
 */
export function formatCheckpointLine(record: CheckpointRecord): string {
  const checked = readCheckpointRecord(record);
  if (typeof checked === 'string') throw new AuditrailError('INVALID_RECORD', `not a checkpoint record: ${checked}`);
  return JSON.stringify(checked).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A line of a checkpoint log that is not a checkpoint record: its number (from 1) and why. */
export interface SkippedLine {
  readonly line: number;
  readonly reason: string;
}

/**
 * Reads a checkpoint log: one record per line, each line possibly behind a prefix (a syslog
 * daemon's timestamp, host and tag) and followed by a suffix; the JSON is taken from the line's
 * first `{` to its last `}`. Blank lines are ignored. A line that is not a well-formed record is
 * reported in `skipped` with the reason, never thrown: one damaged line must not hide the others.
 * Signatures are not verified here.
 */
export function parseCheckpointLog(text: string): { records: CheckpointRecord[]; skipped: SkippedLine[] } {
  const records: CheckpointRecord[] = [];
  const skipped: SkippedLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const parsed = parseLine(raw);
    if (typeof parsed === 'string') skipped.push({ line: i + 1, reason: parsed });
    else records.push(parsed);
  });
  return { records, skipped };
}

/** The record on one line, or why there is none. */
function parseLine(line: string): CheckpointRecord | string {
  const start = line.indexOf('{');
  const end = line.lastIndexOf('}');
  if (start < 0 || end < start) return 'no JSON object on the line';
  let value: unknown;
  try {
    value = JSON.parse(line.slice(start, end + 1));
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  return readCheckpointRecord(value);
}
