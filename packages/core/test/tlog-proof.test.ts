import { describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  canonicalJson,
  checkConsistencyProof,
  checkEventProof,
  checkpointOrigin,
  consistencyProof,
  formatCheckpoint,
  formatConsistencyProof,
  formatTlogProof,
  generateKeys,
  inclusionProof,
  leafHashOf,
  nodeHash,
  parseConsistencyProof,
  parseSignerKey,
  parseTlogProof,
  parseVerifierKey,
  proofKind,
  rootOf,
  signCheckpoint,
  signNote,
  StreamSequencer,
} from '../src/index.ts';
import { unsealed } from './fixtures.ts';

const KEY_NAME = 'audit.example.com/acme';
const keys = generateKeys(KEY_NAME);
const signer = parseSignerKey(keys.signerKey);
const trusted = [parseVerifierKey(keys.verifierKey)];
const keyHashHex = signer.hash.toString(16).padStart(8, '0');
const STREAM = 'stream-7';
const ORIGIN = checkpointOrigin(KEY_NAME, STREAM);

/** A stream of 13 sealed records: their canonical texts, leaf hashes and objects. */
const sequencer = new StreamSequencer({ streamId: STREAM, clock: () => 1_790_000_000_000_000 });
const sealed = Array.from({ length: 13 }, (_, i) => sequencer.seal(unsealed({ name: `call ${i}`, request_id: `req-${i}` })));
const records = sealed.map((s) => s.canonical);
const leaves = records.map((r) => leafHashOf(r));

/** The signed note of the checkpoint over the first `size` of `leafHashes`. */
function note(size: number, leafHashes = leaves, origin = ORIGIN): string {
  return signCheckpoint(signer, { streamId: STREAM, origin, size, root: rootOf(leafHashes.slice(0, size)) }).note;
}

const NOTE_13 = note(13);

/** The proof of record `index` against the checkpoint of `size`. */
function proofOf(index: number, size = 13, checkpoint = size === 13 ? NOTE_13 : note(size)): string {
  return formatTlogProof({ extra: Buffer.from(records[index]!), index, path: inclusionProof(leaves, index, size), checkpoint });
}

const b64 = (h: Uint8Array) => Buffer.from(h).toString('base64');
/** Replaces line `n` (0-based) of a text. */
const withLine = (text: string, n: number, line: string) => text.split('\n').map((l, i) => (i === n ? line : l)).join('\n');
const problemsOf = (text: string, verifiers = trusted) => checkEventProof(text, verifiers).problems;

