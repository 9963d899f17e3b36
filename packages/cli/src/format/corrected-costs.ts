import type { Store } from '@auditrail/clickhouse';
import type { AuditRecord } from '@auditrail/core';

/** Latest corrected cost per event (`stream_id` newline `seq` → decimal USD). Records never change; corrections are events. */
export type CorrectedCosts = ReadonlyMap<string, string>;

export function positionKey(e: { stream_id: string; seq: number }): string {
  return `${e.stream_id}\n${e.seq}`;
}

/** The corrected costs of the LLM calls among `events` (one query, reading only granules that hold corrections). */
export async function correctedCosts(store: Store, events: readonly AuditRecord[]): Promise<CorrectedCosts> {
  const calls = events.filter((e) => e.event_type.startsWith('llm.'));
  const rows = await store.latestCorrections(calls.map((e) => ({ stream_id: e.stream_id, seq: e.seq })));
  return new Map(rows.map((r) => [positionKey(r), r.cost_usd]));
}
