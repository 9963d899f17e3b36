import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  AuditrailError,
  CheckpointPublisher,
  checkpointOrigin,
  type CheckpointRecord,
  type CheckpointSink,
  checkpointSinkFromUrl,
  FileCheckpointSink,
  formatCheckpointLine,
  generateKeys,
  HttpCheckpointSink,
  parseCheckpointLog,
  parseSignerKey,
  rootOf,
  signCheckpoint,
  SyslogCheckpointSink,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'auditrail-publish-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const signer = parseSignerKey(generateKeys('log.example.com').signerKey);

/** A real signed checkpoint of `streamId` at `size` (leaves derived from the stream and position). */
function checkpoint(streamId: string, size: number, s = signer, prefix = s.name): CheckpointRecord {
  const leaves = Array.from({ length: size }, (_, i) => createHash('sha256').update(`${streamId}/${i}`).digest());
  return signCheckpoint(s, { streamId, origin: checkpointOrigin(prefix, streamId), size, root: rootOf(leaves) }, 1_767_225_600_000_000 + size);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds; fails with `what` after `timeoutMillis` (a bound, not a timing assertion). */
async function until(what: string, check: () => boolean, timeoutMillis = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMillis} ms for ${what}`);
    await sleep(10);
  }
}

function captureLogger() {
  const logs = { warn: [] as string[], error: [] as string[] };
  return { logs, logger: { warn: (m: string) => void logs.warn.push(m), error: (m: string) => void logs.error.push(m) } };
}

/** A sink under the test's control: it can fail or hang. */
class FakeSink implements CheckpointSink {
  readonly name: string;
  fail = false;
  hang = false;
  calls = 0;
  closed = false;
  readonly delivered: CheckpointRecord[] = [];
  constructor(name: string) {
    this.name = name;
  }
  async publish(records: readonly CheckpointRecord[]): Promise<void> {
    this.calls++;
    if (this.hang) return new Promise<void>(() => undefined);
    if (this.fail) throw new Error(`${this.name} is down`);
    this.delivered.push(...records);
  }
  async close(): Promise<void> {
    if (this.hang) return new Promise<void>(() => undefined);
    this.closed = true;
  }
}

describe('checkpoint lines', () => {
  it('are one line of ASCII JSON, keys in order, and read back as the same record', () => {
    const r = checkpoint('proc-1', 5);
    expect(r.note).toContain('\n\n\u2014 log.example.com ');
    const line = formatCheckpointLine(r);
    expect(line).toMatch(/^[\x20-\x7e]+$/);
    expect(line).toContain('\\n\\n\\u2014 log.example.com ');
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['stream_id', 'origin', 'size', 'root', 'note', 'signed_at']);
    expect(JSON.parse(line)).toEqual(r);
    expect(parseCheckpointLog(line)).toEqual({ records: [r], skipped: [] });
  });

  it('escape every character a syslog daemon could change, and keep the note byte for byte', () => {
    // A key name and an origin with quotes, backslashes, braces, 8-bit, astral and control-like characters.
    const odd = parseSignerKey(generateKeys('k\u00e9y-\u20ac-\u{1f600}"\\{x}').signerKey);
    const r = checkpoint('s.1:a_b-c', 3, odd, 'we"ird\\{}/\u00fcn\u00ef\u0085\u007f\u200bx');
    const line = formatCheckpointLine(r);
    expect(line).toMatch(/^[\x20-\x7e]+$/);
    expect(line).toContain('\\ud83d\\ude00');
    expect(line).toContain('\\u0085\\u007f\\u200b');
    const back = parseCheckpointLog(`<110>1 2026-01-01T00:00:00Z h auditrail 1 checkpoint - ${line}\n`).records;
    expect(back).toEqual([r]);
    expect(Buffer.from(back[0]!.note, 'utf8').equals(Buffer.from(r.note, 'utf8'))).toBe(true);
  });

  it('are refused for a record that is not well-formed (it would not read back)', () => {
    const r = checkpoint('proc-1', 5);
    expect(() => formatCheckpointLine({ ...r, size: 6 })).toThrow(new AuditrailError('INVALID_RECORD', 'not a checkpoint record: size: the note\'s size is 5'));
  });
});

describe('parseCheckpointLog', () => {
  it('reads lines behind syslog prefixes and reports every other line with its reason', () => {
    const [a, b, c, d] = [checkpoint('s1', 1), checkpoint('s1', 2), checkpoint('s2', 7), checkpoint('s2', 8)];
    const line = (r: CheckpointRecord) => formatCheckpointLine(r);
    const json = (r: CheckpointRecord, over: Record<string, unknown>) => JSON.stringify({ ...r, ...over });
    const text = [
      line(a),
      '2026-05-01T10:00:00.123456+00:00 app-host-7 auditrail[4242]: ' + line(b),
      '',
      'hello, world',
      `<110>1 2026-05-01T10:00:01.5Z app-host-7 auditrail 4242 checkpoint - ${line(c)}\r`,
      '   ',
      line(d).slice(0, 80),
      '{not json}',
      json(a, { size: -1 }),
      json(a, { size: 2 ** 53 }),
      json(a, { size: 1.5 }),
      json(a, { root: a.root.toUpperCase() }),
      json(a, { root: b.root }),
      json(a, { origin: 'other.example/s1' }),
      json(a, { stream_id: 's9' }),
      json(a, { note: 'not a note\n' }),
      json(a, { signed_at: 'yesterday' }),
      JSON.stringify({ stream_id: 's1' }),
      line(d),
      '',
    ].join('\n');
    expect(parseCheckpointLog(text)).toEqual({
      records: [a, b, c, d],
      skipped: [
        { line: 4, reason: 'no JSON object on the line' },
        { line: 7, reason: 'no JSON object on the line' },
        { line: 8, reason: expect.stringMatching(/^not JSON: /) },
        { line: 9, reason: 'size: must be a non-negative safe integer' },
        { line: 10, reason: 'size: must be a non-negative safe integer' },
        { line: 11, reason: 'size: must be a non-negative safe integer' },
        { line: 12, reason: 'root: must be 64 lowercase hex digits' },
        { line: 13, reason: `root: the note's root is ${a.root}` },
        { line: 14, reason: `origin: the note's origin is "log.example.com/s1"` },
        { line: 15, reason: 'origin: does not name stream "s9"' },
        { line: 16, reason: 'note: signed note has no blank line before its signatures' },
        { line: 17, reason: 'signed_at: must be an RFC 3339 UTC time (…T…Z)' },
        { line: 18, reason: expect.stringMatching(/^origin: .*; size: .*; root: .*; note: .*; signed_at: /) },
      ],
    });
  });
});

