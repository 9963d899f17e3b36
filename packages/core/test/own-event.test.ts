import { describe, expect, it } from 'vitest';
import { auditRecordSchema, ownEvent, StreamSequencer } from '../src/index.ts';
import { expectedOwnEvent } from './fixtures.ts';

describe('ownEvent', () => {
  const service = { name: 'auditrail reprice', version: '0.1.0', environment: null };

  it('states the type, tenant, writer and data, named after its type, and null everywhere else', () => {
    const r = ownEvent({ event_type: 'audit.stream_open', tenant_id: 'acme', service, data: { writer: '@auditrail/cli reprice', price_sources: ['a@1'] } });
    expect(r).toEqual(
      expectedOwnEvent({ event_type: 'audit.stream_open', name: 'audit.stream_open', tenant_id: 'acme', service, data: { writer: '@auditrail/cli reprice', price_sources: ['a@1'] } }),
    );
    const sealed = new StreamSequencer({ streamId: 'own-1' }).seal(r);
    expect(auditRecordSchema.parse(JSON.parse(sealed.canonical))).toEqual(sealed.record);
  });

  it('states every field it is given as given: a name, an error status and type, the call and cost the event is about', () => {
    const fields = {
      event_type: 'error',
      name: '',
      tenant_id: 't1',
      service,
      status: 'error',
      error_type: 'auditrail.conversion',
      provider: 'openai',
      request_model: 'gpt-4o-mini',
      response_model: 'gpt-4o-mini-2024-07-18',
      cost_usd: '0.1',
      price_source: 'p@1',
      data: { reason: 'r' },
    } as const;
    expect(ownEvent(fields)).toEqual(expectedOwnEvent(fields));
  });

  it('gives every event a new id', () => {
    const input = { event_type: 'audit.load_shed', tenant_id: 'acme', service, data: {} } as const;
    expect(ownEvent(input).event_id).not.toBe(ownEvent(input).event_id);
  });
});
