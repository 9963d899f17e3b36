import { type Checkpoint, openCheckpoint } from '../checkpoint/checkpoint.js';
import { AuditrailError } from '../errors.js';

/**
 * C2SP transparency log proofs (https://c2sp.org/tlog-proof): an offline-checkable proof that an
 * entry is in a log. Lines end in `\n`:
 *
 * ```
 * c2sp.org/tlog-proof@v1
 * extra <base64>            (optional, opaque to the format)
 * index <decimal>
 * <base64 hash>             (zero or more: the inclusion path, the leaf's sibling first)
 *
 * <signed checkpoint note, verbatim>
 * ```
 *
 * auditrail puts the event's canonical record (its exact stored bytes) in `extra`: the path proves
 * SHA-256(0x00 ‖ extra), so the extra data authenticates itself.
 */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/** A tlog-proof's parts. `checkpoint` is the signed note (checkpoint text, blank line, signatures). */
export interface TlogProof {
  readonly extra?: Uint8Array | undefined;
  /** Entry index; a bigint, exact beyond 2^53. */
  readonly index: bigint | number;
  readonly path: readonly Uint8Array[];
  readonly checkpoint: string;
}

/** A parsed tlog-proof: its parts as `formatTlogProof` takes them, and the checkpoint the note states. */
export interface ParsedTlogProof extends TlogProof {
  readonly extra: Buffer | undefined;
  readonly index: bigint;
  readonly path: Buffer[];
  /** What the note's text states (origin, size, root); its signatures are not checked here. */
  readonly parsed: Checkpoint;
}

/** The most hashes a path can need: one per level of a tree below 2^64 leaves. */
export const MAX_PATH = 64;

export function bad(message: string): AuditrailError {
  return new AuditrailError('INVALID_INPUT', message);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 with padding, in its one canonical spelling (Buffer.from would accept others). */
export function strictBase64(text: string, what: string): Buffer {
  const bytes = BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (bytes === undefined || bytes.toString('base64') !== text) throw bad(`${what} is not canonical base64`);
  return bytes;
}

/** One line of a path: a SHA-256 hash in base64 (`n` counts from 0, for messages). */
export function parseHashLine(line: string, n: number): Buffer {
  if (!BASE64.test(line)) throw bad(`hash ${n} of the path: expected a base64 hash or the blank line before the checkpoint; got ${JSON.stringify(line.slice(0, 40))}`);
  const hash = strictBase64(line, `hash ${n} of the path`);
  if (hash.length !== 32) throw bad(`hash ${n} of the path is ${hash.length} bytes, not 32`);
  return hash;
}

export function formatHashLines(path: readonly Uint8Array[]): string {
  if (path.length > MAX_PATH) throw bad(`a path of ${path.length} hashes: no tree below 2^64 leaves needs more than ${MAX_PATH}`);
  return path
    .map((h) => {
      if (h.length !== 32) throw bad('every hash of a path must be 32 bytes');
      return `${Buffer.from(h).toString('base64')}\n`;
    })
    .join('');
}

/** Checks a signed checkpoint note's form (not its signatures: no keys are given) and reads its checkpoint. */
export function readCheckpointNote(note: string, what: string): Checkpoint {
  try {
    return openCheckpoint(note).checkpoint;
  } catch (e) {
    throw new AuditrailError('INVALID_INPUT', `${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** A decimal without leading zeros, below 2^64. */
function parseIndex(text: string): bigint {
  if (!/^(?:0|[1-9][0-9]{0,19})$/.test(text)) throw bad(`index ${JSON.stringify(text.slice(0, 40))} must be a decimal number without leading zeros`);
  const index = BigInt(text);
  if (index >= 2n ** 64n) throw bad('index must be below 2^64');
  return index;
}

/**
 * The text of a tlog-proof.
 * @example formatTlogProof({ extra: Buffer.from(record), index: 41n, path, checkpoint: note })
 */
export function formatTlogProof(p: TlogProof): string {
  const index = BigInt(p.index);
  if (index < 0n || index >= 2n ** 64n) throw bad('index must be from 0 to 2^64 - 1');
  readCheckpointNote(p.checkpoint, 'checkpoint');
  if (p.extra !== undefined && p.extra.length === 0) throw bad('extra data must not be empty (leave it out)');
  const extra = p.extra === undefined ? '' : `extra ${Buffer.from(p.extra).toString('base64')}\n`;
  return `${TLOG_PROOF_HEADER}\n${extra}index ${index}\n${formatHashLines(p.path)}\n${p.checkpoint}`;
}

/**
 * Reads a tlog-proof, strictly: anything but the format above (another header, `\r`, an index with
 * leading zeros, base64 that is not canonical, a hash that is not 32 bytes, no blank line before the
 * note, a malformed note or checkpoint) is an `INVALID_INPUT` error saying what. Signatures are not
 * checked here (`checkEventProof` does).
 */
export function parseTlogProof(text: string): ParsedTlogProof {
  if (text.includes('\r')) throw bad('a proof must not contain carriage returns (lines end in \\n)');
  const lines = text.split('\n');
  if (lines[0] !== TLOG_PROOF_HEADER) throw bad(`a tlog-proof starts with the line ${TLOG_PROOF_HEADER}; got ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
  let at = 1;
  let extra: Buffer | undefined;
  if (lines[at]?.startsWith('extra ')) {
    extra = strictBase64(lines[at]!.slice('extra '.length), 'extra data');
    if (extra.length === 0) throw bad('extra line holds no data');
    at++;
  }
  const indexLine = lines[at] ?? '';
  if (!indexLine.startsWith('index ')) throw bad(`expected the line "index N" after the header${extra === undefined ? '' : ' and extra'}; got ${JSON.stringify(indexLine.slice(0, 40))}`);
  const index = parseIndex(indexLine.slice('index '.length));
  at++;
  const path: Buffer[] = [];
  for (; at < lines.length && lines[at] !== ''; at++) {
    if (path.length === MAX_PATH) throw bad(`more than ${MAX_PATH} hashes in the path (or no blank line before the checkpoint)`);
    path.push(parseHashLine(lines[at]!, path.length));
  }
  if (at >= lines.length) throw bad('no blank line between the path and the checkpoint');
  const checkpoint = lines.slice(at + 1).join('\n');
  const parsed = readCheckpointNote(checkpoint, 'checkpoint note');
  return { extra, index, path, checkpoint, parsed };
}
