import { detect } from '@auditrail/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript module shared with bench/redaction.mjs
import { buildCorpus, evaluate } from './corpus.mjs';

describe('redaction detectors on the labelled corpus', () => {
  const result = evaluate(buildCorpus(), detect);

  it('finds ≥ 98% of secrets and of structured PII, whole', () => {
    for (const category of ['secret', 'pii'] as const) {
      expect(result.scores[category].recall, `${category} recall; first misses: ${JSON.stringify(result.missed.slice(0, 5))}`).toBeGreaterThanOrEqual(0.98);
    }
  });

  it('touches at most 2% of clean strings that look like them (order numbers, ids, hashes, versions, times, code, base64)', () => {
    expect(result.cleanTouched, `clean strings touched, first: ${JSON.stringify(result.touched.slice(0, 5))}`).toBeLessThanOrEqual(0.02);
  });
});
