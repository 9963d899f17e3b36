import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type AuditRecord, computeCost, type PayloadRow } from '@auditrail/core';
import { type MockProvider, startMockProvider } from '@auditrail/mock-provider';
import { afterAll, beforeAll, expect, it } from 'vitest';

/**
 * openai 7 and the OpenTelemetry SDK 3.x line need Node 22, which this workspace (Node 20) does not
 * run. So this test builds an app the way a user on Node 22 would: it packs @auditrail/core,
 * /instrumentation and /processor (their built dist, workspace ranges rewritten by `pnpm pack`),
 * installs them with npm under Node 22 (`npx -y node@22`, the binary from the `node` package)
 * next to openai@^7, @opentelemetry/api@^1.10, sdk-trace@^3, context-async-hooks@^3 and
 * instrumentation@^0.301, in a project outside the workspace (so that nothing resolves from the
 * workspace's node_modules), and runs fixtures/openai-v7-app.mjs against the mock provider started
 * here. The app writes the sealed records to an in-memory EventSink and prints them.
 *
 * The install is cached per hash of the tarballs and the manifest, under
 * `$AUDITRAIL_COMPAT_CACHE` (default `<tmpdir>/auditrail-compat`). The test skips only when the
 * npm registry cannot be reached and nothing is cached.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const APP = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/openai-v7-app.mjs');
const PACKAGES = ['core', 'instrumentation', 'processor'];
const CACHE = process.env['AUDITRAIL_COMPAT_CACHE'] ?? join(tmpdir(), 'auditrail-compat');
const DEPENDENCIES = {
  openai: '^7.0.0',
  '@opentelemetry/api': '^1.10.0',
  '@opentelemetry/sdk-trace': '^3.0.0',
  '@opentelemetry/context-async-hooks': '^3.0.0',
  '@opentelemetry/instrumentation': '^0.301.0',
};
const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|fetch failed|getaddrinfo/i;

class RegistryUnreachable extends Error {}

/** The environment for child processes: the parent's, without what vitest or pnpm put in for themselves. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) if (key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key === 'NODE_ENV') delete env[key];
  return env;
}

function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: options.cwd, env: options.env ?? childEnv(), timeout: options.timeout ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(new Error(`${cmd} ${args.join(' ')} failed: ${error.message}\n${stderr}`), { stderr: String(stderr) }));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * Runs a command that needs the registry: a network failure becomes RegistryUnreachable. One retry
 * after 2 s instead of npm's default two after 10 s and more, so that an offline run skips in
 * seconds, not minutes.
 */
async function online(cmd: string, args: string[], options: Parameters<typeof run>[2] = {}) {
  const env = childEnv({ npm_config_fetch_retries: '1', npm_config_fetch_retry_mintimeout: '2000', npm_config_fetch_retry_maxtimeout: '5000' });
  try {
    return await run(cmd, args, { env, ...options });
  } catch (e) {
    if (NETWORK.test((e as { stderr?: string }).stderr ?? '')) throw new RegistryUnreachable(`npm registry unreachable (${cmd} ${args.slice(0, 3).join(' ')}…)`);
    throw e;
  }
}

/** Node 22's binary, from the `node` package on npm (cached by npx after the first run). */
async function node22(): Promise<string> {
  const { stdout } = await online('npx', ['-y', 'node@22', '-p', 'process.execPath'], { timeout: 300_000 });
  return stdout.trim();
}

/** npm's CLI script, run by Node 22 (the `node` package ships no npm of its own). */
async function npmCli(): Promise<string> {
  const { stdout } = await run('npm', ['prefix', '-g']);
  const cli = join(stdout.trim(), 'lib/node_modules/npm/bin/npm-cli.js');
  if (!existsSync(cli)) throw new Error(`npm's CLI not found at ${cli}`);
  return cli;
}

/**
 * The packages are packed from their dist, which must be built from the current sources: `tsc -b`
 * (a second or two when up to date; pnpm test has just run it). Comparing file times instead is
 * unreliable: tsc leaves an output untouched when its source was rewritten with the same content.
 */
