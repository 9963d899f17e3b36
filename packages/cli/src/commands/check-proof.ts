import { readFileSync } from 'node:fs';
import {
  AuditrailError,
  checkConsistencyProof,
  checkEventProof,
  CONSISTENCY_PROOF_HEADER,
  type ConsistencyProofCheck,
  type EventProofCheck,
  type NoteSignature,
  proofKind,
  type ProvenCheckpoint,
  TLOG_PROOF_HEADER,
} from '@auditrail/core';
import { CliError, type Io } from '../io.js';
import { parse } from '../options.js';
import { readVerifierKey } from '../verifier-keys.js';

export const CHECK_PROOF_HELP = `auditrail check-proof FILE --key KEY [--key KEY …] [--json]

Checks a proof written by auditrail prove, offline: it opens no store and needs no database.
KEY is a verifier key (name+hash+base64, as auditrail keys generate prints it) or a file holding
one; a proof is valid only when one of these keys verifies its checkpoint's signature (and none of
them rejects it).
An event's proof (${TLOG_PROOF_HEADER}) is valid when the signed checkpoint covers the event's
index, the inclusion path leads from the record's leaf hash, SHA-256(0x00 ‖ record), to the signed
root, and the record is a canonical audit record whose stream and seq are the checkpoint's stream
and the index. A consistency proof (${CONSISTENCY_PROOF_HEADER}) is valid when both checkpoints
are signed, of the same stream, and the path shows the older tree to be a prefix of the newer.
Prints what was proven, then VALID, or INVALID with each problem.
Exit 0 when valid, 1 when invalid (a malformed proof too), 2 when the check could not run
(unreadable FILE, no --key, a malformed key).
`;

/** `name+hash+base64`: a key given inline; anything else names a file. */
const status = (signatures: readonly NoteSignature[]) => signatures.map((s) => `${s.name} (key hash ${s.hash.toString(16).padStart(8, '0')}): ${s.status}`).join('; ');

const checkpointLine = (c: ProvenCheckpoint) => `size ${c.size}, origin ${c.origin}, root ${c.root}`;

function eventReport(file: string, r: EventProofCheck): string {
  const rows: [string, string][] = [
    ['event', r.record?.event_id ?? '(no valid record)'],
    ...(r.record === undefined
      ? []
      : ([
          ['type', r.record.event_type],
          ['observed_at', r.record.observed_at],
        ] as [string, string][])),
    ['stream', r.stream_id ?? '(the origin names none)'],
    ['seq', String(r.index)],
    ['checkpoint', checkpointLine(r.checkpoint)],
    ['signatures', status(r.signatures)],
  ];
  const verdict = r.valid
    ? `VALID: event ${r.record!.event_id} is entry ${r.index} of stream ${r.stream_id}, under its signed checkpoint of size ${r.checkpoint.size}\n`
    : invalid(r.problems);
  return `event proof ${file}\n${rows.map(([k, v]) => `  ${k.padEnd(12)}${v}\n`).join('')}${verdict}`;
}

function consistencyReport(file: string, r: ConsistencyProofCheck): string {
  const rows: [string, string][] = [
    ['stream', r.stream_id ?? '(the origin names none)'],
    ['old', checkpointLine(r.old)],
    ['new', checkpointLine(r.new)],
    ['signatures', `old: ${status(r.signatures.old)}; new: ${status(r.signatures.new)}`],
  ];
  const verdict = r.valid ? `VALID: stream ${r.stream_id}'s signed checkpoint of size ${r.old.size} is a prefix of its signed checkpoint of size ${r.new.size}\n` : invalid(r.problems);
  return `consistency proof ${file}\n${rows.map(([k, v]) => `  ${k.padEnd(12)}${v}\n`).join('')}${verdict}`;
}

const invalid = (problems: readonly string[]) => `INVALID: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  - ${p}\n`).join('')}`;

/** JSON with sizes and indices as numbers up to 2^53 and as decimal strings beyond (the event model's rule). */
const toJson = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v), 2);

export async function checkProofCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { key: { type: 'string', multiple: true }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) return io.out(CHECK_PROOF_HELP), 0;
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new CliError(`expected: check-proof FILE --key KEY\n\n${CHECK_PROOF_HELP}`);
  if (values.key === undefined || values.key.length === 0) throw new CliError('check-proof needs --key KEY: the log\'s verifier key (name+hash+base64) or a file holding it');
  const verifiers = values.key.map(readVerifierKey);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const kind = proofKind(text);
  let outcome: { kind: 'event'; check: EventProofCheck } | { kind: 'consistency'; check: ConsistencyProofCheck };
  try {
    if (kind === undefined) throw new AuditrailError('INVALID_INPUT', `not a proof: its first line is neither ${TLOG_PROOF_HEADER} nor ${CONSISTENCY_PROOF_HEADER}`);
    outcome = kind === 'event' ? { kind, check: checkEventProof(text, verifiers) } : { kind, check: checkConsistencyProof(text, verifiers) };
  } catch (e) {
    // A proof that does not parse is an invalid proof (a tampered one may well not parse), not a failure to check.
    if (!(e instanceof AuditrailError) || e.code !== 'INVALID_INPUT') throw e;
    const problem = `The proof is malformed: ${e.message}.`;
    io.out(values.json ? `${toJson({ kind: kind ?? null, file, valid: false, problems: [problem] })}\n` : `${kind ?? 'unknown'} proof ${file}\n${invalid([problem])}`);
    return 1;
  }
  if (values.json) io.out(`${toJson({ kind: outcome.kind, file, ...outcome.check })}\n`);
  else io.out(outcome.kind === 'event' ? eventReport(file, outcome.check) : consistencyReport(file, outcome.check));
  return outcome.check.valid ? 0 : 1;
}
