import * as anthropicModule from '@anthropic-ai/sdk';
import Anthropic from '@anthropic-ai/sdk';
import { withRequestContext } from '@auditrail/instrumentation';
import { type MessageObject, startMockProvider } from '@auditrail/mock-provider';
import { expect, it } from 'vitest';
import { AnthropicInstrumentation } from '../../packages/instrumentation/src/anthropic/index.ts';
import { auditedApp, freshStore } from '../support/audited-app.ts';
import { OtherInstrumentation, type Proto } from './fixtures/other-instrumentation.ts';

it('next to another instrumentation of messages.create, wrapped before or after ours: both run, and neither removes the other', async () => {
  const mock = await startMockProvider();
  const store = await freshStore();
  const app = auditedApp({ sink: store });
  const proto = Anthropic.Messages.prototype as unknown as Proto;
  const sdkCreate = proto.create;
  const client = new Anthropic({ baseURL: mock.anthropicUrl, apiKey: `sk-ant-api03-${'c'.repeat(93)}AA`, maxRetries: 0 });
  const call = async (requestId: string) => {
    const message = await withRequestContext({ requestId }, () => client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Two instrumentations' }] }));
    await app.provider.forceFlush();
    return (await store.trace({ requestId })).map((e) => e.data['response_id'] === (message as MessageObject).id);
  };

  // Theirs first, then ours on top: their wrapper stays under ours, and stays when ours goes.
  const before = new OtherInstrumentation('other-genai', '1.0.0', {});
  before.wrap(proto);
  const theirs = proto.create;
  const ours = new AnthropicInstrumentation();
  ours.setTracerProvider(app.provider);
  ours.manuallyInstrument(anthropicModule);
  expect([await call('req-before'), before.calls]).toEqual([[true], 1]);
  ours.disable();
  expect(proto.create).toBe(theirs);
  before.unwrap(proto);
  expect(proto.create).toBe(sdkCreate);

  // Ours first, theirs after: their `_wrap` cannot remove ours (the audit never silently stops).
  ours.enable();
  const oursCreate = proto.create;
  const after = new OtherInstrumentation('other-genai', '1.0.0', {});
  after.wrap(proto);
  expect([await call('req-after'), after.calls]).toEqual([[true], 1]);
  after.unwrap(proto);
  expect(proto.create).toBe(oursCreate);
  ours.disable();
  expect(proto.create).toBe(sdkCreate);

  await app.provider.shutdown();
  await store.close();
  await mock.close();
});
