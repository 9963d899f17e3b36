import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type MessageObject, startMockProvider } from '@auditrail/mock-provider';
import { expect, it } from 'vitest';

// The ESM loader-hook path (import-in-the-middle) needs a fresh Node process with the hook
// registered before anything imports the SDK: the fixture is that app, on the built packages.
it('instruments an ESM app through the loader hook: one GenAI span per call, the SDK’s own replaced', async () => {
  const mock = await startMockProvider();
  try {
    const fixture = fileURLToPath(new URL('./fixtures/anthropic-esm-hook.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [fixture, mock.anthropicUrl], { timeout: 30_000 });
    const { message, spans } = JSON.parse(stdout) as { message: MessageObject; spans: { name: string; scope: string; attributes: Record<string, unknown> }[] };
    const served = mock.served[0]!.response as MessageObject;
    expect(message).toEqual(served);
    expect(spans.map((s) => [s.name, s.scope])).toEqual([['chat claude-haiku-4-5', '@auditrail/instrumentation/anthropic']]);
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.response.id': served.id,
      'gen_ai.usage.input_tokens': served.usage.input_tokens,
      'gen_ai.usage.output_tokens': served.usage.output_tokens,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hello from ESM' }] }]),
    });
  } finally {
    await mock.close();
  }
});