describe('FileCheckpointSink', () => {
  it('appends one line per checkpoint, creating the file (0640) and its directory, and syncs each publication', async () => {
    const path = join(dir, 'new', 'sub', 'checkpoints.jsonl');
    const probe = await open(join(dir, 'probe'), 'w');
    const sync = vi.spyOn(Object.getPrototypeOf(probe) as { sync(): Promise<void> }, 'sync');
    await probe.close();
    try {
      const [r1, r2, r3] = [checkpoint('s1', 1), checkpoint('s1', 2), checkpoint('s1', 3)];
      const sink = new FileCheckpointSink(path);
      expect(sink.name).toBe(`file:${path}`);
      await sink.publish([r1]);
      await sink.publish([r2, r3]);
      expect(sync).toHaveBeenCalledTimes(2);
      expect(readFileSync(path, 'utf8')).toBe([r1, r2, r3].map((r) => `${formatCheckpointLine(r)}\n`).join(''));
      expect(statSync(path).mode & 0o777).toBe(0o640);
    } finally {
      sync.mockRestore();
    }
  });

  it('never overwrites what the file holds', async () => {
    const path = join(dir, 'existing.jsonl');
    writeFileSync(path, 'written by someone else\n');
    const r = checkpoint('s1', 4);
    await new FileCheckpointSink(path).publish([r]);
    await new FileCheckpointSink(path).publish([r]);
    expect(readFileSync(path, 'utf8')).toBe(`written by someone else\n${formatCheckpointLine(r)}\n${formatCheckpointLine(r)}\n`);
  });

  it('keeps every line whole when two publishers append to the same file', async () => {
    const path = join(dir, 'shared.jsonl');
    const a = new CheckpointPublisher([new FileCheckpointSink(path)]);
    const b = new CheckpointPublisher([new FileCheckpointSink(path)]);
    const fromA = Array.from({ length: 40 }, (_, i) => checkpoint('writer-a', i + 1));
    const fromB = Array.from({ length: 40 }, (_, i) => checkpoint('writer-b', i + 1));
    for (let i = 0; i < 40; i++) {
      a.publish(fromA[i]!);
      b.publish(fromB[i]!);
      if (i % 10 === 9) await sleep(1);
    }
    await Promise.all([a.close(10_000), b.close(10_000)]);
    const { records, skipped } = parseCheckpointLog(readFileSync(path, 'utf8'));
    expect(skipped).toEqual([]);
    expect(records.filter((r) => r.stream_id === 'writer-a')).toEqual(fromA);
    expect(records.filter((r) => r.stream_id === 'writer-b')).toEqual(fromB);
    expect(records.length).toBe(80);
  });
});

