import { CliError, type Io } from '../io.js';
import { openStore } from '../open-store.js';
import { parse, STORE_OPTIONS } from '../options.js';
import { correctedCosts } from '../format/corrected-costs.js';
import { traceSummary, traceTree } from '../format/trace-tree.js';

export const TRACE_HELP = `auditrail trace <request_id | trace_id> [--store DIR | --clickhouse URL] [--json]

Shows every call of one request as a tree, with timing, model, tokens, cost and status.
An id that matches no request_id is looked up as a trace_id. A cost corrected by auditrail reprice
shows its latest correction (--json prints the records as recorded).
`;

export async function traceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, STORE_OPTIONS);
  if (values.help) return io.out(TRACE_HELP), 0;
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new CliError(`trace takes one request id\n\n${TRACE_HELP}`);
  const store = await openStore(values, io);
  try {
    let events = await store.trace({ requestId: id });
    if (events.length === 0 && /^[0-9a-f]{32}$/.test(id)) events = await store.trace({ traceId: id });
    if (values.json) {
      io.out(JSON.stringify(events, null, 2) + '\n');
      return events.length === 0 ? 1 : 0;
    }
    if (events.length === 0) {
      io.err(`no events for request ${JSON.stringify(id)}\n`);
      return 1;
    }
    const corrected = await correctedCosts(store, events);
    io.out(traceSummary(events, corrected) + '\n' + traceTree(events, corrected));
    return 0;
  } finally {
    await store.close();
  }
}
