import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One input of the daemon: where it listens, and the files its messages go to. */
export interface RsyslogInput {
  readonly port: number;
  /** `%msg%` of each message, one per line. */
  readonly messages: string;
  /** The header fields rsyslog parsed, then the message: `PRI VERSION HOSTNAME APP-NAME PROCID MSGID MSG`. */
  readonly fields: string;
}

export interface Rsyslog {
  readonly tcp: RsyslogInput;
  readonly udp: RsyslogInput;
  stop(): Promise<void>;
}

/**
 * Starts a real rsyslog daemon on loopback for a test: imtcp and imudp on 127.0.0.1 (free ports),
 * each input with its own ruleset writing to files in a temporary directory, its own work
 * directory and pid file, and no system inputs (no imuxsock, no imklog): it receives only what the
 * test sends. When `rsyslogd` is missing and this runs as root with apt-get, Debian's package is
 * installed first (said on stderr). Throws, with the reason, when rsyslog cannot be had or does not
 * start: a test that needs it fails instead of being skipped.
 */
export async function startRsyslog(): Promise<Rsyslog> {
  const rsyslogd = findRsyslogd() ?? (await installRsyslog());
  const dir = mkdtempSync(join(tmpdir(), 'auditrail-rsyslog-'));
  mkdirSync(join(dir, 'work'));
  const tcp = input(dir, 'tcp', await freeTcpPort());
  const udp = input(dir, 'udp', await freeUdpPort());
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, config(dir, tcp, udp));
  try {
    await run(rsyslogd, ['-N1', '-f', conf]);
  } catch (e) {
    throw new Error(`rsyslogd rejects the test configuration ${conf}: ${output(e)}`);
  }
  const daemon = spawn(rsyslogd, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  daemon.stdout!.on('data', (c: Buffer) => void (said += c.toString()));
  daemon.stderr!.on('data', (c: Buffer) => void (said += c.toString()));
  const stop = async () => {
    await stopDaemon(daemon);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`rsyslogd to accept on tcp ${tcp.port} and udp ${udp.port}`, 20_000, daemon, async () => (await tcpAccepts(tcp.port)) && (await udpBound(udp.port)));
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}; rsyslogd said: ${said.trim() || '(nothing)'}`);
  }
  return { tcp, udp, stop };
}

function input(dir: string, name: string, port: number): RsyslogInput {
  return { port, messages: join(dir, `${name}.log`), fields: join(dir, `${name}.fields.log`) };
}

function config(dir: string, tcp: RsyslogInput, udp: RsyslogInput): string {
  const ruleset = (name: string, i: RsyslogInput) => `ruleset(name="${name}") {
  action(type="omfile" file="${i.messages}" template="msg")
  action(type="omfile" file="${i.fields}" template="fields")
}`;
  return `# auditrail test daemon: loopback inputs only, no system log sockets.
global(workDirectory="${join(dir, 'work')}" maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
template(name="msg" type="string" string="%msg%\\n")
template(name="fields" type="string" string="%pri% %protocol-version% %hostname% %app-name% %procid% %msgid% %msg%\\n")
${ruleset('tcp', tcp)}
${ruleset('udp', udp)}
input(type="imtcp" address="127.0.0.1" port="${tcp.port}" ruleset="tcp")
input(type="imudp" address="127.0.0.1" port="${udp.port}" ruleset="udp")
`;
}

const SBIN = '/usr/sbin/rsyslogd';

function findRsyslogd(): string | undefined {
  return executable([...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'rsyslogd')), SBIN]);
}

/** The first of `paths` that is an executable file. */
function executable(paths: readonly string[]): string | undefined {
  return paths.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Installs Debian's rsyslog package (without its recommendations), updating the package index if the first try fails. */
async function installRsyslog(): Promise<string> {
  const apt = executable(['/usr/bin/apt-get', '/bin/apt-get']);
  if (apt === undefined || process.getuid?.() !== 0) {
    throw new Error(`rsyslogd not found (PATH, ${SBIN}) and it cannot be installed here (${apt === undefined ? 'no apt-get' : 'not root'}): install rsyslog (Debian/Ubuntu: apt-get install rsyslog) to run this test`);
  }
  process.stderr.write('rsyslogd not found: installing the Debian package rsyslog with apt-get (for test/publish-syslog.test.ts)\n');
  const options = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 };
  const install = () => run(apt, ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-qq', '--no-install-recommends', 'rsyslog'], options);
  try {
    await install();
  } catch {
    process.stderr.write('apt-get install rsyslog failed; running apt-get update and trying again\n');
    try {
      await run(apt, ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq'], options);
      await install();
    } catch (e) {
      throw new Error(`rsyslogd not found, and installing the Debian package rsyslog failed: ${output(e)}`);
    }
  }
  const found = findRsyslogd();
  if (found === undefined) throw new Error(`apt-get installed rsyslog, but there is still no rsyslogd in PATH or at ${SBIN}`);
  return found;
}

/** What a failed command printed (its last lines), for an error message. */
function output(e: unknown): string {
  const { stdout = '', stderr = '', message } = e as { stdout?: string; stderr?: string; message: string };
  const text = `${stderr}\n${stdout}`.trim();
  return text === '' ? message : text.split('\n').slice(-15).join('\n');
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', ok));
  const { port } = socket.address();
  await new Promise<void>((ok) => socket.close(ok));
  return port;
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      ok(true);
    });
    socket.once('error', () => ok(false));
  });
}

/** Whether something (the daemon) holds the UDP port: binding it ourselves fails. */
function udpBound(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      ok(true);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => ok(false)));
  });
}

async function waitUntil(what: string, timeoutMillis: number, daemon: ChildProcess, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await check())) {
    if (daemon.exitCode !== null || daemon.signalCode !== null) throw new Error(`rsyslogd exited (${daemon.exitCode ?? daemon.signalCode}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, then SIGKILL if the daemon has not exited within 10 s. */
async function stopDaemon(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = new Promise<void>((ok) => daemon.once('exit', () => ok()));
  daemon.kill('SIGTERM');
  const timer = setTimeout(() => daemon.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
