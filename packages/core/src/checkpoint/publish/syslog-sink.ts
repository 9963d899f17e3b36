import { hostname as osHostname } from 'node:os';
import { isIPv6 } from 'node:net';
import { z } from 'zod';
import { AuditrailError } from '../../errors.js';
import type { CheckpointRecord, CheckpointSink } from '../checkpoint-record.js';
import { formatCheckpointLine } from './checkpoint-log.js';
import { Serial } from './serial.js';
import { type SyslogTransport, TcpSyslogTransport, UdpSyslogTransport } from './syslog-transport.js';
import type { SyslogCheckpointSinkOptions } from './types.js';

/** Severity of every checkpoint message: informational (RFC 5424 §6.2.1). */
const SEVERITY_INFO = 6;
/** RFC 5424 MSGID of checkpoint messages, so a syslog rule can route them. */
const MSGID = 'checkpoint';

const optionsSchema = z.object({
  // Refused without quoting it: a host holding `@` is most likely a URL's user info, password included.
  host: z.string().min(1, 'must not be empty').refine((h) => !h.includes('@'), 'must be a host name or address, without user info (not shown)'),
  port: z.number().int().min(1, 'must be a TCP/UDP port (1-65535)').max(65535, 'must be a TCP/UDP port (1-65535)'),
  protocol: z.enum(['tcp', 'udp'], "must be 'tcp' or 'udp'"),
  appName: z.string().regex(/^[\x21-\x7e]{1,48}$/, 'must be 1-48 printable ASCII characters without spaces (RFC 5424 APP-NAME)').default('auditrail'),
  hostname: z.string().optional(),
  facility: z.number().int('must be an integer from 0 to 23').min(0, 'must be an integer from 0 to 23').max(23, 'must be an integer from 0 to 23').default(13),
  timeoutMillis: z.number().int().min(1).default(10_000),
});

/**
 * Publishes checkpoints to a syslog receiver as RFC 5424 messages, one per checkpoint:
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID checkpoint - MSG`, PRI = facility × 8 + 6 (info),
 * MSG = `formatCheckpointLine(record)` (ASCII only, so no receiver re-encodes it).
 *
 * - `tcp`: RFC 6587 octet counting over one persistent connection, reconnected after an error;
 *   a publication resolves once its bytes are written, and fails after `timeoutMillis` when the
 *   host does not answer.
 * - `udp`: one datagram per message. UDP cannot confirm delivery: a publication resolves once its
 *   datagrams are sent, whether or not anyone received them.
 *
 * @example new SyslogCheckpointSink({ host: 'logs.internal', port: 514, protocol: 'tcp' })
 */
export class SyslogCheckpointSink implements CheckpointSink {
  readonly name: string;
  /** `<PRI>1 ` is fixed for the sink; built once. */
  readonly #head: string;
  /** ` HOSTNAME APP-NAME PROCID MSGID - ` (no structured data), also fixed. */
  readonly #middle: string;
  readonly #transport: SyslogTransport;
  readonly #serial = new Serial();

  constructor(options: SyslogCheckpointSinkOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new AuditrailError('INVALID_CONFIG', `syslog checkpoint sink: ${i.path.join('.') || 'options'}: ${i.message}`);
    }
    const o = parsed.data;
    this.name = `syslog+${o.protocol}://${isIPv6(o.host) ? `[${o.host}]` : o.host}:${o.port}`;
    this.#head = `<${o.facility * 8 + SEVERITY_INFO}>1 `;
    this.#middle = ` ${syslogHostname(o.hostname ?? osHostname())} ${o.appName} ${process.pid} ${MSGID} - `;
    this.#transport = o.protocol === 'tcp' ? new TcpSyslogTransport(o.host, o.port, o.timeoutMillis) : new UdpSyslogTransport(o.host, o.port);
  }

  publish(records: readonly CheckpointRecord[]): Promise<void> {
    return this.#serial.run(() => this.#send(records));
  }

  async #send(records: readonly CheckpointRecord[]): Promise<void> {
    if (records.length === 0) return;
    const timestamp = new Date().toISOString();
    const messages = records.map((r) => `${this.#head}${timestamp}${this.#middle}${formatCheckpointLine(r)}`);
    try {
      await this.#transport.send(messages);
    } catch (e) {
      throw new Error(`${this.name}: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.#serial.idle();
    await this.#transport.close();
  }
}

/** RFC 5424 HOSTNAME: 1-255 printable ASCII characters; anything else becomes `-`, and an empty name the NILVALUE. */
function syslogHostname(name: string): string {
  return name.replace(/[^\x21-\x7e]/g, '-').slice(0, 255) || '-';
}
