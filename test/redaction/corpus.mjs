// Labelled corpus for the redaction detectors: secrets and PII of every kind in realistic contexts,
// and clean strings that look like them (order numbers, UUIDs, hashes, versions, timestamps, code,
// base64). Generated from a seeded PRNG, so it is the same on every run; credentials are fake (none
// is or was ever valid) and assembled at run time, so no literal token sits in the source.
//
// Used by test/redaction/corpus.test.ts (the goals, asserted) and bench/redaction.mjs (the table).

/** @typedef {'secret' | 'pii' | 'name'} Category */
/** @typedef {{ text: string, labels: { kind: string, value: string }[] }} Sample */

/** Category of each kind the corpus labels. */
export const CATEGORY = /** @type {Record<string, Category>} */ ({
  OPENAI_KEY: 'secret', ANTHROPIC_KEY: 'secret', AWS_ACCESS_KEY_ID: 'secret', AWS_SECRET_KEY: 'secret', GITHUB_TOKEN: 'secret',
  SLACK_TOKEN: 'secret', SLACK_WEBHOOK: 'secret', GOOGLE_API_KEY: 'secret', GOOGLE_OAUTH_SECRET: 'secret', STRIPE_KEY: 'secret',
  JWT: 'secret', PRIVATE_KEY: 'secret', BEARER_TOKEN: 'secret', URL_CREDENTIALS: 'secret', PASSWORD: 'secret',
  EMAIL: 'pii', PHONE: 'pii', US_SSN: 'pii', UK_NINO: 'pii', CARD: 'pii', IBAN: 'pii', IPV4: 'pii', IPV6: 'pii',
  PERSON: 'name',
});

/** @param {number} seed */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;

