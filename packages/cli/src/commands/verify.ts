import { verifyStore, type VerifyProgress } from '@auditrail/clickhouse';
import { CliError, type Io } from '../io.js';
import { openStore } from '../open-store.js';
import { parse, STORE_OPTIONS } from '../options.js';
import { table } from '../format/text.js';

export const VERIFY_HELP = `auditrail verify [--deep] [--store DIR | --clickhouse URL] [--json]

Checks every chain link, stream by stream: each record's leaf hash, SHA-256(0x00 ‖ record), is
computed by the database's built-in SHA256 and compared with the next record's prev_hash here; a
stream with any finding is read again and every record rehashed here, so each finding rests on
auditrail's own hashing. It also checks that the schema still derives every column from the record
and that no column changed after insert (through derived_hash, a sorting-key column the engine
refuses to update).
--deep assumes nothing of the database: every record is hashed here and every column compared with
its record. Several times slower; it also catches a table rewritten wholesale with forged columns.
Exit 0 when intact, 1 when anything was found (each finding with stream, seq and kind:
modified, missing, inserted, reordered), 2 when verification could not run.
`;

function progressPrinter(io: Io): ((p: VerifyProgress) => void) | undefined {
  if (!io.interactive) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100 && p.events < p.totalEvents) return;
    last = now;
    const pct = p.totalEvents === 0 ? 100 : Math.floor((100 * p.events) / p.totalEvents);
    io.err(`\rverifying stream ${p.streamIndex + 1}/${p.streams}: ${p.events.toLocaleString('en')} of ${p.totalEvents.toLocaleString('en')} events (${pct}%)${p.events >= p.totalEvents ? '\n' : ''}`);
  };
}

export async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...STORE_OPTIONS, deep: { type: 'boolean', default: false } });
  if (values.help) return io.out(VERIFY_HELP), 0;
  if (positionals.length > 0) throw new CliError(`verify takes no arguments\n\n${VERIFY_HELP}`);
  const store = await openStore(values, io);
  try {
    const onProgress = values.json ? undefined : progressPrinter(io);
    const report = await verifyStore(store, { deep: values.deep, ...(onProgress ? { onProgress } : {}) });
    if (values.json) {
      io.out(JSON.stringify(report, null, 2) + '\n');
    } else {
      const rate = report.durationMs > 0 ? Math.round(report.events / (report.durationMs / 1000)) : 0;
      io.out(`${report.intact ? 'INTACT' : 'TAMPERING DETECTED'}: ${report.events.toLocaleString('en')} events in ${report.streams.length} stream${report.streams.length === 1 ? '' : 's'} checked in ${(report.durationMs / 1000).toFixed(2)} s (${rate.toLocaleString('en')} events/s)\n`);
      io.out(report.hashedBy === 'database' ? 'leaf hashes: computed by the database (--deep rehashes every record here)\n' : 'leaf hashes: every record rehashed by auditrail (--deep)\n');
      if (report.findings.length > 0) {
        io.out('\n' + table(['stream', 'seq', 'kind', 'detail'], report.findings.map((f) => [f.stream_id, f.seq < 0 ? '' : String(f.seq), f.kind, f.detail])));
      }
    }
    return report.intact ? 0 : 1;
  } finally {
    await store.close();
  }
}
