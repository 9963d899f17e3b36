import type { CostGroup } from '@auditrail/clickhouse';
import { CliError, type Io } from '../io.js';
import { openStore } from '../open-store.js';
import { FILTER_OPTIONS, parse, STORE_OPTIONS } from '../options.js';
import { sumUsd, table, usd } from '../format/text.js';
import { filterOf } from './query.js';

export const COST_HELP = `auditrail cost --by user|tenant|model|day [filters] [--store DIR | --clickhouse URL] [--json]

Sums the cost of LLM calls per group. Calls of models without a price are counted as unpriced:
their cost is unknown, not zero. Filters as for query (--since 30d, --tenant, --user, ...).
`;

const GROUPS: readonly CostGroup[] = ['user', 'tenant', 'model', 'day'];

export async function costCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...STORE_OPTIONS, ...FILTER_OPTIONS, by: { type: 'string', default: 'user' } });
  if (values.help) return io.out(COST_HELP), 0;
  if (positionals.length > 0) throw new CliError(`cost takes no arguments, only options\n\n${COST_HELP}`);
  const by = values.by as CostGroup;
  if (!GROUPS.includes(by)) throw new CliError(`--by must be one of ${GROUPS.join(', ')}; got ${JSON.stringify(values.by)}`);
  const filter = filterOf(values);
  const store = await openStore(values, io);
  try {
    const rows = await store.cost(by, filter);
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2) + '\n');
      return 0;
    }
    const total = sumUsd(rows.map((r) => r.cost_usd));
    io.out(
      table(
        [by, 'calls', 'unpriced', 'input tokens', 'output tokens', 'cost'],
        rows.map((r) => [r.key || '(none)', r.calls, r.unpriced, r.input_tokens, r.output_tokens, usd(r.cost_usd)]),
      ) + `total ${usd(total)} over ${rows.reduce((n, r) => n + r.calls, 0)} calls\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
