import { describe, expect, it } from 'vitest';
import { DETECTORS, detect, personNames, redactText } from '../src/index.ts';
import { ibanValid, luhn } from '../src/redact/validators.ts';
import { prng } from './fixtures.ts';

const rand = prng(5);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const from = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
const b64url = (n: number) => from(`${ALNUM}-_`, n);

// Fake credentials in the real formats, assembled at run time (no literal token in the source for
// secret scanners to flag). None of them is or was ever valid.
const FAKE = {
  openaiProject: ['sk', 'proj', b64url(156)].join('-'),
  openaiLegacy: `sk-${from(ALNUM, 48)}`,
  anthropic: ['sk', 'ant', 'api03', `${b64url(93)}AA`].join('-'),
  anthropicAdmin: ['sk', 'ant', 'admin01', b64url(93)].join('-'),
  anthropicOauth: ['sk', 'ant', 'oat01', b64url(93)].join('-'),
  awsId: `AKIA${from('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
  awsSecret: from(`${ALNUM}/+`, 40),
  github: `ghp_${from(ALNUM, 36)}`,
  githubFine: `github_pat_${from(ALNUM, 22)}_${from(ALNUM, 59)}`,
  slackBot: ['xoxb', from('0123456789', 12), from('0123456789', 13), from(ALNUM, 24)].join('-'),
  slackWebhook: `https://hooks.slack.com/services/T${from('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8)}/B${from('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}/${from(ALNUM, 24)}`,
  google: `AIza${b64url(35)}`,
  stripe: ['sk', 'live', from(ALNUM, 99)].join('_'),
  jwt: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', `eyJ${b64url(60)}`, b64url(43)].join('.'),
  pem: `-----BEGIN RSA PRIVATE KEY-----\n${Array.from({ length: 6 }, () => from(`${ALNUM}+/`, 64)).join('\n')}\n-----END RSA PRIVATE KEY-----`,
};

const kinds = (text: string) => detect(text).map((d) => [d.kind, text.slice(d.start, d.end)]);

