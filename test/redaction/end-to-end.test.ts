import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createClient } from '@clickhouse/client';
import { type AuditRecord, payloadDigest } from '@auditrail/core';
import { OpenAIInstrumentation, recordError, withRequestContext, withToolCall } from '@auditrail/instrumentation';
import { AuditSpanProcessor } from '@auditrail/processor';
import { startMockProvider } from '@auditrail/mock-provider';
import OpenAI from 'openai';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freshStore, storeDir } from '../support/audited-app.ts';

// Fake credentials and personal data in their real formats, assembled at run time (no literal
// token in the source for secret scanners). None is or was ever valid.
const b = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[(i * 7 + seed * 13) % 62]).join('');
const SECRETS = {
  openai: ['sk', 'proj', `${b(74, 1)}T3BlbkFJ${b(74, 2)}`].join('-'),
  anthropic: ['sk', 'ant', 'api03', `${b(93, 3)}AA`].join('-'),
  awsId: `AKIA${'QWERTYUIOPASDFGH'}`.replace('O', '2'),
  awsSecret: `${b(20, 4)}/${b(19, 5)}`,
  github: `ghp_${b(36, 6)}`,
  slack: ['xoxb', '123456789012', '1234567890123', b(24, 7)].join('-'),
  slackWebhook: `https://hooks.slack.com/services/T${b(8, 8).toUpperCase()}/B${b(10, 9).toUpperCase()}/${b(24, 10)}`,
  google: `AIza${b(35, 11)}`,
  stripe: ['sk', 'live', b(99, 12)].join('_'),
  jwt: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', `eyJ${b(60, 13)}`, b(43, 14)].join('.'),
  pemBody: Array.from({ length: 4 }, (_, i) => b(64, 15 + i)),
  bearer: b(40, 20),
  dbPassword: `Pg${b(14, 21)}!`,
  password: `Hunter${b(8, 22)}`,
};
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${SECRETS.pemBody.join('\n')}\n-----END RSA PRIVATE KEY-----`;
const PII = {
  email: 'jane.roe@example-clinic.org',
  userEmail: 'patient.42@example-mail.com',
  phone: '+44 20 7946 0321',
  ssn: '536-22-1234',
  nino: 'AB 12 34 56 C',
  card: '4111 1111 1111 1111',
  iban: 'DE89 3704 0044 0532 0130 00',
  ipv4: '203.0.113.77',
  ipv6: '2001:db8:85a3::8a2e:370:7334',
};

/** Every raw value, and the forms it takes inside JSON text. */
const NEEDLES = [
  ...Object.entries(SECRETS).flatMap(([k, v]) => (k === 'pemBody' ? (v as string[]) : [v as string])),
  ...Object.values(PII),
  ...Object.values(PII).map((v) => v.replace(/ /g, '')),
  'Hunter', // the password's readable prefix
];

/** Every column (MATERIALIZED ones included) of every table of the store, read back through the engine, as text. */
async function readEverything(database: string): Promise<{ everything: string; ch: ReturnType<typeof createClient> }> {
  const connection = (await import('chdb/connection')).createChdbConnection({ path: storeDir() });
  const ch = createClient({ connection } as never);
  const tables = await (await ch.query({ query: 'SELECT name FROM system.tables WHERE database = {db:String}', query_params: { db: database }, format: 'JSONEachRow' })).json<{ name: string }>();
  expect(tables.map((t) => t.name).sort()).toEqual(['checkpoints', 'events', 'payloads', 'schema_migrations']);
  let everything = '';
  for (const { name } of tables) {
    const columns = await (await ch.query({ query: 'SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}', query_params: { db: database, t: name }, format: 'JSONEachRow' })).json<{ name: string }>();
    everything += await (await ch.query({ query: `SELECT ${columns.map((c) => `toString(\`${c.name}\`)`).join(', ')} FROM ${database}.${name}`, format: 'TabSeparatedRaw' })).text();
  }
  return { everything, ch };
}

/**
 * None of `needles` in any file under the data directory (indexes, marks, logs, metadata: whatever
 * the engine keeps uncompressed; compressed column files are read back through the engine).
 */
function expectNotOnDisk(needles: readonly string[]): void {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(storeDir());
  expect(files.length).toBeGreaterThan(20);
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const needle of needles) expect([file, needle, bytes.includes(needle)]).toEqual([file, needle, false]);
  }
}

const mock = await startMockProvider();
afterAll(() => mock.close());

describe('redaction end to end: no secret and no PII reaches storage', () => {
  it('an app sends every kind in prompts, tool arguments and results, attributes, errors and identity; none of it is stored', async () => {
    const store = await freshStore();
    const processor = new AuditSpanProcessor({ sink: store, tenantId: 'clinic' });
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'intake-agent', 'deployment.environment.name': `staging ${PII.ipv4}` }),
      spanProcessors: [processor],
    });
    trace.disable();
    context.disable();
    propagation.disable();
    provider.register();
    const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument(OpenAI);
    const client = new OpenAI({ baseURL: mock.url, apiKey: SECRETS.openai, maxRetries: 0 });

    await withRequestContext({ requestId: 'req-redaction-1', userId: PII.userEmail, sessionId: `sess ${PII.phone}` }, async () => {
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: `Internal: the admin key is ${SECRETS.anthropic}; escalate to ${PII.email}.` },
          {
            role: 'user',
            content: [
              `Hi, I am reachable at ${PII.phone} or ${PII.email}. SSN ${PII.ssn}, NI ${PII.nino}.`,
              `Please charge ${PII.card} or my IBAN ${PII.iban}. I connect from ${PII.ipv4} / ${PII.ipv6}.`,
              `Our keys: ${SECRETS.openai} ${SECRETS.github} ${SECRETS.slack} ${SECRETS.google} ${SECRETS.stripe} ${SECRETS.awsId}`,
              `aws_secret_access_key=${SECRETS.awsSecret} and password=${SECRETS.password}`,
              `token ${SECRETS.jwt}, webhook ${SECRETS.slackWebhook}`,
              PEM,
            ].join('\n'),
          },
        ],
      });
      await withToolCall({ name: 'lookup_patient', callId: 'call_1', arguments: { email: PII.email, card: PII.card, headers: { Authorization: `Bearer ${SECRETS.bearer}` } } }, async () => ({
        found: true,
        phone: PII.phone,
        note: `db at postgres://intake:${SECRETS.dbPassword}@10.1.2.3:5432/patients`,
      }));
      recordError(new Error(`upstream rejected ${SECRETS.openai} for ${PII.email}`), { operation: 'charge' });
      trace.getTracer('app').startActiveSpan('chat custom', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'app.debug': `key=${SECRETS.google} ip=${PII.ipv6}`, [`customer ${PII.email}`]: 'key with PII', 'error.type': `quota exceeded for ${PII.email}`, 'gen_ai.response.model': `ft:gpt-4o-mini:${PII.email}` } }, (span) => span.end());
    });
    await provider.forceFlush();

    const { everything, ch } = await readEverything(store.database);
    const records = (await store.search({ limit: 1000 })) as AuditRecord[];
    const chat = records.find((r) => r.event_type === 'llm.completion' && r.name === 'chat gpt-4o-mini')!;
    // The payload stored (redacted) still matches the digest its record commits to.
    const [row] = await store.payloads([chat.payload!.digest]);
    expect(payloadDigest(row!.nonce, row!.content)).toBe(chat.payload!.digest);
    await ch.close();
    await provider.shutdown();
    instrumentation.disable();
    await store.close();

    // What was stored is the app's traffic, redacted — not nothing.
    expect(records.map((r) => r.event_type).sort()).toEqual(['audit.stream_open', 'error', 'llm.completion', 'llm.completion', 'tool.call']);
    for (const kind of ['EMAIL', 'PHONE', 'US_SSN', 'UK_NINO', 'CARD', 'IBAN', 'IPV4', 'IPV6', 'OPENAI_KEY', 'ANTHROPIC_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_KEY', 'GITHUB_TOKEN', 'SLACK_TOKEN', 'SLACK_WEBHOOK', 'GOOGLE_API_KEY', 'STRIPE_KEY', 'JWT', 'PRIVATE_KEY', 'PASSWORD', 'BEARER_TOKEN', 'URL_CREDENTIALS']) {
      expect([kind, everything.includes(`[${kind}]`)]).toEqual([kind, true]);
    }
    expect(chat.redaction?.counts['EMAIL']).toBeGreaterThanOrEqual(2);
    expect(chat.user_id).toBe('[EMAIL]');
    expect(chat.service.environment).toBe('staging [IPV4]');
    const custom = records.find((r) => r.name === 'chat custom')!;
    expect([custom.error_type, custom.response_model]).toEqual(['quota exceeded for [EMAIL]', 'ft:gpt-4o-mini:[EMAIL]']);

    // No raw value in any column of any table…
    for (const needle of NEEDLES) expect([needle, everything.includes(needle)]).toEqual([needle, false]);
    // …nor in any file under the data directory.
    expectNotOnDisk(NEEDLES);
  });

  it('with person names on and the key from AUDITRAIL_REDACTION_KEY: names become [PERSON], a user known by e-mail keeps one pseudonym, the key is stored nowhere', async () => {
    const key = 'e5b2c8f1a4d7e0b3c6f9a2d5e8b1c4f7a0d3e6b9c2f5a8d1e4b7c0f3a6d9e2b5';
    vi.stubEnv('AUDITRAIL_REDACTION_KEY', key);
    try {
      const store = await freshStore();
      const processor = new AuditSpanProcessor({ sink: store, tenantId: 'clinic', redaction: { names: true } });
      const provider = new NodeTracerProvider({ spanProcessors: [processor] });
      const tracer = provider.getTracer('intake');
      // Names the tagger finds (its recall on the names corpus is measured by bench/redaction.mjs).
      const people = ['Maria Garcia', 'Wei Zhang', 'Fatima Hassan', 'Siobhan Murphy'];
      for (const [i, [a, b]] of [[people[0], people[1]], [people[2], people[3]]].entries()) {
        const messages = [{ role: 'user', parts: [{ type: 'text', content: `Hi, this is ${a}. Dr. ${b!.split(' ')[1]} said ${b} would call me back about case ${i}.` }] }];
        tracer.startSpan('chat gpt-4o-mini', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'user.id': PII.userEmail, 'gen_ai.input.messages': JSON.stringify(messages) } }).end();
      }
      await provider.forceFlush();
      const records = ((await store.search({ limit: 100 })) as AuditRecord[]).filter((r) => r.event_type === 'llm.completion');
      const { everything, ch } = await readEverything(store.database);
      await ch.close();
      await provider.shutdown();
      await store.close();

      expect(records).toHaveLength(2);
      const [first, second] = records;
      expect(first!.user_id).toMatch(/^\[EMAIL:[0-9a-f]{8}\]$/);
      expect(second!.user_id).toBe(first!.user_id);
      expect(first!.redaction?.counts['PERSON']).toBeGreaterThanOrEqual(2);
      // With a key, each changed field carries a keyed digest of its raw value.
      expect(Object.keys(first!.redaction?.digests ?? {})).toEqual(expect.arrayContaining(['user_id', 'attributes.user.id']));
      expect(everything).toContain('[PERSON]');
      const needles = [...people.flatMap((p) => p.split(' ')), PII.userEmail, key];
      for (const needle of needles) expect([needle, everything.includes(needle)]).toEqual([needle, false]);
      // On disk, among compressed bytes, a needle as short as `Wei` turns up by chance: the whole
      // names and the longer parts are searched there.
      expectNotOnDisk([...people, ...needles.filter((n) => n.length >= 6)]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('redacts on the app\'s thread, with a warning, when its worker cannot start (a bundle that moved the worker file)', async () => {
    const store = await freshStore();
    const warnings: string[] = [];
    const processor = new AuditSpanProcessor({
      sink: store,
      tenantId: 'clinic',
      redactionWorkerUrl: new URL('./no-such-redaction-worker.js', import.meta.url),
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    const provider = new NodeTracerProvider({ spanProcessors: [processor] });
    provider.getTracer('intake').startSpan('chat gpt-4o-mini', { attributes: { 'gen_ai.operation.name': 'chat', 'app.note': `call ${PII.phone} or mail ${PII.email}` } }).end();
    await provider.forceFlush();
    const [record] = ((await store.search({ limit: 10 })) as AuditRecord[]).filter((r) => r.event_type === 'llm.completion');
    await provider.shutdown();
    await store.close();
    expect(record!.attributes['app.note']).toBe('call [PHONE] or mail [EMAIL]');
    expect(warnings.filter((w) => w.includes("redaction runs on the app's thread"))).toHaveLength(1);
  });
});
