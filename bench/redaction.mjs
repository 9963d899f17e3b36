// Benchmark 6: redaction — precision and recall of the detectors per category on the labelled
// corpus (test/redaction/corpus.mjs), and throughput on a realistic mix of prompts.
//
//   node --expose-gc bench/redaction.mjs [--rounds 9] [--prompts 4000]
//
// Throughput: `Redactor.redactFields` (every detector but person names, JSON inside strings walked
// as JSON, the default policy) over the content attributes of chat spans — the ~1.3 KB message
// lists the other benchmarks use, one in five carrying an e-mail address, a phone number or an API
// key. Two mixes: as calls send them (system prompt, tool results and earlier turns repeat from
// call to call, which the redactor's memory of clean strings profits from), and every string of
// every span made distinct (nothing to remember: the detectors' own speed). Baseline in the same
// rounds: `JSON.parse` + `JSON.stringify` of the same strings (native code over the same bytes).
// One core: this process's JavaScript thread. Median MB/s over rounds.
//
// Person names (the `names` option: the compromise tagger, in the redaction worker) are measured
// apart: their precision and recall on the names corpus, and their throughput on the distinct mix
// (where few texts hold a word the tagger's lexicon knows as a name) and on a mix where every
// prompt names two people (the tagger reads every prompt), 400 spans of it.
import { Redactor, detect, emptyReport, personNames } from '@auditrail/core';
import { buildCorpus, buildNamesCorpus, evaluate } from '../test/redaction/corpus.mjs';
import { check, gc, genAiAttributes, intArg, log, median, parseArgs, rotated, round, runChild } from './lib/common.mjs';

const TAG = 'redaction';

