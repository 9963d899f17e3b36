import { readFile } from 'node:fs/promises';
import { AuditrailError, createPricer, genaiPricesSource, parsePriceTables, type PriceTable } from '@auditrail/core';
import { CliError, type Io } from '../io.js';
import { openStore } from '../open-store.js';
import { FILTER_OPTIONS, parse, STORE_OPTIONS } from '../options.js';
import { table, usd } from '../format/text.js';
import { reprice } from '../reprice/reprice.js';
import { filterOf } from './query.js';

export const REPRICE_HELP = `auditrail reprice [--since 7d] [--until ISO] [--model M] [--tenant T] [--user U]
                  [--prices FILE.json] [--reason TEXT] [--dry-run] [--store DIR | --clickhouse URL] [--json]

Recomputes the cost of past LLM calls with the current price data — the tables in --prices first,
then the bundled @pydantic/genai-prices data — and, for every call whose cost changed, appends a
cost.correction event naming the call, its old and new cost and their sources. Nothing stored is
changed: the corrections go to a stream of their own, and cost, query --requests and
query --min-cost use each call's latest correction from then on. A call the current prices cannot
price keeps its cost. Running it again with the same prices corrects nothing.
--prices FILE.json: one price table or an array of them:
  { "source": "acme-contract@2026-12", "prices": { "openai/gpt-4o-mini": { "input": "0.12", "output": "0.48", "cache_read": "0.06" } } }
  (USD per million tokens; keys are provider/model as recorded; cache_read, cache_write optional)
--dry-run: report what would change, write nothing.
`;

/** Reads and validates a price file; a bad file fails naming the field. */
export async function loadPriceFile(path: string): Promise<PriceTable[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CliError(`--prices ${path}: cannot read it (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, 2, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CliError(`--prices ${path}: not JSON (${(cause as Error).message})`, 2, { cause });
  }
  try {
    return parsePriceTables(json);
  } catch (cause) {
    if (cause instanceof AuditrailError) throw new CliError(`--prices ${path}: ${cause.message}`, 2, { cause });
    throw cause;
  }
}

/** The filters of query that select calls; the event type is always an LLM call's. */
const { since, until, model, tenant, user } = FILTER_OPTIONS;

export async function repriceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...STORE_OPTIONS,
    since,
    until,
    model,
    tenant,
    user,
    prices: { type: 'string' },
    reason: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  });
  if (values.help) return io.out(REPRICE_HELP), 0;
  if (positionals.length > 0) throw new CliError(`reprice takes no arguments, only options\n\n${REPRICE_HELP}`);
  if (values.reason !== undefined && (values.reason.length === 0 || values.reason.length > 1024)) throw new CliError('--reason must be 1 to 1024 characters');
  const overrides = values.prices === undefined ? [] : await loadPriceFile(values.prices);
  const filter = filterOf(values);
  const sources = [...overrides.map((t) => t.source), genaiPricesSource()];
  const store = await openStore(values, io);
  try {
    const progress = io.interactive && !values.json;
    const result = await reprice(store, {
      filter,
      pricer: createPricer({ overrides }),
      sources,
      dryRun: values['dry-run'],
      ...(values.reason !== undefined ? { reason: values.reason } : {}),
      ...(progress ? { onProgress: (p: { checked: number; corrected: number }) => io.err(`\rrepricing: ${p.checked.toLocaleString('en')} calls checked, ${p.corrected.toLocaleString('en')} to correct`) } : {}),
    });
    if (progress) io.err('\n');
    if (values.json) {
      io.out(JSON.stringify({ ...result, price_sources: sources }, null, 2) + '\n');
      return 0;
    }
    io.out(`prices: ${sources.join(', then ')}\n`);
    io.out(
      `${result.checked.toLocaleString('en')} LLM calls checked: ${result.corrected.toLocaleString('en')} ${result.dry_run ? 'would be corrected' : 'corrected'}, ${result.unchanged.toLocaleString('en')} unchanged, ${result.unpriced.toLocaleString('en')} unpriced by these prices (kept as recorded)\n`,
    );
    if (result.corrected > 0) {
      io.out(
        '\n' +
          table(
            ['model', 'calls', 'corrected', 'cost before', 'cost after'],
            result.by_model.filter((m) => m.corrected > 0).map((m) => [m.model || '(none)', m.calls, m.corrected, usd(m.cost_before_usd), usd(m.cost_after_usd)]),
          ) +
          `total ${usd(result.cost_before_usd)} → ${usd(result.cost_after_usd)}\n`,
      );
    }
    if (result.dry_run) io.out('dry run: nothing written\n');
    else if (result.stream_id !== null) io.out(`${result.written} events written to stream ${result.stream_id} (audit.stream_open + ${result.corrected} cost.correction)\n`);
    return 0;
  } finally {
    await store.close();
  }
}
