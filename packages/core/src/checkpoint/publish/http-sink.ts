import { AuditrailError } from '../../errors.js';
import type { CheckpointRecord, CheckpointSink } from '../checkpoint-record.js';
import { formatCheckpointLine } from './checkpoint-log.js';
import { redactUrl } from './redact-url.js';
import { Serial } from './serial.js';
import type { HttpCheckpointSinkOptions } from './types.js';

/**
 * Publishes checkpoints to an HTTP endpoint: one POST per checkpoint, in order,
 * `content-type: application/json`, the body the record's JSON (`formatCheckpointLine`). Any status
 * but 2xx fails the publication, naming the status; redirects are not followed (a POST would be
 * turned into a GET, and credentials sent elsewhere), so they fail too. Each request, body
 * included, is bounded by `timeoutMillis`.
 *
 * Credentials: user info in the URL is sent as HTTP Basic authorization; `headers` can carry a
 * bearer token. Neither appears in the sink's name or in its errors (query values are hidden too).
 * A publication that fails after some of its checkpoints were accepted is retried whole: an
 * endpoint may see a checkpoint twice, and should treat the same note as the same checkpoint.
 *
 * @example new HttpCheckpointSink({ url: 'https://transparency.example/checkpoints', headers: { authorization: `Bearer ${token}` } })
 */
export class HttpCheckpointSink implements CheckpointSink {
  readonly name: string;
  /** The URL without its user info (fetch refuses URLs that carry credentials). */
  readonly #url: string;
  readonly #headers: Headers;
  readonly #timeoutMillis: number;
  readonly #serial = new Serial();

  constructor(options: HttpCheckpointSinkOptions) {
    const { url: text, headers = {}, timeoutMillis = 10_000 } = options;
    this.name = redactUrl(text);
    const invalid = (message: string): AuditrailError => new AuditrailError('INVALID_CONFIG', `HTTP checkpoint sink ${this.name}: ${message}`);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw invalid('url is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url must be http:// or https://');
    if (!Number.isInteger(timeoutMillis) || timeoutMillis < 1) throw invalid('timeoutMillis must be a positive integer');
    this.#headers = new Headers({ 'content-type': 'application/json' });
    if (url.username !== '' || url.password !== '') {
      let user: string;
      try {
        user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      } catch {
        throw invalid('user info is not valid percent-encoding (it is not shown)');
      }
      const basic = Buffer.from(user, 'utf8').toString('base64');
      this.#headers.set('authorization', `Basic ${basic}`);
      url.username = '';
      url.password = '';
    }
    for (const [name, value] of Object.entries(headers)) {
      // Checked here, with a message of our own: fetch's own error would quote the value (a token, perhaps) in a log.
      try {
        this.#headers.set(name, value);
      } catch {
        throw invalid(`header ${JSON.stringify(name)} has an invalid name or value (the value is not shown)`);
      }
    }
    this.#url = url.href;
    this.#timeoutMillis = timeoutMillis;
  }

  publish(records: readonly CheckpointRecord[]): Promise<void> {
    return this.#serial.run(async () => {
      for (const record of records) await this.#post(formatCheckpointLine(record));
    });
  }

  async #post(body: string): Promise<void> {
    let response: Response;
    try {
      const signal = AbortSignal.timeout(this.#timeoutMillis);
      response = await fetch(this.#url, { method: 'POST', headers: this.#headers, body, signal, redirect: 'manual' });
      // Read to the end, so the connection can be kept for the next request.
      await response.arrayBuffer();
    } catch (e) {
      const cause = (e as Error).cause instanceof Error ? `: ${((e as Error).cause as Error).message}` : '';
      // fetch's messages name no URL today; should one quote it, its query values are hidden all the same.
      const reason = `${(e as Error).message}${cause}`.split(this.#url).join(this.name);
      throw new Error(`${this.name}: POST failed: ${reason}`, { cause: e });
    }
    if (!response.ok) {
      const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed: configure the final URL)' : '';
      throw new Error(`${this.name}: HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}${redirect}`);
    }
  }

  async close(): Promise<void> {
    await this.#serial.idle();
  }
}