/** An HTTP endpoint on loopback that answers with the statuses it is given (then 200), recording every request. */
class Endpoint {
  readonly requests: { body: string; status: number; headers: IncomingHttpHeaders }[] = [];
  readonly statuses: number[] = [];
  readonly server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => void (body += c));
    req.on('end', () => {
      const status = this.statuses.shift() ?? 200;
      this.requests.push({ body, status, headers: req.headers });
      res.writeHead(status).end();
    });
  });

  listen(port = 0): Promise<number> {
    return new Promise((ok) => this.server.listen(port, '127.0.0.1', () => ok((this.server.address() as AddressInfo).port)));
  }

  /** The records it accepted (status 2xx), in the order it got them. */
  accepted(): CheckpointRecord[] {
    return this.requests.filter((r) => r.status < 300).map((r) => JSON.parse(r.body) as CheckpointRecord);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((ok) => this.server.close(() => ok()));
  }
}

const endpoints: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});
async function endpoint(port = 0): Promise<{ e: Endpoint; port: number }> {
  const e = new Endpoint();
  endpoints.push(e);
  return { e, port: await e.listen(port) };
}

// Fake credentials, shaped like real ones.
const BEARER = 'Bearer atr_live_7Qm2xK9vTcP4wLs8ZbN3yRf6';
const PASSWORD = 'Xk8#pW2q!fake';

describe('HttpCheckpointSink', () => {
  it('POSTs each checkpoint as JSON, with the configured authorization, and a name without secrets', async () => {
    const { e, port } = await endpoint();
    const [r1, r2] = [checkpoint('s1', 1), checkpoint('s1', 2)];
    const basic = new HttpCheckpointSink({ url: `http://auditrail:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/v1/checkpoints?key=k-123` });
    expect(basic.name).toBe(`http://***@127.0.0.1:${port}/v1/checkpoints?key=***`);
    await basic.publish([r1]);
    const bearer = new HttpCheckpointSink({ url: `http://127.0.0.1:${port}/v1/checkpoints`, headers: { Authorization: BEARER } });
    await bearer.publish([r2]);
    expect(e.requests.map((r) => [r.body, r.headers['content-type'], r.headers.authorization])).toEqual([
      [formatCheckpointLine(r1), 'application/json', `Basic ${Buffer.from(`auditrail:${PASSWORD}`).toString('base64')}`],
      [formatCheckpointLine(r2), 'application/json', BEARER],
    ]);
    expect(e.accepted()).toEqual([r1, r2]);
  });

  it('fails a publication on any non-2xx status, naming it', async () => {
    const { e, port } = await endpoint();
    e.statuses.push(503, 308);
    const sink = new HttpCheckpointSink({ url: `http://127.0.0.1:${port}/`, headers: { authorization: BEARER } });
    await expect(sink.publish([checkpoint('s1', 1)])).rejects.toThrow(`http://127.0.0.1:${port}/: HTTP 503 Service Unavailable`);
    await expect(sink.publish([checkpoint('s1', 1)])).rejects.toThrow(/HTTP 308 .*redirects are not followed/);
  });

  it('is refused at construction for a header value fetch would reject, without quoting the value', () => {
    expect(() => new HttpCheckpointSink({ url: 'https://h.example/', headers: { authorization: `${BEARER}\nx` } })).toThrow(
      new AuditrailError('INVALID_CONFIG', 'HTTP checkpoint sink https://h.example/: header "authorization" has an invalid name or value (the value is not shown)'),
    );
  });
});

