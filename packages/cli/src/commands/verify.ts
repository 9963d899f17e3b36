import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { verifyStore, type VerifyProgress, type VerifyReport, type VerifyState } from '@auditrail/clickhouse';
import { type CheckpointRecord, parseCheckpointLog } from '@auditrail/core';
import { CliError, type Io } from '../io.js';
import { openStore } from '../open-store.js';
import { parse, STORE_OPTIONS } from '../options.js';
import { table } from '../format/text.js';
import { readVerifierKey } from '../verifier-keys.js';

export const VERIFY_HELP = `auditrail verify [--key KEY ...] [--checkpoints FILE ...] [--state FILE [--incremental]] [--deep]
                 [--store DIR | --clickhouse URL] [--json]

Proves the store was not altered since it was written. Per stream: every record's hash, each
record's link to the one before, a gap-free seq from 0, and the Merkle root (RFC 9162) of the
stream's events at every signed checkpoint; and that no column changed after insert.

--key KEY            a trusted verifier key (name+hash+base64, as auditrail keys generate printed
                     it) or a file holding one; repeatable. A checkpoint counts only when a
                     trusted key verified its signature. Without --key, signatures are not checked
                     (the output says so): roots are still compared, but a forger could sign.
--checkpoints FILE   checkpoints published outside the database (the file sink's log, or a syslog
                     file of its lines); repeatable. These catch what the database alone cannot:
                     events deleted from the end, a whole stream deleted or replaced.
--state FILE         where verify keeps, per stream, the last checkpoint it verified (written after
                     a verify that found nothing). Keep it outside the store.
--incremental        go on from --state: each stream is read from its last verified checkpoint on.
--deep               hash every record here instead of in the database, and compare every column
                     with its record. Several times slower; assumes nothing of the database.

Routinely the database computes each record's leaf hash (its built-in SHA256) and half the tree's
nodes; every link and every root is checked here, and a stream with any finding is read again and
rehashed here, so each finding rests on auditrail's own hashing.
Findings: modified, missing, inserted, reordered (events); truncated (fewer events than a signed
checkpoint covers), forked (two signed checkpoints of one size with different roots),
bad_signature, unknown_key (checkpoints), stream_missing (a signed checkpoint for a stream the
store does not hold).
Exit 0 when intact, 1 when anything was found, 2 when verification could not run.
`;

function progressPrinter(io: Io): ((p: VerifyProgress) => void) | undefined {
  if (!io.interactive) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100 && p.events < p.totalEvents) return;
    last = now;
    const pct = p.totalEvents === 0 ? 100 : Math.min(100, Math.floor((100 * p.events) / p.totalEvents));
    const width = 30;
    const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.');
    io.err(`\r[${bar}] ${pct}% stream ${p.streamIndex + 1}/${p.streams}: ${p.events.toLocaleString('en')} of ${p.totalEvents.toLocaleString('en')} events${p.events >= p.totalEvents ? '\n' : ''}`);
  };
}

/** Every checkpoint of the published logs; lines that are not checkpoints are reported, not fatal. */
function readPublished(files: readonly string[], io: Io): CheckpointRecord[] {
  const records: CheckpointRecord[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`--checkpoints ${JSON.stringify(file)}: ${(e as Error).message}`);
    }
    const log = parseCheckpointLog(text);
    for (const s of log.skipped.slice(0, 5)) io.err(`auditrail verify: ${file}:${s.line}: not a checkpoint line (${s.reason}); skipped\n`);
    if (log.skipped.length > 5) io.err(`auditrail verify: ${file}: ${log.skipped.length - 5} more lines skipped\n`);
    records.push(...log.records);
  }
  return records;
}

function readState(file: string): VerifyState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`--state ${JSON.stringify(file)}: ${(e as Error).message}`);
  }
  const s = parsed as Partial<VerifyState>;
  if (s.version !== 1 || typeof s.database !== 'string' || typeof s.streams !== 'object' || s.streams === null) throw new CliError(`--state ${JSON.stringify(file)} is not an auditrail verify state`);
  return s as VerifyState;
}

