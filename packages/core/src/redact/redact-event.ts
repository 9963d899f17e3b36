import type { JsonValue, RedactionSummary, UnsealedRecord } from '../event/schema.js';
import { sealPayload, type SealedPayload } from '../chain/payload-digest.js';
import { emptyReport, type RedactionReport, type Redactor, reportIsEmpty } from './redactor.js';

type Fields = { [key: string]: JsonValue };

/**
 * The record's free-text fields besides attributes and data: top-level ones, then the service's.
 * Redaction and the record's `redaction` summary name them so (`service.name`). What the record
 * holds beyond these is auditrail's own: ids it generates or validates (event, trace, span,
 * stream), the tenant (configuration or authentication), enums, times, numbers, the price source.
 */
const RECORD_TEXTS = ['name', 'user_id', 'session_id', 'request_id', 'error_type', 'operation', 'provider', 'request_model', 'response_model'] as const;
const SERVICE_TEXTS = ['environment', 'name', 'version'] as const;
const TEXT_FIELDS = [...RECORD_TEXTS, ...SERVICE_TEXTS.map((f) => `service.${f}`)];

/** The record's text fields, in TEXT_FIELDS order. */
function textsOf(r: UnsealedRecord): (string | null | undefined)[] {
  return [...RECORD_TEXTS.map((f) => r[f]), ...SERVICE_TEXTS.map((f) => r.service[f])];
}

/** Sets the record's text fields from `s` (TEXT_FIELDS order); what is missing becomes null (the name, empty). */
function setTexts(r: UnsealedRecord, s: readonly (string | null | undefined)[]): void {
  const text = (i: number): string | null => (typeof s[i] === 'string' ? s[i] : null);
  for (const [i, f] of RECORD_TEXTS.entries()) {
    if (f === 'name') r.name = text(i) ?? '';
    else r[f] = text(i);
  }
  const n = RECORD_TEXTS.length;
  r.service = { environment: text(n), name: text(n + 1), version: text(n + 2) };
}

/**
 * Redacts one event before it is sealed, in place: the record's attributes, data and text fields
 * (TEXT_FIELDS), and the payload kept beside it. Every string of user data that reaches storage
 * goes through the redactor. What was done goes into `record.redaction` (absent when nothing was).
 * Returns the redacted payload.
 *
 * Fails closed: if anything here throws, the record keeps no attributes, data or payload, and says so.
 */
export function redactEvent(redactor: Redactor, record: UnsealedRecord, payload: Fields | null): Fields | null {
  const report = emptyReport();
  const ctx = { tenantId: record.tenant_id, eventType: record.event_type };
  let out: Fields | null = null;
  try {
    record.attributes = redactor.redactFields(record.attributes, { ...ctx, prefix: 'attributes.' }, report);
    record.data = redactor.redactFields(record.data, { ...ctx, prefix: 'data.' }, report);
    const texts = textsOf(record);
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i];
      if (text !== null && text !== undefined) texts[i] = redactor.redactField(TEXT_FIELDS[i]!, text, ctx, report) as string | undefined;
    }
    setTexts(record, texts);
    if (payload !== null) out = redactor.redactFields(payload, { ...ctx, prefix: 'payload.' }, report);
  } catch {
    record.attributes = {};
    record.data = {};
    out = null;
    report.failed.push('*');
  }
  if (!reportIsEmpty(report)) record.redaction = summary(report);
  return out;
}

/** The report as the record carries it: keys in canonical order, lists as they came. */
function summary(r: RedactionReport): RedactionSummary {
  const sorted = (o: Record<string, string | number>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
  return {
    counts: sorted(r.counts) as Record<string, number>,
    digests: sorted(r.digests) as Record<string, string>,
    dropped: r.dropped,
    failed: r.failed,
    truncated: r.truncated,
  };
}

/**
 * What crosses to the redaction worker for one event: the strings redaction reads and nothing else
 * (structured clone costs the sender about as much as the redaction of a short event).
 * `s`: the record's text fields (TEXT_FIELDS order).
 */
export interface WireEvent {
  readonly t: string;
  readonly e: string;
  readonly a: Fields;
  readonly d: Fields;
  readonly s: readonly (string | null | undefined)[];
  readonly p: Fields | null;
}

/** What redaction changed in a record (null: nothing, the usual case). */
export type WireChanges = { readonly a: Fields; readonly d: Fields; readonly s: readonly (string | null | undefined)[]; readonly r: RedactionSummary } | null;

/** The worker's answer for one event: the record's changes, and its payload redacted and sealed. */
export interface WireResult {
  readonly c: WireChanges;
  readonly p: SealedPayload | null;
}

export function toWire(record: UnsealedRecord, payload: Fields | null): WireEvent {
  return { t: record.tenant_id, e: record.event_type, a: record.attributes, d: record.data, s: textsOf(record), p: payload };
}

/** `redactEvent`, then the payload it returns sealed (canonical content and commitment). */
export function redactAndSeal(redactor: Redactor, record: UnsealedRecord, payload: Fields | null): SealedPayload | null {
  const redacted = redactEvent(redactor, record, payload);
  return redacted === null ? null : sealPayload(redacted);
}

/** `redactAndSeal` on the wire form (in the worker: neither on the app's thread). */
export function redactWire(redactor: Redactor, w: WireEvent): WireResult {
  const record = { tenant_id: w.t, event_type: w.e, attributes: w.a, data: w.d } as UnsealedRecord;
  setTexts(record, w.s);
  const p = redactAndSeal(redactor, record, w.p);
  if (record.redaction === undefined) return { c: null, p };
  return { c: { a: record.attributes, d: record.data, s: textsOf(record), r: record.redaction }, p };
}

/** Puts the worker's answer into the record; returns the sealed payload to store. */
export function applyWire(record: UnsealedRecord, result: WireResult): SealedPayload | null {
  const c = result.c;
  if (c !== null) {
    record.attributes = c.a;
    record.data = c.d;
    setTexts(record, c.s);
    record.redaction = c.r;
  }
  return result.p;
}

/**
 * When redaction could not run at all for an event (its worker died on it twice): nothing of what
 * it carried is kept but its ids, times, usage and cost, and the record says so (fail closed).
 */
export function failClosed(record: UnsealedRecord): null {
  record.attributes = {};
  record.data = {};
  setTexts(record, []);
  record.redaction = { counts: {}, digests: {}, dropped: [], failed: ['*'], truncated: [] };
  return null;
}