describe('CheckpointPublisher', () => {
  it('retries a failed publication (503, then 200): counted, delivered once, in order, failure and recovery logged once', async () => {
    const { e, port } = await endpoint();
    e.statuses.push(503);
    const { logs, logger } = captureLogger();
    const sink = new HttpCheckpointSink({ url: `http://127.0.0.1:${port}/c`, headers: { authorization: BEARER } });
    const publisher = new CheckpointPublisher([sink], { retryBackoffMillis: 20, logger });
    const records = [checkpoint('s1', 1), checkpoint('s1', 2), checkpoint('s1', 3)];
    for (const r of records) publisher.publish(r);
    await publisher.flush(10_000);
    expect(publisher.stats()).toEqual({ sinks: [{ name: `http://127.0.0.1:${port}/c`, published: 3, failedAttempts: 1, pending: 0, dropped: 0 }], rejected: 0 });
    expect(e.accepted()).toEqual(records);
    expect(e.requests.map((r) => r.status)).toEqual([503, 200, 200, 200]);
    expect(logs).toEqual({
      error: [`auditrail: checkpoint sink http://127.0.0.1:${port}/c failed, retrying with backoff: HTTP 503 Service Unavailable`],
      warn: [`auditrail: checkpoint sink http://127.0.0.1:${port}/c recovered; publishing resumed`],
    });
    expect(JSON.stringify(logs)).not.toContain('atr_live');
    await publisher.close(1_000);
  });

  it('keeps checkpoints while the endpoint is down, without holding up publish(), and delivers them when it is up', async () => {
    const { e: probe, port } = await endpoint();
    await probe.close();
    const { logs, logger } = captureLogger();
    const publisher = new CheckpointPublisher([new HttpCheckpointSink({ url: `http://127.0.0.1:${port}/` })], { retryBackoffMillis: 20, maxBackoffMillis: 100, logger });
    const records = [checkpoint('s1', 1), checkpoint('s1', 2), checkpoint('s1', 3)];
    // publish() returns before any I/O: nothing has been attempted when it returns.
    expect(records.map((r) => publisher.publish(r))).toEqual([undefined, undefined, undefined]);
    expect(publisher.stats().sinks[0]).toMatchObject({ published: 0, failedAttempts: 0, pending: 3 });
    await until('two failed attempts against the closed port', () => publisher.stats().sinks[0]!.failedAttempts >= 2);
    expect(publisher.stats().sinks[0]).toMatchObject({ published: 0, pending: 3, dropped: 0 });
    expect(logs.error).toEqual([expect.stringMatching(new RegExp(`^auditrail: checkpoint sink http://127.0.0.1:${port}/ failed, retrying with backoff: POST failed: fetch failed: .*ECONNREFUSED`))]);

    const { e } = await endpoint(port);
    await publisher.flush(10_000);
    expect(e.accepted()).toEqual(records);
    expect(publisher.stats().sinks[0]).toMatchObject({ published: 3, pending: 0, dropped: 0 });
    await publisher.close(1_000);
  });

  it('drops the oldest checkpoints past maxPending, counts them and warns once', async () => {
    const sink = new FakeSink('fake:down');
    sink.fail = true;
    const { logs, logger } = captureLogger();
    const publisher = new CheckpointPublisher([sink], { retryBackoffMillis: 5, maxBackoffMillis: 20, maxPending: 3, logger });
    const records = Array.from({ length: 6 }, (_, i) => checkpoint('s1', i + 1));
    for (const r of records.slice(0, 5)) publisher.publish(r);
    expect(publisher.stats().sinks[0]).toEqual({ name: 'fake:down', published: 0, failedAttempts: 0, pending: 3, dropped: 2 });
    await until('a failed attempt', () => sink.calls >= 1);
    publisher.publish(records[5]!);
    expect(publisher.stats().sinks[0]).toMatchObject({ pending: 3, dropped: 3 });
    sink.fail = false;
    await publisher.flush(10_000);
    expect(sink.delivered).toEqual(records.slice(3));
    expect(publisher.stats().sinks[0]).toMatchObject({ published: 3, pending: 0, dropped: 3 });
    expect(logs.warn).toEqual(['auditrail: checkpoint sink fake:down: more than 3 checkpoints pending; dropping the oldest (counted as dropped)', 'auditrail: checkpoint sink fake:down recovered; publishing resumed']);
    await publisher.close(1_000);
  });

  it('closes within its timeout when a sink hangs, without holding up the other sinks', async () => {
    const hung = new FakeSink('fake:hung');
    hung.hang = true;
    const healthy = new FakeSink('fake:ok');
    const { logs, logger } = captureLogger();
    const publisher = new CheckpointPublisher([hung, healthy], { logger });
    const r = checkpoint('s1', 1);
    publisher.publish(r);
    const outcome = await Promise.race([publisher.close(200).then(() => 'closed'), sleep(10_000).then(() => 'still closing after 10 s')]);
    expect(outcome).toBe('closed');
    expect(healthy).toMatchObject({ delivered: [r], closed: true });
    expect(logs.error).toEqual(['auditrail: checkpoint sink fake:hung: closed with 1 checkpoints not published']);
    publisher.publish(checkpoint('s1', 2));
    expect(publisher.stats()).toEqual({
      sinks: [
        { name: 'fake:hung', published: 0, failedAttempts: 0, pending: 1, dropped: 1 },
        { name: 'fake:ok', published: 1, failedAttempts: 0, pending: 0, dropped: 1 },
      ],
      rejected: 0,
    });
  });

  it('never throws into the caller: a malformed record is counted and logged, a throwing logger is ignored', () => {
    const sink = new FakeSink('fake:ok');
    const publisher = new CheckpointPublisher([sink], {
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
        error: () => {
          throw new Error('logger down');
        },
      },
    });
    expect(() => publisher.publish({ ...checkpoint('s1', 1), root: 'beef' })).not.toThrow();
    expect(() => publisher.publish(null as unknown as CheckpointRecord)).not.toThrow();
    expect(publisher.stats()).toEqual({ sinks: [{ name: 'fake:ok', published: 0, failedAttempts: 0, pending: 0, dropped: 0 }], rejected: 2 });
  });

  it('refuses bad options at construction, naming the key', () => {
    expect(() => new CheckpointPublisher([], { maxPending: 0 })).toThrow(new AuditrailError('INVALID_CONFIG', 'checkpoint publisher: maxPending: Too small: expected number to be >=1'));
    expect(() => new CheckpointPublisher([], { retryBackoffMillis: 500, maxBackoffMillis: 100 })).toThrow(/maxBackoffMillis: must not be less than retryBackoffMillis/);
  });
});

