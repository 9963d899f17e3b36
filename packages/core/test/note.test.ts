import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consistencyProof, formatCheckpoint, generateKeys, leafHashOf, openNote, parseCheckpoint, parseSignerKey, parseVerifierKey, rootOf, signNote, verifyConsistency } from '../src/index.ts';
import { vectorsFile } from './fixtures.ts';

interface NoteVector {
  id: string;
  vkey?: string;
  vkeys?: string[];
  skey?: string;
  signed_note: string;
  expected_text?: string;
  expected_checkpoint?: { origin: string; size: number; root_base64: string };
  expect_valid: boolean;
}

const v = JSON.parse(readFileSync(vectorsFile('note-vectors.json'), 'utf8')) as {
  notes: NoteVector[];
  key_pairs_for_keyid_derivation: { vkey: string; skey: string }[];
};
const keysOf = (n: NoteVector) => (n.vkeys ?? [n.vkey!]).map(parseVerifierKey);

describe('C2SP signed notes (Ed25519)', () => {
  it.each(v.notes.map((n) => [n.id, n] as const))('%s verifies with its key(s)', (_id, n) => {
    const opened = openNote(n.signed_note, keysOf(n));
    expect(opened.signatures.every((s) => s.status === 'verified')).toBe(n.expect_valid);
    expect(opened.signatures.length).toBe((n.vkeys ?? [n.vkey]).length);
    if (n.expected_text !== undefined) expect(opened.text).toBe(n.expected_text);
    if (n.expected_checkpoint !== undefined) {
      const c = parseCheckpoint(opened.text);
      expect([c.origin, c.size, Buffer.from(c.root).toString('base64')]).toEqual([n.expected_checkpoint.origin, BigInt(n.expected_checkpoint.size), n.expected_checkpoint.root_base64]);
      expect(formatCheckpoint(c)).toBe(opened.text);
    }
  });

  it('signs byte for byte as the reference implementations (Ed25519 is deterministic)', () => {
    for (const n of v.notes.filter((x) => x.skey !== undefined)) {
      const text = n.expected_text ?? openNote(n.signed_note, keysOf(n)).text;
      expect(signNote(text, parseSignerKey(n.skey!))).toBe(n.signed_note);
    }
  });

  it('derives every verifier key from its signer key (name, key hash, public key)', () => {
    for (const pair of v.key_pairs_for_keyid_derivation) {
      expect(parseSignerKey(pair.skey).verifierKey).toBe(pair.vkey);
      expect(parseVerifierKey(pair.vkey).text).toBe(pair.vkey);
    }
  });

  it('reports a tampered signature, an unknown key, and a key of the same name but another hash', () => {
    const peter = v.notes.find((n) => n.id === 'golang-mod-peterneumann')!;
    const [text, sig] = [peter.signed_note.slice(0, peter.signed_note.lastIndexOf('\n\n') + 2), peter.signed_note.slice(peter.signed_note.lastIndexOf('\n\n') + 2)];
    // golang/mod TestOpen: "ABCD" inserted at byte 60 of the signature line.
    const tampered = text + sig.slice(0, 60) + 'ABCD' + sig.slice(60);
    expect(openNote(tampered, keysOf(peter)).signatures.map((s) => s.status)).toEqual(['bad_signature']);
    const doubly = v.notes.find((n) => n.id === 'golang-mod-doubly-signed')!;
    expect(openNote(doubly.signed_note, keysOf(peter)).signatures.map((s) => [s.name, s.status])).toEqual([['PeterNeumann', 'verified'], ['EnochRoot', 'unknown_key']]);
    const impostor = parseVerifierKey(generateKeys('PeterNeumann').verifierKey);
    expect(openNote(peter.signed_note, [impostor]).signatures.map((s) => s.status)).toEqual(['unknown_key']);
  });

  it('refuses malformed notes and keys with a clear error', () => {
    const peter = v.notes.find((n) => n.id === 'golang-mod-peterneumann')!;
    expect(() => openNote(peter.signed_note.replace('\n\n', '\n'), keysOf(peter))).toThrow(/no blank line/);
    expect(() => openNote(`${peter.signed_note}trailing text\n`, keysOf(peter))).toThrow(/not a signature line/);
    expect(() => openNote(peter.signed_note.slice(0, -1), keysOf(peter))).toThrow(/end with a newline/);
    expect(() => parseVerifierKey(peter.vkey!.replace('c74f20a3', 'c74f20a4'))).toThrow(/hash does not match/);
    expect(() => parseVerifierKey('no-plus-signs')).toThrow(/name\+hash\+key/);
    expect(() => signNote('no final newline', parseSignerKey(peter.skey!))).toThrow(/end with a newline/);
  });

  it('generates key pairs that sign and verify checkpoints', () => {
    const { signerKey, verifierKey } = generateKeys('auditrail.example/acme');
    expect(signerKey).toMatch(/^PRIVATE\+KEY\+auditrail\.example\/acme\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(parseSignerKey(signerKey).verifierKey).toBe(verifierKey);
    const leaves = Array.from({ length: 10 }, (_, i) => leafHashOf(`event ${i}`));
    const body = formatCheckpoint({ origin: 'auditrail.example/acme/stream-1', size: 10, root: rootOf(leaves) });
    const note = signNote(body, parseSignerKey(signerKey));
    const opened = openNote(note, [parseVerifierKey(verifierKey)]);
    expect(opened.signatures.map((s) => s.status)).toEqual(['verified']);
    const c = parseCheckpoint(opened.text);
    expect(verifyConsistency(4, c.size, rootOf(leaves, 0, 4), c.root, consistencyProof(leaves, 4))).toBe(true);
  });

  it('reads checkpoint sizes past 2^53 exactly and refuses malformed bodies', () => {
    const root = Buffer.alloc(32, 7).toString('base64');
    expect(parseCheckpoint(`log\n18446744073709551615\n${root}\n`).size).toBe(2n ** 64n - 1n);
    expect(parseCheckpoint(`log\n5\n${root}\nextension line\n`).extensions).toEqual(['extension line']);
    for (const bad of [`log\n05\n${root}\n`, `log\n18446744073709551616\n${root}\n`, `log\n-1\n${root}\n`, `log\n5\nAAAA\n`, `\n5\n${root}\n`, `log\n5\n${root}`, `log\n5\n${root}\n\n`]) {
      expect(() => parseCheckpoint(bad), JSON.stringify(bad)).toThrow();
    }
  });
});
