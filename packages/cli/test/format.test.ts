import { describe, expect, it } from 'vitest';
import { sumUsd, usd } from '../src/format/text.ts';

describe('sumUsd', () => {
  it('adds decimal USD amounts exactly, where floats drift', () => {
    expect(sumUsd(['0.1', '0.2'])).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3);
    // 10,000 calls at $0.000000000001: floats lose it, the record's 12 decimals do not.
    expect(sumUsd(Array.from({ length: 10_000 }, () => '0.000000000001'))).toBe('0.00000001');
    expect(sumUsd(['0.074761', '0.000003', null, undefined, 'not a number'])).toBe('0.074764');
    expect(sumUsd([])).toBe('0');
  });

  it('formats unknown cost as unpriced, never $0', () => {
    expect([usd(null), usd('0'), usd('0.0000537'), usd('12.5')]).toEqual(['unpriced', '$0', '$0.0000537', '$12.5000']);
  });
});