describe('SyslogCheckpointSink (loopback receivers; a real rsyslog is in test/publish-syslog.test.ts)', () => {
  const header = /^<110>1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z test-host auditrail \d+ checkpoint - /;

  it('sends RFC 5424 messages over TCP with octet-counting framing, and reconnects after a failed connection', async () => {
    const chunks: Buffer[] = [];
    const server = createTcpServer((s) => s.on('data', (c: Buffer) => void chunks.push(c)));
    const port = await new Promise<number>((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as AddressInfo).port)));
    await new Promise((ok) => server.close(ok));
    const sink = new SyslogCheckpointSink({ host: '127.0.0.1', port, protocol: 'tcp', hostname: 'test-host' });
    expect(sink.name).toBe(`syslog+tcp://127.0.0.1:${port}`);
    const records = [checkpoint('s1', 1), checkpoint('s1', 2), checkpoint('s1', 3)];
    await expect(sink.publish(records.slice(0, 1))).rejects.toThrow(`syslog+tcp://127.0.0.1:${port}: connect ECONNREFUSED`);
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
    try {
      await sink.publish(records.slice(0, 1));
      await sink.publish(records.slice(1));
      await until(`all ${records.length} messages at the receiver`, () => frames(Buffer.concat(chunks)).length >= records.length);
      const messages = frames(Buffer.concat(chunks));
      expect(messages.map((m) => m.replace(header, ''))).toEqual(records.map(formatCheckpointLine));
      expect(messages.every((m) => header.test(m))).toBe(true);
    } finally {
      await sink.close();
      server.close();
    }
  });

  it('sends one datagram per message over UDP', async () => {
    const receiver = createSocket('udp4');
    const datagrams: string[] = [];
    receiver.on('message', (m) => void datagrams.push(m.toString('utf8')));
    await new Promise<void>((ok) => receiver.bind(0, '127.0.0.1', ok));
    const sink = new SyslogCheckpointSink({ host: '127.0.0.1', port: receiver.address().port, protocol: 'udp', hostname: 'test-host', facility: 13 });
    const records = [checkpoint('s1', 1), checkpoint('s1', 2)];
    try {
      await sink.publish(records);
      await until('both datagrams', () => datagrams.length >= 2);
      expect(datagrams.map((m) => m.replace(header, ''))).toEqual(records.map(formatCheckpointLine));
    } finally {
      await sink.close();
      receiver.close();
    }
  });

  it('refuses options syslog cannot carry, naming the key', () => {
    expect(() => new SyslogCheckpointSink({ host: 'h', port: 514, protocol: 'tcp', appName: 'audit trail' })).toThrow(
      new AuditrailError('INVALID_CONFIG', 'syslog checkpoint sink: appName: must be 1-48 printable ASCII characters without spaces (RFC 5424 APP-NAME)'),
    );
    expect(() => new SyslogCheckpointSink({ host: 'h', port: 514, protocol: 'tcp', facility: 24 })).toThrow(/facility: must be an integer from 0 to 23/);
    expect(() => new SyslogCheckpointSink({ host: 'h', port: 0, protocol: 'udp' })).toThrow(/port: must be a TCP\/UDP port/);
  });
});

