import type { JsonValue, RedactionSummary, UnsealedRecord } from '../event/schema.js';
import { sealPayload, type SealedPayload } from '../chain/payload-digest.js';
import { emptyReport, type RedactionReport, type Redactor, reportIsEmpty } from './redactor.js';

/**
 * Redacts one event before it is sealed, in place: the record's attributes, data, name, service
 * and identity fields (`user_id`, `session_id`, `request_id`), and the payload kept beside it.
 * Every string that reaches storage goes through the redactor; ids auditrail generates (event,
 * trace, span, stream) and the tenant (from configuration or authentication) do not. What was done
 * goes into `record.redaction` (absent when nothing was). Returns the redacted payload.
 *
 * Fails closed: if anything here throws, the record keeps no attributes, data or payload, and says so.
 */
export function redactEvent(redactor: Redactor, record: UnsealedRecord, payload: { [key: string]: JsonValue } | null): { [key: string]: JsonValue } | null {
  const report = emptyReport();
  const ctx = { tenantId: record.tenant_id, eventType: record.event_type };
  let out: { [key: string]: JsonValue } | null = null;
  try {
    record.attributes = redactor.redactFields(record.attributes, { ...ctx, prefix: 'attributes.' }, report);
    record.data = redactor.redactFields(record.data, { ...ctx, prefix: 'data.' }, report);
    const texts = redactor.redactFields(
      {
        name: record.name,
        user_id: record.user_id,
        session_id: record.session_id,
        request_id: record.request_id,
        'service.environment': record.service.environment,
        'service.name': record.service.name,
        'service.version': record.service.version,
      },
      ctx,
      report,
    );
    const text = (key: string): string | null => (typeof texts[key] === 'string' ? texts[key] : null);
    record.name = text('name') ?? '';
    record.user_id = text('user_id');
    record.session_id = text('session_id');
    record.request_id = text('request_id');
    record.service = { environment: text('service.environment'), name: text('service.name'), version: text('service.version') };
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

type Fields = { [key: string]: JsonValue };

/**
 * What crosses to the redaction worker for one event: the strings redaction reads and nothing else
 * (structured clone costs the sender about as much as the redaction of a short event).
 * `s`: name, user_id, session_id, request_id, service environment, name, version.
 */
export interface WireEvent {
  readonly t: string;
  readonly e: string;
  readonly a: Fields;
  readonly d: Fields;
  readonly s: readonly (string | null)[];
  readonly p: Fields | null;
}

/** What redaction changed in a record (null: nothing, the usual case). */
export type WireChanges = { readonly a: Fields; readonly d: Fields; readonly s: readonly (string | null)[]; readonly r: RedactionSummary } | null;

/** The worker's answer for one event: the record's changes, and its payload redacted and sealed. */
export interface WireResult {
  readonly c: WireChanges;
  readonly p: SealedPayload | null;
}

export function toWire(record: UnsealedRecord, payload: Fields | null): WireEvent {
  const { service: v } = record;
  return { t: record.tenant_id, e: record.event_type, a: record.attributes, d: record.data, s: [record.name, record.user_id, record.session_id, record.request_id, v.environment, v.name, v.version], p: payload };
}

/** `redactEvent` on the wire form, then the payload sealed (in the worker: neither on the app's thread). */
export function redactWire(redactor: Redactor, w: WireEvent): WireResult {
  const record = {
    tenant_id: w.t,
    event_type: w.e,
    attributes: w.a,
    data: w.d,
    name: w.s[0],
    user_id: w.s[1],
    session_id: w.s[2],
    request_id: w.s[3],
    service: { environment: w.s[4], name: w.s[5], version: w.s[6] },
  } as unknown as UnsealedRecord;
  const payload = redactEvent(redactor, record, w.p);
  const p = payload === null ? null : sealPayload(payload);
  if (record.redaction === undefined) return { c: null, p };
  const { service: v } = record;
  return { c: { a: record.attributes, d: record.data, s: [record.name, record.user_id, record.session_id, record.request_id, v.environment, v.name, v.version], r: record.redaction }, p };
}

/** Puts the worker's answer into the record; returns the sealed payload to store. */
export function applyWire(record: UnsealedRecord, result: WireResult): SealedPayload | null {
  const c = result.c;
  if (c !== null) {
    const s = c.s;
    record.attributes = c.a;
    record.data = c.d;
    record.name = s[0] ?? '';
    record.user_id = s[1] ?? null;
    record.session_id = s[2] ?? null;
    record.request_id = s[3] ?? null;
    record.service = { environment: s[4] ?? null, name: s[5] ?? null, version: s[6] ?? null };
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
  record.name = '';
  record.user_id = null;
  record.session_id = null;
  record.request_id = null;
  record.service = { environment: null, name: null, version: null };
  record.redaction = { counts: {}, digests: {}, dropped: [], failed: ['*'], truncated: [] };
  return null;
}