async function buildPackages(): Promise<void> {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-b', join(ROOT, 'packages', 'cli')], { cwd: ROOT, timeout: 120_000 });
}

/** Keeps the three most recent installs (every change to the packages makes a new one). */
function prune(keep: string): void {
  const entries = readdirSync(CACHE)
    .map((name) => join(CACHE, name))
    .filter((path) => path !== keep && existsSync(join(path, '.installed')))
    .sort((a, b) => statSync(join(b, '.installed')).mtimeMs - statSync(join(a, '.installed')).mtimeMs);
  for (const old of entries.slice(2)) rmSync(old, { recursive: true, force: true });
}

/** Packs the packages and returns an installed project for them, from the cache when it has one. */
async function project(): Promise<string> {
  const packDir = mkdtempSync(join(tmpdir(), 'auditrail-pack-'));
  try {
    await Promise.all(PACKAGES.map((p) => online('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', packDir], { cwd: join(ROOT, 'packages', p) })));
    const tarballs = readdirSync(packDir).sort();
    const manifest = {
      name: 'auditrail-compat-app',
      private: true,
      type: 'module',
      dependencies: {
        ...Object.fromEntries(tarballs.map((t) => [`@auditrail/${t.replace(/^auditrail-/, '').replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')}`, `file:./tarballs/${t}`])),
        ...DEPENDENCIES,
      },
      // The packed processor depends on `@auditrail/core: 0.1.0`: the tarballs, not the registry.
      overrides: { '@auditrail/core': '$@auditrail/core', '@auditrail/instrumentation': '$@auditrail/instrumentation' },
    };
    const hash = createHash('sha256').update(JSON.stringify(manifest));
    for (const t of tarballs) hash.update(readFileSync(join(packDir, t)));
    const dir = join(CACHE, hash.digest('hex').slice(0, 20));
    if (existsSync(join(dir, '.installed'))) return dir;

    const staging = `${dir}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'tarballs'), { recursive: true });
    for (const t of tarballs) copyFileSync(join(packDir, t), join(staging, 'tarballs', t));
    writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await online(await node22(), [await npmCli(), 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: staging, timeout: 480_000 });
    writeFileSync(join(staging, '.installed'), `${new Date().toISOString()}\n`);
    try {
      renameSync(staging, dir);
    } catch (e) {
      // Another run installed the same project meanwhile: use it.
      if (!existsSync(join(dir, '.installed'))) throw e;
      rmSync(staging, { recursive: true, force: true });
    }
    prune(dir);
    return dir;
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}

interface AppOutput {
  versions: Record<string, string>;
  records: AuditRecord[];
  payloads: PayloadRow[];
  out: {
    chat: { id: string; usage: { prompt_tokens: number; completion_tokens: number } };
    chunks: { id: string; usage: { prompt_tokens: number; completion_tokens: number } | null; choices: { delta: { content?: string } }[] }[];
    response: { id: string; output_text: string; usage: { input_tokens: number; output_tokens: number } };
    events: { type: string; delta?: string; response?: { id: string; usage: { input_tokens: number; output_tokens: number } } }[];
    error: string;
    esm: { id: string };
  };
}

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider();
});
afterAll(() => mock.close());

it('openai 7 on Node 22 with OTel SDK 3.x: require hook and manuallyInstrument, records as with v6', async (ctx) => {
  await buildPackages();
  let dir: string;
  let node: string;
  try {
    dir = await project();
    node = await node22();
  } catch (e) {
    if (e instanceof RegistryUnreachable) return ctx.skip(e.message);
    throw e;
  }
  copyFileSync(APP, join(dir, 'app.mjs'));
  mock.clearServed();
  const { stdout } = await run(node, ['app.mjs'], { cwd: dir, env: childEnv({ MOCK_URL: mock.url }), timeout: 60_000 });
  const { versions, records, payloads, out } = JSON.parse(stdout) as AppOutput;

  expect(versions).toEqual({
    node: expect.stringMatching(/^v22\./),
    openai: expect.stringMatching(/^7\./),
    '@opentelemetry/api': expect.stringMatching(/^1\.10\./),
    '@opentelemetry/sdk-trace': expect.stringMatching(/^3\./),
    '@opentelemetry/context-async-hooks': expect.stringMatching(/^3\./),
    '@opentelemetry/instrumentation': expect.stringMatching(/^0\.301\./),
  });
  expect(records.map((r) => [r.seq, r.event_type, r.name, r.request_id, r.tenant_id, r.status, r.error_type])).toEqual([
    [0, 'audit.stream_open', 'audit.stream_open', null, 'fallback-tenant', 'ok', null],
    [1, 'llm.completion', 'chat gpt-4o-mini', 'req_compat_cjs', 'acme', 'unset', null],
    [2, 'llm.completion', 'chat gpt-4o-mini', 'req_compat_cjs', 'acme', 'unset', null],
    [3, 'llm.completion', 'chat gpt-4o-mini', 'req_compat_cjs', 'acme', 'unset', null],
    [4, 'llm.completion', 'chat gpt-4o-mini', 'req_compat_cjs', 'acme', 'unset', null],
    [5, 'llm.completion', 'chat mock-error-429', 'req_compat_cjs', 'acme', 'error', 'RateLimitError'],
    [6, 'agent.invoke', 'invoke_agent compat-agent', 'req_compat_cjs', 'acme', 'unset', null],
    [7, 'llm.completion', 'chat gpt-4o-mini', 'req_compat_esm', 'acme', 'unset', null],
  ]);
  expect(out.error).toBe('RateLimitError');

  // What the mock served, as the SDK handed it to the app, is what the records hold.
  const completed = out.events.at(-1)!.response!;
  const lastChunk = out.chunks.at(-1)!;
  const calls = records.filter((r) => r.event_type === 'llm.completion' && r.status === 'unset');
  expect(calls.map((r) => [r.data['response_id'], r.usage?.input_tokens, r.usage?.output_tokens])).toEqual([
    [out.chat.id, out.chat.usage.prompt_tokens, out.chat.usage.completion_tokens],
    [lastChunk.id, lastChunk.usage!.prompt_tokens, lastChunk.usage!.completion_tokens],
    [out.response.id, out.response.usage.input_tokens, out.response.usage.output_tokens],
    [completed.id, completed.usage.input_tokens, completed.usage.output_tokens],
    [out.esm.id, (mock.served.at(-1)!.response as { usage: { prompt_tokens: number } }).usage.prompt_tokens, expect.any(Number)],
  ]);
  expect(mock.served.map((s) => s.status)).toEqual([200, 200, 200, 200, 429, 200]);
  for (const r of calls) {
    expect(r.cost_usd).not.toBeNull();
    expect(r.cost_usd).toBe(computeCost([], r.provider, r.response_model, r.usage).cost_usd);
  }
  // The SDK 3.x span shape: parents, resource and request context read as under 2.x.
  const agent = records.find((r) => r.event_type === 'agent.invoke')!;
  expect(records.filter((r) => r.request_id === 'req_compat_cjs' && r !== agent).every((r) => r.parent_span_id === agent.span_id && r.trace_id === agent.trace_id)).toBe(true);
  expect([agent.user_id, agent.session_id]).toEqual(['alice', 'sess-1']);

  // Content, streamed answers included, lives in the payloads.
  const content = (r: AuditRecord) => {
    const row = payloads.find((p) => p.digest === r.payload?.digest)!;
    return Object.fromEntries(Object.entries(JSON.parse(row.content) as Record<string, string>).map(([k, v]) => [k, JSON.parse(v)]));
  };
  const text = out.chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  expect(content(calls[1]!)['gen_ai.output.messages']).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]);
  expect(content(calls[2]!)).toEqual({
    'gen_ai.system_instructions': [{ type: 'text', content: 'Be brief.' }],
    'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Responses on openai 7' }] }],
    'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: out.response.output_text }], finish_reason: 'stop' }],
  });
}, 600_000);