/** RFC 6587 octet-counted frames: `LEN SP MSG`, repeated; an incomplete last frame is left out. */
function frames(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(bytes.subarray(at, space).toString('ascii'));
    if (space + 1 + length > bytes.length) break;
    out.push(bytes.subarray(space + 1, space + 1 + length).toString('utf8'));
    at = space + 1 + length;
  }
  return out;
}

describe('checkpointSinkFromUrl', () => {
  it('makes a sink of each kind, with names that hide credentials', () => {
    const made = [
      'file:/var/log/auditrail/checkpoints.jsonl',
      'file:checkpoints.jsonl',
      'file:///var/log/audit%20trail/c.jsonl',
      'syslog+tcp://logs.internal:6514',
      'syslog+udp://[::1]',
      `https://auditrail:${encodeURIComponent(PASSWORD)}@ct.example.com/v1/checkpoints?token=atr_live_x`,
    ].map((u) => checkpointSinkFromUrl(u));
    expect(made.map((s) => [s.constructor.name, s.name])).toEqual([
      ['FileCheckpointSink', 'file:/var/log/auditrail/checkpoints.jsonl'],
      ['FileCheckpointSink', `file:${resolve('checkpoints.jsonl')}`],
      ['FileCheckpointSink', 'file:/var/log/audit trail/c.jsonl'],
      ['SyslogCheckpointSink', 'syslog+tcp://logs.internal:6514'],
      ['SyslogCheckpointSink', 'syslog+udp://[::1]:514'],
      ['HttpCheckpointSink', 'https://***@ct.example.com/v1/checkpoints?token=***'],
    ]);
  });

  it('refuses anything else with INVALID_CONFIG, a clear message, and no secret in it', () => {
    const refused = (u: string) => {
      try {
        checkpointSinkFromUrl(u);
      } catch (e) {
        expect(e).toBeInstanceOf(AuditrailError);
        expect((e as AuditrailError).code).toBe('INVALID_CONFIG');
        return (e as Error).message;
      }
      throw new Error(`accepted ${u}`);
    };
    const forms = 'use one of file:/path/to/checkpoints.jsonl, syslog+tcp://host:port, syslog+udp://host:port, http(s)://host/path';
    expect(refused('/var/log/checkpoints.jsonl')).toBe(`checkpoint sink "/var/log/checkpoints.jsonl": not a checkpoint sink; ${forms}`);
    // PASSWORD holds a `#`: what follows the `@` might be a fragment's, so it is masked too.
    expect(refused(`htps://auditrail:${PASSWORD}@ct.example.com/`)).toBe(`checkpoint sink "htps://***": not a checkpoint sink; ${forms}`);
    expect(refused('syslog://logs.internal:514')).toBe(`checkpoint sink "syslog://logs.internal:514": not a checkpoint sink; ${forms}`);
    expect(refused('file:')).toBe('checkpoint sink "file:": no path after file:');
    expect(refused('file://remote.example/x')).toMatch(/^checkpoint sink "file:\/\/remote.example\/x": not a local file URL/);
    expect(refused(`syslog+tcp://auditrail:${encodeURIComponent(PASSWORD)}@logs.internal:514`)).toBe('checkpoint sink "syslog+tcp://***@logs.internal:514": syslog takes no user or password');
    expect(refused('syslog+udp://logs.internal:514/x?y=1')).toBe('checkpoint sink "syslog+udp://logs.internal:514/x?y=***": syslog takes no path, query or fragment');
  });
});

