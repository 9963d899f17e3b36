import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { AuditrailError } from '../errors.js';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and the key formats of
 * golang.org/x/mod/sumdb/note that transparency logs use:
 *
 * - verifier key `name+hash+base64(0x01 ‖ public key)`,
 * - signer key `PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)`,
 * - hash: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), as 8 hex digits.
 *
 * A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
 * `— name base64(key hash ‖ signature)` (U+2014, a space). The signature is over the text.
 */

const ED25519 = 0x01;
const SIGNATURE_LINE_START = '\u2014 ';
/** DER prefixes that make a raw Ed25519 seed a PKCS#8 key and a raw public key an SPKI key. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface Verifier {
  readonly name: string;
  /** The key hash, 4 bytes as an unsigned integer. */
  readonly hash: number;
  readonly key: KeyObject;
  /** The verifier key in its text form. */
  readonly text: string;
}

export interface Signer extends Omit<Verifier, 'key'> {
  readonly key: KeyObject;
  /** The verifier key of this signer, in its text form. */
  readonly verifierKey: string;
}

/** A signature of a note: by whom, and whether a known key verified it. */
export interface NoteSignature {
  readonly name: string;
  readonly hash: number;
  /** `verified`: by one of the given keys; `unknown_key`: no key of that name and hash was given; `bad_signature`: a given key rejects it. */
  readonly status: 'verified' | 'unknown_key' | 'bad_signature';
}

function bad(message: string): AuditrailError {
  return new AuditrailError('INVALID_INPUT', message);
}

/** A key name: non-empty, no `+`, no whitespace (C2SP signed-note). */
function checkName(name: string): void {
  if (name.length === 0 || /[+\s]/u.test(name)) throw bad(`key name ${JSON.stringify(name)}: must be non-empty, without "+" or whitespace`);
}

/** The key hash of a name and a public key, as C2SP defines it. */
export function keyHash(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name).update('\n').update(Buffer.from([ED25519])).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

/** Splits `name+hash+base64` at its first two `+` (base64 may contain `+`). */
function splitKey(text: string, what: string): { name: string; hash: number; bytes: Buffer } {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw bad(`${what} must be name+hash+key`);
  const name = text.slice(0, first);
  const hashText = text.slice(first + 1, second);
  const b64 = text.slice(second + 1);
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(hashText)) throw bad(`${what}: the hash must be 8 lowercase hex digits`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw bad(`${what}: the key is not base64`);
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length !== 33 || bytes[0] !== ED25519) throw bad(`${what}: not an Ed25519 key (type 0x01 and 32 bytes)`);
  return { name, hash: Number.parseInt(hashText, 16), bytes: bytes.subarray(1) };
}

/** Reads a verifier key (`name+hash+base64`), checking its hash. */
export function parseVerifierKey(text: string): Verifier {
  const { name, hash, bytes } = splitKey(text.trim(), 'verifier key');
  if (keyHash(name, bytes) !== hash) throw bad(`verifier key ${name}: the hash does not match the key`);
  return { name, hash, key: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, bytes]), format: 'der', type: 'spki' }), text: text.trim() };
}

/** Reads a signer key (`PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)`), checking its hash against the public key it implies. */
export function parseSignerKey(text: string): Signer {
  const trimmed = text.trim();
  if (!trimmed.startsWith('PRIVATE+KEY+')) throw bad('signer key must start with PRIVATE+KEY+');
  const { name, hash, bytes: seed } = splitKey(trimmed.slice('PRIVATE+KEY+'.length), 'signer key');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = rawPublicKey(key);
  if (keyHash(name, publicKey) !== hash) throw bad(`signer key ${name}: the hash does not match the key`);
  return { name, hash, key, text: trimmed, verifierKey: keyText(name, publicKey) };
}

/** A new Ed25519 key pair named `name`: the signer key (secret) and the verifier key (public). */
export function generateKeys(name: string): { signerKey: string; verifierKey: string } {
  checkName(name);
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const publicKey = rawPublicKey(privateKey);
  return { signerKey: `PRIVATE+KEY+${keyText(name, seed, keyHash(name, publicKey))}`, verifierKey: keyText(name, publicKey) };
}

/** The 32 bytes of an Ed25519 key's public half. */
function rawPublicKey(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/** `name+hash+base64(0x01 ‖ key bytes)`; the hash is the public key's (a signer key carries the seed). */
function keyText(name: string, bytes: Uint8Array, hash = keyHash(name, bytes)): string {
  return `${name}+${hash.toString(16).padStart(8, '0')}+${Buffer.concat([Buffer.from([ED25519]), bytes]).toString('base64')}`;
}

/** Signs `text` (non-empty, ending in a newline, no blank-line ending) with each signer: the signed note. */
export function signNote(text: string, ...signers: Signer[]): string {
  checkText(text);
  const lines = signers.map((s) => {
    const signature = sign(null, Buffer.from(text, 'utf8'), s.key);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(s.hash, 0);
    return `${SIGNATURE_LINE_START}${s.name} ${Buffer.concat([prefix, signature]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

function checkText(text: string): void {
  if (text.length === 0 || !text.endsWith('\n')) throw bad('note text must be non-empty and end with a newline');
  if (text.includes('\r')) throw bad('note text must not contain carriage returns');
}

/**
 * Splits a signed note and checks each signature against the verifiers given: the text, and every
 * signature with its status. Malformed notes (no blank line before the signatures, a line that is
 * not a signature, a text without its final newline) are an `INVALID_INPUT` error.
 */
export function openNote(note: string, verifiers: readonly Verifier[]): { text: string; signatures: NoteSignature[] } {
  if (!note.endsWith('\n')) throw bad('signed note must end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw bad('signed note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  checkText(text);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length === 0 || lines[0] === '') throw bad('signed note has no signatures');
  const signatures = lines.map((line): NoteSignature => {
    if (!line.startsWith(SIGNATURE_LINE_START)) throw bad(`not a signature line: ${JSON.stringify(line.slice(0, 40))}`);
    const space = line.indexOf(' ', SIGNATURE_LINE_START.length);
    const name = line.slice(SIGNATURE_LINE_START.length, space);
    const b64 = space < 0 ? '' : line.slice(space + 1);
    if (space < 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw bad(`malformed signature line: ${JSON.stringify(line.slice(0, 40))}`);
    checkName(name);
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.length < 5) throw bad(`signature of ${name} is too short`);
    const hash = bytes.readUInt32BE(0);
    const verifier = verifiers.find((v) => v.name === name && v.hash === hash);
    if (verifier === undefined) return { name, hash, status: 'unknown_key' };
    const ok = bytes.length === 68 && verify(null, Buffer.from(text, 'utf8'), verifier.key, bytes.subarray(4));
    return { name, hash, status: ok ? 'verified' : 'bad_signature' };
  });
  return { text, signatures };
}
