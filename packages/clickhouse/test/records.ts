import { type EventBatch, type SealedRecord, StreamSequencer, type UnsealedRecord } from '@auditrail/core';
import { unsealed } from '../../core/test/fixtures.ts';

/** A complete unsealed LLM-call record of user alice; tests override what they look at. */
export function llmCall(overrides: Partial<UnsealedRecord> = {}): UnsealedRecord {
  return unsealed({ user_id: 'alice', ...overrides });
}

/** Seals records into one stream at fixed microsecond times (one millisecond apart from `startMicros`). */
export function sealAll(records: UnsealedRecord[], streamId = 'stream-1', startMicros = Date.UTC(2026, 10, 24, 12) * 1000): SealedRecord[] {
  let t = startMicros;
  const seq = new StreamSequencer({ streamId, clock: () => (t += 1000) });
  return records.map((r) => seq.seal(r));
}

export function batchOf(sealed: SealedRecord[], token = `${sealed[0]!.record.stream_id}:${sealed[0]!.record.seq}`): EventBatch {
  return { token, records: sealed.map((s) => s.canonical), payloads: [] };
}
