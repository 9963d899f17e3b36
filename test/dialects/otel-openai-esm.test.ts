import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createStore, type Store } from '@auditrail/clickhouse';
import { type MockProvider, startMockProvider } from '@auditrail/mock-provider';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { content, expectChildrenOf, expectPriced, expectRequestContext, requestEvents } from '../support/dialects.ts';

/**
 * The official instrumentation in an ESM app through the import hook (import-in-the-middle), which
 * needs a fresh Node process with the hook registered before `openai` is imported: the app runs as
 * a child process writing to its own store, opened here once it has exited.
 */
let mock: MockProvider;
let store: Store;
const dir = mkdtempSync(join(tmpdir(), 'auditrail-esm-'));

beforeAll(async () => {
  mock = await startMockProvider();
});
afterAll(async () => {
  await store?.close();
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

it('records an ESM app instrumented through the import hook, with its log events joined', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/otel-openai-esm.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [fixture, mock.url, dir], { timeout: 60_000 });
  const app = JSON.parse(stdout) as { answer: string; streamed: string };
  store = await createStore({ kind: 'embedded', path: dir });

  const { events, payloads } = await requestEvents(store, 'req-esm');
  expect(events.map((e) => [e.event_type, e.name])).toEqual([
    ['llm.completion', 'chat gpt-4o-mini'],
    ['llm.completion', 'chat gpt-4o-mini'],
    ['agent.invoke', 'invoke_agent weather-agent'],
  ]);
  const [json, stream, agent] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
  expectChildrenOf(agent, [json, stream]);
  expectRequestContext(events, 'req-esm');
  const served = mock.served.map((x) => x.response);
  const jsonServed = served[0] as { id: string; model: string; usage: { prompt_tokens: number; completion_tokens: number } };
  const streamUsage = (served[1] as { usage: { prompt_tokens: number; completion_tokens: number } | null }[]).at(-1)!.usage!;
  expect([json.response_model, json.data['response_id'], json.usage?.input_tokens, json.usage?.output_tokens]).toEqual([jsonServed.model, jsonServed.id, jsonServed.usage.prompt_tokens, jsonServed.usage.completion_tokens]);
  expect([stream.usage?.input_tokens, stream.usage?.output_tokens]).toEqual([streamUsage.prompt_tokens, streamUsage.completion_tokens]);
  for (const e of [json, stream]) expectPriced(e);
  expect(content(payloads.get(json), 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]);
  expect(content(payloads.get(json), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: app.answer }], finish_reason: 'stop' }]);
  expect(content(payloads.get(stream), 'gen_ai.output.messages')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: app.streamed }], finish_reason: 'stop' }]);
});
