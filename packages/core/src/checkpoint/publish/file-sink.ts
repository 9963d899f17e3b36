import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CheckpointRecord, CheckpointSink } from '../checkpoint-record.js';
import { formatCheckpointLine } from './checkpoint-log.js';
import { Serial } from './serial.js';

/**
 * Publishes checkpoints as lines appended to a local file (`formatCheckpointLine`, one per line),
 * e.g. a file that a log shipper forwards or that is kept on another disk.
 *
 * - Append only: the file is opened with `O_APPEND` (created with mode 0640, its directory too), so
 *   nothing already in it is ever overwritten.
 * - Each `publish` is one `write` of all its lines, then `fsync`: it resolves once the lines are
 *   on disk. Publications of this sink run one after another; with `O_APPEND` a single write of
 *   a regular file lands whole at its end, so writers in other processes never interleave with it.
 * - The file is opened for each publication and closed after it: checkpoints are rare, nothing is
 *   held open in between, and a file that logrotate renamed is followed by a new one.
 */
export class FileCheckpointSink implements CheckpointSink {
  readonly name: string;
  readonly #path: string;
  readonly #serial = new Serial();

  /** `path` is resolved against the working directory now, so the sink's name shows where it writes. */
  constructor(path: string) {
    this.#path = resolve(path);
    this.name = `file:${this.#path}`;
  }

  publish(records: readonly CheckpointRecord[]): Promise<void> {
    return this.#serial.run(() => this.#append(records));
  }

  async #append(records: readonly CheckpointRecord[]): Promise<void> {
    // Formatting first: a record that cannot be written fails the call before the file is touched.
    const text = records.map((r) => `${formatCheckpointLine(r)}\n`).join('');
    if (text.length === 0) return;
    await mkdir(dirname(this.#path), { recursive: true, mode: 0o750 });
    const file = await open(this.#path, 'a', 0o640);
    try {
      const bytes = Buffer.from(text, 'utf8');
      // One write in all but pathological cases; a short write continues where it stopped.
      for (let done = 0; done < bytes.length; ) done += (await file.write(bytes, done)).bytesWritten;
      await file.sync();
    } finally {
      await file.close();
    }
  }

  /** Waits for the publication under way, if any; nothing is held open. */
  async close(): Promise<void> {
    await this.#serial.idle();
  }
}