describe('detectors: secrets (removed whatever a policy says)', () => {
  it.each([
    ['OPENAI_KEY', FAKE.openaiProject],
    ['OPENAI_KEY', FAKE.openaiLegacy],
    ['ANTHROPIC_KEY', FAKE.anthropic],
    ['ANTHROPIC_KEY', FAKE.anthropicAdmin],
    ['ANTHROPIC_KEY', FAKE.anthropicOauth],
    ['AWS_ACCESS_KEY_ID', FAKE.awsId],
    ['GITHUB_TOKEN', FAKE.github],
    ['GITHUB_TOKEN', FAKE.githubFine],
    ['SLACK_TOKEN', FAKE.slackBot],
    ['SLACK_WEBHOOK', FAKE.slackWebhook],
    ['GOOGLE_API_KEY', FAKE.google],
    ['STRIPE_KEY', FAKE.stripe],
    ['JWT', FAKE.jwt],
    ['PRIVATE_KEY', FAKE.pem],
  ])('%s, whole, in running text', (kind, secret) => {
    expect(kinds(`use ${secret} for the call`)).toEqual([[kind, secret]]);
    // Inside JSON text (escaped newlines and all): the escaped form, whole.
    expect(kinds(JSON.stringify({ key: secret }))).toEqual([[kind, JSON.stringify(secret).slice(1, -1)]]);
  });

  it('names the value, not its label: AWS secret keys, passwords, bearer tokens, URL credentials', () => {
    expect(kinds(`aws_secret_access_key = ${FAKE.awsSecret}`)).toEqual([['AWS_SECRET_KEY', FAKE.awsSecret]]);
    expect(kinds(`{"SecretAccessKey": "${FAKE.awsSecret}"}`)).toEqual([['AWS_SECRET_KEY', FAKE.awsSecret]]);
    expect(kinds('login with password=Tr0ub4dor&3 now')).toEqual([['PASSWORD', 'Tr0ub4dor']]);
    expect(kinds('{"api_key": "k-29f8a7c6e5d4"}')).toEqual([['PASSWORD', '"k-29f8a7c6e5d4"']]);
    expect(kinds(`Authorization: Bearer ${FAKE.slackBot.replace(/-/g, '')}`)).toEqual([['BEARER_TOKEN', FAKE.slackBot.replace(/-/g, '')]]);
    expect(kinds('postgres://app_user:s3cr3t-Pa55@db.internal:5432/orders')).toEqual([['URL_CREDENTIALS', 'app_user:s3cr3t-Pa55']]);
    // A JWT as a bearer token is named a JWT (the more specific detector).
    expect(kinds(`Authorization: Bearer ${FAKE.jwt}`)).toEqual([['JWT', FAKE.jwt]]);
  });

  it('covers a private key cut off before its footer, and escaped newlines inside JSON text', () => {
    const cut = FAKE.pem.slice(0, 200);
    expect(kinds(`key: ${cut}`)).toEqual([['PRIVATE_KEY', cut]]);
    const escaped = FAKE.pem.replace(/\n/g, '\\n');
    expect(kinds(`{"k":"${escaped}","next":1}`)).toEqual([['PRIVATE_KEY', escaped]]);
    const two = `${FAKE.pem}\nand\n${FAKE.pem}`;
    expect(kinds(two)).toEqual([
      ['PRIVATE_KEY', FAKE.pem],
      ['PRIVATE_KEY', FAKE.pem],
    ]);
  });

  it('leaves look-alikes alone', () => {
    for (const clean of [
      'sk-learn-tutorial-for-beginners',
      'task-management-system-design-document',
      'the desk-lamp-with-adjustable-arm-and-base',
      'password: <your password>',
      'password = ********',
      'api_key: null',
      'Token usage: 812 input, 96 output',
      'AKIA is the prefix of AWS access key ids',
      'eyJ is how base64 JSON starts',
      'https://example.com/path?user=alice',
      '-----BEGIN PUBLIC KEY-----',
    ]) {
      expect([clean, detect(clean)]).toEqual([clean, []]);
    }
  });
});

describe('detectors: structured PII', () => {
  it.each([
    ['EMAIL', 'jane.doe+orders@example-shop.co.uk'],
    ['EMAIL', 'J_Smith@mail.example.org'],
    ['PHONE', '+1 415 555 0132'],
    ['PHONE', '+44 20 7946 0958'],
    ['PHONE', '+49 (30) 901820'],
    ['PHONE', '0033 1 42 68 53 00'],
    ['PHONE', '(415) 555-0132'],
    ['PHONE', '415-555-0132'],
    ['US_SSN', '536-22-1234'],
    ['UK_NINO', 'AB 12 34 56 C'],
    ['CARD', '4111 1111 1111 1111'],
    ['CARD', '5555555555554444'],
    ['CARD', '3782-822463-10005'],
    ['IBAN', 'DE89 3704 0044 0532 0130 00'],
    ['IBAN', 'GB82WEST12345698765432'],
    ['IPV4', '192.168.10.25'],
    ['IPV6', '2001:db8:85a3::8a2e:370:7334'],
    ['IPV6', 'fe80::1'],
    ['IPV6', '::ffff:192.0.2.128'],
  ])('%s: %s', (kind, value) => {
    expect(kinds(`value ${value}, then more`)).toEqual([[kind, value]]);
  });

  it('finds addresses at the end of a sentence', () => {
    expect(kinds('I connect from 203.0.113.77. Thanks')).toEqual([['IPV4', '203.0.113.77']]);
    expect(kinds('or from 2001:db8:85a3::8a2e:370:7334.')).toEqual([['IPV6', '2001:db8:85a3::8a2e:370:7334']]);
    expect(kinds('mail jane@example.com.')).toEqual([['EMAIL', 'jane@example.com']]);
  });

  it('checks checksums and strict formats instead of matching shapes', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    for (const clean of [
      '4111 1111 1111 1112', // Luhn fails
      '1234567890123456', // Luhn-valid? not a card network either way
      'GB82WEST12345698765433', // mod 97 fails
      '000-12-3456', // SSN area 000
      '666-12-3456', // SSN area 666
      '536-22-12345', // too long
      '999.999.1.1', // not an IPv4 address
      'v1.2.3.4', // a version
      '12:30:45', // a time
      '00:1A:2B:3C:4D:5E', // a MAC address
      'order 20261124-0042', // an order number
      '2026-11-24 12:00:00', // a timestamp
      '123-456-7890123', // not a phone grouping
      'icon@2x.png', // an asset name
      'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      '550e8400-e29b-41d4-a716-446655440000',
    ]) {
      expect([clean, detect(clean)]).toEqual([clean, []]);
    }
  });
});

