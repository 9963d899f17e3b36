import type { EventFilter } from '@auditrail/clickhouse';
import { CliError, type Io } from '../io.js';
import { openStore } from '../open-store.js';
import { FILTER_OPTIONS, parse, parseLimit, parseTime, STORE_OPTIONS } from '../options.js';
import { correctedCosts } from '../format/corrected-costs.js';
import { ms, table, usd } from '../format/text.js';
import { costLabel } from '../format/trace-tree.js';

export const QUERY_HELP = `auditrail query [filters] [--requests] [--store DIR | --clickhouse URL] [--json]

Lists events, newest first (or, with --requests, requests with their total cost).
Filters:
  --tenant ID  --user ID  --session ID  --request ID  --type TYPE  --model MODEL
  --since 7d|ISO  --until 7d|ISO  --min-cost 0.10 (per event; per request with --requests)
Costs are after corrections (auditrail reprice): the latest correction of a call replaces its
recorded cost; --json prints the records themselves, as recorded.
  --limit N (default 100)
Example: all requests of user alice in the past 7 days that cost more than $0.10:
  auditrail query --requests --user alice --since 7d --min-cost 0.10
`;

type FilterValues = { [K in keyof typeof FILTER_OPTIONS]?: string | undefined };

/** Turns filter flags into a store filter; a bad value fails naming its flag. */
export function filterOf(v: FilterValues): EventFilter {
  const f: EventFilter = {};
  if (v.tenant !== undefined) f.tenant = v.tenant;
  if (v.user !== undefined) f.user = v.user;
  if (v.session !== undefined) f.session = v.session;
  if (v.request !== undefined) f.requestId = v.request;
  if (v.type !== undefined) f.type = v.type;
  if (v.model !== undefined) f.model = v.model;
  if (v.since !== undefined) f.since = parseTime(v.since, 'since');
  if (v.until !== undefined) f.until = parseTime(v.until, 'until');
  if (v['min-cost'] !== undefined) {
    if (!/^\d{1,6}(\.\d{1,12})?$/.test(v['min-cost'])) throw new CliError(`--min-cost must be an amount in USD like 0.10; got ${JSON.stringify(v['min-cost'])}`);
    f.minCost = v['min-cost'];
  }
  const limit = parseLimit(v.limit);
  if (limit !== undefined) f.limit = limit;
  return f;
}

export async function queryCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...STORE_OPTIONS, ...FILTER_OPTIONS, requests: { type: 'boolean', default: false } });
  if (values.help) return io.out(QUERY_HELP), 0;
  if (positionals.length > 0) throw new CliError(`query takes no arguments, only options; got ${positionals.join(' ')}\n\n${QUERY_HELP}`);
  const filter = filterOf(values);
  const store = await openStore(values, io);
  try {
    if (values.requests) {
      const rows = await store.requests(filter);
      if (values.json) io.out(JSON.stringify(rows, null, 2) + '\n');
      else
        io.out(
          table(
            ['first event (UTC)', 'request', 'tenant', 'user', 'events', 'LLM', 'tools', 'cost'],
            rows.map((r) => [r.first_at.slice(0, 23), r.request_id, r.tenant_id, r.user_id, r.events, r.llm_calls, r.tool_calls, usd(r.cost_usd) + (r.unpriced ? ` +${r.unpriced} unpriced` : '')]),
          ) + `${rows.length} request${rows.length === 1 ? '' : 's'}\n`,
        );
      return 0;
    }
    const events = await store.search(filter);
    if (values.json) io.out(JSON.stringify(events, null, 2) + '\n');
    else {
      const corrected = await correctedCosts(store, events);
      io.out(
        table(
          ['observed (UTC)', 'type', 'tenant', 'user', 'request', 'name', 'tokens in/out', 'duration', 'cost', 'status'],
          events.map((e) => [
            e.observed_at.slice(0, 23).replace('T', ' '),
            e.event_type,
            e.tenant_id,
            e.user_id ?? '',
            e.request_id ?? '',
            e.name,
            e.usage ? `${e.usage.input_tokens ?? '?'}/${e.usage.output_tokens ?? '?'}` : '',
            ms(e.duration_ms),
            e.event_type.startsWith('llm.') ? costLabel(e, corrected) : '',
            e.status,
          ]),
        ) + `${events.length} event${events.length === 1 ? '' : 's'}\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
