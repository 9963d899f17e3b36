import { z } from 'zod';
import { auditRecordSchema, payloadRefSchema, type ServiceInfo, type UnsealedRecord } from './schema.js';
import { ownEvent } from './own-event.js';

/** A GDPR erasure: payload rows removed at a data subject's request (DESIGN.md §4). */
export const ERASURE = 'audit.erasure';
/** A retention purge: payload rows removed because their retention period ended. */
export const RETENTION_PURGE = 'audit.retention_purge';

export type ErasureEventType = typeof ERASURE | typeof RETENTION_PURGE;

/** The event types that remove payload rows; each names the rows it removed. */
export const ERASURE_EVENT_TYPES: readonly ErasureEventType[] = [ERASURE, RETENTION_PURGE];

/** Payload rows one event may name (~110 bytes each in the record): a larger removal is written as several events. */
export const MAX_ERASED_PAYLOADS = 10_000;

/** One payload row an erasure removed: the event that committed to it, and its digest. */
export interface ErasedPayload {
  readonly stream_id: string;
  readonly seq: number;
  readonly digest: string;
}

/** Keys in canonical (RFC 8785) order, so the data built here is the data stored. */
const erasedPayloadSchema = z.strictObject({
  digest: payloadRefSchema.shape.digest,
  seq: auditRecordSchema.shape.seq,
  stream_id: auditRecordSchema.shape.stream_id,
});

/**
 * `data` of an `audit.erasure` or `audit.retention_purge` event. The events named are never
 * changed (the events table is append-only): only the payload rows beside them are removed, after
 * this event is stored, so verification can tell a lawful removal from tampering.
 */
export const erasureDataSchema = z.strictObject({
  payloads: z.array(erasedPayloadSchema).min(1).max(MAX_ERASED_PAYLOADS),
  /** Why, e.g. `GDPR art. 17 request #4711` or `retention 90 days`. */
  reason: z.string().min(1).max(1024),
  /** Whom the erasure is for; null for a retention purge. Stored in the clear for good: a reference, never the person's identity. */
  subject: z.string().min(1).max(512).nullable(),
});

export type ErasureData = z.infer<typeof erasureDataSchema>;

export interface ErasureInput {
  readonly event_type: ErasureEventType;
  /** The tenant whose payloads are removed: one event per tenant. */
  readonly tenant_id: string;
  /** The writer, e.g. `{ name: 'auditrail erase', version: '0.1.0', environment: null }`. */
  readonly service: ServiceInfo;
  readonly reason: string;
  /**
   * A reference to the data subject's request (a ticket number, or the pseudonymous user id the
   * records carry). Default null. It stays in the record after the content is gone, so it must not
   * be the e-mail address or name the erasure is about.
   */
  readonly subject?: string | null;
  /** 1 to MAX_ERASED_PAYLOADS rows. */
  readonly payloads: readonly ErasedPayload[];
}

/**
 * The unsealed record of an erasure or retention purge. Store it before removing the rows it names
 * (`Store.erasePayloads`): a crash in between leaves a recorded removal not yet done, never a
 * removal nobody recorded.
 *
 * @example erasureEvent({ event_type: 'audit.erasure', tenant_id: 'acme', service, reason: 'GDPR request #4711', subject: 'ticket-4711', payloads: [{ stream_id: 'app-1', seq: 7, digest }] })
 */
export function erasureEvent(input: ErasureInput): UnsealedRecord {
  const data: ErasureData = {
    payloads: input.payloads.map((p) => ({ digest: p.digest, seq: p.seq, stream_id: p.stream_id })),
    reason: input.reason,
    subject: input.subject ?? null,
  };
  return ownEvent({ event_type: input.event_type, tenant_id: input.tenant_id, service: input.service, data: erasureDataSchema.parse(data) });
}

/** Reads entries written by a later version too: keys it does not know are ignored. */
const storedEntrySchema = z.object(erasedPayloadSchema.shape);
const ERASURE_TYPES: ReadonlySet<string> = new Set(ERASURE_EVENT_TYPES);

/**
 * The payload rows a stored erasure or retention purge names; [] for any other event. Never
 * throws: entries that are not a valid position and digest are skipped (a record altered that way
 * fails verification of its chain anyway).
 */
export function erasedPayloadsOf(record: { readonly event_type: string; readonly data?: unknown }): ErasedPayload[] {
  if (!ERASURE_TYPES.has(record.event_type)) return [];
  const data = record.data;
  const list = typeof data === 'object' && data !== null && 'payloads' in data ? data.payloads : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    const parsed = storedEntrySchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}
