import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { verifyStore } from '@auditrail/clickhouse';
import { startMockProvider } from '@auditrail/mock-provider';
import { AuditSpanProcessor, type CheckpointOptions } from '@auditrail/processor';
import { FileCheckpointSink, generateKeys, parseCheckpointLog, parseSignerKey, parseVerifierKey } from '@auditrail/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { CliError, type Io } from '../io.js';
import { openStore } from '../open-store.js';
import { parse, STORE_OPTIONS } from '../options.js';
import { table, usd } from '../format/text.js';
import { traceSummary, traceTree } from '../format/trace-tree.js';
import { type DemoRequest, type DemoUser, handleRequest } from '../demo/agent.js';

export const DEMO_HELP = `auditrail demo [--store DIR] [--requests N]

Runs a small support agent — the real openai SDK against a local mock OpenAI server, so it works
offline — for several users and tenants, records every LLM call, tool call and decision in the
embedded store (default ./.auditrail), then prints one trace, the cost per user and the
verification result. --requests N: requests per user (default 3).
With the embedded store the demo signs checkpoints of its stream with a demo key kept in the store
directory (demo-signer.key, made once; demo-verifier.key beside it) and publishes them to
demo-checkpoints.jsonl there, so verify checks signatures and published checkpoints too.
`;

/** The demo's checkpoint key and publication file, in the embedded store's directory (made once, reused by later runs). */
function demoCheckpoints(dir: string): { options: CheckpointOptions; verifierFile: string; published: string } {
  const signerFile = join(dir, 'demo-signer.key');
  const verifierFile = join(dir, 'demo-verifier.key');
  if (!existsSync(signerFile)) {
    const keys = generateKeys('demo.auditrail.local');
    writeFileSync(signerFile, `${keys.signerKey}\n`, { mode: 0o600, flag: 'wx' });
    writeFileSync(verifierFile, `${keys.verifierKey}\n`);
  }
  const key = readFileSync(signerFile, 'utf8');
  if (!existsSync(verifierFile)) writeFileSync(verifierFile, `${parseSignerKey(key).verifierKey}\n`);
  const published = join(dir, 'demo-checkpoints.jsonl');
  return { options: { key, everyEvents: 10, sinks: [new FileCheckpointSink(published)] }, verifierFile, published };
}

const USERS: DemoUser[] = [
  { userId: 'alice', tenantId: 'acme', model: 'gpt-4o-mini' },
  { userId: 'bob', tenantId: 'acme', model: 'gpt-4o' },
  { userId: 'carol', tenantId: 'globex', model: 'gpt-4o-mini' },
];

const QUESTIONS = [
  'Can I get a refund for order A-1001? It arrived broken.',
  'Order B-77 never worked, I want my money back (get_order and get_refund_policy please).',
  'Is order C-123456789 still refundable after this long?',
  'My order D-42 is the wrong colour, can I return it?',
];

export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...STORE_OPTIONS, requests: { type: 'string', default: '3' } });
  if (values.help) return io.out(DEMO_HELP), 0;
  if (positionals.length > 0) throw new CliError(`demo takes no arguments\n\n${DEMO_HELP}`);
  const perUser = Number(values.requests);
  if (!Number.isInteger(perUser) || perUser < 1 || perUser > 1000) throw new CliError(`--requests must be a whole number from 1 to 1000; got ${JSON.stringify(values.requests)}`);

  const store = await openStore(values, io);
  const dir = resolve(values.store ?? io.env['AUDITRAIL_STORE'] ?? './.auditrail');
  const checkpoints = store.kind === 'embedded' ? demoCheckpoints(dir) : undefined;
  const mock = await startMockProvider({ record: false });
  const processor = new AuditSpanProcessor({ sink: store, tenantId: 'default', checkpoints: checkpoints?.options ?? false });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-agent-demo', 'service.version': '1.0.0', 'deployment.environment.name': 'demo' }),
    spanProcessors: [processor],
  });
  provider.register();
  try {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-proj-demo0000000000000000000000000000000000000000', maxRetries: 0 });
    io.out(`auditrail demo: a support agent (openai SDK → local mock OpenAI server at ${mock.url})\n`);
    const done: DemoRequest[] = [];
    for (let i = 0; i < perUser; i++) {
      for (const user of USERS) {
        const question = QUESTIONS[(i + USERS.indexOf(user)) % QUESTIONS.length]!;
        done.push(await handleRequest(client, user, question, `sess_${user.userId}_${Math.floor(i / 2)}`));
      }
    }
    // Shut down: the last checkpoint is signed, stored and published.
    await provider.shutdown();
    const stats = processor.stats();
    io.out(`${done.length} requests by ${USERS.length} users in 2 tenants → ${stats.written} audit events written to ${store.kind === 'embedded' ? dir : 'ClickHouse'} (stream ${stats.streamId})\n`);
    if (stats.checkpoints !== undefined) io.out(`${stats.checkpoints.signed} checkpoints signed with the demo key (${checkpoints!.verifierFile}), stored, and published to ${checkpoints!.published}\n`);
    io.out('\n');

    const first = done[0]!;
    const events = await store.trace({ requestId: first.requestId });
    io.out(`── auditrail trace ${first.requestId}\n${traceSummary(events)}\n${traceTree(events)}\n`);

    const costs = await store.cost('user', {});
    io.out(`── auditrail cost --by user\n${table(['user', 'calls', 'input tokens', 'output tokens', 'cost'], costs.map((c) => [c.key, c.calls, c.input_tokens, c.output_tokens, usd(c.cost_usd)]))}\n`);

    const keys = checkpoints === undefined ? [] : [parseVerifierKey(readFileSync(checkpoints.verifierFile, 'utf8'))];
    const published = checkpoints === undefined ? [] : parseCheckpointLog(readFileSync(checkpoints.published, 'utf8')).records;
    const report = await verifyStore(store, { keys, published });
    const c = report.checkpoints;
    io.out(`── auditrail verify\n${report.intact ? 'INTACT' : 'TAMPERING DETECTED'}: ${report.events} events in ${report.streams.length} stream${report.streams.length === 1 ? '' : 's'}, ${report.findings.length} findings; ${c.rootsMatched} checkpoint root${c.rootsMatched === 1 ? '' : 's'} recomputed, ${c.verified} signature${c.verified === 1 ? '' : 's'} verified\n\n`);
    const flag = values.store === undefined ? '' : ` --store ${values.store}`;
    const verify = checkpoints === undefined ? `auditrail verify${flag}` : `auditrail verify${flag} --key ${checkpoints.verifierFile} --checkpoints ${checkpoints.published}`;
    io.out(`Try: auditrail trace ${done[1]!.requestId}${flag} · auditrail query --requests --user bob --min-cost 0.001${flag} · auditrail cost --by model${flag} · ${verify}\n`);
    return report.intact ? 0 : 1;
  } finally {
    await provider.shutdown().catch(() => {});
    await mock.close();
    await store.close();
  }
}
