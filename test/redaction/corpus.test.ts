import { detect, emptyReport, personNames, Redactor } from '@auditrail/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript module shared with bench/redaction.mjs
import { buildCorpus, buildNamesCorpus, evaluate } from './corpus.mjs';

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

describe('person names on the names corpus', () => {
  const names = personNames();
  const result = evaluate(buildNamesCorpus(), (text: string) => [...names.find(text)].map(([start, end]) => ({ kind: 'PERSON', category: 'name', start, end })));

  it('finds ≥ 85% of person names, whole', () => {
    expect(result.scores.name.recall, `first misses: ${JSON.stringify(result.missed.slice(0, 5))}`).toBeGreaterThanOrEqual(0.85);
  });

  it('leaves most capitalized words that are not names alone (places, products, brands, months)', () => {
    // Harder than the clean corpus above by design (Jordan, Victoria Station, Claude): measured, and
    // bounded so that a change for the worse shows.
    expect(result.cleanTouched, `touched: ${JSON.stringify(result.touched)}`).toBeLessThanOrEqual(0.25);
    expect(result.scores.name.precision).toBeGreaterThanOrEqual(0.95);
  });
});

const SYSTEM = 'You are a support agent for Acme Audio. Be concise and polite. Use the tools to look up orders before you answer. '.repeat(20);

describe('the in-place fast path for JSON text', () => {
  it('never calls clean what walking the parsed JSON redacts (every corpus text, in every JSON position)', () => {
    const corpus = buildCorpus(0x1234);
    const texts: string[] = [...corpus.positives.map((p: { text: string }) => p.text), ...corpus.clean.slice(0, 300)];
    const shapes = [
      (t: string) => [{ role: 'user', parts: [{ type: 'text', content: t }] }],
      (t: string) => ({ [t]: 1, other: 'x' }),
      (t: string) => ({ a: { b: ['x', t] } }),
      (t: string) => ({ content: `line one\n${t}\tend` }),
      (t: string) => ({ q: `"${t}"`, back: `C:\\${t}\\` }),
      (t: string) => ({ nested: JSON.stringify({ inner: t }) }),
      // Long enough (≥ 2,048 characters) to be read element by element (the system prompt is remembered clean).
      (t: string) => [{ role: 'system', parts: [{ type: 'text', content: SYSTEM }] }, { role: 'user', parts: [{ type: 'text', content: t }] }, { role: 'assistant', content: 'ok' }],
      (t: string) => ({ system: SYSTEM, question: t, history: [SYSTEM, t] }),
    ];
    const ctx = { tenantId: 't', eventType: 'llm.completion' };
    const fastRedactor = new Redactor({});
    let redacted = 0;
    for (const text of texts) {
      for (const shape of shapes) {
        for (const indent of [undefined, 2]) {
          const raw = JSON.stringify(shape(text), null, indent);
          // The fast path keeps its memory of clean texts from text to text, as in use (the
          // elements of a message list it has seen before); the walk starts fresh every time.
          const fast = fastRedactor.redactFields({ f: raw }, ctx, emptyReport())['f'];
          const parsed = JSON.parse(raw);
          const walked = new Redactor({}).value(parsed, undefined, 't', emptyReport());
          if (walked !== parsed) redacted++;
          expect(fast, raw.slice(0, 160)).toBe(walked === parsed ? raw : JSON.stringify(walked));
        }
      }
    }
    expect(redacted).toBeGreaterThan(6000);
  });
});