/** @param {number} [seed] @returns {{ positives: Sample[], clean: string[] }} */
export function buildCorpus(seed = 0x5ec2e7) {
  const rand = mulberry32(seed);
  const int = (/** @type {number} */ n) => Math.floor(rand() * n);
  const pick = (/** @type {readonly any[]} */ xs) => xs[int(xs.length)];
  const from = (/** @type {string} */ alphabet, /** @type {number} */ n) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  const digits = (/** @type {number} */ n) => from(DIGITS, n);
  const b64url = (/** @type {number} */ n) => from(`${ALNUM}-_`, n);

  const luhnComplete = (/** @type {string} */ body) => {
    for (let d = 0; d <= 9; d++) {
      const s = body + d;
      let sum = 0;
      for (let i = 0; i < s.length; i++) {
        let x = Number(s[s.length - 1 - i]);
        if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
        sum += x;
      }
      if (sum % 10 === 0) return s;
    }
    throw new Error('unreachable');
  };
  const ibanOf = (/** @type {string} */ country, /** @type {string} */ bban) => {
    const rearranged = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
    let rem = 0;
    for (const ch of rearranged) rem = (rem * 10 + Number(ch)) % 97;
    return `${country}${String(98 - rem).padStart(2, '0')}${bban}`;
  };
  const grouped = (/** @type {string} */ s, /** @type {number} */ n, sep = ' ') => s.match(new RegExp(`.{1,${n}}`, 'g')).join(sep);

  /** @type {Record<string, () => string>} */
  const make = {
    OPENAI_KEY: () => pick([() => ['sk', 'proj', b64url(156)].join('-'), () => ['sk', 'svcacct', b64url(140)].join('-'), () => ['sk', 'admin', b64url(120)].join('-'), () => `sk-${from(ALNUM, 48)}`])(),
    ANTHROPIC_KEY: () => ['sk', 'ant', pick(['api03', 'admin01', 'oat01', 'ort01']), `${b64url(93)}AA`].join('-'),
    AWS_ACCESS_KEY_ID: () => `${pick(['AKIA', 'ASIA'])}${from('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    GITHUB_TOKEN: () => pick([() => `${pick(['ghp', 'gho', 'ghs', 'ghu', 'ghr'])}_${from(ALNUM, 36)}`, () => `github_pat_${from(ALNUM, 22)}_${from(ALNUM, 59)}`])(),
    SLACK_TOKEN: () => pick([() => [pick(['xoxb', 'xoxp']), digits(12), digits(13), from(ALNUM, 24)].join('-'), () => `xapp-1-A${from(UPPER + DIGITS, 10)}-${digits(13)}-${from('0123456789abcdef', 64)}`])(),
    SLACK_WEBHOOK: () => `https://hooks.slack.com/services/T${from(UPPER + DIGITS, 8)}/B${from(UPPER + DIGITS, 10)}/${from(ALNUM, 24)}`,
    GOOGLE_API_KEY: () => `AIza${b64url(35)}`,
    GOOGLE_OAUTH_SECRET: () => `GOCSPX-${b64url(28)}`,
    STRIPE_KEY: () => pick([() => [pick(['sk', 'rk']), pick(['live', 'test']), from(ALNUM, 99)].join('_'), () => `whsec_${from(ALNUM, 32)}`])(),
    JWT: () => ['eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9', `eyJ${b64url(40 + int(120))}`, b64url(43 + int(300))].join('.'),
    PRIVATE_KEY: () => {
      const type = pick(['RSA ', 'EC ', 'OPENSSH ', '', 'ENCRYPTED ']);
      return `-----BEGIN ${type}PRIVATE KEY-----\n${Array.from({ length: 3 + int(20) }, () => from(`${ALNUM}+/`, 64)).join('\n')}\n${from(`${ALNUM}+/`, 20)}==\n-----END ${type}PRIVATE KEY-----`;
    },
  };
  const PII = {
    EMAIL: () => `${pick(['jane.doe', 'j.smith', 'maria_garcia', 'wei.zhang', 'o.connor', 'ali+orders', 'K.Tanaka', 'support-team'])}${pick(['', String(int(99))])}@${pick(['example.com', 'mail.example.org', 'example-shop.co.uk', 'uni.example.edu', 'EXAMPLE.NET', 'corp.example.de'])}`,
    PHONE: () => pick([
      () => `+1 ${pick(['415', '212', '646', '303'])} 555 0${digits(3)}`,
      () => `+1 (${pick(['415', '212'])}) 555-0${digits(3)}`,
      () => `(${pick(['415', '212', '617'])}) 555-0${digits(3)}`,
      () => `${pick(['415', '212', '617'])}-555-0${digits(3)}`,
      () => `+44 20 7946 0${digits(3)}`,
      () => `+44 7700 900${digits(3)}`,
      () => `+49 30 ${digits(7)}`,
      () => `+33 1 ${grouped(digits(8), 2)}`,
      () => `0044 20 7946 0${digits(3)}`,
      () => `+91 98${digits(3)} ${digits(5)}`,
      () => `+81 3-${digits(4)}-${digits(4)}`,
      () => `+61 2 ${digits(4)} ${digits(4)}`,
    ])(),
    US_SSN: () => {
      const area = String(1 + int(665)).padStart(3, '0').replace(/^000$/, '001');
      const s = `${area}${String(1 + int(98)).padStart(2, '0')}${String(1 + int(9998)).padStart(4, '0')}`;
      const sep = pick(['-', ' ']);
      return `${s.slice(0, 3)}${sep}${s.slice(3, 5)}${sep}${s.slice(5)}`;
    },
    UK_NINO: () => {
      const n = `${pick(['AB', 'CE', 'JG', 'PR', 'SW', 'WX', 'HK', 'ZA'])}${digits(6)}${pick(['A', 'B', 'C', 'D'])}`;
      return rand() < 0.5 ? n : `${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)} ${n[8]}`;
    },
    CARD: () => {
      const [prefix, len] = pick([['4', 16], ['51', 16], ['55', 16], ['2221', 16], ['34', 15], ['37', 15], ['6011', 16], ['65', 16], ['3530', 16]]);
      const n = luhnComplete(prefix + digits(len - prefix.length - 1));
      if (len === 15) return pick([n, `${n.slice(0, 4)} ${n.slice(4, 10)} ${n.slice(10)}`]);
      return pick([n, grouped(n, 4), grouped(n, 4, '-')]);
    },
    IBAN: () => {
      const [country, bban] = pick([['DE', () => digits(18)], ['GB', () => `${pick(['NWBK', 'BARC', 'HBUK'])}${digits(14)}`], ['FR', () => digits(23)], ['NL', () => `${pick(['ABNA', 'INGB', 'RABO'])}${digits(10)}`], ['ES', () => digits(20)], ['IT', () => `X${digits(22)}`]]);
      const iban = ibanOf(country, bban());
      return rand() < 0.5 ? iban : grouped(iban, 4);
    },
    IPV4: () => pick([() => `192.168.${int(256)}.${1 + int(254)}`, () => `10.${int(256)}.${int(256)}.${1 + int(254)}`, () => `203.0.113.${1 + int(254)}`, () => `${1 + int(223)}.${int(256)}.${int(256)}.${1 + int(254)}`])(),
    IPV6: () => pick([() => `2001:db8:${from('0123456789abcdef', 4)}::${from('0123456789abcdef', 3)}`, () => `fe80::${from('0123456789abcdef', 4)}:${from('0123456789abcdef', 4)}`, () => `2001:0db8:85a3:0000:0000:8a2e:0370:${from('0123456789abcdef', 4)}`, () => `::ffff:192.0.2.${1 + int(254)}`])(),
  };
  Object.assign(make, PII);

  /** Contexts a value appears in: prose, JSON (where it appears escaped), code, logs, headers. */
  const contexts = [
    (/** @type {string} */ v) => [`Please use ${v} for this.`, v],
    (/** @type {string} */ v) => [JSON.stringify({ role: 'user', content: `my details: ${v}` }), JSON.stringify(v).slice(1, -1)],
    (/** @type {string} */ v) => [`const value = "${v}";`, v],
    (/** @type {string} */ v) => [`2026-11-24T12:00:00.123Z INFO request ok value=${v} took=12ms`, v],
    (/** @type {string} */ v) => [v, v],
    (/** @type {string} */ v) => [`Contact:\n  ${v}\nThanks!`, v],
  ];

  /** @type {Sample[]} */
  const positives = [];
  for (const kind of Object.keys(make)) {
    for (let i = 0; i < 40; i++) {
      const [text, value] = contexts[i % contexts.length](make[kind]());
      positives.push({ text, labels: [{ kind, value }] });
    }
  }
  // Secrets that are only recognizable by their label: the value alone is labelled.
  for (let i = 0; i < 40; i++) {
    const secret = from(`${ALNUM}/+`, 40);
    positives.push({ text: pick([`aws_secret_access_key = ${secret}`, `AWS_SECRET_ACCESS_KEY="${secret}"`, `{"SecretAccessKey": "${secret}"}`]), labels: [{ kind: 'AWS_SECRET_KEY', value: secret }] });
    const token = b64url(24 + int(40));
    positives.push({ text: pick([`Authorization: Bearer ${token}`, `curl -H "Authorization: Bearer ${token}" https://api.example.com`]), labels: [{ kind: 'BEARER_TOKEN', value: token }] });
    const creds = `${pick(['app', 'admin', 'svc_orders', 'readonly'])}:${from(ALNUM, 8 + int(16))}`;
    positives.push({ text: `${pick(['postgres', 'mysql', 'redis', 'https', 'amqp'])}://${creds}@${pick(['db.internal', '10.0.0.12', 'cache.example.com'])}:${1000 + int(9000)}/app`, labels: [{ kind: 'URL_CREDENTIALS', value: creds }] });
    const password = `${from(ALNUM, 6 + int(10))}${pick(['!', '#', '9', '$', ''])}`;
    const [text, value] = pick([
      [`password=${password}`, password],
      [`{"password": "${password}"}`, `"${password}"`],
      [`PASSWORD: ${password}`, password],
      [`login with pwd=${password} please`, password],
      [`api_key: ${password}`, password],
      [`client_secret='${password}'`, `'${password}'`],
    ]);
    positives.push({ text, labels: [{ kind: 'PASSWORD', value }] });
  }
  // Several in one text.
  for (let i = 0; i < 40; i++) {
    const kinds = [pick(Object.keys(PII)), pick(Object.keys(PII)), pick(['OPENAI_KEY', 'ANTHROPIC_KEY', 'GITHUB_TOKEN', 'JWT', 'STRIPE_KEY'])];
    const labels = kinds.map((kind) => ({ kind, value: make[kind]() }));
    positives.push({ text: `Customer wrote: reach me via ${labels[0].value} or ${labels[1].value}; the integration key is ${labels[2].value}.`, labels });
  }

  const hex = (/** @type {number} */ n) => from('0123456789abcdef', n);
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  /** @type {(() => string)[]} */
  const cleanMakers = [
    () => `Order ${pick(['A', 'B', 'ORD'])}-${digits(4 + int(4))} was shipped on Monday.`,
    () => `Invoice #${new Date(Date.UTC(2026, int(12), 1 + int(28))).toISOString().slice(0, 10).replace(/-/g, '')}-${digits(4)}`,
    () => `request id ${uuid()}`,
    () => `trace ${hex(32)} span ${hex(16)}`,
    () => `sha256:${hex(64)}`,
    () => `commit ${hex(40)}`,
    () => `md5 ${hex(32)}`,
    () => pick(['v1.2.3', '1.26.0', '20.20.2', '2.0.0-beta.3', 'node@22.11.0', '@opentelemetry/api@1.9.0', 'chrome/131.0.6778.86', 'openai >=4.19 <8', 'python 3.12.7', 'version 10.0.19041.1']),
    () => new Date(Date.UTC(2020 + int(7), int(12), 1 + int(28), int(24), int(60), int(60))).toISOString(),
    () => `${2020 + int(7)}-${String(1 + int(12)).padStart(2, '0')}-${String(1 + int(28)).padStart(2, '0')} ${String(int(24)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}`,
    () => `${String(int(24)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}`,
    () => `unix time ${1_700_000_000 + int(100_000_000)}, in ms ${1_700_000_000_000 + int(100_000_000_000)}`,
    () => pick(['for (let i = 0; i < n; i++) { sum += a[i]; }', 'SELECT * FROM orders WHERE id = $1 AND tenant = $2', 'if (err) return callback(err);', 'x = y ** 2 + 3 * z', 'const url = `${base}/v1/chat/completions`;', 'def handler(event, context):\n    return {"statusCode": 200}', 'git clone https://github.com/example/repo.git', 'import { trace } from "@opentelemetry/api";', 'docker run -p 8080:80 nginx:1.27', 'ls -la /usr/local/bin/node']),
    () => from(`${ALNUM}+/`, 24 + int(160)) + pick(['', '=', '==']),
    () => `data:image/png;base64,${from(`${ALNUM}+/`, 80)}`,
    () => `Total: $${int(10000).toLocaleString('en-US')}.${digits(2)} (EUR ${int(1000)}.${digits(2)})`,
    () => `ISBN 978-${digits(1)}-${digits(2)}-${digits(6)}-${digits(1)}`,
    () => `tracking 1Z${from(UPPER + DIGITS, 16)}`,
    () => `mac ${Array.from({ length: 6 }, () => from('0123456789ABCDEF', 2)).join(':')}`,
    () => pick(['https://api.openai.com/v1/chat/completions', 'postgres://localhost:5432/orders', 'https://example.com/path?user=alice&page=2', 'redis://cache.internal:6379/0']),
    () => pick(['password: <your password>', 'password = ********', 'api_key: null', 'Token usage: 812 input, 96 output', 'the secret: keep prompts short', 'set the password in the vault', 'Enter your API key below']),
    () => pick(['icon@2x.png', '@Component({ selector: "app" })', 'react@18.2.0', 'user@localhost', '@jane_doe on the forum']),
    () => `temperature 0.${digits(1)}, top_p 0.${digits(2)}, max_tokens ${int(4096)}, seed ${digits(9)}`,
    () => `${int(1000)} tokens at $${int(10)}.${digits(2)} per million`,
    () => `sk-learn ${pick(['tutorial', 'pipeline', 'estimator'])} and task-${pick(['management', 'queue', 'runner'])}-service`,
    () => `coordinates 52.${digits(4)}, 13.${digits(4)}`,
    () => `room ${digits(3)}, floor ${int(40)}, building ${pick(['A', 'B', 'C'])}`,
  ];
  /** @type {string[]} */
  const clean = [];
  for (let i = 0; i < 1200; i++) clean.push(cleanMakers[i % cleanMakers.length]());
  return { positives, clean };
}

