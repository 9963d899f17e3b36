import { z } from 'zod';
import type { AuditRecord, ServiceInfo, UnsealedRecord } from './schema.js';
import { ownEvent } from './own-event.js';

/** The event type of a cost correction. */
export const COST_CORRECTION = 'cost.correction';

const decimal = z.string().regex(/^\d{1,9}(\.\d{1,12})?$/, 'a non-negative decimal string');

/**
 * `data` of a `cost.correction` event: a new price for one past call. The corrected event is never
 * changed (the events table is append-only); queries of cost use the latest correction of each
 * event instead of its recorded cost. The correction's own `cost_usd` and `price_source` equal
 * `new_cost_usd` and `new_price_source`.
 */
export const costCorrectionDataSchema = z.strictObject({
  /** The corrected event: its id and its position in its stream. */
  corrects: z.strictObject({
    event_id: z.uuid(),
    stream_id: z.string().regex(/^[0-9A-Za-z._:-]{1,128}$/),
    seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
  /** The cost in effect before: the event's own, or that of an earlier correction. Null: it was unpriced. */
  old_cost_usd: decimal.nullable(),
  old_price_source: z.string().nullable(),
  new_cost_usd: decimal,
  new_price_source: z.string().min(1),
  /** Why, e.g. `reprice with @pydantic/genai-prices@0.1.9`. */
  reason: z.string().min(1).max(1024),
});

export type CostCorrectionData = z.infer<typeof costCorrectionDataSchema>;

export interface CostCorrectionInput {
  /** The stored event whose cost is corrected. */
  readonly target: AuditRecord;
  /** The cost in effect before this correction (the event's own, or its latest correction's). */
  readonly old: { readonly cost_usd: string | null; readonly price_source: string | null };
  readonly cost_usd: string;
  readonly price_source: string;
  readonly reason: string;
  /** The writer, e.g. `{ name: 'auditrail reprice', version: '0.1.0', environment: null }`. */
  readonly service: ServiceInfo;
}

/**
 * The unsealed `cost.correction` record for one event. It carries the corrected event's tenant
 * (tenant isolation holds for corrections too), provider and models, but no request, user or trace
 * ids: a correction is not part of the request and does not count as one of its events.
 */
export function costCorrection(input: CostCorrectionInput): UnsealedRecord {
  const t = input.target;
  const data: CostCorrectionData = {
    corrects: { event_id: t.event_id, stream_id: t.stream_id, seq: t.seq },
    old_cost_usd: input.old.cost_usd,
    old_price_source: input.old.price_source,
    new_cost_usd: input.cost_usd,
    new_price_source: input.price_source,
    reason: input.reason,
  };
  return ownEvent({
    event_type: COST_CORRECTION,
    tenant_id: t.tenant_id,
    service: input.service,
    provider: t.provider,
    request_model: t.request_model,
    response_model: t.response_model,
    cost_usd: input.cost_usd,
    price_source: input.price_source,
    data: costCorrectionDataSchema.parse(data),
  });
}
