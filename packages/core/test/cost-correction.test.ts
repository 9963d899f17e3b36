import { describe, expect, it } from 'vitest';
import { auditRecordSchema, costCorrection, costCorrectionDataSchema, OWN_EVENT_TYPES, StreamSequencer } from '../src/index.ts';
import { expectedOwnEvent, unsealed } from './fixtures.ts';

describe('cost.correction', () => {
  const target = new StreamSequencer({ streamId: 'app-1' }).seal(unsealed({ cost_usd: '0.000027', price_source: 'old-prices@1' })).record;
  const service = { name: 'auditrail reprice', version: '0.1.0', environment: null };

  it('names the corrected event, the old and new cost and source, and carries its tenant and models only', () => {
    const c = costCorrection({ target, old: target, cost_usd: '0.00003', price_source: 'new-prices@2', reason: 'reprice with new-prices@2', service });
    expect(c).toEqual(
      expectedOwnEvent({
        event_type: 'cost.correction',
        name: 'cost.correction',
        tenant_id: 'acme',
        service,
        provider: 'openai',
        request_model: 'gpt-4o-mini',
        response_model: 'gpt-4o-mini-2024-07-18',
        cost_usd: '0.00003',
        price_source: 'new-prices@2',
        data: {
          corrects: { event_id: target.event_id, stream_id: 'app-1', seq: 0 },
          old_cost_usd: '0.000027',
          old_price_source: 'old-prices@1',
          new_cost_usd: '0.00003',
          new_price_source: 'new-prices@2',
          reason: 'reprice with new-prices@2',
        },
      }),
    );
    const sealed = new StreamSequencer({ streamId: 'reprice-1' }).seal(c);
    expect(auditRecordSchema.parse(JSON.parse(sealed.canonical))).toEqual(sealed.record);
  });

  it('refuses a correction without a new cost or reason', () => {
    expect(() => costCorrection({ target, old: target, cost_usd: '-1', price_source: 'x', reason: 'r', service })).toThrow(/new_cost_usd/);
    expect(() => costCorrection({ target, old: target, cost_usd: '1', price_source: 'x', reason: '', service })).toThrow(/reason/);
    expect(costCorrectionDataSchema.safeParse({}).success).toBe(false);
  });

  it('is one of the event types only auditrail writes', () => {
    expect([...OWN_EVENT_TYPES].sort()).toEqual(['audit.erasure', 'audit.load_shed', 'audit.retention_purge', 'audit.stream_open', 'cost.correction']);
  });
});
