import { fileURLToPath } from 'node:url';
import { AuditrailError } from '../../errors.js';
import type { CheckpointSink } from '../checkpoint-record.js';
import { FileCheckpointSink } from './file-sink.js';
import { HttpCheckpointSink } from './http-sink.js';
import { redactUrl } from './redact-url.js';
import { SyslogCheckpointSink } from './syslog-sink.js';

/** The port syslog uses when a URL names none (RFC 5426 for UDP; the customary one for plain TCP too). */
const SYSLOG_PORT = 514;

const FORMS = 'file:/path/to/checkpoints.jsonl, syslog+tcp://host:port, syslog+udp://host:port, http(s)://host/path';

/**
 * A checkpoint sink from its URL, as configuration gives it:
 *
 * - `file:PATH`: the path as written, absolute or relative to the working directory
 *   (`file:/var/log/auditrail/checkpoints.jsonl`, `file:checkpoints.jsonl`); `file:///PATH` is a
 *   file URL and is percent-decoded;
 * - `syslog+tcp://host:port`, `syslog+udp://host:port` (port 514 when omitted; IPv6 as `[::1]`);
 * - `http://…`, `https://…`: user info, if any, is sent as Basic authorization; `options.headers`
 *   are added to every request (e.g. a bearer token).
 *
 * Anything else is an `INVALID_CONFIG` error naming the accepted forms. Sink names, and these
 * errors, never show user info or query values.
 *
 * @example checkpointSinkFromUrl('syslog+tcp://logs.internal:514')
 */
export function checkpointSinkFromUrl(text: string, options: { headers?: Record<string, string> } = {}): CheckpointSink {
  const url = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const invalid = (message: string): AuditrailError => new AuditrailError('INVALID_CONFIG', `checkpoint sink ${JSON.stringify(redactUrl(url))}: ${message}`);
  switch (scheme) {
    case 'file':
      return new FileCheckpointSink(filePath(url, invalid));
    case 'syslog+tcp':
    case 'syslog+udp':
      return syslogSink(url, scheme === 'syslog+tcp' ? 'tcp' : 'udp', invalid);
    case 'http':
    case 'https':
      return new HttpCheckpointSink({ url, ...(options.headers === undefined ? {} : { headers: options.headers }) });
    default:
      throw invalid(`not a checkpoint sink; use one of ${FORMS}`);
  }
}

type Invalid = (message: string) => AuditrailError;

function filePath(url: string, invalid: Invalid): string {
  if (!url.startsWith('file://')) {
    const path = url.slice('file:'.length);
    if (path === '') throw invalid('no path after file:');
    return path;
  }
  try {
    return fileURLToPath(url);
  } catch (e) {
    throw invalid(`not a local file URL (${(e as Error).message})`);
  }
}

function syslogSink(text: string, protocol: 'tcp' | 'udp', invalid: Invalid): SyslogCheckpointSink {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`not a URL; expected syslog+${protocol}://host:port`);
  }
  if (url.hostname === '') throw invalid('no host');
  if (url.username !== '' || url.password !== '') throw invalid('syslog takes no user or password');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') throw invalid('syslog takes no path, query or fragment');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return new SyslogCheckpointSink({ host, port: url.port === '' ? SYSLOG_PORT : Number(url.port), protocol });
}