runChild(TAG, async () => {
  const args = parseArgs(process.argv.slice(2));
  const rounds = intArg(args, 'rounds', 9);
  const prompts = intArg(args, 'prompts', 4000);

  const corpus = buildCorpus();
  const quality = evaluate(corpus, detect);
  for (const [category, s] of Object.entries(quality.scores)) {
    log(TAG, `${category}: recall ${round(s.recall, 4)} (${s.found}/${s.labels}), precision ${round(s.precision, 4)} (${s.detections - s.falsePositives}/${s.detections})`);
  }
  log(TAG, `clean strings touched: ${quality.touched.length}/${quality.cleanStrings} (${round(quality.cleanTouched * 100, 2)}%)`);
  const names = personNames();
  const namesQuality = evaluate(buildNamesCorpus(), (text) => [...names.find(text)].map(([start, end]) => ({ kind: 'PERSON', category: 'name', start, end })));
  const n = namesQuality.scores.name;
  log(TAG, `person names: recall ${round(n.recall, 4)} (${n.found}/${n.labels}), precision ${round(n.precision, 4)} (${n.detections - n.falsePositives}/${n.detections}); capitalized non-names touched ${namesQuality.touched.length}/${namesQuality.cleanStrings}`);

  // The mix: the content attributes of chat spans; every fifth with something to redact.
  const fake = ['sk', 'proj', 'Xq3vT9kLm2Np8Rs4Wy6Za1Bc5De7Fg0Hj2Kl4Mn6Op8Qr0St2Uv4Wx6Yz8Ab'].join('-');
  const extras = [' Mail me at jane.doe@example.com.', ' Call +44 20 7946 0958 after 5.', ` My key is ${fake}, is it valid?`];
  const spans = Array.from({ length: prompts }, (_, i) => {
    const a = genAiAttributes({ i });
    const input = String(a['gen_ai.input.messages']);
    return {
      'gen_ai.input.messages': i % 5 === 0 ? input.replace('I still have the box', `I still have the box.${extras[(i / 5) % 3]}`) : input,
      'gen_ai.output.messages': String(a['gen_ai.output.messages']),
    };
  });
  // The same spans with every message text made distinct.
  const distinctSpans = spans.map((s, i) => {
    /** @param {string} json */
    const tag = (json) => JSON.stringify(JSON.parse(json), (k, v) => (k === 'content' && typeof v === 'string' ? `${v} (${i})` : v));
    return { 'gen_ai.input.messages': tag(s['gen_ai.input.messages']), 'gen_ai.output.messages': tag(s['gen_ai.output.messages']) };
  });
  const bytes = spans.reduce((n, s) => n + Buffer.byteLength(s['gen_ai.input.messages']) + Buffer.byteLength(s['gen_ai.output.messages']), 0);
  const redactor = new Redactor({ key: 'bench-key-0123456789abcdef0123456789abcdef' });
  const ctx = { tenantId: 'bench', eventType: 'llm.completion' };

  const bytesOf = (/** @type {typeof spans} */ xs) => xs.reduce((n, s) => n + Buffer.byteLength(s['gen_ai.input.messages']) + Buffer.byteLength(s['gen_ai.output.messages']), 0);
  const distinctBytes = bytesOf(distinctSpans);
  // Every prompt names two people (the tagger reads each one).
  const people = ['Maria Garcia', 'James Smith', 'Fatima Hassan', 'Wei Zhang', 'Siobhan Murphy', 'Lucas Martin'];
  const namedSpans = distinctSpans.slice(0, 400).map((s, i) => ({
    ...s,
    'gen_ai.input.messages': s['gen_ai.input.messages'].replace('Hello, I ordered', `Hello, this is ${people[i % 6]}. My husband ${people[(i + 1) % 6]} ordered`),
  }));
  const namedBytes = bytesOf(namedSpans);
  // Conversations: 100 of 20 calls, each call sending the whole history again (system prompt and
  // every earlier turn), as chat apps and agents do. A fresh redactor each round.
  const system = 'You are a support agent for Acme Audio. Be concise, polite and accurate. Never promise refunds above 100 EUR without approval. Use the tools to look up orders and shipping status before you answer. '.repeat(2);
  const conversationCalls = Array.from({ length: 100 }, (_, c) => {
    const messages = [{ role: 'system', parts: [{ type: 'text', content: system }] }];
    return Array.from({ length: 20 }, (_, t) => {
      messages.push({ role: 'user', parts: [{ type: 'text', content: `Conversation ${c}, turn ${t}: my order A-${1000 + c} still has not arrived; the tracking page says it left the warehouse on Monday. What should I do?` }] });
      const call = JSON.stringify(messages);
      messages.push({ role: 'assistant', parts: [{ type: 'text', content: `I checked order A-${1000 + c} (turn ${t}): it is with the carrier and should arrive within two working days.` }] });
      return call;
    });
  }).flat();
  const conversationBytes = conversationCalls.reduce((n, s) => n + Buffer.byteLength(s), 0);
  /** @type {Record<'redact' | 'distinct' | 'json' | 'names' | 'named', number[]>} */
  const mbps = { redact: [], distinct: [], json: [], names: [], named: [], conversation: [] };
  let replaced = 0;
  let namesFound = 0;
  const arms = ['redact', 'distinct', 'json', 'names', 'named', 'conversation'];
  for (let r = -1; r < rounds; r++) {
    for (const arm of rotated(arms, r)) {
      gc();
      const t = performance.now();
      if (arm === 'redact' || arm === 'distinct' || arm === 'names') {
        const report = emptyReport();
        // A fresh redactor for distinct texts: nothing remembered from earlier rounds.
        const r2 = arm === 'redact' ? redactor : new Redactor({ names: arm === 'names' });
        for (const s of arm === 'redact' ? spans : distinctSpans) r2.redactFields(s, ctx, report);
        replaced = Object.values(report.counts).reduce((a, b) => a + b, 0);
        check(replaced === prompts / 5, `expected ${prompts / 5} replacements per pass, got ${replaced}`);
      } else if (arm === 'conversation') {
        const report = emptyReport();
        const r2 = new Redactor({});
        for (const messages of conversationCalls) r2.redactFields({ 'gen_ai.input.messages': messages }, ctx, report);
        check(Object.keys(report.counts).length === 0, `a clean conversation was redacted: ${JSON.stringify(report.counts)}`);
      } else if (arm === 'named') {
        const report = emptyReport();
        const r2 = new Redactor({ names: true });
        for (const s of namedSpans) r2.redactFields(s, ctx, report);
        namesFound = report.counts['PERSON'] ?? 0;
        check(namesFound >= namedSpans.length, `expected at least a name per prompt, got ${namesFound}`);
      } else {
        let n = 0;
        for (const s of spans) n += JSON.stringify(JSON.parse(s['gen_ai.input.messages'])).length + JSON.stringify(JSON.parse(s['gen_ai.output.messages'])).length;
        check(n > 0, 'nothing serialized');
      }
      const seconds = (performance.now() - t) / 1000;
      const armBytes = arm === 'distinct' || arm === 'names' ? distinctBytes : arm === 'named' ? namedBytes : arm === 'conversation' ? conversationBytes : bytes;
      if (r >= 0) mbps[/** @type {keyof typeof mbps} */ (arm)].push(armBytes / 1e6 / seconds);
    }
  }
  const redactMbps = median(mbps.redact);
  const distinctMbps = median(mbps.distinct);
  const jsonMbps = median(mbps.json);
  log(TAG, `throughput: ${round(redactMbps, 1)} MB/s redacting as calls send them, ${round(distinctMbps, 1)} MB/s with every text distinct, vs ${round(jsonMbps, 1)} MB/s JSON parse + stringify (${round(bytes / 1e6, 2)} MB per pass)`);
  log(TAG, `conversations (history sent again with every call): ${round(median(mbps.conversation), 1)} MB/s (${round(conversationBytes / 1e6, 1)} MB per pass)`);
  const namesMbps = median(mbps.names);
  const namedMbps = median(mbps.named);
  log(TAG, `person names on: ${round(namesMbps, 1)} MB/s on the distinct mix, ${round(namedMbps, 3)} MB/s (${round(namedSpans.length / (namedBytes / 1e6 / namedMbps), 0)} prompts/s) when every prompt names two people (${namesFound} of ${namedSpans.length * 2} names found)`);
  return {
    corpus: { positives: corpus.positives.length, clean: corpus.clean.length },
    scores: quality.scores,
    clean_touched: round(quality.cleanTouched, 4),
    names: { ...namesQuality.scores.name, capitalized_non_names_touched: round(namesQuality.cleanTouched, 4), mb_per_second_distinct_mix: round(namesMbps, 1), mb_per_second_every_prompt_named: round(namedMbps, 3), prompts_per_second_every_prompt_named: round(namedSpans.length / (namedBytes / 1e6 / namedMbps), 0) },
    throughput: { conversation_mb_per_second: round(median(mbps.conversation), 1), mb_per_second: round(redactMbps, 1), distinct_mb_per_second: round(distinctMbps, 1), json_roundtrip_mb_per_second: round(jsonMbps, 1), ratio_to_json: round(redactMbps / jsonMbps, 3), bytes_per_pass: bytes, rounds },
  };
});
