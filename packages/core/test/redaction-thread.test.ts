import { describe, expect, it } from 'vitest';
import { ownEvent, payloadDigest, RedactionThread, type UnsealedRecord } from '../src/index.ts';

const FAULTY = new URL('./fixtures/faulty-redaction-worker.mjs', import.meta.url);

function event(name: string, note: string): { record: UnsealedRecord; payload: { [key: string]: string } } {
  const record = ownEvent({ event_type: 'error', name, tenant_id: 'acme', service: { name: 'support-bot', version: '1.4.2', environment: 'prod' }, data: {} });
  record.attributes = { 'app.note': note, 'app.order': 'A-1042' };
  record.user_id = 'jane.roe@example.com';
  return { record, payload: { 'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: `${note} (reply to ops@example.org)` }]) } };
}

function recorder() {
  const lines: string[] = [];
  return { lines, logger: { warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) } };
}

describe('RedactionThread', () => {
  it('redacts in a worker thread, in order, changing only what it must', async () => {
    const thread = new RedactionThread({});
    try {
      const batches = [0, 1, 2].map((b) => [event(`call ${b}`, `call me on +44 20 7946 09${b}8`), event(`call ${b}b`, 'nothing to see')]);
      const results = await Promise.all(batches.map((items) => thread.redact(items)));
      for (const [b, items] of batches.entries()) {
        const [first, second] = items;
        expect(first!.record.attributes).toEqual({ 'app.note': 'call me on [PHONE]', 'app.order': 'A-1042' });
        expect(first!.record.user_id).toBe('[EMAIL]');
        expect(first!.record.name).toBe(`call ${b}`);
        expect(first!.record.redaction?.counts).toEqual({ EMAIL: 2, PHONE: 2 });
        // The payload comes back redacted and sealed: its canonical content and the commitment to it.
        const sealed = results[b]![0]!;
        expect(JSON.parse(JSON.parse(sealed.content)['gen_ai.input.messages'])).toEqual([{ role: 'user', content: 'call me on [PHONE] (reply to [EMAIL])' }]);
        expect(sealed.digest).toBe(payloadDigest(sealed.nonce, sealed.content));
        expect(second!.record.attributes).toEqual({ 'app.note': 'nothing to see', 'app.order': 'A-1042' });
        // The stored content only: digests and nonces are random hex, and may hold any digits.
        expect(JSON.stringify(results[b]!.map((r) => r?.content))).not.toMatch(/7946|example\.(com|org)/);
      }
      expect(thread.pending).toBe(0);
    } finally {
      await thread.close();
    }
  });

  it('replaces a worker that dies, sends its jobs again, and fails closed the job it died on twice', async () => {
    const log = recorder();
    const thread = new RedactionThread({}, { workerUrl: FAULTY, logger: log.logger });
    try {
      const before = [event('fine', 'mail jane@example.com')];
      const killer = [event('kill-the-worker', 'mail jane@example.com'), event('fine too', 'card 4111 1111 1111 1111')];
      const after = [event('still fine', 'call +1 415 555 0132')];
      const [a, k, z] = await Promise.all([thread.redact(before), thread.redact(killer), thread.redact(after)]);
      expect(before[0]!.record.attributes['app.note']).toBe('mail [EMAIL]');
      expect(a[0]).not.toBeNull();
      expect(after[0]!.record.attributes['app.note']).toBe('call [PHONE]');
      expect(z[0]).not.toBeNull();
      // Nothing of the job that killed two workers is kept but the record's frame.
      expect(k).toEqual([null, null]);
      for (const { record } of killer) {
        expect(record.attributes).toEqual({});
        expect(record.user_id).toBeNull();
        expect(record.redaction).toEqual({ counts: {}, digests: {}, dropped: [], failed: ['*'], truncated: [] });
      }
      expect(log.lines.filter((l) => l.startsWith('error auditrail: redaction worker stopped'))).toHaveLength(2);
      expect(log.lines.some((l) => l.includes('2 events could not be redacted'))).toBe(true);
    } finally {
      await thread.close();
    }
  });

  it('gives up on a worker that does not answer within the job timeout', async () => {
    const log = recorder();
    const thread = new RedactionThread({}, { workerUrl: FAULTY, jobTimeoutMillis: 300, logger: log.logger });
    try {
      const hung = [event('hang-the-worker', 'mail jane@example.com')];
      expect(await thread.redact(hung)).toEqual([null]);
      expect(hung[0]!.record.redaction?.failed).toEqual(['*']);
      expect(log.lines.filter((l) => l.includes('no answer within 300 ms'))).toHaveLength(2);
      const next = [event('fine', 'mail jane@example.com')];
      await thread.redact(next);
      expect(next[0]!.record.attributes['app.note']).toBe('mail [EMAIL]');
    } finally {
      await thread.close();
    }
  });

  it('redacts on the calling thread, with a warning, when no worker can start', async () => {
    const log = recorder();
    const thread = new RedactionThread({}, { workerUrl: new URL('./fixtures/no-such-worker.mjs', import.meta.url), logger: log.logger });
    try {
      const items = [event('fine', 'mail jane@example.com')];
      await thread.redact(items);
      expect(items[0]!.record.attributes['app.note']).toBe('mail [EMAIL]');
      expect(log.lines.filter((l) => l.startsWith('warn auditrail: redaction runs on the app'))).toHaveLength(1);
      expect(thread.inWorker).toBe(false);
    } finally {
      await thread.close();
    }
  });

  it('redacts here what cannot cross to the worker (a value structured clone refuses), with a warning', async () => {
    const log = recorder();
    const thread = new RedactionThread({}, { logger: log.logger });
    try {
      const item = event('fine', 'mail jane@example.com');
      (item.record.attributes as Record<string, unknown>)['app.callback'] = () => 'not data';
      await thread.redact([item]);
      expect(item.record.attributes['app.note']).toBe('mail [EMAIL]');
      expect(log.lines.filter((l) => l.startsWith("warn auditrail: redacting a batch on the app's thread"))).toHaveLength(1);
      // Only that batch: the next goes to the worker again.
      const next = [event('fine', 'mail jane@example.com')];
      await thread.redact(next);
      expect(thread.inWorker).toBe(true);
      expect(next[0]!.record.attributes['app.note']).toBe('mail [EMAIL]');
    } finally {
      await thread.close();
    }
  });

  it('refuses a bad configuration when it is created', () => {
    expect(() => new RedactionThread({ pii: { EMAIL: 'pseudonymize' } })).toThrow(/pii\.EMAIL: pseudonymize needs a key/);
  });
});
