import { AuditrailError } from '../errors.js';
import { type NoteSignature, openNote, type Verifier } from './note.js';

/**
 * A C2SP tlog checkpoint (https://c2sp.org/tlog-checkpoint): the body of a signed note naming a
 * log (`origin`), its size and its Merkle root, and optional extension lines.
 */
export interface Checkpoint {
  readonly origin: string;
  /** Tree size; a bigint, exact beyond 2^53. */
  readonly size: bigint;
  /** Root hash, 32 bytes. */
  readonly root: Uint8Array;
  readonly extensions: readonly string[];
}

/** The checkpoint as note text: origin, size, base64 root, extensions, each on its own line. */
export function formatCheckpoint(c: { origin: string; size: bigint | number; root: Uint8Array; extensions?: readonly string[] }): string {
  const size = BigInt(c.size);
  if (c.origin.length === 0 || /[\n\r]/.test(c.origin)) throw new AuditrailError('INVALID_INPUT', 'checkpoint origin must be one non-empty line');
  if (size < 0n) throw new AuditrailError('INVALID_INPUT', 'checkpoint size must not be negative');
  if (c.root.length !== 32) throw new AuditrailError('INVALID_INPUT', 'checkpoint root must be 32 bytes');
  for (const e of c.extensions ?? []) if (e.length === 0 || /[\n\r]/.test(e)) throw new AuditrailError('INVALID_INPUT', 'checkpoint extension lines must be non-empty single lines');
  return [c.origin, size.toString(), Buffer.from(c.root).toString('base64'), ...(c.extensions ?? [])].map((l) => `${l}\n`).join('');
}

/** Reads a checkpoint from note text (as `openNote` returns it). Anything else is an `INVALID_INPUT` error. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new AuditrailError('INVALID_INPUT', 'checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || origin.length === 0) throw new AuditrailError('INVALID_INPUT', 'checkpoint has no origin line');
  if (size === undefined || !/^(?:0|[1-9][0-9]{0,19})$/.test(size)) throw new AuditrailError('INVALID_INPUT', 'checkpoint size must be a decimal number without leading zeros');
  if (BigInt(size) >= 2n ** 64n) throw new AuditrailError('INVALID_INPUT', 'checkpoint size must be below 2^64');
  const rootBytes = root !== undefined && /^[A-Za-z0-9+/]{43}=$/.test(root) ? Buffer.from(root, 'base64') : undefined;
  if (rootBytes?.length !== 32) throw new AuditrailError('INVALID_INPUT', 'checkpoint root must be 32 bytes in base64');
  if (extensions.some((e) => e.length === 0)) throw new AuditrailError('INVALID_INPUT', 'checkpoint has an empty extension line');
  return { origin, size: BigInt(size), root: rootBytes, extensions };
}

/**
 * Opens a signed checkpoint note: its checkpoint and each signature's status against `verifiers`
 * (none: every signature `unknown_key`, the form alone is checked). A note or checkpoint that is not
 * well formed is an `INVALID_INPUT` error.
 */
export function openCheckpoint(note: string, verifiers: readonly Verifier[] = []): { checkpoint: Checkpoint; signatures: NoteSignature[] } {
  const { text, signatures } = openNote(note, verifiers);
  return { checkpoint: parseCheckpoint(text), signatures };
}
