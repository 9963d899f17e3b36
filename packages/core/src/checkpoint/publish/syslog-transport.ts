import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';

/** How syslog messages travel: one call per publication, resolved once the messages are sent. Callers send one at a time. */
export interface SyslogTransport {
  send(messages: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Syslog over TCP (RFC 6587) with octet-counting framing: `LEN SP MSG`, so a message never depends
 * on how the receiver splits lines. One connection, opened on first use and again after any error.
 * A send resolves once the kernel took the bytes (`socket.write`'s callback): plain syslog has no
 * acknowledgement, so a receiver that dies with the bytes unread loses them (RELP would not).
 * Connecting and each write are bounded by `timeoutMillis`: a host that drops packets fails the
 * publication (to be retried) instead of holding it forever.
 */
export class TcpSyslogTransport implements SyslogTransport {
  readonly #host: string;
  readonly #port: number;
  readonly #timeoutMillis: number;
  #socket: Socket | undefined;

  constructor(host: string, port: number, timeoutMillis: number) {
    this.#host = host;
    this.#port = port;
    this.#timeoutMillis = timeoutMillis;
  }

  async send(messages: readonly string[]): Promise<void> {
    const frames = Buffer.from(messages.map((m) => `${Buffer.byteLength(m, 'utf8')} ${m}`).join(''), 'utf8');
    // A connection the server closed (noticed through its FIN) is not written to: a new one is opened.
    const socket = this.#socket !== undefined && this.#socket.writable ? this.#socket : await this.#connect();
    await this.#write(socket, frames);
  }

  #connect(): Promise<Socket> {
    this.#socket?.destroy();
    this.#socket = undefined;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.#host, port: this.#port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${this.#timeoutMillis} ms`)), this.#timeoutMillis);
      const failed = (e: Error): void => {
        clearTimeout(timer);
        reject(e);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        this.#adopt(socket);
        resolve(socket);
      });
    });
  }

  /** Keeps a connected socket for the next sends, until it closes. */
  #adopt(socket: Socket): void {
    this.#socket = socket;
    socket.setNoDelay(true);
    // Errors reach the send in progress through its write callback, or the next send reconnects;
    // without a listener an 'error' event would crash the host process.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    // The server sends nothing; reading anyway is what notices its FIN, so that the next send reconnects.
    socket.resume();
    // An idle connection must not keep the process alive; it is held only while a write is under way.
    socket.unref();
  }

  #write(socket: Socket, bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      socket.ref();
      let settled = false;
      const settle = (e?: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('close', closed);
        socket.unref();
        if (e) {
          socket.destroy();
          reject(e);
        } else resolve();
      };
      const closed = (): void => settle(new Error('connection closed before the write completed'));
      const timer = setTimeout(() => settle(new Error(`write not taken within ${this.#timeoutMillis} ms`)), this.#timeoutMillis);
      socket.once('close', closed);
      socket.write(bytes, settle);
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, this.#timeoutMillis);
      timer.unref();
      socket.end(() => {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      });
    });
  }
}

/**
 * Syslog over UDP (RFC 5426): one datagram per message. Nothing confirms delivery: a send
 * resolves once the datagram left, and a receiver that is down, or a full buffer on the way, loses
 * it silently. Use TCP (or a file, or HTTP) where a lost checkpoint matters.
 */
export class UdpSyslogTransport implements SyslogTransport {
  readonly #host: string;
  readonly #port: number;
  #socket: { readonly socket: UdpSocket; readonly address: string } | undefined;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  async send(messages: readonly string[]): Promise<void> {
    const opened = this.#socket ?? (await this.#open());
    try {
      for (const m of messages) {
        await new Promise<void>((resolve, reject) => opened.socket.send(Buffer.from(m, 'utf8'), this.#port, opened.address, (e) => (e ? reject(e) : resolve())));
      }
    } catch (e) {
      this.#discard(opened);
      throw e;
    }
  }

  /** A socket of the family the host resolves to; after an error, a new one, resolved again (a moved host is followed). */
  async #open(): Promise<{ socket: UdpSocket; address: string }> {
    const { address, family } = await lookup(this.#host);
    const opened = { socket: createSocket(family === 6 ? 'udp6' : 'udp4'), address };
    // Without a listener an 'error' event would crash the host process.
    opened.socket.on('error', () => this.#discard(opened));
    opened.socket.unref();
    this.#socket = opened;
    return opened;
  }

  #discard(opened: { readonly socket: UdpSocket }): void {
    if (this.#socket === opened) this.#socket = undefined;
    try {
      opened.socket.close();
    } catch {
      // Already closed.
    }
  }

  async close(): Promise<void> {
    const opened = this.#socket;
    this.#socket = undefined;
    if (opened !== undefined) await new Promise<void>((resolve) => opened.socket.close(() => resolve()));
  }
}
