import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createStore } from '@auditrail/clickhouse';
import { startMockProvider } from '@auditrail/mock-provider';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'auditrail-register-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The one-line setup: an ESM app started with `--import @auditrail/instrumentation/register`, in a
// process of its own (the loader hook must be in place before the SDKs are imported; the embedded
// store is locked by that process until it exits).
it('`node --import @auditrail/instrumentation/register` records an ESM app’s OpenAI and Anthropic calls, with content', async () => {
  const mock = await startMockProvider();
  try {
    const app = fileURLToPath(new URL('./fixtures/register-app.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', '@auditrail/instrumentation/register', app, dir, mock.url, mock.anthropicUrl], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      timeout: 60_000,
    });
    const results = JSON.parse(stdout) as { openai: { id: string; model: string }; anthropic: { id: string; model: string } };
    const store = await createStore({ kind: 'embedded', path: dir });
    try {
      const events = await store.trace({ requestId: 'req-esm' });
      expect(events.map((e) => [e.event_type, e.provider, e.response_model, e.data['response_id'], e.user_id])).toEqual([
        ['llm.completion', 'openai', results.openai.model, results.openai.id, 'u-esm'],
        ['llm.completion', 'anthropic', results.anthropic.model, results.anthropic.id, 'u-esm'],
      ]);
      const payloads = await store.payloads(events.map((e) => e.payload!.digest));
      expect(payloads.map((p) => JSON.parse(p.content)['gen_ai.input.messages'])).toEqual([
        JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hello from an ESM app' }] }]),
        JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hello from an ESM app' }] }]),
      ]);
    } finally {
      await store.close();
    }
  } finally {
    await mock.close();
  }
});