/**
 * Person names in the contexts prompts carry them (a customer introducing themselves, notes, a
 * letter, a chart, JSON messages), from many cultures — the tagger's lexicon knows some of these
 * names and not others — and clean text full of capitalized words that are not names (places,
 * products, brands, months, verbs starting a sentence, an assistant called Claude).
 * @param {number} [seed] @returns {{ positives: Sample[], clean: string[] }}
 */
export function buildNamesCorpus(seed = 0x4e414d45) {
  const rand = mulberry32(seed);
  const pick = (/** @type {readonly any[]} */ xs) => xs[Math.floor(rand() * xs.length)];
  const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Linda', 'Sarah', 'Thomas', 'Emma', 'Oliver', 'Sophie', 'Lucas', 'Maria', 'Jose', 'Carmen', 'Javier', 'Lucia', 'Mateo', 'Wei', 'Li', 'Mei', 'Hiroshi', 'Yuki', 'Sakura', 'Priya', 'Rahul', 'Ananya', 'Arjun', 'Fatima', 'Omar', 'Aisha', 'Yusuf', 'Olga', 'Dmitri', 'Anna', 'Ivan', 'Chidi', 'Ngozi', 'Kwame', 'Amara', 'Liam', 'Chloe', 'Noah', 'Isabella', 'Sven', 'Ingrid', 'Pierre', 'Camille', 'Giulia', 'Marco', 'Elif', 'Mehmet', 'Siobhan', 'Declan', 'Nguyen', 'Minh', 'Tomasz', 'Agnieszka'];
  const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Martin', 'Lee', 'Thompson', 'White', 'Zhang', 'Wang', 'Chen', 'Tanaka', 'Suzuki', 'Sato', 'Patel', 'Sharma', 'Gupta', 'Khan', 'Hassan', 'Ali', 'Ivanova', 'Petrov', 'Okafor', 'Mensah', 'Adeyemi', 'Dubois', 'Rossi', 'Bianchi', 'Schmidt', 'Muller', 'Kowalski', 'Nowak', 'Yilmaz', 'O\'Brien', 'Murphy', 'Larsen', 'Johansson', 'Tran'];
  const name = () => `${pick(FIRST)} ${pick(LAST)}`;
  /** @type {((n: string, m: string) => [string, string[]])[]} */
  const contexts = [
    (n) => [`Hi, my name is ${n} and I need help with my order.`, [n]],
    (n) => [`Please forward this to ${n}, our account manager.`, [n]],
    (n) => [`${n} called yesterday about the refund and was not happy.`, [n]],
    (n) => [`Patient ${n}, 54, presents with chest pain since Tuesday.`, [n]],
    (n) => [`Dear ${n},\nthank you for your message.`, [n]],
    (n) => [`Ticket assigned to ${n} (support, tier 2).`, [n]],
    (n) => [JSON.stringify([{ role: 'user', content: `This is ${n} from accounting, can you check invoice 4471?` }]), [n]],
    (n, m) => [`Meeting notes: ${n} will send the contract to ${m} on Friday.`, [n, m]],
    (n) => [`Summarize the complaint from ${n} in two sentences.`, [n]],
    (n) => [`Best regards,\n${n}\nHead of Operations`, [n]],
    (n) => [`The customer, ${n}, asked whether the warranty covers water damage.`, [n]],
    (n) => [`Mr. ${n.split(' ')[1]} asked for a callback tomorrow morning.`, [n.split(' ')[1]]],
  ];
  /** @type {Sample[]} */
  const positives = [];
  for (let i = 0; i < 360; i++) {
    const [text, values] = contexts[i % contexts.length](name(), name());
    positives.push({ text, labels: values.map((value) => ({ kind: 'PERSON', value })) });
  }
  const clean = [
    'Ship it to Paris by Monday, please.', 'The Amazon order arrived damaged.', 'Apple Watch Series 9 is out of stock.', 'Will you check the invoice again?',
    'The May report is late.', 'Grant access to the Sales team.', 'Mark all messages as read.', 'Bill of materials attached.', 'Jordan borders Israel and Saudi Arabia.',
    'Our Summer Sale ends on Friday.', 'Drive across the Golden Gate Bridge.', 'I read it in the New York Times.', 'Join the Microsoft Teams meeting at noon.',
    'Open the file in Visual Studio Code.', 'Deploy it on Google Cloud Platform.', 'Black Friday deals start next week.', 'We close early on Christmas Eve.',
    'Ask Claude to summarize the thread.', 'Compare GPT-4o with Claude Sonnet.', 'Download the model from Hugging Face.', 'The OpenAI API returned a 429.',
    'Set the region to US East (Virginia).', 'Victoria Station is closed for repairs.', 'Buy tickets for the Lincoln Center show.', 'Order Status: Delivered',
    'Error: Connection refused by upstream.', 'Refund Policy (Updated March 2026)', 'Click Save, then Close.', 'Welcome to Acme Support!', 'Thank You for contacting us.',
    'The Rust compiler rejected the borrow.', 'Install Python and Node on Windows.', 'Check the Kubernetes pod logs.', 'Export the table to Excel.', 'Sign in with GitHub.',
    'Chase Bank statements are monthly.', 'The Ford Focus needs new tires.', 'Read Chapter Seven before Thursday.', 'Mount Everest is the highest mountain.', 'The Nile flows north.',
  ];
  return { positives, clean };
}

