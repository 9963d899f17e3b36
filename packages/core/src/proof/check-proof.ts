import { canonicalJson } from '../canonical.js';
import type { Checkpoint } from '../checkpoint/checkpoint.js';
import { streamOfOrigin } from '../checkpoint/checkpoint-record.js';
import { type NoteSignature, openNote, type Verifier } from '../checkpoint/note.js';
import { type AuditRecord, auditRecordSchema } from '../event/schema.js';
import { leafHashOf, verifyConsistency, verifyInclusion } from '../merkle/merkle.js';
import { CONSISTENCY_PROOF_HEADER, parseConsistencyProof } from './consistency-proof.js';
import { parseTlogProof, TLOG_PROOF_HEADER } from './tlog-proof.js';

/** What a checkpoint states, as a check reports it. */
export interface ProvenCheckpoint {
  readonly origin: string;
  /** Tree size, exact beyond 2^53. */
  readonly size: bigint;
  /** Root hash, base64 (as in the note). */
  readonly root: string;
}

/** The outcome of `checkEventProof`. */
export interface EventProofCheck {
  /** True only when `problems` is empty. */
  readonly valid: boolean;
  /** What does not hold, one sentence each. */
  readonly problems: string[];
  /** Every signature of the checkpoint note, with whether a trusted key verified it. */
  readonly signatures: NoteSignature[];
  readonly checkpoint: ProvenCheckpoint;
  readonly index: bigint;
  /** The stream the checkpoint's origin names (`<key name>/<stream_id>`), if any. */
  readonly stream_id: string | undefined;
  /** The record carried in `extra`, when it is a well-formed audit record (whether or not the rest holds). */
  readonly record: AuditRecord | undefined;
}

/** The outcome of `checkConsistencyProof`. */
export interface ConsistencyProofCheck {
  readonly valid: boolean;
  readonly problems: string[];
  readonly signatures: { readonly old: NoteSignature[]; readonly new: NoteSignature[] };
  readonly old: ProvenCheckpoint;
  readonly new: ProvenCheckpoint;
  /** The stream the new checkpoint's origin names, if any. */
  readonly stream_id: string | undefined;
}

/** Which proof a text holds, by its first line: an event's inclusion (tlog-proof), a consistency proof, or neither. */
export function proofKind(text: string): 'event' | 'consistency' | undefined {
  const newline = text.indexOf('\n');
  const first = newline < 0 ? text : text.slice(0, newline);
  return first === TLOG_PROOF_HEADER ? 'event' : first === CONSISTENCY_PROOF_HEADER ? 'consistency' : undefined;
}

/**
 * Checks an event's proof (a C2SP tlog-proof, see `formatTlogProof`) offline against the trusted
 * verifier keys. Valid only when: a trusted key's signature verifies the checkpoint (and no trusted
 * key's signature fails), the index is below the checkpoint's size, the path leads from
 * SHA-256(0x00 ‖ extra) at that index to the checkpoint's root, and `extra` is the canonical JSON
 * of an audit record whose `seq` is the index and whose `stream_id` is the stream the origin names.
 * A text that is not a well-formed proof is an `INVALID_INPUT` error (see `parseTlogProof`).
 */
export function checkEventProof(text: string, verifiers: readonly Verifier[]): EventProofCheck {
  const proof = parseTlogProof(text);
  const c = proof.parsed;
  const { signatures } = openNote(proof.checkpoint, verifiers);
  const problems = signatureProblems('the checkpoint', signatures);
  const stream = streamOfOrigin(c.origin);
  if (stream === undefined) problems.push(`The checkpoint's origin ${JSON.stringify(c.origin)} names no stream.`);
  if (proof.index >= c.size) {
    problems.push(`Index ${proof.index} is not below the checkpoint's size ${c.size}: the checkpoint does not cover it.`);
  } else if (proof.extra !== undefined && !verifyInclusion(proof.index, c.size, leafHashOf(proof.extra), proof.path, c.root)) {
    problems.push(`The inclusion path does not lead from the record's leaf hash at index ${proof.index} to the checkpoint's root: the record, the index, the path or the checkpoint was altered.`);
  }
  const record = proof.extra === undefined ? undefined : readRecord(proof.extra, problems);
  if (proof.extra === undefined) problems.push('The proof carries no record (no extra line): there is no event to prove.');
  if (record !== undefined) {
    if (BigInt(record.seq) !== proof.index) problems.push(`The record's seq ${record.seq} is not the proof's index ${proof.index}.`);
    if (stream !== undefined && record.stream_id !== stream) problems.push(`The record's stream ${record.stream_id} is not the checkpoint's stream ${stream}.`);
  }
  return { valid: problems.length === 0, problems, signatures, checkpoint: proven(c), index: proof.index, stream_id: stream, record };
}

