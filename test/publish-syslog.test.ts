import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  CheckpointPublisher,
  checkpointOrigin,
  type CheckpointRecord,
  checkpointSinkFromUrl,
  generateKeys,
  parseCheckpointLog,
  parseSignerKey,
  rootOf,
  signCheckpoint,
} from '@auditrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rsyslog, type RsyslogInput, startRsyslog } from './support/rsyslog.ts';

/**
 * Checkpoints published to a real rsyslog daemon over TCP (RFC 6587 octet counting) and UDP, read
 * back from the file it writes. The daemon is started (and, when missing, installed) by the test;
 * when it cannot be had, the test fails: it is not skipped.
 */

let rsyslog: Rsyslog | undefined;
// Installing rsyslog with apt-get can take minutes on a cold package index.
beforeAll(async () => {
  rsyslog = await startRsyslog();
}, 600_000);
afterAll(async () => {
  await rsyslog?.stop();
});

const signer = parseSignerKey(generateKeys('audit.example.org').signerKey);

/** Real signed checkpoints of one stream at sizes 1..count. */
function checkpoints(streamId: string, count: number): CheckpointRecord[] {
  const leaves = Array.from({ length: count }, (_, i) => createHash('sha256').update(`${streamId}/${i}`).digest());
  return leaves.map((_, i) => signCheckpoint(signer, { streamId, origin: checkpointOrigin(signer.name, streamId), size: i + 1, root: rootOf(leaves.slice(0, i + 1)) }));
}

/** The file's records once it holds `count` (a bounded wait: a UDP datagram may never come). */
async function arrived(file: string, count: number): Promise<ReturnType<typeof parseCheckpointLog>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const log = parseCheckpointLog(existsSync(file) ? readFileSync(file, 'utf8') : '');
    if (log.records.length + log.skipped.length >= count) return log;
    if (Date.now() > deadline) throw new Error(`rsyslog wrote ${log.records.length} of ${count} checkpoints to ${file} within 20 s (skipped lines: ${JSON.stringify(log.skipped)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each([['tcp'], ['udp']] as const)('checkpoints published to rsyslog over %s', (protocol) => {
  it('arrive as sent: every record, in order, notes byte for byte', async () => {
    const input: RsyslogInput = rsyslog![protocol];
    const publisher = new CheckpointPublisher([checkpointSinkFromUrl(`syslog+${protocol}://127.0.0.1:${input.port}`)], { retryBackoffMillis: 50 });
    const sent = checkpoints(`${protocol}-stream`, 6);
    for (const r of sent) publisher.publish(r);
    await publisher.close(10_000);
    expect(publisher.stats().sinks).toEqual([{ name: `syslog+${protocol}://127.0.0.1:${input.port}`, published: 6, failedAttempts: 0, pending: 0, dropped: 0 }]);

    const log = await arrived(input.messages, sent.length);
    expect(log).toEqual({ records: sent, skipped: [] });
    expect(log.records.map((r) => Buffer.from(r.note, 'utf8').toString('hex'))).toEqual(sent.map((r) => Buffer.from(r.note, 'utf8').toString('hex')));

    // rsyslog parsed each header as RFC 5424: facility 13 (log audit) × 8 + info, version 1, our names, MSGID checkpoint.
    await arrived(input.fields, sent.length);
    const fields = readFileSync(input.fields, 'utf8').trimEnd().split('\n');
    expect(fields.map((l) => l.split(' ').slice(0, 6).join(' '))).toEqual(sent.map(() => `110 1 ${hostname()} auditrail ${process.pid} checkpoint`));
  });
});