describe('redactText', () => {
  it('replaces each value with its typed placeholder and counts kinds, never keeping values', () => {
    const text = `Mail jane@example.com or +1 415 555 0132; key ${FAKE.openaiLegacy}; card 4111 1111 1111 1111, jane@example.com`;
    const r = redactText(text);
    expect(r.text).toBe('Mail [EMAIL] or [PHONE]; key [OPENAI_KEY]; card [CARD], [EMAIL]');
    expect(r.counts).toEqual({ EMAIL: 2, PHONE: 1, OPENAI_KEY: 1, CARD: 1 });
    expect(JSON.stringify(r)).not.toContain('jane');
  });

  it('keeps text without findings as it is', () => {
    const text = 'Where is my order A-1042? It was due on Monday.';
    expect(redactText(text)).toEqual({ text, counts: {} });
  });
});

describe('detectors on hostile input', () => {
  // Inputs built to make backtracking patterns blow up: long runs of what a pattern's quantifiers
  // accept, repeated prefixes, near misses. A catastrophic pattern takes minutes to hours on 1 MB;
  // a linear one well under a second. The bound is generous so a loaded machine does not fail it.
  const MB = 1 << 20;
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  const HOSTILE = [
    'a', '1', ' ', '-', '.', ':', '@', '=', '/', 'A1', 'a.', 'a@', '1 ', '1-', '1.', 'a:', '::', '+1 ', '(1', 'Aa1-_',
    'sk-', 'sk-proj-', 'sk-ant-api03-', 'AKIA', 'ghp_', 'xoxb-', 'AIza', 'eyJ', 'eyJa.', 'Bearer ', 'password=', 'https://a:',
    'a@a.', 'DE89 ', 'AB', '-----BEGIN PRIVATE KEY-----\n', '-----BEGIN RSA PRIVATE KEY-----\nAAAA', 'aws_secret_access_key=',
  ].map(fill);

  it.each(DETECTORS.map((d) => [d.kind, d] as const))('%s stays linear on 1 MB adversarial inputs', (_kind, detector) => {
    for (const input of HOSTILE) {
      const started = performance.now();
      detect(input, [detector]);
      const ms = performance.now() - started;
      expect([input.slice(0, 24), ms < 3_000]).toEqual([input.slice(0, 24), true]);
    }
  });

  it('person names stay linear on 1 MB of names and on the inputs above (past its budget the tagger is not asked)', () => {
    const names = personNames();
    for (const input of [fill('Maria Garcia and '), fill('Dr. Smith. '), fill('James'), ...HOSTILE]) {
      const started = performance.now();
      const found = [...names.find(input)];
      const ms = performance.now() - started;
      expect([input.slice(0, 24), ms < 3_000]).toEqual([input.slice(0, 24), true]);
      if (input.startsWith('Maria')) expect(redactText(input, [names]).text).not.toMatch(/Maria|Garcia/);
      else if (input.startsWith('a')) expect(found).toEqual([]);
    }
  });
});