/** Written whole to a temporary file and renamed over the old one: a crash never leaves half a state. */
function writeState(file: string, state: VerifyState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    throw new CliError(`cannot write --state ${JSON.stringify(file)}: ${(e as Error).message}`);
  }
}

function printReport(report: VerifyReport, io: Io, incremental: boolean): void {
  const seconds = report.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(report.eventsRead / seconds) : 0;
  const read = incremental ? ` (${report.eventsRead.toLocaleString('en')} read since the last verified checkpoints)` : '';
  io.out(`${report.intact ? 'INTACT' : 'TAMPERING DETECTED'}: ${report.events.toLocaleString('en')} events in ${report.streams.length} stream${report.streams.length === 1 ? '' : 's'}${read} checked in ${seconds.toFixed(2)} s (${rate.toLocaleString('en')} events/s)\n`);
  const c = report.checkpoints;
  io.out(`checkpoints: ${c.stored} stored, ${c.published} published; ${c.rootsMatched} roots recomputed from the events and matched; ${c.signaturesChecked ? `${c.verified} signatures verified by a trusted key` : 'signatures NOT checked (no --key)'}\n`);
  const unsigned = report.streams.filter((s) => s.checkpoint_size < s.events);
  if (unsigned.length > 0) {
    const events = unsigned.reduce((n, s) => n + s.events - s.checkpoint_size, 0);
    io.out(`not yet covered by a verified checkpoint: ${events.toLocaleString('en')} events at the end of ${unsigned.length} stream${unsigned.length === 1 ? '' : 's'} (their chain is checked; a signed checkpoint also binds them)\n`);
  }
  if (report.erased.length > 0) {
    const events = new Set(report.erased.map((e) => e.by.event_id));
    io.out(`erased lawfully: ${report.erased.length} payload${report.erased.length === 1 ? '' : 's'}, by ${events.size} recorded erasure or retention event${events.size === 1 ? '' : 's'} (--json lists each with the event that removed it)\n`);
  }
  io.out(report.hashedBy === 'database' ? 'leaf hashes: computed by the database (--deep rehashes every record here)\n' : 'leaf hashes: every record rehashed by auditrail (--deep)\n');
  if (report.findings.length > 0) {
    io.out('\n' + table(['stream', 'seq', 'kind', 'detail'], report.findings.map((f) => [f.stream_id, f.seq < 0 ? '' : String(f.seq), f.kind, f.detail])));
  }
}

export async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...STORE_OPTIONS,
    deep: { type: 'boolean', default: false },
    key: { type: 'string', multiple: true, default: [] },
    checkpoints: { type: 'string', multiple: true, default: [] },
    state: { type: 'string' },
    incremental: { type: 'boolean', default: false },
  });
  if (values.help) return io.out(VERIFY_HELP), 0;
  if (positionals.length > 0) throw new CliError(`verify takes no arguments\n\n${VERIFY_HELP}`);
  if (values.incremental && values.state === undefined) throw new CliError('--incremental needs --state FILE (where the last verify left off)');
  const keys = values.key.map(readVerifierKey);
  const published = readPublished(values.checkpoints, io);
  let since: VerifyState | undefined;
  if (values.incremental) {
    try {
      since = readState(values.state!);
    } catch (e) {
      // No state yet: this verify is the full one that starts it.
      if (!/ENOENT/.test((e as Error).message)) throw e;
      io.err(`auditrail verify: ${values.state} does not exist yet; verifying everything\n`);
    }
  }
  const store = await openStore(values, io);
  try {
    const onProgress = values.json ? undefined : progressPrinter(io);
    if (since !== undefined && since.database !== store.database) throw new CliError(`--state ${JSON.stringify(values.state)} belongs to database ${since.database}, not ${store.database}`);
    const report = await verifyStore(store, { deep: values.deep, keys, published, ...(since ? { since } : {}), ...(onProgress ? { onProgress } : {}) });
    if (values.state !== undefined && report.intact) writeState(values.state, report.state);
    if (values.json) {
      const { state: _state, ...rest } = report;
      io.out(JSON.stringify(rest, null, 2) + '\n');
    } else {
      printReport(report, io, since !== undefined);
    }
    return report.intact ? 0 : 1;
  } finally {
    await store.close();
  }
}
