import { createRequire } from 'node:module';
import { isWrapped, registerInstrumentations } from '@opentelemetry/instrumentation';
import OpenAIEsm from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, OpenAIHarness, recordUsage } from './fixtures/openai-harness.ts';
import { OtherInstrumentation, type Proto } from './fixtures/other-instrumentation.ts';

type OpenAIModule = typeof import('openai');

let h: OpenAIHarness;
let unregister: () => void;

beforeAll(async () => {
  h = await OpenAIHarness.start();
  // As an app registers any contrib instrumentation; no manuallyInstrument anywhere in this file.
  unregister = registerInstrumentations({ instrumentations: [h.instrumentation], tracerProvider: h.app.provider });
});
afterAll(async () => {
  unregister();
  await h.close();
});

it('patches openai when a CommonJS app requires it, like any contrib instrumentation, and unpatches on disable', async () => {
  const { OpenAI } = createRequire(import.meta.url)('openai') as OpenAIModule;
  const proto = OpenAI.Chat.Completions.prototype;
  expect([isWrapped(proto.create), isWrapped(OpenAI.Responses.prototype.create), isWrapped(OpenAI.Embeddings.prototype.create)]).toEqual([true, true, true]);
  // The ESM build of the same package is another set of classes, which the require hook never
  // sees: that is what manuallyInstrument is for.
  expect(OpenAIEsm.Chat.Completions.prototype).not.toBe(proto);
  expect(isWrapped(OpenAIEsm.Chat.Completions.prototype.create)).toBe(false);

  const client = new OpenAI({ baseURL: h.mock.url, apiKey: API_KEY, maxRetries: 0 });
  const r = await h.record(async () => {
    const chat = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello from CommonJS' }] });
    let last: { usage?: unknown } = {};
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Streamed from CommonJS' }], stream: true, stream_options: { include_usage: true } })) last = chunk;
    return { chat, last };
  });
  expect(r.events.map((e) => [e.name, e.data['response_id'], e.usage])).toEqual([
    ['chat gpt-4o-mini', r.value.chat.id, recordUsage(r.value.chat.usage as never, 'chat')],
    ['chat gpt-4o-mini', (r.served[1]!.response as { id: string }[])[0]!.id, recordUsage(r.value.last.usage as never, 'chat')],
  ]);

  h.instrumentation.disable();
  expect(isWrapped(proto.create)).toBe(false);
  const after = await h.record(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Not recorded' }] }));
  expect(after.events).toEqual([]);
});

describe('next to another instrumentation of the same method (OTel instrumentation-openai, OpenLLMetry, OpenInference)', () => {
  const proto = OpenAIEsm.Chat.Completions.prototype as unknown as Proto;
  const sdkCreate = proto.create;

  async function call() {
    const client = new OpenAIEsm({ baseURL: h.mock.url, apiKey: API_KEY, maxRetries: 0 });
    const r = await h.record(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Two instrumentations' }] }));
    return r.events.map((e) => e.data['response_id'] === r.value.id);
  }

  it('wrapped after it: both run, and disabling ours leaves theirs in place', async () => {
    const other = new OtherInstrumentation('other-genai', '1.0.0', {});
    other.wrap(proto);
    const theirs = proto.create;
    h.instrumentation.enable();
    h.instrumentation.manuallyInstrument(OpenAIEsm);
    expect([await call(), other.calls]).toEqual([[true], 1]);
    h.instrumentation.disable();
    expect(proto.create).toBe(theirs);
    other.unwrap(proto);
    expect(proto.create).toBe(sdkCreate);
  });

  it('wrapped before it: its _wrap cannot remove ours (the audit never silently stops), both run', async () => {
    h.instrumentation.enable();
    h.instrumentation.manuallyInstrument(OpenAIEsm);
    const ours = proto.create;
    const other = new OtherInstrumentation('other-genai', '1.0.0', {});
    other.wrap(proto);
    expect([await call(), other.calls]).toEqual([[true], 1]);
    other.unwrap(proto);
    expect(proto.create).toBe(ours);
    h.instrumentation.disable();
    expect(proto.create).toBe(sdkCreate);
  });
});
