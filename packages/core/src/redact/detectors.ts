import { cardNetwork, ibanValid, isIPv6, luhn, ninoValid, ssnValid } from './validators.js';

/** Secrets are removed whatever a policy says; PII is handled by policy. */
export type DetectorCategory = 'secret' | 'pii';

/** One sensitive value found in a text: its kind and the UTF-16 range [start, end) to replace. */
export interface Detection {
  readonly kind: string;
  readonly category: DetectorCategory;
  readonly start: number;
  readonly end: number;
}

/**
 * A detector: a pattern, or for what a pattern cannot say in linear time, a function.
 *
 * Patterns must stay linear on any input: every quantifier is bounded or runs over a class that
 * cannot also match what follows it, and a lookbehind keeps a run from being retried from each of
 * its characters, so a failed attempt backtracks a bounded number of steps (the adversarial-input
 * test in `packages/core/test/redact.test.ts` feeds 1 MB inputs built to make backtracking
 * patterns blow up, and bounds the time). `group` names the capture group holding the sensitive
 * part (a password's value, not `password=`: such patterns carry the `d` flag for its indices);
 * `valid` rejects matches that fail a checksum or a strict format.
 */
export type Detector = PatternDetector | FunctionDetector;

interface DetectorBase {
  readonly kind: string;
  readonly category: DetectorCategory;
}

/**
 * A hint answered by a function (one that remembers its last answer, because another caller asks
 * the same of the same text); `pattern` is what it tests, so it can join the union of all hints.
 */
export type HintFunction = ((text: string) => boolean) & { readonly pattern: RegExp };

export interface PatternDetector extends DetectorBase {
  readonly pattern: RegExp;
  /**
   * What every match contains (a literal, or a cheap pattern): texts without it skip the detector.
   * Most strings an app sends match few detectors' hints, and a native `includes` over a string is
   * much cheaper than starting a regular expression search.
   */
  readonly hint?: string | RegExp | HintFunction;
  readonly group?: number;
  readonly valid?: (value: string) => boolean;
}

