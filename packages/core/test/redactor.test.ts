import { describe, expect, it } from 'vitest';
import { AuditrailError, emptyReport, type RedactionConfig, Redactor, reportIsEmpty } from '../src/index.ts';

const KEY = 'a3f1c9e27b4d8f0c1e6a5b9d2c7f3e8a0b4c6d1e9f2a7b3c5d8e0f1a2b3c4d5e';
const ctx = { tenantId: 'acme', eventType: 'llm.completion' };
// A fake key in the real format, assembled so no literal token sits in the source.
const OPENAI = ['sk', 'proj', 'Xq3vT9kLm2Np8Rs4Wy6Za1Bc5De7Fg0Hj2Kl4Mn6Op8Qr0St2Uv4Wx6Yz8Ab'].join('-');

function redact(fields: Record<string, string | number | string[]>, config: Partial<RedactionConfig> = {}, c = ctx) {
  const report = emptyReport();
  const out = new Redactor({ key: KEY, ...config }).redactFields(fields, c, report);
  return { out, report };
}

describe('Redactor', () => {
  it('redacts PII with typed placeholders by default and always removes secrets, in every field', () => {
    const { out, report } = redact({
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `I am jane@example.com, my key is ${OPENAI}` }] }]),
      'http.request.header.authorization': `Bearer ${OPENAI}`,
      'app.note': 'call me on +44 20 7946 0958',
      'gen_ai.usage.input_tokens': 812,
    });
    expect(JSON.parse(out['gen_ai.input.messages'] as string)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'I am [EMAIL], my key is [OPENAI_KEY]' }] }]);
    expect(out['http.request.header.authorization']).toBe('Bearer [OPENAI_KEY]');
    expect(out['app.note']).toBe('call me on [PHONE]');
    expect(out['gen_ai.usage.input_tokens']).toBe(812);
    expect(report.counts).toEqual({ EMAIL: 1, OPENAI_KEY: 2, PHONE: 1 });
    expect(Object.keys(report.digests).sort()).toEqual(['app.note', 'gen_ai.input.messages', 'http.request.header.authorization']);
    expect(JSON.stringify({ out, report })).not.toMatch(/jane|7946|Xq3vT9/);
  });

  it('leaves clean values untouched (the same string, not a re-serialized copy)', () => {
    const messages = '[ {"role": "user", "parts": [ {"type": "text", "content": "Where is order A-1042?"} ] } ]';
    const { out, report } = redact({ 'gen_ai.input.messages': messages, 'app.version': '1.4.2' });
    expect(out['gen_ai.input.messages']).toBe(messages);
    expect(reportIsEmpty(report)).toBe(true);
    expect(report.digests).toEqual({});
  });

  it('pseudonymizes with per-tenant tokens: same value, same token; other tenant, other token', () => {
    const config = { pii: { EMAIL: 'pseudonymize' as const } };
    const a = redact({ x: 'from Jane@Example.com', y: 'to jane@example.com', z: '+1 415 555 0132' }, config).out;
    expect(a['x']).toMatch(/^from \[EMAIL:[0-9a-f]{8}\]$/);
    expect(a['y']!.toString().slice(3)).toBe(a['x']!.toString().slice(5)); // case-insensitive e-mail
    expect(a['z']).toBe('[PHONE]'); // other kinds keep the default
    const b = redact({ x: 'from jane@example.com' }, config, { ...ctx, tenantId: 'globex' }).out;
    expect(b['x']).not.toBe(a['x']);
    const otherKey = new Redactor({ key: KEY.replace('a', 'b'), ...config }).redactFields({ x: 'from jane@example.com' }, ctx, emptyReport());
    expect(otherKey['x']).not.toBe(a['x']);
  });

  it('pseudonymizes identity fields by default when there is a key (per-user queries keep working), redacts them without one', () => {
    const fields = { user_id: 'Jane@Example.com', 'user.id': 'jane@example.com', session_id: 'sess-from +1 415 555 0132', 'app.note': 'jane@example.com', 'enduser.id': 'u0042' };
    const keyed = redact(fields).out;
    expect(keyed['user_id']).toMatch(/^\[EMAIL:[0-9a-f]{8}\]$/);
    expect(keyed['user.id']).toBe(keyed['user_id']);
    expect(keyed['session_id']).toMatch(/^sess-from \[PHONE:[0-9a-f]{8}\]$/);
    expect(keyed['app.note']).toBe('[EMAIL]');
    expect(keyed['enduser.id']).toBe('u0042');
    const report = emptyReport();
    const unkeyed = new Redactor({}).redactFields(fields, ctx, report);
    expect(unkeyed).toEqual({ user_id: '[EMAIL]', 'user.id': '[EMAIL]', session_id: 'sess-from [PHONE]', 'app.note': '[EMAIL]', 'enduser.id': 'u0042' });
    // A rule still wins over the default.
    expect(redact(fields, { fields: [{ field: 'user_id', action: 'redact' }] }).out['user_id']).toBe('[EMAIL]');
  });

  it('reads long JSON element by element, remembering clean elements, and never cuts inside a string', () => {
    const system = { role: 'system', content: 'You are a support agent. Be concise, polite, and accurate. '.repeat(40) };
    // Credentials with commas, after an escaped quote and a comma: commas inside strings are not
    // where elements end (and a clean element remembered from the first text must not hide them).
    const dsn = 'postgres://ops,team:s3cr,et@localhost:5432/app';
    const redactor = new Redactor({});
    const clean = JSON.stringify([system, { role: 'user', content: 'Where is "my" order, please?' }, { role: 'user', content: 'ops' }, { role: 'user', content: 'team:s3cr' }]);
    expect(redactor.redactFields({ m: clean }, ctx, emptyReport())['m']).toBe(clean);
    for (const text of [
      JSON.stringify([system, { role: 'user', content: `He said "use it", then ${dsn}` }]),
      JSON.stringify({ system: system.content, note: `He said "stop, then ${dsn}` }),
    ]) {
      const report = emptyReport();
      const out = redactor.redactFields({ m: text }, ctx, report)['m'] as string;
      expect(out).not.toContain('s3cr');
      expect(report.counts).toEqual({ URL_CREDENTIALS: 1 });
    }
  });

  it('applies field policies by key, prefix and event type; secrets go whatever the policy', () => {
    const config: Partial<RedactionConfig> = {
      fields: [
        { field: 'support.ticket_email', action: 'keep' },
        { field: 'debug.*', action: 'drop' },
        { field: 'gen_ai.input.messages', eventTypes: ['auth'], action: 'drop' },
      ],
    };
    const { out, report } = redact({ 'support.ticket_email': `jane@example.com ${OPENAI}`, 'debug.dump': 'anything', 'gen_ai.input.messages': 'hi bob@example.com' }, config);
    expect(out).toEqual({ 'support.ticket_email': 'jane@example.com [OPENAI_KEY]', 'gen_ai.input.messages': 'hi [EMAIL]' });
    expect(report.dropped).toEqual(['debug.dump']);
    const auth = redact({ 'gen_ai.input.messages': 'hi' }, config, { ...ctx, eventType: 'auth' });
    expect(auth.out).toEqual({});
    expect(auth.report.dropped).toEqual(['gen_ai.input.messages']);
  });

  it('redacts keys too, and JSON nested in JSON strings', () => {
    const inner = JSON.stringify({ to: 'jane@example.com' });
    const { out } = redact({ 'tool.args': JSON.stringify({ 'jane@example.com': 1, payload: inner, list: ['+1 415 555 0132'] }) });
    const parsed = JSON.parse(out['tool.args'] as string);
    expect(parsed).toEqual({ '[EMAIL]': 1, payload: JSON.stringify({ to: '[EMAIL]' }), list: ['[PHONE]'] });
  });

  it('treats a string under a secret name as a secret, whatever it looks like (fields and JSON keys)', () => {
    const { out, report } = redact({
      'db.password': 'correct horse battery staple',
      'app.max_tokens': 'plenty',
      args: JSON.stringify({ user: 'bob', password: 'my pass phrase', AWS_SECRET_ACCESS_KEY: 'short', api_key: '***' }),
    });
    expect(out['db.password']).toBe('[PASSWORD]');
    expect(out['app.max_tokens']).toBe('plenty');
    expect(JSON.parse(out['args'] as string)).toEqual({ user: 'bob', password: '[PASSWORD]', AWS_SECRET_ACCESS_KEY: '[AWS_SECRET_KEY]', api_key: '***' });
    expect(report.counts).toEqual({ PASSWORD: 2, AWS_SECRET_KEY: 1 });
  });

  it("keeps the address of the server a client called (not personal data) unless a rule says otherwise; secrets there still go", () => {
    expect(redact({ 'server.address': '203.0.113.7', 'client.address': '198.51.100.23' }).out).toEqual({ 'server.address': '203.0.113.7', 'client.address': '[IPV4]' });
    expect(redact({ 'server.address': '203.0.113.7' }, { fields: [{ field: 'server.*', action: 'redact' }] }).out).toEqual({ 'server.address': '[IPV4]' });
    expect(redact({ 'server.address': `proxy ${OPENAI}` }).out).toEqual({ 'server.address': 'proxy [OPENAI_KEY]' });
  });

  it('runs custom patterns, a custom secret before the built-in detectors', () => {
    const { out, report } = redact(
      { note: 'employee E-204518 asked; internal token ACME-TKN-7f3a9c2e1b' },
      { custom: [{ kind: 'EMPLOYEE_ID', pattern: '\\bE-\\d{6}\\b' }, { kind: 'ACME_TOKEN', category: 'secret', pattern: 'ACME-TKN-[0-9a-f]{10}' }], pii: { EMPLOYEE_ID: 'redact' } },
    );
    expect(out['note']).toBe('employee [EMPLOYEE_ID] asked; internal token [ACME_TOKEN]');
    expect(report.counts).toEqual({ EMPLOYEE_ID: 1, ACME_TOKEN: 1 });
  });

  it('cuts long values after detection and records it, never splitting a surrogate pair', () => {
    const long = `${'x'.repeat(2000)} jane@example.com ${'😀'.repeat(10)}`;
    const { out, report } = redact({ big: long }, { maxValueChars: 1024 });
    expect((out['big'] as string).length).toBeLessThanOrEqual(1024);
    expect((out['big'] as string).isWellFormed()).toBe(true);
    expect(report.truncated).toEqual(['big']);
    const emoji = redact({ big: `${'a'.repeat(1023)}😀tail` }, { maxValueChars: 1024 }).out['big'] as string;
    expect(emoji).toBe('a'.repeat(1023));
  });

  it('fails closed: a value that cannot be redacted is dropped and reported', () => {
    let deep: unknown = 'jane@example.com';
    for (let i = 0; i < 100; i++) deep = [deep];
    const { out, report } = redact({ deep: JSON.stringify(deep), ok: 'fine' });
    expect(out).toEqual({ ok: 'fine' });
    expect(report.failed).toEqual(['deep']);
  });

  it('refuses a bad configuration at start-up, naming the option', () => {
    const bad = (config: object) => () => new Redactor({ key: KEY, ...config } as RedactionConfig);
    expect(() => new Redactor({ key: 'short' })).toThrow(/redaction option key: at least 32 characters/);
    expect(bad({ pii: { email: 'redact' } })).toThrow(/redaction option pii/);
    expect(bad({ pii: { EMAIL: 'hide' } })).toThrow(/redaction option pii\.EMAIL/);
    expect(bad({ custom: [{ kind: 'X_ID', pattern: '(' }] })).toThrow(/custom\.0\.pattern: not a valid regular expression/);
    expect(bad({ fields: [{ field: 'x', action: 'keep', extra: 1 }] })).toThrow(AuditrailError);
  });
});
