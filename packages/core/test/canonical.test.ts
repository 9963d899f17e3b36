import { describe, expect, it } from 'vitest';
import { AuditrailError, canonicalJson, canonicalJsonReference } from '../src/index.ts';
import { prng, unsealed } from './fixtures.ts';

// Characters that stress key ordering and escaping: controls, quotes, backslash, non-ASCII,
// characters beyond the BMP (surrogate pairs), and code units around the surrogate range.
const ALPHABET = ['a', 'B', 'z', '1', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u0080', 'é', 'ö', '\u20ac', '\ud7ff', '\ue000', '\uffff', '😀', '𝄞', '\u2028'];
const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 1e-6, 123456789012345680000, 5e-324, 1.7976931348623157e308, 333333333.33333329, 9007199254740991, -9007199254740991, 4.5, 2e-3, 1e30];

function generate(rand: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const str = () => Array.from({ length: Math.floor(rand() * 6) }, () => pick(ALPHABET)).join('');
  const r = rand();
  if (depth > 3 || r < 0.3) return pick<unknown>([null, true, false, str(), pick(NUMBERS), rand() * 1e6 - 5e5, Math.floor(rand() * 1e9)]);
  if (r < 0.55) return Array.from({ length: Math.floor(rand() * 5) }, () => generate(rand, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(rand() * 6) }, () => [str(), generate(rand, depth + 1)]));
}

describe('canonicalJson agrees byte for byte with canonicalize@4 (the reference)', () => {
  it('on the RFC 8785 examples', () => {
    const examples: unknown[] = [
      { numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001], string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"/', literals: [null, true, false] },
      { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', 'ö': 'Latin Small Letter O With Diaeresis' },
    ];
    for (const v of examples) expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
    expect(canonicalJson(examples[0])).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('on 20,000 generated values: nested objects and arrays, unicode keys, edge-case numbers', () => {
    const rand = prng(8785);
    for (let i = 0; i < 20_000; i++) {
      const v = generate(rand, 0);
      expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
    }
  });

  it('on audit records', () => {
    expect(canonicalJson(unsealed())).toBe(canonicalJsonReference(unsealed()));
    const withUndefined = { ...unsealed(), extra: undefined, list: [undefined, 1] };
    expect(canonicalJson(withUndefined)).toBe(canonicalJsonReference(withUndefined));
  });

  it('on values JSON.stringify alone would write differently: index keys, boxed primitives, toJSON, class instances', () => {
    class Point {
      constructor(
        readonly y: number,
        readonly x: number,
      ) {}
    }
    const values: unknown[] = [
      { b: 1, '10': 2, '9': 3, a: { '2': 1, '11': 2 } },
      { a: 1, '1': 2 },
      { list: [new String('ab'), new Number(1), new Boolean(false)], z: 1 },
      { when: new Date(Date.UTC(2026, 10, 24)), nested: { b: new Date(0), a: [new Date(1)] } },
      { p: new Point(2, 1), m: new Map([['k', 1]]), u: new Uint8Array([3, 4]) },
      JSON.parse(canonicalJsonReference(unsealed())),
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
    // canonicalize@4 writes functions and symbols as holes and `undefined`; JCS follows JSON.stringify.
    expect(canonicalJson([undefined, () => 1, Symbol('s'), { a: undefined, b: () => 1 }])).toBe('[null,null,null,{}]');
  });

  it('leaves the value it encodes unchanged', () => {
    const v = { z: { d: 1, c: [{ y: 1, x: 2 }] }, a: new Date(0) };
    const before = JSON.stringify(v);
    canonicalJson(v);
    expect(JSON.stringify(v)).toBe(before);
    expect(Object.keys(v)).toEqual(['z', 'a']);
  });

  it('refuses what JCS cannot represent, as the reference does', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, { x: '\ud800' }, { '\udc00': 1 }, cyclic, { b: 1, a: [Number.NaN] }, { a: 1, '1': undefined, b: [{ c: '\udfff' }] }, 10n, undefined]) {
      expect(() => canonicalJsonReference(bad)).toThrow();
      expect(() => canonicalJson(bad)).toThrow(AuditrailError);
    }
  });
});
