import { z } from 'zod';
import { EVENT_TYPES } from './event-types.js';

/** RFC 3339 UTC timestamp with 3 to 9 fractional digits, e.g. `2026-11-24T12:00:00.123456Z`. */
const utcTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/, 'an RFC 3339 UTC time ending in Z');
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes in lowercase hex`);
/** A decimal amount kept as a string so that no binary float rounding reaches the record. */
const decimal = z.string().regex(/^\d{1,9}(\.\d{1,12})?$/, 'a non-negative decimal string');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const id = z.string().min(1).max(512);

/** JSON values as they may appear in span attributes (after OTel's own flattening). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

export const usageSchema = z.strictObject({
  input_tokens: count.nullable(),
  output_tokens: count.nullable(),
  cache_read_tokens: count.nullable(),
  cache_write_tokens: count.nullable(),
  reasoning_tokens: count.nullable(),
});

export const serviceSchema = z.strictObject({
  name: z.string().nullable(),
  version: z.string().nullable(),
  environment: z.string().nullable(),
});

/** What is kept beside the record in the `payloads` table, committed to by `digest`. */
export const payloadRefSchema = z.strictObject({
  /** `sha256:` + SHA-256(nonce ‖ canonical payload bytes), hex. The nonce lives only in the payload row. */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  bytes: count,
});

/**
 * What redaction did to a record and its payload before they were stored: how many values of each
 * kind were replaced, which fields were dropped, cut or failed (and so dropped), and a keyed digest
 * (HMAC-SHA-256 under the tenant's key) of each changed field's raw value. Never a value.
 * Fields are named by where they are: `attributes.<key>`, `payload.<key>`, `data.<key>`, `name`,
 * `service.<field>`, `user_id`, `session_id`, `request_id`.
 */
export const redactionSummarySchema = z.strictObject({
  counts: z.record(z.string().regex(/^[A-Z][A-Z0-9_]{1,39}$/), count),
  digests: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  dropped: z.array(z.string()),
  failed: z.array(z.string()),
  truncated: z.array(z.string()),
});

/**
 * The audit record: the canonical JSON (RFC 8785) of this object is what is hashed and chained.
 * Every queryable column of the `events` table is derived from it.
 */
export const auditRecordSchema = z.strictObject({
  /** Record format version. */
  v: z.literal(1),
  event_id: z.uuid(),
  event_type: z.enum(EVENT_TYPES),
  /** Stamped by auditrail (processor or collector), UTC, microseconds. Authoritative for ordering. */
  observed_at: utcTime,
  /** Client-reported start and end, nanosecond precision; data only, never used for ordering. */
  started_at: utcTime.nullable(),
  ended_at: utcTime.nullable(),
  duration_ms: z.number().nonnegative().nullable(),
  tenant_id: id,
  user_id: id.nullable(),
  session_id: id.nullable(),
  request_id: id.nullable(),
  trace_id: hex(16).nullable(),
  span_id: hex(8).nullable(),
  parent_span_id: hex(8).nullable(),
  name: z.string().max(1024),
  service: serviceSchema,
  status: z.enum(['ok', 'error', 'unset']),
  error_type: z.string().nullable(),
  operation: z.string().nullable(),
  provider: z.string().nullable(),
  request_model: z.string().nullable(),
  response_model: z.string().nullable(),
  usage: usageSchema.nullable(),
  cost_usd: decimal.nullable(),
  price_source: z.string().nullable(),
  /** Event-type specific fields (tool name, decision outcome, …). */
  data: z.record(z.string(), jsonValue),
  /** The span's original attributes, minus content moved to the payload. */
  attributes: z.record(z.string(), jsonValue),
  payload: payloadRefSchema.nullable(),
  /** Present when redaction changed anything (see `redactionSummarySchema`). */
  redaction: redactionSummarySchema.optional(),
  stream_id: z.string().regex(/^[0-9A-Za-z._:-]{1,128}$/),
  seq: count,
  /** Leaf hash of the previous record of the stream; 64 zeros for seq 0. */
  prev_hash: hex(32),
});

export type AuditRecord = z.infer<typeof auditRecordSchema>;
export type Usage = z.infer<typeof usageSchema>;
export type PayloadRef = z.infer<typeof payloadRefSchema>;
export type ServiceInfo = z.infer<typeof serviceSchema>;
export type RedactionSummary = z.infer<typeof redactionSummarySchema>;

/** A record before it is placed in a stream: the sequencer adds the last four fields. */
export type UnsealedRecord = Omit<AuditRecord, 'stream_id' | 'seq' | 'prev_hash' | 'observed_at'>;
