import type { Checkpoint } from '../checkpoint/checkpoint.js';
import { bad, formatHashLines, MAX_PATH, parseHashLine, readCheckpointNote } from './tlog-proof.js';

/**
 * A consistency proof between two signed checkpoints of one log: that the older tree is a prefix
 * of the newer (nothing behind the older checkpoint was changed, removed or reordered). C2SP
 * defines no file for this; ours follows tlog-proof. Lines end in `\n`:
 *
 * ```
 * auditrail/consistency-proof@v1
 * <base64 hash>             (zero or more: PROOF(old size, D[new size]) of RFC 9162 §2.1.4)
 *
 * <the OLD signed checkpoint note, verbatim>
 *
 * <the NEW signed checkpoint note, verbatim>
 * ```
 *
 * A checkpoint's text has no blank line and every signature line starts with U+2014 and a space,
 * so the old note ends at the first blank line after its run of signature lines.
 */
export const CONSISTENCY_PROOF_HEADER = 'auditrail/consistency-proof@v1';

const SIGNATURE_LINE_START = '\u2014 ';

export interface ConsistencyProof {
  readonly path: readonly Uint8Array[];
  /** The signed notes of the older and the newer checkpoint. */
  readonly oldCheckpoint: string;
  readonly newCheckpoint: string;
}

export interface ParsedConsistencyProof extends ConsistencyProof {
  readonly path: Buffer[];
  /** What the two notes state; their signatures are not checked here. */
  readonly parsedOld: Checkpoint;
  readonly parsedNew: Checkpoint;
}

/** The text of a consistency proof. */
export function formatConsistencyProof(p: ConsistencyProof): string {
  readCheckpointNote(p.oldCheckpoint, 'old checkpoint');
  readCheckpointNote(p.newCheckpoint, 'new checkpoint');
  return `${CONSISTENCY_PROOF_HEADER}\n${formatHashLines(p.path)}\n${p.oldCheckpoint}\n${p.newCheckpoint}`;
}

/**
 * Reads a consistency proof, strictly (as `parseTlogProof`): anything malformed is an
 * `INVALID_INPUT` error saying what. Signatures are not checked here (`checkConsistencyProof` does).
 */
export function parseConsistencyProof(text: string): ParsedConsistencyProof {
  if (text.includes('\r')) throw bad('a proof must not contain carriage returns (lines end in \\n)');
  const lines = text.split('\n');
  if (lines[0] !== CONSISTENCY_PROOF_HEADER) throw bad(`a consistency proof starts with the line ${CONSISTENCY_PROOF_HEADER}; got ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
  let at = 1;
  const path: Buffer[] = [];
  for (; at < lines.length && lines[at] !== ''; at++) {
    if (path.length === MAX_PATH) throw bad(`more than ${MAX_PATH} hashes in the path (or no blank line before the checkpoints)`);
    path.push(parseHashLine(lines[at]!, path.length));
  }
  if (at >= lines.length) throw bad('no blank line between the path and the checkpoints');
  // The old note: its text (up to the first blank line), then its signature lines, then a blank line.
  const start = at + 1;
  let end = lines.indexOf('', start);
  if (end < 0) throw bad('the old checkpoint note has no blank line before its signatures');
  end++;
  const signaturesFrom = end;
  while (end < lines.length && lines[end]!.startsWith(SIGNATURE_LINE_START)) end++;
  if (end === signaturesFrom) throw bad('the old checkpoint note has no signature lines');
  const oldCheckpoint = `${lines.slice(start, end).join('\n')}\n`;
  const newCheckpoint = lines.slice(end + 1).join('\n');
  if (newCheckpoint === '') throw bad('no new checkpoint note after the old one');
  if (lines[end] !== '') throw bad('no blank line between the old and the new checkpoint notes');
  const parsedOld = readCheckpointNote(oldCheckpoint, 'old checkpoint note');
  const parsedNew = readCheckpointNote(newCheckpoint, 'new checkpoint note');
  return { path, oldCheckpoint, newCheckpoint, parsedOld, parsedNew };
}
