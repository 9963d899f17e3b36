import { CliError, type Io } from './io.js';
import { PACKAGE_VERSION } from './version.js';

type Command = (argv: string[], io: Io) => Promise<number>;

/** Commands load on demand: `auditrail verify` never loads the demo's OpenAI SDK. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: { summary: 'run a small agent offline and record its audit trail', load: async () => (await import('./commands/demo.js')).demoCommand },
  trace: { summary: 'show the calls of one request as a tree', load: async () => (await import('./commands/trace.js')).traceCommand },
  query: { summary: 'search events or requests with filters', load: async () => (await import('./commands/query.js')).queryCommand },
  cost: { summary: 'cost per user, tenant, model or day', load: async () => (await import('./commands/cost.js')).costCommand },
  reprice: { summary: 'recompute past costs with current prices; changes become correction events', load: async () => (await import('./commands/reprice.js')).repriceCommand },
  verify: { summary: 'prove nothing was altered: hashes, chain links, Merkle roots, signed checkpoints', load: async () => (await import('./commands/verify.js')).verifyCommand },
  keys: { summary: 'generate a key pair for signing checkpoints', load: async () => (await import('./commands/keys.js')).keysCommand },
  prove: { summary: 'write a proof of one event (or between two checkpoints) anyone can check offline', load: async () => (await import('./commands/prove.js')).proveCommand },
  'check-proof': { summary: 'check a proof offline with the verifier key; opens no store', load: async () => (await import('./commands/check-proof.js')).checkProofCommand },
};

export const HELP = `auditrail ${PACKAGE_VERSION} — tamper-evident audit log of LLM calls, tool calls and decisions

Usage: auditrail <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`)
  .join('\n')}

Every command takes:
  --store DIR        embedded store (default ./.auditrail, or $AUDITRAIL_STORE)
  --clickhouse URL   a ClickHouse server instead (or $AUDITRAIL_CLICKHOUSE_URL; credentials in
                     $AUDITRAIL_CLICKHOUSE_USER and $AUDITRAIL_CLICKHOUSE_PASSWORD)
  --json             machine-readable output
  --help             help for the command
`;

/** Runs the CLI and returns the exit code: 0 ok, 1 findings or nothing found, 2 usage or runtime error. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`auditrail: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`auditrail ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`auditrail ${name}: ${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}