export interface FunctionDetector extends DetectorBase {
  /** The [start, end) ranges of what it found, in increasing order. */
  readonly find: (text: string) => Iterable<readonly [number, number]>;
  /** As for a pattern: what every text it finds something in contains. */
  readonly hint?: string | RegExp;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

/** Names under which a value is a secret whatever it looks like: `password`, `api_key`, `client_secret`, …. */
const SECRET_WORDS = 'password|passwd|passphrase|pwd|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key';
const AWS_SECRET_WORDS = 'aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|SecretAccessKey';

/**
 * The kind of secret a field or JSON key names (`db.password`, `"api_key"`, `AWS_SECRET_ACCESS_KEY`),
 * or undefined. A value under such a name is a secret whatever it looks like.
 */
export function secretLabelKind(key: string): 'AWS_SECRET_KEY' | 'PASSWORD' | undefined {
  // Keys repeat (attribute names, JSON keys of every message): each is tested once.
  let kind = labelKinds.get(key);
  if (kind === undefined) {
    kind = AWS_SECRET_LABEL.test(key) ? 'AWS_SECRET_KEY' : SECRET_LABEL.test(key) ? 'PASSWORD' : null;
    if (labelKinds.size >= 10_000) labelKinds.clear();
    labelKinds.set(key, kind);
  }
  return kind ?? undefined;
}
const labelKinds = new Map<string, 'AWS_SECRET_KEY' | 'PASSWORD' | null>();
const AWS_SECRET_LABEL = new RegExp(`(?:^|[^A-Za-z0-9])(?:${AWS_SECRET_WORDS})$`, 'i');
const SECRET_LABEL = new RegExp(`(?:^|[^A-Za-z0-9])(?:${SECRET_WORDS})$`, 'i');
const SECRET_LABEL_ANYWHERE = new RegExp(`${AWS_SECRET_WORDS}|${SECRET_WORDS}`, 'i');
let lastNamed: { text: string; named: boolean } | undefined;

/**
 * Whether a secret's name (`password`, `api_key`, …) occurs anywhere in `text`. The answer for the
 * last text is kept: the redactor asks before searching JSON in place, and the password detector's
 * hint asks again for the same text.
 */
export const mayNameSecret: HintFunction = Object.assign(
  (text: string): boolean => {
    if (lastNamed?.text !== text) lastNamed = { text, named: SECRET_LABEL_ANYWHERE.test(text) };
    return lastNamed.named;
  },
  { pattern: SECRET_LABEL_ANYWHERE },
);

/** A value that stands for one (`***`, `<your password>`, `null`, `[PASSWORD]`, a type name): not a secret itself. */
export function isPlaceholderValue(v: string): boolean {
  return /^["']?(?:\*+|x+|\.{3}|<[^>]*>|\{[^}]*\}|\[[A-Za-z_]+\]|null|none|undefined|true|false|string|str|required|optional|redacted)["']?$/i.test(v);
}

/** The detectors of auditrail, most specific first (overlaps go to the earlier one). */
export const DETECTORS: readonly Detector[] = [
  // --- Secrets -------------------------------------------------------------------------------
  // PEM private keys (RSA, EC, DSA, OPENSSH, PGP, ENCRYPTED…): the whole block, or from the header
  // to the end of its base64 lines when the footer is missing (a key cut off by a length limit).
  { kind: 'PRIVATE_KEY', category: 'secret', hint: '-----BEGIN ', find: privateKeys },
  { kind: 'ANTHROPIC_KEY', hint: 'sk-ant-', category: 'secret', pattern: /(?<![A-Za-z0-9_-])sk-ant-[a-z]{2,10}\d{2}-[A-Za-z0-9_-]{16,300}/g },
  // Project, service-account and admin keys (`sk-proj-…`, base64url), and the older `sk-` + 48 alphanumerics.
  { kind: 'OPENAI_KEY', hint: 'sk-', category: 'secret', pattern: /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,300}|[A-Za-z0-9]{32,64}(?![A-Za-z0-9_-]))/g },
  { kind: 'AWS_ACCESS_KEY_ID', hint: /A[KSBCGINP][A-Z]A/, category: 'secret', pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g },
  // An AWS secret access key is 40 base64 characters: only recognizable by what names it.
  {
    kind: 'AWS_SECRET_KEY',
    category: 'secret',
    hint: /secret/i,
    pattern: /(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|SecretAccessKey)["']?\s{0,5}[:=]\s{0,5}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/dgi,
    group: 1,
  },
  { kind: 'GITHUB_TOKEN', hint: /gh[pousr]_|github_pat_/, category: 'secret', pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g },
  { kind: 'SLACK_WEBHOOK', hint: 'hooks.slack.com', category: 'secret', pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{16,300}/g },
  { kind: 'SLACK_TOKEN', hint: /xox|xapp-/, category: 'secret', pattern: /(?<![A-Za-z0-9])(?:xox[abposrec]-[A-Za-z0-9-]{10,300}|xapp-\d-[A-Za-z0-9-]{10,300})/g },
  { kind: 'GOOGLE_API_KEY', hint: 'AIza', category: 'secret', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g },
  { kind: 'GOOGLE_OAUTH_SECRET', hint: 'GOCSPX-', category: 'secret', pattern: /(?<![A-Za-z0-9_-])GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/g },
  { kind: 'STRIPE_KEY', hint: /_live_|_test_|whsec_/, category: 'secret', pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,250}(?![A-Za-z0-9])|(?<![A-Za-z0-9_])whsec_[A-Za-z0-9]{24,250}(?![A-Za-z0-9])/g },
  { kind: 'JWT', hint: 'eyJ', category: 'secret', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,8192}\.eyJ[A-Za-z0-9_-]{5,16384}\.[A-Za-z0-9_-]{0,8192}/g },
  // Credentials in a URL's userinfo: `scheme://user:password@host` (the userinfo is replaced).
  { kind: 'URL_CREDENTIALS', hint: '://', category: 'secret', pattern: /\b[A-Za-z][A-Za-z0-9+.-]{0,20}:\/\/([^\s:@/?#]{1,256}:[^\s@/?#]{1,256})@/dg, group: 1 },
  { kind: 'BEARER_TOKEN', hint: /bearer|token/i, category: 'secret', pattern: /\b(?:Bearer|Token)[ \t]{1,5}([A-Za-z0-9._~+/-]{16,4096}={0,2})(?![A-Za-z0-9._~+/=-])/dgi, group: 1 },
  // `password=…`, `"api_key": "…"`, `secret: …`: the value is replaced.
  {
    kind: 'PASSWORD',
    category: 'secret',
    // The names themselves: a scan for them is cheaper than this pattern's own search.
    hint: mayNameSecret,
    pattern: new RegExp(`\\b(?:${SECRET_WORDS})["']?[ \\t]{0,5}[:=][ \\t]{0,5}("[^"\\s]{1,256}"|'[^'\\s]{1,256}'|[^\\s"',;&<>]{1,256})`, 'dgi'),
    group: 1,
    // Not a value: a placeholder or a type name in code or docs.
    valid: (v) => !isPlaceholderValue(v),
  },
  // --- PII -----------------------------------------------------------------------------------
  {
    kind: 'EMAIL',
    category: 'pii',
    hint: '@',
    pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g,
    // `icon@2x.png`, `logo@3x.webp`: asset names in code, not addresses.
    valid: (v) => !/\.(?:png|jpe?g|gif|svg|webp|ico|css|m?js|tsx?|jsx|json|map)$/i.test(v),
  },
  { kind: 'IBAN', category: 'pii', hint: /[A-Z]{2}\d{2}/, pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g, valid: (v) => ibanValid(v.replace(/ /g, '')) },
  { kind: 'CARD', category: 'pii', hint: /\d{4}[ -]?\d{4}/, pattern: /(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])/g, valid: (v) => luhn(digitsOf(v)) && cardNetwork(digitsOf(v)) && consistentSeparators(v) },
  { kind: 'US_SSN', hint: /\d{3}[- ]\d{2}/, category: 'pii', pattern: /(?<![\d-])\d{3}([- ])\d{2}\1\d{4}(?![\d-])/g, valid: (v) => ssnValid(digitsOf(v)) },
  { kind: 'UK_NINO', hint: /[A-Z]{2} ?\d{2} ?\d{2}/, category: 'pii', pattern: /(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g, valid: (v) => ninoValid(v) },
  // International (+CC or 00CC), or with an area code in parentheses, or the North American
  // 3-3-4 grouping; 8 to 15 digits (E.164). Bare digit runs are left alone (order numbers, ids).
  {
    kind: 'PHONE',
    category: 'pii',
    hint: /\+\d|(?<!\d)00\d|\(\d|\d{3}[.-]\d{3}[.-]\d{4}/,
    pattern: /(?<![\w+])(?:(?:\+|00)[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}|\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w])/g,
    valid: (v) => {
      const n = digitsOf(v).length;
      return n >= 8 && n <= 15;
    },
  },
  // Before IPv4: an IPv4-mapped address (`::ffff:192.0.2.128`) is one IPv6 address.
  {
    kind: 'IPV6',
    category: 'pii',
    // Every IPv6 address has `::` or a group between two colons.
    hint: /::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:/,
    pattern: /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:|:){1,7}(?::|[0-9A-Fa-f]{1,4}(?::(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})?|(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?![\w:]|\.\w)/g,
    valid: (v) => isIPv6(v) && /[0-9A-Fa-f]/.test(v.replaceAll(':', '')),
  },
  {
    kind: 'IPV4',
    category: 'pii',
    hint: /\d\.\d{1,3}\.\d/,
    pattern: /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\w)/g,
  },
];

/** A card number written with separators uses them in groups (`4111 1111 1111 1111`), not at random. */
function consistentSeparators(v: string): boolean {
  if (!/[ -]/.test(v)) return true;
  return /^\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?$|^\d{4}[ -]\d{6}[ -]\d{4,5}$/.test(v);
}

/**
 * Every sensitive value in `text`, without overlaps: where two detections overlap, the one found
 * by the earlier detector wins (secrets before PII, specific before generic), then the longer.
 */
export function detect(text: string, detectors: readonly Detector[] = DETECTORS): Detection[] {
  const found: (Detection & { rank: number })[] = [];
  const { anyHint, unhinted } = hintsOf(detectors);
  // Most short texts (ids, names, attribute values) contain no detector's hint: one search for all
  // of them (two: with and without case) instead of one per detector, each of which costs more to
  // start than to run on a few characters. Then only the detectors without a hint have to look.
  // Longer texts go detector by detector: there the union's alternatives, tried at every position,
  // cost more than the separate native scans.
  const hinted = text.length > SHORT_TEXT || anyHint === undefined || anyHint.some((h) => h.test(text));
  const ranks = hinted ? undefined : unhinted;
  const n = ranks === undefined ? detectors.length : ranks.length;
  for (let i = 0; i < n; i++) {
    const rank = ranks === undefined ? i : ranks[i]!;
    const d = detectors[rank]!;
    const hint = d.hint;
    if (hint !== undefined && !(typeof hint === 'string' ? text.includes(hint) : typeof hint === 'function' ? hint(text) : hint.test(text))) continue;
    if ('find' in d) {
      for (const [start, end] of d.find(text)) found.push({ kind: d.kind, category: d.category, start, end, rank });
      continue;
    }
    const re = d.pattern;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const value = d.group === undefined ? m[0] : m[d.group];
      if (value === undefined || value.length === 0) continue;
      if (d.valid !== undefined && !d.valid(value)) {
        // Resume right after the start, so a longer invalid match does not hide a valid one inside it.
        re.lastIndex = m.index + 1;
        continue;
      }
      const start = d.group === undefined ? m.index : m.indices![d.group]![0];
      found.push({ kind: d.kind, category: d.category, start, end: start + value.length, rank });
    }
  }
  if (found.length <= 1) return found.map(({ rank: _, ...x }) => x);
  // Earlier detector first, then the longer: each keeps its range unless an earlier one took part
  // of it. Marking taken positions keeps this linear in the text (detections of one detector do
  // not overlap each other).
  found.sort((a, b) => a.rank - b.rank || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken = new Uint8Array(text.length);
  const kept: Detection[] = [];
  for (const { rank: _, ...f } of found) {
    let free = true;
    for (let i = f.start; i < f.end && free; i++) free = taken[i] === 0;
    if (!free) continue;
    taken.fill(1, f.start, f.end);
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Up to this long, a text is first searched for any hint at once (see detect). */
const SHORT_TEXT = 256;

/** Per list of detectors: one pattern per case mode matching every text some hint matches, and the detectors it does not speak for. */
const HINTS = new WeakMap<readonly Detector[], { anyHint: RegExp[] | undefined; unhinted: readonly number[] }>();

/** `unhinted`: the ranks (indices) of the detectors without a hint the union can stand for. */
function hintsOf(detectors: readonly Detector[]): { anyHint: RegExp[] | undefined; unhinted: readonly number[] } {
  let h = HINTS.get(detectors);
  if (h === undefined) {
    const exact: string[] = [];
    const anyCase: string[] = [];
    const unhinted: number[] = [];
    for (const [rank, d] of detectors.entries()) {
      const hint = typeof d.hint === 'function' ? d.hint.pattern : d.hint;
      if (typeof hint === 'string') exact.push(hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      else if (hint instanceof RegExp) (hint.flags.includes('i') ? anyCase : exact).push(`(?:${hint.source})`);
      else unhinted.push(rank);
    }
    const anyHint = [...(exact.length > 0 ? [new RegExp(exact.join('|'))] : []), ...(anyCase.length > 0 ? [new RegExp(anyCase.join('|'), 'i')] : [])];
    h = { anyHint: anyHint.length > 0 ? anyHint : undefined, unhinted };
    HINTS.set(detectors, h);
  }
  return h;
}

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
/** Base64 lines and the headers of an encrypted PEM (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`). */
const PEM_BODY = /(?:[A-Za-z0-9+/=]{1,100}|[A-Za-z-]{1,20}: [A-Za-z0-9,-]{1,100}|\r?\n|[ \t]{1,10}|\\n){0,4096}/y;
/** Farther than this from its header, a footer belongs to another key. */
const PEM_MAX_BYTES = 65_536;

/**
 * PEM private key blocks, header to footer. The next footer is found once and reused for every
 * header before it, so text with many headers and no footer is still scanned once.
 */
function* privateKeys(text: string): Generator<readonly [number, number]> {
  PEM_BEGIN.lastIndex = 0;
  let end: RegExpExecArray | null | undefined;
  for (let begin = PEM_BEGIN.exec(text); begin !== null; begin = PEM_BEGIN.exec(text)) {
    const from = begin.index + begin[0].length;
    if (end !== null && (end === undefined || end.index < from)) {
      PEM_END.lastIndex = from;
      end = PEM_END.exec(text);
    }
    if (end !== null && end.index - from <= PEM_MAX_BYTES) {
      const next = PEM_BEGIN.exec(text);
      PEM_BEGIN.lastIndex = begin.index + begin[0].length;
      // A second header before this footer: this key was cut off, the footer is the next one's.
      if (next === null || next.index > end.index) {
        yield [begin.index, end.index + end[0].length];
        PEM_BEGIN.lastIndex = end.index + end[0].length;
        continue;
      }
    }
    PEM_BODY.lastIndex = from;
    PEM_BODY.exec(text);
    yield [begin.index, PEM_BODY.lastIndex];
    PEM_BEGIN.lastIndex = Math.max(PEM_BODY.lastIndex, from);
  }
}

/** What a redaction did: the text with typed placeholders, and how many of each kind (never the values). */
export interface Redacted {
  readonly text: string;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * `text` with each detection replaced by what `replacement` returns for it (undefined keeps it),
 * counting the replacements by kind into `counts`; `text` itself when nothing was replaced.
 */
export function replaceDetections(text: string, found: readonly Detection[], replacement: (d: Detection) => string | undefined, counts: Record<string, number>): string {
  let out = '';
  let at = 0;
  for (const f of found) {
    const r = replacement(f);
    if (r === undefined) continue;
    out += text.slice(at, f.start) + r;
    at = f.end;
    counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  }
  return at === 0 ? text : out + text.slice(at);
}

/** Replaces every detection in `text` with its typed placeholder, `[EMAIL]`, `[OPENAI_KEY]`, …. */
export function redactText(text: string, detectors: readonly Detector[] = DETECTORS): Redacted {
  const counts: Record<string, number> = {};
  return { text: replaceDetections(text, detect(text, detectors), (f) => `[${f.kind}]`, counts), counts };
}
