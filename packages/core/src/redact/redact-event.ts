import type { JsonValue, RedactionSummary, UnsealedRecord } from '../event/schema.js';
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