/**
 * Scores a detector function on the corpus, per category. A label counts as found when one
 * detection of its category covers the whole value (a partial cover leaks the rest); a detection
 * that covers no label is a false positive. `cleanTouched` is the share of clean strings with any
 * detection.
 * @param {{ positives: Sample[], clean: string[] }} corpus
 * @param {(text: string) => { kind: string, category: string, start: number, end: number }[]} detect
 */
export function evaluate(corpus, detect) {
  /** @type {Record<string, { labels: number, found: number, detections: number, falsePositives: number }>} */
  const by = Object.fromEntries([...new Set([...Object.values(CATEGORY), ...corpus.positives.flatMap((s) => s.labels.map((l) => CATEGORY[l.kind]))])].map((c) => [c, { labels: 0, found: 0, detections: 0, falsePositives: 0 }]));
  /** @type {{ kind: string, value: string }[]} */
  const missed = [];
  for (const s of corpus.positives) {
    const found = detect(s.text);
    /** @type {[number, number, string][]} */
    const ranges = [];
    let from = 0;
    for (const l of s.labels) {
      const start = s.text.indexOf(l.value, from);
      if (start < 0) throw new Error(`label ${l.kind} not in its text`);
      from = start + l.value.length;
      ranges.push([start, start + l.value.length, CATEGORY[l.kind]]);
      const c = by[CATEGORY[l.kind]];
      c.labels++;
      if (found.some((d) => d.category === CATEGORY[l.kind] && d.start <= start && d.end >= start + l.value.length)) c.found++;
      else missed.push(l);
    }
    for (const d of found) {
      const c = by[d.category];
      c.detections++;
      if (!ranges.some(([a, b]) => d.start < b && a < d.end)) c.falsePositives++;
    }
  }
  /** @type {string[]} */
  const touched = [];
  for (const text of corpus.clean) {
    const found = detect(text);
    for (const d of found) {
      by[d.category].detections++;
      by[d.category].falsePositives++;
    }
    if (found.length > 0) touched.push(text);
  }
  const scores = Object.fromEntries(
    Object.entries(by).filter(([, c]) => c.labels > 0).map(([k, c]) => [k, { ...c, recall: c.found / c.labels, precision: c.detections === 0 ? 1 : (c.detections - c.falsePositives) / c.detections }]),
  );
  return { scores, cleanStrings: corpus.clean.length, cleanTouched: touched.length / corpus.clean.length, touched, missed };
}