/**
 * Checks a consistency proof (see `formatConsistencyProof`) offline against the trusted verifier
 * keys. Valid only when a trusted key verifies each checkpoint, both name the same origin, the old
 * size is from 1 to the new size, and the path shows the old tree to be a prefix of the new one.
 * A text that is not a well-formed proof is an `INVALID_INPUT` error.
 */
export function checkConsistencyProof(text: string, verifiers: readonly Verifier[]): ConsistencyProofCheck {
  const proof = parseConsistencyProof(text);
  const [o, n] = [proof.parsedOld, proof.parsedNew];
  const signatures = { old: openNote(proof.oldCheckpoint, verifiers).signatures, new: openNote(proof.newCheckpoint, verifiers).signatures };
  const problems = [...signatureProblems('the old checkpoint', signatures.old), ...signatureProblems('the new checkpoint', signatures.new)];
  if (o.origin !== n.origin) problems.push(`The two checkpoints are of different logs (origins ${JSON.stringify(o.origin)} and ${JSON.stringify(n.origin)}).`);
  if (o.size === 0n) {
    problems.push('The old checkpoint is of the empty tree: there is nothing to prove consistent.');
  } else if (o.size > n.size) {
    problems.push(`The old checkpoint (size ${o.size}) is larger than the new one (size ${n.size}).`);
  } else if (!verifyConsistency(o.size, n.size, o.root, n.root, proof.path)) {
    problems.push(`The path does not show the tree of size ${o.size} to be a prefix of the tree of size ${n.size}: a checkpoint or the path was altered, or the log was rewritten between them.`);
  }
  return { valid: problems.length === 0, problems, signatures, old: proven(o), new: proven(n), stream_id: streamOfOrigin(n.origin) };
}

function proven(c: Checkpoint): ProvenCheckpoint {
  return { origin: c.origin, size: c.size, root: Buffer.from(c.root).toString('base64') };
}

const keyId = (s: NoteSignature) => `${s.name} (key hash ${s.hash.toString(16).padStart(8, '0')})`;

/** A note must carry a signature a trusted key verifies, and none a trusted key rejects. */
function signatureProblems(what: string, signatures: readonly NoteSignature[]): string[] {
  const problems = signatures.filter((s) => s.status === 'bad_signature').map((s) => `The signature of ${what} by ${keyId(s)} does not verify: ${what} or its signature was altered (bad_signature).`);
  if (problems.length === 0 && !signatures.some((s) => s.status === 'verified')) {
    problems.push(`No trusted key signed ${what}: it is signed by ${signatures.map(keyId).join(', ')} (unknown_key).`);
  }
  return problems;
}

/** The audit record in `extra`: UTF-8 JSON, in canonical form, valid by the record schema; each failure a problem. */
function readRecord(extra: Uint8Array, problems: string[]): AuditRecord | undefined {
  let text: string;
  let value: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(extra);
    value = JSON.parse(text);
  } catch (e) {
    problems.push(`The record is not UTF-8 JSON (${(e as Error).message}).`);
    return undefined;
  }
  let canonical: string | undefined;
  try {
    canonical = canonicalJson(value);
  } catch {
    canonical = undefined;
  }
  if (canonical !== text) problems.push('The record is not in canonical form (RFC 8785): it is not the bytes auditrail logs.');
  const parsed = auditRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    problems.push(`The record is not a valid audit record (${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}).`);
    return undefined;
  }
  return value as AuditRecord;
}