describe('tlog-proof (c2sp.org/tlog-proof@v1)', () => {
  it('writes the format line by line: header, extra, index, the path, a blank line, the note verbatim', () => {
    const path = inclusionProof(leaves, 5);
    expect(proofOf(5)).toBe(['c2sp.org/tlog-proof@v1', `extra ${Buffer.from(records[5]!).toString('base64')}`, 'index 5', ...path.map(b64), '', NOTE_13].join('\n'));
    expect(NOTE_13.endsWith('\n')).toBe(true);
    expect(path).toHaveLength(4);
  });

  it('round-trips, with and without extra data, with an empty path, and text → parts → text is the same text', () => {
    for (const [index, size] of [[5, 13], [12, 13], [0, 1], [0, 2]] as const) {
      const text = proofOf(index, size);
      const parsed = parseTlogProof(text);
      expect({ extra: parsed.extra?.toString('utf8'), index: parsed.index, path: parsed.path.map(b64), size: parsed.parsed.size, origin: parsed.parsed.origin }).toEqual({
        extra: records[index],
        index: BigInt(index),
        path: inclusionProof(leaves, index, size).map(b64),
        size: BigInt(size),
        origin: ORIGIN,
      });
      expect(formatTlogProof(parsed)).toBe(text);
    }
    const bare = formatTlogProof({ index: 3n, path: inclusionProof(leaves, 3), checkpoint: NOTE_13 });
    expect(bare.split('\n').slice(0, 2)).toEqual(['c2sp.org/tlog-proof@v1', 'index 3']);
    expect(parseTlogProof(bare).extra).toBeUndefined();
    expect(formatTlogProof(parseTlogProof(bare))).toBe(bare);
    expect(proofKind(bare)).toBe('event');
  });

  it('refuses every malformation with a message that says what', () => {
    const good = proofOf(5);
    const lines = good.split('\n');
    const hashLine = 3; // after header, extra, index
    const h = Buffer.from(lines[hashLine]!, 'base64');
    const cases: [string, string, RegExp][] = [
      ['another header', withLine(good, 0, 'c2sp.org/tlog-proof@v2'), /starts with the line c2sp\.org\/tlog-proof@v1; got "c2sp\.org\/tlog-proof@v2"/],
      ['CRLF line ends', good.replaceAll('\n', '\r\n'), /carriage returns/],
      ['an index with a leading zero', withLine(good, 2, 'index 05'), /index "05" must be a decimal number without leading zeros/],
      ['a negative index', withLine(good, 2, 'index -5'), /without leading zeros/],
      ['an index in exponent form', withLine(good, 2, 'index 5e0'), /without leading zeros/],
      ['an index of 2^64', withLine(good, 2, `index ${2n ** 64n}`), /below 2\^64/],
      ['no index line', lines.filter((_, i) => i !== 2).join('\n'), /expected the line "index N" after the header and extra/],
      ['extra that is not base64', withLine(good, 1, 'extra {"v":1}'), /extra data is not canonical base64/],
      ['an empty extra line', withLine(good, 1, 'extra '), /extra line holds no data/],
      ['a hash that is not base64', withLine(good, hashLine, '*'.repeat(44)), /hash 0 of the path: expected a base64 hash or the blank line/],
      ['a hash in non-canonical base64', withLine(good, hashLine, `${lines[hashLine]!.slice(0, 42)}${String.fromCharCode(lines[hashLine]!.charCodeAt(42) ^ 1)}=`), /hash 0 of the path is not canonical base64/],
      ['a hash of 31 bytes', withLine(good, hashLine, h.subarray(0, 31).toString('base64')), /hash 0 of the path is 31 bytes, not 32/],
      ['a hash of 33 bytes', withLine(good, hashLine, Buffer.concat([h, Buffer.from([0])]).toString('base64')), /hash 0 of the path is 33 bytes, not 32/],
      ['no blank line before the note', good.replace('\n\n', '\n'), /hash 4 of the path: expected a base64 hash or the blank line before the checkpoint; got "audit\.example\.com/],
      ['no blank line at all', lines.slice(0, 7).join('\n'), /no blank line between the path and the checkpoint/],
      ['65 hashes', [...lines.slice(0, 3), ...Array<string>(65).fill(lines[hashLine]!), ...lines.slice(7)].join('\n'), /more than 64 hashes/],
      ['a note without signatures', good.slice(0, good.lastIndexOf('\u2014')), /checkpoint note: signed note has no signatures/],
      ['a note without its last newline', good.slice(0, -1), /checkpoint note: signed note must end with a newline/],
      ['a note with a line that is not a signature', `${good}trailing\n`, /checkpoint note: not a signature line/],
      ['a checkpoint size with a leading zero', good.replace('\n13\n', '\n013\n'), /checkpoint note: checkpoint size must be a decimal number without leading zeros/],
      ['no checkpoint at all', `${lines.slice(0, 8).join('\n')}\n`, /checkpoint note: signed note must end with a newline/],
    ];
    for (const [what, text, message] of cases) {
      expect(() => parseTlogProof(text), what).toThrow(message);
      expect(() => checkEventProof(text, trusted), what).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });

  it('checks a proof: every trusted signature, the checkpoint, the index, the stream and the whole record', () => {
    expect(checkEventProof(proofOf(5), trusted)).toEqual({
      valid: true,
      problems: [],
      signatures: [{ name: KEY_NAME, hash: signer.hash, status: 'verified' }],
      checkpoint: { origin: ORIGIN, size: 13n, root: b64(rootOf(leaves)) },
      index: 5n,
      stream_id: STREAM,
      record: sealed[5]!.record,
    });
    for (let size = 1; size <= 13; size++) for (let i = 0; i < size; i++) expect(problemsOf(proofOf(i, size)), `${i} of ${size}`).toEqual([]);
  });

  it('fails a proof whose record was edited (the leaf hash no longer leads to the root)', () => {
    const edited = { ...(JSON.parse(records[5]!) as AuditRecord), cost_usd: '0' };
    const text = withLine(proofOf(5), 1, `extra ${Buffer.from(canonicalJson(edited)).toString('base64')}`);
    expect(checkEventProof(text, trusted)).toMatchObject({
      valid: false,
      problems: ["The inclusion path does not lead from the record's leaf hash at index 5 to the checkpoint's root: the record, the index, the path or the checkpoint was altered."],
      record: edited,
    });
  });

  it('fails a proof whose index, or one hash of whose path, was changed', () => {
    expect(problemsOf(withLine(proofOf(5), 2, 'index 4'))).toEqual([
      "The inclusion path does not lead from the record's leaf hash at index 4 to the checkpoint's root: the record, the index, the path or the checkpoint was altered.",
      "The record's seq 5 is not the proof's index 4.",
    ]);
    expect(problemsOf(withLine(proofOf(5), 2, 'index 13'))).toEqual(["Index 13 is not below the checkpoint's size 13: the checkpoint does not cover it.", "The record's seq 5 is not the proof's index 13."]);
    const lines = proofOf(5).split('\n');
    for (let n = 3; n < 7; n++) {
      const flipped = Buffer.from(lines[n]!, 'base64');
      flipped[7]! ^= 0x10;
      expect(problemsOf(withLine(proofOf(5), n, flipped.toString('base64'))), `hash ${n - 3}`).toEqual([
        "The inclusion path does not lead from the record's leaf hash at index 5 to the checkpoint's root: the record, the index, the path or the checkpoint was altered.",
      ]);
    }
    // A path cut short or lengthened by one hash.
    expect(problemsOf(lines.filter((_, i) => i !== 6).join('\n'))).toHaveLength(1);
    expect(problemsOf(withLine(proofOf(5), 6, `${lines[6]}\n${lines[6]}`))).toHaveLength(1);
  });

  it("fails a proof whose checkpoint root or size was changed: the signature no longer verifies, and the path no longer leads to the root", () => {
    const good = proofOf(5);
    const root = b64(rootOf(leaves));
    const otherRoot = b64(rootOf(leaves.slice(0, 12)));
    const badSignature = `The signature of the checkpoint by ${KEY_NAME} (key hash ${keyHashHex}) does not verify: the checkpoint or its signature was altered (bad_signature).`;
    expect(checkEventProof(good.replace(root, otherRoot), trusted)).toMatchObject({
      valid: false,
      signatures: [{ name: KEY_NAME, status: 'bad_signature' }],
      problems: [badSignature, "The inclusion path does not lead from the record's leaf hash at index 5 to the checkpoint's root: the record, the index, the path or the checkpoint was altered."],
    });
    // Size 14: leaf 5's path has the same shape in a tree of 13 and of 14, so only the signature
    // tells; in a tree of 17 the path is one hash short.
    expect(problemsOf(good.replace(`\n13\n${root}`, `\n14\n${root}`))).toEqual([badSignature]);
    expect(problemsOf(good.replace(`\n13\n${root}`, `\n17\n${root}`))).toEqual([badSignature, "The inclusion path does not lead from the record's leaf hash at index 5 to the checkpoint's root: the record, the index, the path or the checkpoint was altered."]);
  });

  it('fails a proof whose signature was changed, or that no trusted key signed', () => {
    const good = proofOf(5);
    const sigLine = good.slice(good.lastIndexOf('\u2014'), -1);
    const sig = Buffer.from(sigLine.slice(sigLine.lastIndexOf(' ') + 1), 'base64');
    sig[20]! ^= 1;
    const tampered = good.replace(sigLine, `\u2014 ${KEY_NAME} ${sig.toString('base64')}`);
    expect(checkEventProof(tampered, trusted)).toMatchObject({ valid: false, signatures: [{ status: 'bad_signature' }] });
    expect(problemsOf(tampered)).toEqual([`The signature of the checkpoint by ${KEY_NAME} (key hash ${keyHashHex}) does not verify: the checkpoint or its signature was altered (bad_signature).`]);
    const stranger = [parseVerifierKey(generateKeys('someone.else').verifierKey)];
    expect(checkEventProof(good, stranger)).toMatchObject({ valid: false, signatures: [{ name: KEY_NAME, status: 'unknown_key' }] });
    expect(problemsOf(good, stranger)).toEqual([`No trusted key signed the checkpoint: it is signed by ${KEY_NAME} (key hash ${keyHashHex}) (unknown_key).`]);
    // Same name, another key: unknown too (the key hash differs).
    const impostor = [parseVerifierKey(generateKeys(KEY_NAME).verifierKey)];
    expect(problemsOf(good, impostor)).toEqual([expect.stringContaining('(unknown_key)')]);
    expect(problemsOf(good, [])).toEqual([expect.stringContaining('(unknown_key)')]);
    // A second signature by an unknown key (a witness) does not matter once a trusted key verifies.
    const witness = parseSignerKey(generateKeys('witness.example').signerKey);
    const text = NOTE_13.slice(0, NOTE_13.indexOf('\n\n') + 1);
    const cosigned = formatTlogProof({ extra: Buffer.from(records[5]!), index: 5, path: inclusionProof(leaves, 5), checkpoint: signNote(text, signer, witness) });
    expect(checkEventProof(cosigned, trusted)).toMatchObject({ valid: true, signatures: [{ status: 'verified' }, { name: 'witness.example', status: 'unknown_key' }] });
  });

  it('fails a record that is in the tree but not at its seq, of another stream, not canonical, or not an audit record', () => {
    // A log whose leaf 0 is record 1 (seq 1): included, but not where its seq says.
    const swapped = [leaves[1]!, leaves[0]!, ...leaves.slice(2)];
    const swappedProof = formatTlogProof({ extra: Buffer.from(records[1]!), index: 0, path: inclusionProof(swapped, 0), checkpoint: note(13, swapped) });
    expect(problemsOf(swappedProof)).toEqual(["The record's seq 1 is not the proof's index 0."]);
    // The same leaves signed as another stream's log.
    const otherOrigin = checkpointOrigin(KEY_NAME, 'stream-8');
    expect(problemsOf(formatTlogProof({ extra: Buffer.from(records[5]!), index: 5, path: inclusionProof(leaves, 5), checkpoint: note(13, leaves, otherOrigin) }))).toEqual([
      "The record's stream stream-7 is not the checkpoint's stream stream-8.",
    ]);
    expect(problemsOf(formatTlogProof({ extra: Buffer.from(records[5]!), index: 5, path: inclusionProof(leaves, 5), checkpoint: note(13, leaves, 'no-stream-here') }))).toEqual([
      'The checkpoint\'s origin "no-stream-here" names no stream.',
    ]);
    // Logged entries that are not canonical audit records: each is proven in, and refused.
    const oneLeaf = (extra: string) => formatTlogProof({ extra: Buffer.from(extra), index: 0, path: [], checkpoint: note(1, [leafHashOf(extra)]) });
    const record0 = JSON.parse(records[0]!) as Record<string, unknown>;
    expect(problemsOf(oneLeaf(JSON.stringify(record0, null, 1)))).toEqual(['The record is not in canonical form (RFC 8785): it is not the bytes auditrail logs.']);
    expect(problemsOf(oneLeaf(canonicalJson({ ...record0, seq: -1 })))).toEqual([expect.stringMatching(/^The record is not a valid audit record \(seq: /)]);
    expect(problemsOf(oneLeaf('{"a":1}'))).toEqual([expect.stringMatching(/^The record is not a valid audit record \(/)]);
    expect(problemsOf(oneLeaf('not json'))).toEqual([expect.stringMatching(/^The record is not UTF-8 JSON \(/)]);
    const noExtra = formatTlogProof({ index: 0, path: [], checkpoint: note(1, [leafHashOf(records[0]!)]) });
    expect(problemsOf(noExtra)).toEqual(['The proof carries no record (no extra line): there is no event to prove.']);
  });

  it('reads sizes and indices beyond 2^32 and 2^53 exactly, as bigints, and checks a proof in a tree of 2^33 leaves', () => {
    const huge = 2n ** 53n + 1n; // not a JavaScript number
    const bigNote = signNote(formatCheckpoint({ origin: ORIGIN, size: 2n ** 64n - 1n, root: leaves[0]! }), signer);
    const parsed = parseTlogProof(formatTlogProof({ index: huge, path: [], checkpoint: bigNote }));
    expect([parsed.index, parsed.parsed.size]).toEqual([9007199254740993n, 18446744073709551615n]);
    // The last leaf of a tree of 2^33: its path is the 33 complete subtrees to its left, any hashes at all.
    const size = 2 ** 33;
    const record = canonicalJson({ ...(JSON.parse(records[0]!) as AuditRecord), seq: size - 1 });
    const path = Array.from({ length: 33 }, (_, i) => leafHashOf(`subtree ${i}`));
    const root = path.reduce((r, p) => nodeHash(p, r), leafHashOf(record));
    const checkpoint = signNote(formatCheckpoint({ origin: ORIGIN, size, root }), signer);
    const text = formatTlogProof({ extra: Buffer.from(record), index: BigInt(size - 1), path, checkpoint });
    expect(checkEventProof(text, trusted)).toMatchObject({ valid: true, index: 8589934591n, checkpoint: { size: 8589934592n } });
    expect(problemsOf(withLine(text, 2, `index ${size - 2}`))).toHaveLength(2);
    expect(problemsOf(formatTlogProof({ extra: Buffer.from(record), index: huge, path, checkpoint: bigNote }))).toEqual([
      "The inclusion path does not lead from the record's leaf hash at index 9007199254740993 to the checkpoint's root: the record, the index, the path or the checkpoint was altered.",
      `The record's seq ${size - 1} is not the proof's index 9007199254740993.`,
    ]);
  });
});

describe('consistency proofs (auditrail/consistency-proof@v1)', () => {
  const consistency = (size1: number, size2: number, old = note(size1), now = note(size2)) => formatConsistencyProof({ path: consistencyProof(leaves, size1, size2), oldCheckpoint: old, newCheckpoint: now });

  it('writes header, path, blank line, old note, blank line, new note; and reads it back', () => {
    const text = consistency(5, 13);
    expect(text).toBe(['auditrail/consistency-proof@v1', ...consistencyProof(leaves, 5, 13).map(b64), '', note(5), note(13)].join('\n'));
    const parsed = parseConsistencyProof(text);
    expect([parsed.parsedOld.size, parsed.parsedNew.size, parsed.oldCheckpoint, parsed.newCheckpoint]).toEqual([5n, 13n, note(5), note(13)]);
    expect(formatConsistencyProof(parsed)).toBe(text);
    expect(proofKind(text)).toBe('consistency');
    expect(proofKind('something else\n')).toBeUndefined();
  });

  it('checks every pair of sizes of the stream', () => {
    expect(checkConsistencyProof(consistency(5, 13), trusted)).toEqual({
      valid: true,
      problems: [],
      signatures: { old: [{ name: KEY_NAME, hash: signer.hash, status: 'verified' }], new: [{ name: KEY_NAME, hash: signer.hash, status: 'verified' }] },
      old: { origin: ORIGIN, size: 5n, root: b64(rootOf(leaves.slice(0, 5))) },
      new: { origin: ORIGIN, size: 13n, root: b64(rootOf(leaves)) },
      stream_id: STREAM,
    });
    for (let m = 1; m <= 13; m++) for (let n = m; n <= 13; n++) expect(checkConsistencyProof(consistency(m, n), trusted).problems, `${m} → ${n}`).toEqual([]);
  });

  it('fails a changed path, a rewritten log, checkpoints out of order, of two logs, of the empty tree, or unsigned by a trusted key', () => {
    const text = consistency(5, 13);
    const lines = text.split('\n');
    const flipped = Buffer.from(lines[1]!, 'base64');
    flipped[0]! ^= 1;
    const broken = 'The path does not show the tree of size 5 to be a prefix of the tree of size 13: a checkpoint or the path was altered, or the log was rewritten between them.';
    expect(checkConsistencyProof(withLine(text, 1, flipped.toString('base64')), trusted).problems).toEqual([broken]);
    // A log whose record 2 was replaced after the checkpoint of 5: both checkpoints validly signed.
    const rewritten = [...leaves.slice(0, 2), leafHashOf('forged'), ...leaves.slice(3)];
    const forged = formatConsistencyProof({ path: consistencyProof(rewritten, 5, 13), oldCheckpoint: note(5), newCheckpoint: note(13, rewritten) });
    expect(checkConsistencyProof(forged, trusted).problems).toEqual([broken]);
    expect(checkConsistencyProof(formatConsistencyProof({ path: [], oldCheckpoint: note(13), newCheckpoint: note(5) }), trusted).problems).toEqual(['The old checkpoint (size 13) is larger than the new one (size 5).']);
    const other = note(13, leaves, checkpointOrigin(KEY_NAME, 'stream-8'));
    expect(checkConsistencyProof(consistency(5, 13, note(5), other), trusted).problems).toEqual(['The two checkpoints are of different logs (origins "audit.example.com/acme/stream-7" and "audit.example.com/acme/stream-8").']);
    expect(checkConsistencyProof(consistency(13, 13), trusted).problems).toEqual([]);
    expect(checkConsistencyProof(formatConsistencyProof({ path: [], oldCheckpoint: note(0), newCheckpoint: note(13) }), trusted).problems).toEqual(['The old checkpoint is of the empty tree: there is nothing to prove consistent.']);
    const stranger = [parseVerifierKey(generateKeys('someone.else').verifierKey)];
    expect(checkConsistencyProof(text, stranger).problems).toEqual([
      `No trusted key signed the old checkpoint: it is signed by ${KEY_NAME} (key hash ${keyHashHex}) (unknown_key).`,
      `No trusted key signed the new checkpoint: it is signed by ${KEY_NAME} (key hash ${keyHashHex}) (unknown_key).`,
    ]);
    const newRoot = b64(rootOf(leaves));
    expect(checkConsistencyProof(text.replace(newRoot, b64(leaves[0]!)), trusted).problems).toEqual([expect.stringContaining('signature of the new checkpoint by'), broken]);
  });

  it('refuses malformed consistency proofs', () => {
    const text = consistency(5, 13);
    const cases: [string, string, RegExp][] = [
      ['another header', withLine(text, 0, 'auditrail/consistency-proof@v2'), /starts with the line auditrail\/consistency-proof@v1/],
      ['no blank line between the notes', text.replace(`${note(5)}\n`, note(5)), /no blank line between the old and the new checkpoint notes/],
      ['no new note', `${text.slice(0, text.indexOf(note(13)))}`, /no new checkpoint note after the old one/],
      ['an old note without signatures', text.replace(note(5), `${note(5).slice(0, note(5).indexOf('\u2014'))}\n`), /the old checkpoint note has no signature lines/],
      ['a bad hash', withLine(text, 1, 'AAAA'), /hash 0 of the path is 3 bytes, not 32/],
      ['a new note that is not a checkpoint', text.replace(note(13), signNote('hello\n', signer)), /new checkpoint note: checkpoint size must be/],
    ];
    for (const [what, bad, message] of cases) expect(() => parseConsistencyProof(bad), what).toThrow(message);
  });
});
