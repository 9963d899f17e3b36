import OpenAI, { APIError, APIPromise } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OpenAIHarness } from './fixtures/openai-harness.ts';

let h: OpenAIHarness;
let client: OpenAI;
beforeAll(async () => {
  ({ h, client } = await OpenAIHarness.withClient(OpenAI));
});
afterAll(() => h.close());

const QUESTION: ChatCompletionCreateParamsNonStreaming = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Is this the same with and without auditing?' }] };
const STREAMED = { ...QUESTION, stream: true as const, stream_options: { include_usage: true } };

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** Everything an app can get out of the SDK, in every way it can ask for it. */
async function exercise(c: OpenAI) {
  const promise = c.chat.completions.create(QUESTION);
  const isApiPromise = promise instanceof APIPromise;
  const chat = await promise;
  const stream = await c.chat.completions.create(STREAMED);
  const streamShape = [stream.constructor.name, stream.controller instanceof AbortController, typeof stream.tee, typeof stream.toReadableStream];
  const chunks = await collect(stream);
  const response = await c.responses.create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Same?' });
  const responseEvents = await collect(await c.responses.create({ model: 'gpt-4o-mini', input: 'Same, streamed?', stream: true }));
  const embeddings = await c.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] }); // base64, decoded by the SDK
  const withResponse = await c.chat.completions.create(QUESTION).withResponse();
  // The body stays unread for the app: it reads it itself.
  const raw = await (await c.chat.completions.create(QUESTION).asResponse()).text();
  const rawStream = await (await c.chat.completions.create({ ...QUESTION, stream: true }).asResponse()).text();
  const [left, right] = (await c.chat.completions.create(STREAMED)).tee();
  const tee = await Promise.all([collect(left), collect(right)]);
  const readable = (await c.chat.completions.create(STREAMED)).toReadableStream();
  const lines = await new Response(readable).text();
  const error = await c.chat.completions.create({ model: 'mock-error-429', messages: [{ role: 'user', content: 'x' }] }).catch((e: APIError) => ({
    class: e.constructor.name,
    status: e.status,
    message: e.message,
    error: e.error,
  }));
  return {
    isApiPromise,
    chat,
    streamShape,
    chunks,
    response,
    responseEvents,
    embeddings: embeddings.data.map((d) => [d.embedding.constructor.name, Array.from(d.embedding)]),
    withResponse: [withResponse.data, withResponse.response.status, typeof withResponse.request_id],
    raw,
    rawStream,
    tee,
    lines,
    error,
  };
}

it('the app receives exactly the same from the SDK with and without instrumentation', async () => {
  const audited = await h.record(() => exercise(client));
  // Every call was recorded, the two asResponse() calls too: ended when the response arrived,
  // without usage (the app took the body; the instrumentation never reads it).
  const completion = (usage: boolean) => ['llm.completion', 'unset', usage];
  expect(audited.events.map((e) => [e.event_type, e.status, e.usage !== null])).toEqual([
    ...[true, true, true, true].map(completion),
    ['llm.embedding', 'unset', true],
    ...[true, false, false, true, true].map(completion),
    ['llm.completion', 'error', false],
  ]);

  h.instrumentation.disable();
  try {
    const plain = await h.record(() => exercise(client));
    expect(plain.events).toEqual([]);
    expect(audited.value).toEqual(plain.value);
  } finally {
    h.instrumentation.enable();
    h.instrumentation.manuallyInstrument(OpenAI);
  }
  expect(audited.value.isApiPromise).toBe(true);
  expect(audited.value.streamShape).toEqual(['Stream', true, 'function', 'function']);
  expect(audited.value.tee).toEqual([audited.value.chunks, audited.value.chunks]);
});
