import type { EventFilter, Store, StreamPosition } from '@auditrail/clickhouse';
import { type AuditRecord, costCorrection, type EventBatch, ownEvent, type Pricer, StreamSequencer, unitsToUsd, type UnsealedRecord, usdToUnits } from '@auditrail/core';
import { positionKey } from '../format/corrected-costs.js';
import { PACKAGE_VERSION } from '../version.js';

export interface RepriceOptions {
  /** Which calls: since, until, model, tenant (the event type is always llm.completion and llm.embedding). */
  filter: Omit<EventFilter, 'type' | 'types' | 'minCost' | 'limit'>;
  pricer: Pricer;
  /** Price sources in effect, in lookup order: recorded in the stream-open event. */
  sources: readonly string[];
  /** Compute and report only; write nothing. */
  dryRun?: boolean;
  /** Reason recorded in every correction. Default `reprice with <the new price's source>`. */
  reason?: string;
  /** Events read per page, and corrections written per batch. Default 5000. */
  pageSize?: number;
  onProgress?: (p: { checked: number; corrected: number }) => void;
}

export interface ModelSummary {
  model: string;
  calls: number;
  corrected: number;
  /** Summed over the corrected calls: their cost before (as recorded or last corrected; unpriced as 0) and after. */
  cost_before_usd: string;
  cost_after_usd: string;
}

export interface RepriceResult {
  dry_run: boolean;
  /** The stream the corrections were written to; null when nothing was written. */
  stream_id: string | null;
  /** LLM calls looked at, corrected, unchanged, and those the current prices cannot price (left as they are). */
  checked: number;
  corrected: number;
  unchanged: number;
  unpriced: number;
  /** Events written: the stream-open event and the corrections. */
  written: number;
  cost_before_usd: string;
  cost_after_usd: string;
  by_model: ModelSummary[];
}

const LLM_TYPES = ['llm.completion', 'llm.embedding'] as const;

/**
 * The time that selects the price in force: when auditrail observed the call — the clock the
 * processor priced it by (at sealing), and never the client's (DESIGN invariant 4).
 */
function callTime(r: AuditRecord): Date {
  return new Date(r.observed_at.replace(/(\.\d{3})\d*Z$/, '$1Z'));
}

/**
 * Recomputes the cost of past LLM calls with the pricer and, for every call whose cost changed
 * (against its latest correction, if it has one), appends a `cost.correction` event. Nothing
 * stored is changed. Corrections go to a new stream that opens with an `audit.stream_open` event,
 * sealed like the processor seals (StreamSequencer) and appended in batches with idempotent
 * tokens. A call the current prices cannot price keeps its cost: a correction always names a price.
 */