describe('credentials in sink URLs', () => {
  /** Pieces of the user name and passwords below: none may appear in a name or a message, whatever surrounds them. */
  const SECRETS = ['usr8', 'Sx7', 'Qk9', 'Zr4'];
  const shown = (u: string): string => {
    try {
      return checkpointSinkFromUrl(u).name;
    } catch (e) {
      expect(e).toBeInstanceOf(AuditrailError);
      return (e as Error).message;
    }
  };

  it('hides the user info whatever characters the password holds, in the sink name and in every error', () => {
    const named = 'https://***@example.com/cp';
    const notUrl = 'HTTP checkpoint sink https://***@example.com/cp: url is not a URL';
    const cases: [password: string, shown: string][] = [
      ['Sx7/Qk9', notUrl],
      ['Sx7@Qk9', named],
      ['Sx7:Qk9', named],
      ['Sx7#Qk9', 'HTTP checkpoint sink https://***: url is not a URL'],
      ['Sx7?Qk9=Zr4', 'HTTP checkpoint sink https://***: url is not a URL'],
      ['Sx7/Qk9@Zr4', notUrl],
      ['Sx7%2FQk9%40Zr4%3A', named],
      ['Sx7%ZZQk9', 'HTTP checkpoint sink https://***@example.com/cp: user info is not valid percent-encoding (it is not shown)'],
    ];
    expect(cases.map(([password]) => [password, shown(`https://usr8:${password}@example.com/cp`)])).toEqual(cases);
    expect(shown('syslog+tcp://usr8:Sx7/Qk9@logs.internal:514')).toBe('checkpoint sink "syslog+tcp://***@logs.internal:514": not a URL; expected syslog+tcp://host:port');
    expect(shown('syslog+udp://usr8:Sx7@Qk9@logs.internal')).toBe('checkpoint sink "syslog+udp://***@logs.internal": syslog takes no user or password');
    expect(shown('file://usr8:Sx7/Qk9@remote/x')).toBe('checkpoint sink "file://***@remote/x": not a local file URL (Invalid URL)');
  });

  it('hides them in URLs no parser reads as the writer meant, masking more rather than less', () => {
    const urls = [
      'https://usr8:Sx7@',
      'https://usr8:Sx7 Qk9@exa mple.com/cp',
      'http:usr8:Sx7@example.com/cp',
      'https:\\\\usr8:Sx7@example.com/cp',
      'htps://usr8:Sx7/Qk9@example.com/cp?token=Zr4#Zr4',
      'https://example.com/cp?token=Zr4@Qk9#Sx7',
      'https://example.com/cp?token=Sx7&Qk9#',
      'https://example.com/cp?email=usr8@example.com&token=Sx7',
      'https://usr8:Sx7@Qk9@Zr4@example.com/cp',
      'usr8:Sx7@example.com',
    ];
    expect(urls.map(shown)).toEqual([
      'HTTP checkpoint sink https://***@: url is not a URL',
      'HTTP checkpoint sink https://***@exa mple.com/cp: url is not a URL',
      '***@example.com/cp',
      '***@example.com/cp',
      `checkpoint sink "htps://***@example.com/cp?token=***#***": not a checkpoint sink; use one of file:/path/to/checkpoints.jsonl, syslog+tcp://host:port, syslog+udp://host:port, http(s)://host/path`,
      'https://***',
      'https://example.com/cp?token=***&***#',
      'https://***',
      'https://***@example.com/cp',
      expect.stringMatching(/^checkpoint sink "\*\*\*@example.com": not a checkpoint sink/),
    ]);
    for (const u of urls) for (const s of SECRETS) expect(shown(u)).not.toContain(s);
  });

  it('keeps them out of publication failures and syslog options', async () => {
    const closed = createTcpServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)));
    await new Promise((resolve) => closed.close(resolve));
    const sink = new HttpCheckpointSink({ url: `http://usr8:Sx7%2FQk9@127.0.0.1:${port}/cp?token=Zr4`, timeoutMillis: 2_000 });
    const failure = await sink.publish([checkpoint('s1', 1)]).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(failure).toMatch(new RegExp(`^http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/cp\\?token=\\*\\*\\*: POST failed: `));
    for (const s of SECRETS) expect(failure).not.toContain(s);
    expect(() => new SyslogCheckpointSink({ host: 'usr8:Sx7@logs.internal', port: 514, protocol: 'tcp' })).toThrow(
      new AuditrailError('INVALID_CONFIG', 'syslog checkpoint sink: host: must be a host name or address, without user info (not shown)'),
    );
  });
});
