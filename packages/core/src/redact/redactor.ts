import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { AuditrailError } from '../errors.js';
import type { JsonValue } from '../event/schema.js';
import { personNames } from './names.js';
import { DETECTORS, type Detection, type Detector, detect, isPlaceholderValue, mayNameSecret, replaceDetections, secretLabelKind } from './detectors.js';

/** What happens to PII found in a field. Secrets are removed whatever the action. */
export const REDACTION_ACTIONS = ['keep', 'redact', 'pseudonymize', 'drop'] as const;
export type RedactionAction = (typeof REDACTION_ACTIONS)[number];

const action = z.enum(REDACTION_ACTIONS);
const KIND = /^[A-Z][A-Z0-9_]{1,39}$/;

export const redactionConfigSchema = z
  .strictObject({
    /**
     * PII actions by kind (`EMAIL`, `PHONE`, …, or a custom kind); `pii` sets the default for every
     * kind (itself `redact` by default).
     */
    pii: z.record(z.string().regex(/^(?:pii|[A-Z][A-Z0-9_]{1,39})$/, 'a detector kind (EMAIL, PHONE, …) or pii'), action).default({}),
    /**
     * Per-field policies: `field` is an attribute or payload key (`user.email`,
     * `gen_ai.input.messages`), or a prefix ending in `*` (`http.request.header.*`); `eventTypes`
     * limits the rule to those event types. The first matching rule wins; its action applies to the
     * PII in that field (`drop` removes the field).
     */
    fields: z
      .array(z.strictObject({ field: z.string().min(1).max(256), eventTypes: z.array(z.string().min(1)).min(1).optional(), action }))
      .default([]),
    /** Patterns of your own: each a JavaScript regular expression (linear-time is your part: keep quantifiers bounded). */
    custom: z
      .array(
        z.strictObject({
          kind: z.string().regex(KIND, 'upper case, digits and underscores, starting with a letter'),
          category: z.enum(['secret', 'pii']).default('pii'),
          pattern: z.string().min(1).max(1000),
          flags: z.string().regex(/^[imsu]*$/, 'only i, m, s and u').default(''),
        }),
      )
      .default([]),
    /**
     * Key for pseudonyms and for the digests of raw content (at least 32 characters, e.g. 64 hex
     * digits from `openssl rand -hex 32`). Each tenant gets its own key derived from it, so tokens
     * of one tenant cannot be joined with another's. Without a key, nothing can be pseudonymized
     * (a policy that asks for it is refused at start-up) and records carry no digests.
     */
    key: z.string().min(32, 'at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
    /**
     * Person names (`PERSON`, with the `compromise` tagger): off by default, because the tagger is
     * slow (see `personNames`); turn it on where names must not be stored, and keep redaction in its
     * worker. Their action is `pii.PERSON` (or `pii.pii`), like any other kind.
     */
    names: z.boolean().default(false),
    /** Longer strings are cut to this many characters after detection (and the cut is recorded). */
    maxValueChars: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  })
  .superRefine((c, ctx) => {
    if (c.key === undefined) {
      for (const [kind, a] of Object.entries(c.pii)) if (a === 'pseudonymize') ctx.addIssue({ code: 'custom', path: ['pii', kind], message: 'pseudonymize needs a key (option key)' });
      for (const [i, f] of c.fields.entries()) if (f.action === 'pseudonymize') ctx.addIssue({ code: 'custom', path: ['fields', i, 'action'], message: 'pseudonymize needs a key (option key)' });
    }
    for (const [i, p] of c.custom.entries()) {
      try {
        new RegExp(p.pattern, p.flags);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['custom', i, 'pattern'], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
  });

export type RedactionConfig = z.input<typeof redactionConfigSchema>;

/** The configuration with its defaults, or an `INVALID_CONFIG` error naming the first bad option. */
export function parseRedactionConfig(config: RedactionConfig): z.output<typeof redactionConfigSchema> {
  const parsed = redactionConfigSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new AuditrailError('INVALID_CONFIG', `redaction option ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** What redaction did to one record's values: never the values themselves. */
export interface RedactionReport {
  /** Replacements by kind. */
  counts: Record<string, number>;
  /** Fields whose value changed, and a keyed digest (HMAC-SHA-256, hex) of each raw value. */
  digests: Record<string, string>;
  /** Fields removed by a `drop` policy, or because their redaction failed (fail closed). */
  dropped: string[];
  failed: string[];
  /** Fields cut to `maxValueChars`. */
  truncated: string[];
}

export const emptyReport = (): RedactionReport => ({ counts: {}, digests: {}, dropped: [], failed: [], truncated: [] });

/** Whether a report says anything happened. */
export function reportIsEmpty(r: RedactionReport): boolean {
  return Object.keys(r.counts).length === 0 && r.dropped.length === 0 && r.failed.length === 0 && r.truncated.length === 0;
}

/**
 * Strings found clean are remembered, up to this long each and this many characters in all (then
 * the set starts over): JSON keys, roles and part types repeat in every message list, and so do
 * system prompts, tool definitions and the earlier turns of a conversation, which every call
 * sends again. Detection depends on the string alone, so a remembered string needs no search.
 */
const CLEAN_CACHE_MAX_CHARS = 65_536;
const CLEAN_CACHE_BUDGET_CHARS = 8 * 1024 * 1024;

/**
 * Fields whose PII is kept unless a rule says otherwise: the address of the server a client span
 * called (an LLM provider's host or IP) is not personal data. Secrets in them are still removed.
 */
const DEFAULT_FIELD_ACTIONS: Readonly<Record<string, RedactionAction>> = { 'server.address': 'keep' };

/**
 * Who and which conversation an event belongs to (the record's fields and the attributes they come
 * from). With a key, PII in them is pseudonymized by default rather than redacted: a user known by
 * an e-mail address becomes `[EMAIL:3f9a2c1b]`, the same token in every event, so cost per user
 * and a user's trace still work. Without a key it is redacted like anywhere else.
 */
const IDENTITY_FIELDS = new Set(['user_id', 'session_id', 'user.id', 'enduser.id', 'session.id']);

/** Kinds compared by their letters and digits alone for pseudonyms (`+1 415…` and `1415…` are one number). */
const BY_CHARACTERS = new Set(['PHONE', 'CARD', 'US_SSN', 'IBAN', 'UK_NINO']);

/** JSON text this long or longer is read element by element (see #cleanInPlace). */
const SPLIT_JSON_CHARS = 2048;

/**
 * Where a JSON text's top-level elements end: the positions of the commas between an array's items
 * or an object's members, outside strings. Undefined if there is only one, or the text is not
 * balanced JSON (then it is read whole).
 */
function topLevelCuts(s: string): number[] | undefined {
  const cuts: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) cuts.push(i);
  }
  return cuts.length > 0 && depth === 0 && !inString ? cuts : undefined;
}

/** A two-character JSON escape (not `\u`, not `\/`). */
const ESCAPE = /\\[nrtbf"\\]/g;

/** Deeper than this, JSON is not walked further: the value is dropped (fail closed). */
const MAX_DEPTH = 64;

/**
 * Applies detectors and policies to values before they are stored: secrets are always replaced by
 * typed placeholders, PII by policy, JSON inside strings is walked as JSON. A value whose redaction
 * fails is dropped and reported, never stored as it came.
 */
export class Redactor {
  readonly #detectors: readonly Detector[];
  readonly #config: z.output<typeof redactionConfigSchema>;
  readonly #tenantKeys = new Map<string, { pseudonym: Buffer; digest: Buffer }>();
  /** Strings in which no detector found anything (see CLEAN_CACHE_MAX_CHARS). */
  readonly #clean = new Set<string>();
  #cleanChars = 0;

  constructor(config: RedactionConfig) {
    const parsed = parseRedactionConfig(config);
    this.#config = parsed;
    const custom: Detector[] = parsed.custom.map((c) => ({ kind: c.kind, category: c.category, pattern: new RegExp(c.pattern, `${c.flags.replace('g', '')}g`) }));
    // Custom secrets first (they are named by the user, so the more specific), custom PII last.
    this.#detectors = [
      ...custom.filter((d) => d.category === 'secret'),
      ...DETECTORS,
      ...custom.filter((d) => d.category === 'pii'),
      ...(parsed.names ? [personNames()] : []),
    ];
  }

  /**
   * Redacts the top-level fields of one record's attributes (or payload): each key is a field for
   * the policies. Returns a new object; `report` collects what happened.
   */
  redactFields(fields: { readonly [key: string]: JsonValue }, ctx: { tenantId: string; eventType: string; prefix?: string }, report: RedactionReport): { [key: string]: JsonValue } {
    const out: { [key: string]: JsonValue } = {};
    const prefix = ctx.prefix ?? '';
    for (const key of Object.keys(fields)) {
      let safeKey: string;
      try {
        safeKey = this.#text(key, undefined, ctx.tenantId, report);
      } catch {
        report.failed.push(`${prefix}(a key)`);
        continue;
      }
      const redacted = this.redactField(key, fields[key]!, ctx, report, prefix + safeKey);
      if (redacted !== undefined) out[safeKey] = redacted;
    }
    return out;
  }

  /**
   * One field's value under the field's policy (`key` is what policies name), or undefined when
   * the field goes: dropped by policy, or its redaction failed (fail closed: a value that could not
   * be redacted is not stored). `field` names it in the report.
   */
  redactField(key: string, value: JsonValue, ctx: { tenantId: string; eventType: string }, report: RedactionReport, field = key): JsonValue | undefined {
    const act = this.#fieldAction(key, ctx.eventType);
    if (act === 'drop') {
      report.dropped.push(field);
      return undefined;
    }
    try {
      const redacted = this.#secretByName(key, value, report) ?? this.value(value, act, ctx.tenantId, report, field);
      if (redacted !== value && this.#config.key !== undefined) report.digests[field] = this.digest(value, ctx.tenantId);
      return redacted;
    } catch {
      report.failed.push(field);
      return undefined;
    }
  }

  /**
   * Redacts any JSON value (strings, and the strings and keys inside arrays and objects); `act` is
   * the field's policy, if one applies. Returns `v` itself when nothing changed.
   */
  value(v: JsonValue, act: RedactionAction | undefined, tenantId: string, report: RedactionReport, field = '(value)', depth = 0): JsonValue {
    if (typeof v === 'string') return this.#string(v, act, tenantId, report, field, depth);
    // A long integer in JSON can be a card or phone number written without quotes.
    if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 10_000_000) {
      const s = String(v);
      const r = this.#text(s, act, tenantId, report);
      return r === s ? v : r;
    }
    if (v === null || typeof v !== 'object') return v;
    if (depth > MAX_DEPTH) throw new AuditrailError('INVALID_RECORD', 'JSON nested too deep to redact');
    if (Array.isArray(v)) {
      let out: JsonValue[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const r = this.value(v[i]!, act, tenantId, report, field, depth + 1);
        if (r !== v[i]) (out ??= v.slice())[i] = r;
      }
      return out ?? v;
    }
    let changed = false;
    const out: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(v)) {
      const k = this.#text(key, act, tenantId, report);
      const r = this.#secretByName(key, v[key]!, report) ?? this.value(v[key]!, act, tenantId, report, field, depth + 1);
      if (k !== key || r !== v[key]) changed = true;
      out[k] = r;
    }
    return changed ? out : v;
  }

  /**
   * A string under a name that says it is a secret (`password`, `api_key`, `AWS_SECRET_ACCESS_KEY`)
   * is one whatever it looks like: its placeholder, or undefined for any other name or value (a
   * JSON object's `"password": "…"` pair is two strings once parsed, which no pattern sees together).
   */
  #secretByName(key: string, value: JsonValue, report: RedactionReport): string | undefined {
    if (typeof value !== 'string' || value.length === 0) return undefined;
    const kind = secretLabelKind(key);
    if (kind === undefined || isPlaceholderValue(value)) return undefined;
    report.counts[kind] = (report.counts[kind] ?? 0) + 1;
    return `[${kind}]`;
  }

  /** HMAC-SHA-256 (hex) of a raw value under the tenant's digest key: equality checks without the text. */
  digest(v: JsonValue, tenantId: string): string {
    return createHmac('sha256', this.#keys(tenantId).digest)
      .update(typeof v === 'string' ? v : JSON.stringify(v))
      .digest('hex');
  }

  #string(s: string, act: RedactionAction | undefined, tenantId: string, report: RedactionReport, field: string, depth: number): string {
    // JSON inside a string (message lists, tool arguments): walked as JSON, written back only if changed.
    const first = s.trimStart()[0];
    if ((first === '{' || first === '[') && s.length >= 2) {
      if (this.#clean.has(s)) return this.#limit(s, report, field);
      // JSON text in which, read in place, no detector finds anything is clean as it is: no parse,
      // no walk. Escapes are blanked to two spaces (positions kept), so every string's characters
      // stand as they decode, between quotes or spaces; `\u` and `\/` escapes, which could spell
      // a value out, take the full path. A test checks this never calls clean what the walk redacts.
      if (!s.includes('\\u') && !s.includes('\\/')) {
        const inPlace = s.includes('\\') ? s.replace(ESCAPE, '  ') : s;
        if (this.#cleanInPlace(s, inPlace)) {
          this.#remember(s);
          return this.#limit(s, report, field);
        }
      }
      let parsed: JsonValue | undefined;
      try {
        parsed = JSON.parse(s) as JsonValue;
      } catch {
        parsed = undefined;
      }
      if (parsed !== undefined && typeof parsed === 'object') {
        const r = this.value(parsed, act, tenantId, report, field, depth + 1);
        if (r === parsed) this.#remember(s);
        return this.#limit(r === parsed ? s : JSON.stringify(r), report, field);
      }
    }
    return this.#limit(this.#text(s, act, tenantId, report), report, field);
  }

  /**
   * Whether JSON text is clean read in place (`inPlace`: `raw` with its escapes blanked). A long
   * text is read element by element — a message list message by message, an object member by
   * member — and each element found clean is remembered: a conversation sends its system prompt,
   * tool definitions and earlier turns again with every call, and only what is new is searched.
   * No detection can span two elements (each string lies within one), and a secret's name
   * anywhere in an element (a `"password": "…"` pair) makes it unclean too.
   */
  #cleanInPlace(raw: string, inPlace: string): boolean {
    const cuts = (raw.length >= SPLIT_JSON_CHARS ? topLevelCuts(raw) : undefined) ?? [];
    // The elements not remembered are searched together, in one text: each search of a text has a
    // cost of its own, whatever its length. The comma between them is what stood there.
    const fresh: string[] = [];
    let from = 0;
    for (let i = 0; i <= cuts.length; i++) {
      const to = cuts[i] ?? inPlace.length;
      const piece = inPlace.slice(from, to);
      if (!this.#clean.has(piece)) fresh.push(piece);
      from = to + 1;
    }
    if (fresh.length === 0) return true;
    const rest = fresh.length === 1 ? fresh[0]! : fresh.join(',');
    if (mayNameSecret(rest) || detect(rest, this.#detectors).length > 0) return false;
    for (const piece of fresh) this.#remember(piece);
    return true;
  }

  /** Remembers a clean string (see CLEAN_CACHE_MAX_CHARS); longer ones are not kept. */
  #remember(s: string): void {
    if (s.length > CLEAN_CACHE_MAX_CHARS || this.#clean.has(s)) return;
    if (this.#cleanChars + s.length > CLEAN_CACHE_BUDGET_CHARS) {
      this.#clean.clear();
      this.#cleanChars = 0;
    }
    this.#clean.add(s);
    this.#cleanChars += s.length;
  }

  #limit(s: string, report: RedactionReport, field: string): string {
    if (s.length <= this.#config.maxValueChars) return s;
    if (!report.truncated.includes(field)) report.truncated.push(field);
    // Cut on a code point, never inside a surrogate pair.
    let end = this.#config.maxValueChars;
    const c = s.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--;
    return s.slice(0, end);
  }

  /** Plain text: every detection replaced by its placeholder or pseudonym (PII kept under `keep`). */
  #text(s: string, act: RedactionAction | undefined, tenantId: string, report: RedactionReport): string {
    // Nothing detectable is shorter than `::1`; strings known to be clean are not searched again.
    if (s.length < 3 || this.#clean.has(s)) return s;
    const found = detect(s, this.#detectors);
    if (found.length === 0) {
      this.#remember(s);
      return s;
    }
    return replaceDetections(
      s,
      found,
      (f) => {
        const how = f.category === 'secret' ? 'redact' : this.#piiAction(f.kind, act);
        return how === 'keep' ? undefined : how === 'pseudonymize' ? this.#pseudonym(f, s, tenantId) : `[${f.kind}]`;
      },
      report.counts,
    );
  }

  /** A field's action from the kind policy, unless its field policy says otherwise. */
  #piiAction(kind: string, fieldAction: RedactionAction | undefined): RedactionAction {
    const byKind = this.#config.pii[kind] ?? this.#config.pii['pii'] ?? 'redact';
    // A field policy of `keep`/`pseudonymize`/`redact` applies to all PII in that field.
    return fieldAction === undefined || fieldAction === 'drop' ? byKind : fieldAction;
  }

  #fieldAction(field: string, eventType: string): RedactionAction | undefined {
    for (const rule of this.#config.fields) {
      const matches = rule.field.endsWith('*') ? field.startsWith(rule.field.slice(0, -1)) : field === rule.field;
      if (matches && (rule.eventTypes === undefined || rule.eventTypes.includes(eventType))) return rule.action;
    }
    return DEFAULT_FIELD_ACTIONS[field] ?? (this.#config.key !== undefined && IDENTITY_FIELDS.has(field) ? 'pseudonymize' : undefined);
  }

  /** `[EMAIL:3f9a2c1b]`: the same value gives the same token within a tenant, so one can still count and join. */
  #pseudonym(f: Detection, s: string, tenantId: string): string {
    const raw = s.slice(f.start, f.end);
    const normalized = f.kind === 'EMAIL' ? raw.toLowerCase() : BY_CHARACTERS.has(f.kind) ? raw.replace(/[^0-9A-Za-z]/g, '').toUpperCase() : raw;
    const token = createHmac('sha256', this.#keys(tenantId).pseudonym).update(`${f.kind}\u0000${normalized}`).digest('hex').slice(0, 8);
    return `[${f.kind}:${token}]`;
  }

  #keys(tenantId: string): { pseudonym: Buffer; digest: Buffer } {
    let keys = this.#tenantKeys.get(tenantId);
    if (keys === undefined) {
      const key = this.#config.key;
      if (key === undefined) throw new AuditrailError('INVALID_CONFIG', 'pseudonyms and digests need a redaction key');
      const derive = (label: string) => createHmac('sha256', key).update(`auditrail/${label}/v1\u0000${tenantId}`).digest();
      keys = { pseudonym: derive('pseudonym'), digest: derive('digest') };
      if (this.#tenantKeys.size >= 10_000) this.#tenantKeys.clear();
      this.#tenantKeys.set(tenantId, keys);
    }
    return keys;
  }
}
