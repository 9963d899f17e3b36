import { describe, expect, it } from 'vitest';
import { auditRecordSchema, erasedPayloadsOf, erasureEvent, MAX_ERASED_PAYLOADS, OWN_EVENT_TYPES, StreamSequencer } from '../src/index.ts';
import { expectedOwnEvent } from './fixtures.ts';

describe('audit.erasure and audit.retention_purge', () => {
  const service = { name: 'auditrail erase', version: '0.1.0', environment: null };
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const payloads = [
    { stream_id: 'app-1', seq: 7, digest: digest('a') },
    { stream_id: 'app-2', seq: 0, digest: digest('b') },
  ];

  it('names the payload rows it removes, why, and for whom, and nothing else', () => {
    const r = erasureEvent({ event_type: 'audit.erasure', tenant_id: 'acme', service, reason: 'GDPR art. 17 request #4711', subject: 'ticket-4711', payloads });
    expect(r).toEqual(
      expectedOwnEvent({
        event_type: 'audit.erasure',
        name: 'audit.erasure',
        tenant_id: 'acme',
        service,
        data: {
          payloads: [
            { digest: digest('a'), seq: 7, stream_id: 'app-1' },
            { digest: digest('b'), seq: 0, stream_id: 'app-2' },
          ],
          reason: 'GDPR art. 17 request #4711',
          subject: 'ticket-4711',
        },
      }),
    );
    const sealed = new StreamSequencer({ streamId: 'erase-1' }).seal(r);
    // The data is built in canonical key order: what is built is what is hashed and stored.
    expect(sealed.canonical).toContain(`"data":${JSON.stringify(r.data)}`);
    expect(auditRecordSchema.parse(JSON.parse(sealed.canonical))).toEqual(sealed.record);
    expect(erasedPayloadsOf(JSON.parse(sealed.canonical) as { event_type: string; data: unknown })).toEqual(payloads);
  });

  it('writes a retention purge without a subject', () => {
    const r = erasureEvent({ event_type: 'audit.retention_purge', tenant_id: 'acme', service, reason: 'retention 90 days', payloads: payloads.slice(0, 1) });
    expect(r.data).toEqual({ payloads: [{ digest: digest('a'), seq: 7, stream_id: 'app-1' }], reason: 'retention 90 days', subject: null });
    expect(erasedPayloadsOf(r)).toEqual(payloads.slice(0, 1));
  });

  it('refuses an erasure that names nothing, too much, a bad digest or position, or gives no reason', () => {
    const base = { event_type: 'audit.erasure', tenant_id: 'acme', service, reason: 'r', payloads } as const;
    expect(() => erasureEvent({ ...base, payloads: [] })).toThrow(/payloads/);
    const many = Array.from({ length: MAX_ERASED_PAYLOADS + 1 }, (_, seq) => ({ stream_id: 'app-1', seq, digest: digest('c') }));
    expect(() => erasureEvent({ ...base, payloads: many })).toThrow(/payloads/);
    expect(() => erasureEvent({ ...base, payloads: [{ stream_id: 'app-1', seq: 1, digest: 'sha256:ABC' }] })).toThrow(/digest/);
    expect(() => erasureEvent({ ...base, payloads: [{ stream_id: "app'; DROP", seq: 1, digest: digest('a') }] })).toThrow(/stream_id/);
    expect(() => erasureEvent({ ...base, payloads: [{ stream_id: 'app-1', seq: -1, digest: digest('a') }] })).toThrow(/seq/);
    expect(() => erasureEvent({ ...base, reason: '' })).toThrow(/reason/);
  });

  it('reads nothing from other events or odd data, and skips entries that are not a position and digest', () => {
    expect(erasedPayloadsOf({ event_type: 'llm.completion', data: { payloads } })).toEqual([]);
    for (const data of [undefined, null, 'x', 42, [], {}, { payloads: null }, { payloads: 'x' }, { payloads: {} }]) {
      expect(erasedPayloadsOf({ event_type: 'audit.erasure', data })).toEqual([]);
    }
    const entries = [null, 'x', { seq: 1 }, { stream_id: 'app-1', seq: '1', digest: digest('a') }, { stream_id: 'app-3', seq: 2, digest: digest('d'), later_field: true }];
    expect(erasedPayloadsOf({ event_type: 'audit.retention_purge', data: { payloads: entries } })).toEqual([{ stream_id: 'app-3', seq: 2, digest: digest('d') }]);
  });

  it('is written by auditrail only: an app span cannot claim to be one', () => {
    expect(OWN_EVENT_TYPES.has('audit.erasure')).toBe(true);
    expect(OWN_EVENT_TYPES.has('audit.retention_purge')).toBe(true);
  });
});
