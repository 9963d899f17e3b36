import { createRequire } from 'node:module';
import type AnthropicClass from '@anthropic-ai/sdk';
import { isWrapped, registerInstrumentations } from '@opentelemetry/instrumentation';
import { withRequestContext } from '@auditrail/instrumentation';
import { type MessageObject, startMockProvider } from '@auditrail/mock-provider';
import { expect, it } from 'vitest';
import { AnthropicInstrumentation } from '../../packages/instrumentation/src/anthropic/index.ts';
import { auditedApp, freshStore } from '../support/audited-app.ts';

// The require-hook path, as a CommonJS app gets it: registerInstrumentations first, then
// require('@anthropic-ai/sdk') (its CommonJS build, a module of its own beside the ESM one),
// patched by the hook when it loads. Nothing in this file imports the SDK before.
it('patches the SDK a CommonJS app requires after registerInstrumentations, and unpatches it on disable', async () => {
  const mock = await startMockProvider();
  const store = await freshStore();
  const app = auditedApp({ sink: store });
  const instrumentation = new AnthropicInstrumentation({ captureMessageContent: true });
  const unregister = registerInstrumentations({ tracerProvider: app.provider, instrumentations: [instrumentation] });

  const { Anthropic } = createRequire(import.meta.url)('@anthropic-ai/sdk') as { Anthropic: typeof AnthropicClass };
  expect([isWrapped(Anthropic.Messages.prototype.create), isWrapped(Anthropic.Messages.prototype.stream), isWrapped(Anthropic.Beta.Messages.prototype.create)]).toEqual([true, true, true]);
  const client = new Anthropic({ baseURL: mock.anthropicUrl, apiKey: `sk-ant-api03-${'r'.repeat(93)}AA`, maxRetries: 0 });
  const message = await withRequestContext({ requestId: 'req-cjs', userId: 'bob' }, () =>
    client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Hello from CommonJS' }] }),
  );
  await app.provider.forceFlush();
  const [e] = await store.trace({ requestId: 'req-cjs' });
  const served = mock.served[0]!.response as MessageObject;
  expect(message).toEqual(served);
  expect([e!.event_type, e!.name, e!.provider, e!.response_model, e!.user_id, e!.usage?.input_tokens, e!.usage?.output_tokens, e!.data['response_id']]).toEqual([
    'llm.completion',
    'chat claude-sonnet-4-6',
    'anthropic',
    served.model,
    'bob',
    served.usage.input_tokens,
    served.usage.output_tokens,
    served.id,
  ]);

  unregister();
  expect(isWrapped(Anthropic.Messages.prototype.create)).toBe(false);
  await app.provider.shutdown();
  await store.close();
  await mock.close();
});
