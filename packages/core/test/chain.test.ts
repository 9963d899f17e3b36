import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditRecordSchema, canonicalJson, GENESIS_HASH, leafHash, payloadDigest, sealPayload, StreamSequencer, uuidv7 } from '../src/index.ts';
import { unsealed, vectorsFile } from './fixtures.ts';

const vectors = JSON.parse(readFileSync(vectorsFile('merkle-vectors.json'), 'utf8')) as {
  leaves_hex: string[];
  node_hashes_by_level_hex: string[][];
  extra_leaf_hashes: { leaf_utf8: string; leaf_hash_base64: string }[];
};

describe('leafHash (RFC 9162 §2.1.1)', () => {
  it('matches every leaf hash of the shared vectors', () => {
    const got = vectors.leaves_hex.map((hex) => leafHash(Buffer.from(hex, 'hex')));
    expect(got).toEqual(vectors.node_hashes_by_level_hex[0]);
  });

  it('hashes text as UTF-8, like the Go checksum database', () => {
    const [v] = vectors.extra_leaf_hashes;
    expect(Buffer.from(leafHash(v!.leaf_utf8), 'hex').toString('base64')).toBe(v!.leaf_hash_base64);
  });

  it('gives text and its UTF-8 bytes the same hash (text is hashed in one shot, bytes incrementally)', () => {
    for (const text of ['', '{"a":1}', 'é€😀\u0000x', canonicalJson({ z: 'x'.repeat(5000), a: [1, 2] })]) {
      expect(leafHash(text)).toBe(leafHash(Buffer.from(text, 'utf8')));
    }
  });
});

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and serializes numbers the ECMAScript way', () => {
    // From RFC 8785 §3.2.3 and §3.2.2.3.
    expect(canonicalJson({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '1': 'One', '\ud83d\ude00': 'Emoji', '\u0080': 'Control', 'ö': 'Latin' })).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji"}',
    );
    expect(canonicalJson([333333333.33333329, 1e30, 4.5, 0.002, 1e-27, -0])).toBe('[333333333.3333333,1e+30,4.5,0.002,1e-27,0]');
    expect(canonicalJson({ b: [1, { d: true, c: null }], a: 'x\ny' })).toBe('{"a":"x\\ny","b":[1,{"c":null,"d":true}]}');
  });
});

describe('StreamSequencer', () => {
  it('chains records with gap-free seq from 0, prev_hash links and a non-decreasing observed_at', () => {
    const clock = [1_764_000_000_000_500, 1_764_000_000_000_400, 1_764_000_000_001_000];
    const seq = new StreamSequencer({ streamId: 'stream-a', clock: () => clock.shift()! });
    const a = seq.seal(unsealed());
    const b = seq.seal(unsealed({ request_id: 'req-2' }));
    const c = seq.seal(unsealed());
    expect([a, b, c].map((s) => [s.record.seq, s.record.prev_hash, s.record.observed_at])).toEqual([
      [0, GENESIS_HASH, '2025-11-24T16:00:00.000500Z'],
      [1, a.hash, '2025-11-24T16:00:00.000500Z'],
      [2, b.hash, '2025-11-24T16:00:00.001000Z'],
    ]);
    for (const s of [a, b, c]) {
      expect(s.canonical).toBe(canonicalJson(s.record));
      expect(s.hash).toBe(createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(s.canonical)])).digest('hex'));
      expect(auditRecordSchema.parse(JSON.parse(s.canonical))).toEqual(s.record);
    }
  });
});

describe('uuidv7', () => {
  it('is a version-7 RFC 9562 UUID that sorts by time and stays ordered within a millisecond', () => {
    const ids = [uuidv7(4_000_000_000_000), uuidv7(4_000_000_000_000), uuidv7(4_000_000_000_001)];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]!.slice(0, 13)).toBe('03a35294-4000');
  });
});

describe('sealPayload', () => {
  it('commits to the canonical content with a nonce that only the payload row keeps', () => {
    const a = sealPayload({ messages: [{ role: 'user', content: 'hi' }] });
    const b = sealPayload({ messages: [{ role: 'user', content: 'hi' }] });
    expect(a.content).toBe('{"messages":[{"content":"hi","role":"user"}]}');
    expect(a.digest).not.toBe(b.digest); // same text, different commitment: guesses cannot be tested
    expect(payloadDigest(a.nonce, a.content)).toBe(a.digest);
    expect(payloadDigest(a.nonce, a.content.replace('hi', 'ho'))).not.toBe(a.digest);
  });
});

describe('formatUtcMicros', () => {
  it('agrees with the nanosecond formatter for every microsecond it is given', async () => {
    const { formatUtcMicros, formatUtcNanos } = await import('../src/index.ts');
    for (const micros of [0, 999, 1_000_000, 1_764_000_000_000_500, 1_764_000_000_999_999, 4_102_444_800_000_001]) {
      expect(formatUtcMicros(micros)).toBe(formatUtcNanos(BigInt(micros) * 1000n, 6));
    }
    expect(formatUtcMicros(1_764_000_000_000_500)).toBe('2025-11-24T16:00:00.000500Z');
  });

  it('formats consecutive times across second, day and year boundaries (the last second is cached)', async () => {
    const { formatUtcMicros, formatUtcNanos, formatHrTime } = await import('../src/index.ts');
    const starts = [1_767_225_599_999_000, 1_764_000_000_999_990, 0];
    for (const start of starts) {
      for (let micros = start; micros < start + 2_000; micros += 7) {
        expect(formatUtcMicros(micros)).toBe(formatUtcNanos(BigInt(micros) * 1000n, 6));
        const hr: [number, number] = [Math.floor(micros / 1e6), (micros % 1e6) * 1000 + 123];
        expect(formatHrTime(hr)).toBe(formatUtcNanos(BigInt(hr[0]) * 1_000_000_000n + BigInt(hr[1]), 9));
      }
    }
    expect(formatUtcMicros(1_767_225_599_999_999)).toBe('2025-12-31T23:59:59.999999Z');
    expect(formatUtcMicros(1_767_225_600_000_000)).toBe('2026-01-01T00:00:00.000000Z');
    expect(formatHrTime([1_767_225_599, 999_999_999])).toBe('2025-12-31T23:59:59.999999999Z');
    // Not in normal form: nanoseconds carried into the next second, or negative.
    expect(formatHrTime([1_767_225_599, 1_000_000_001])).toBe('2026-01-01T00:00:00.000000001Z');
    expect(formatHrTime([1_767_225_600, -1])).toBe('2025-12-31T23:59:59.999999999Z');
  });
});