export async function reprice(store: Store, options: RepriceOptions): Promise<RepriceResult> {
  const pageSize = options.pageSize ?? 5000;
  const dryRun = options.dryRun ?? false;
  const filter: EventFilter = { ...options.filter, types: LLM_TYPES };
  const models = new Map<string, { calls: number; corrected: number; before: bigint; after: bigint }>();
  // Every call checked is corrected, unchanged or unpriced: the corrected count is derived.
  let checked = 0;
  let unchanged = 0;
  let unpriced = 0;

  let sequencer: StreamSequencer | undefined;
  let pending: string[] = [];
  let pendingFirstSeq = 0;
  let written = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch: EventBatch = { token: `${sequencer!.streamId}:${pendingFirstSeq}`, records: pending, payloads: [] };
    await appendWithRetry(store, batch);
    written += pending.length;
    pending = [];
  };
  const seal = async (record: UnsealedRecord) => {
    if (sequencer === undefined) {
      sequencer = new StreamSequencer();
      seal0(sequencer, pending, streamOpen(options, filter));
    }
    if (pending.length === 0) pendingFirstSeq = sequencer.nextSeq;
    seal0(sequencer, pending, record);
    if (pending.length >= pageSize) await flush();
  };

  let after: StreamPosition | undefined;
  for (;;) {
    const page = await store.scan(filter, { limit: pageSize, ...(after ? { after } : {}) });
    if (page.length === 0) break;
    after = { stream_id: page.at(-1)!.stream_id, seq: page.at(-1)!.seq };
    const corrections = new Map((await store.latestCorrections(page.map((r) => ({ stream_id: r.stream_id, seq: r.seq })))).map((c) => [positionKey(c), c]));
    for (const r of page) {
      checked++;
      const model = r.response_model ?? r.request_model ?? '';
      const m = models.get(model) ?? { calls: 0, corrected: 0, before: 0n, after: 0n };
      models.set(model, m);
      m.calls++;
      const latest = corrections.get(positionKey(r));
      const current = latest ? { cost_usd: latest.cost_usd, price_source: latest.price_source } : { cost_usd: r.cost_usd, price_source: r.price_source };
      const next = options.pricer.price(r.provider, r.response_model ?? r.request_model, r.usage, callTime(r));
      if (next.cost_usd === null || next.price_source === null) {
        unpriced++;
        continue;
      }
      const before = current.cost_usd === null ? null : usdToUnits(current.cost_usd);
      const nextUnits = usdToUnits(next.cost_usd)!;
      if (before === nextUnits) {
        unchanged++;
        continue;
      }
      m.corrected++;
      m.before += before ?? 0n;
      m.after += nextUnits;
      if (!dryRun) {
        await seal(
          costCorrection({
            target: r,
            old: current,
            cost_usd: next.cost_usd,
            price_source: next.price_source,
            reason: options.reason ?? `reprice with ${next.price_source}`,
            service: WRITER,
          }),
        );
      }
    }
    options.onProgress?.({ checked, corrected: checked - unchanged - unpriced });
    if (page.length < pageSize) break;
  }
  await flush();

  const byModel = [...models.entries()]
    .map(([model, m]) => ({ model, calls: m.calls, corrected: m.corrected, cost_before_usd: unitsToUsd(m.before), cost_after_usd: unitsToUsd(m.after), delta: m.after - m.before }))
    .sort((a, b) => (a.delta < b.delta ? 1 : a.delta > b.delta ? -1 : a.model.localeCompare(b.model)))
    .map(({ delta: _, ...rest }) => rest);
  return {
    dry_run: dryRun,
    stream_id: sequencer?.streamId ?? null,
    checked,
    corrected: checked - unchanged - unpriced,
    unchanged,
    unpriced,
    written,
    cost_before_usd: unitsToUsd([...models.values()].reduce((n, m) => n + m.before, 0n)),
    cost_after_usd: unitsToUsd([...models.values()].reduce((n, m) => n + m.after, 0n)),
    by_model: byModel,
  };
}

const WRITER = { name: 'auditrail reprice', version: PACKAGE_VERSION, environment: null };

function seal0(sequencer: StreamSequencer, into: string[], record: UnsealedRecord): void {
  into.push(sequencer.seal(record).canonical);
}

/** The first event of a reprice stream: who wrote it, with which prices, over which calls. */
function streamOpen(options: RepriceOptions, filter: EventFilter): UnsealedRecord {
  const f = filter;
  return ownEvent({
    event_type: 'audit.stream_open',
    tenant_id: f.tenant ?? 'default',
    service: WRITER,
    data: {
      writer: '@auditrail/cli reprice',
      writer_version: PACKAGE_VERSION,
      price_sources: [...options.sources],
      filter: {
        since: f.since?.toISOString() ?? null,
        until: f.until?.toISOString() ?? null,
        model: f.model ?? null,
        tenant: f.tenant ?? null,
        user: f.user ?? null,
      },
    },
  });
}

/** Appends a batch, retrying a failed write with the same token (a retry never duplicates it). */
async function appendWithRetry(store: Store, batch: EventBatch): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.append(batch);
    } catch (e) {
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
