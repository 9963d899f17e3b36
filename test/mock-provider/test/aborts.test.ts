import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startMockProvider, type MockProvider, type ServedExchange } from '../src/index.ts';
import { anthropicClient, openaiClient } from './fixtures.ts';

let provider: MockProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  provider = await startMockProvider({ slowMs: 300 });
  openai = openaiClient(provider);
  anthropic = anthropicClient(provider);
});

afterAll(() => provider.close());

/** Everything an async iterable yields until it throws: the items and the error (undefined if it ended). */
async function drain<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

/** The exchange the server recorded last, once it is there (a client abort is recorded when the socket closes). */
async function recorded(count: number): Promise<ServedExchange> {
  for (let i = 0; i < 100 && provider.served.length < count; i += 1) await new Promise((r) => setTimeout(r, 5));
  const exchange = provider.served.at(-1);
  if (exchange === undefined || provider.served.length !== count) throw new Error(`expected ${count} exchanges`);
  return exchange;
}

const QUESTION = 'Tell me something long enough to be streamed in pieces';
const USER = [{ role: 'user' as const, content: QUESTION }];

describe('mock provider: streams cut off by the server (mock-stream-abort)', () => {
  it('chat: the SDK yields the first half of the chunks, then iteration rejects; served says "server"', async () => {
    provider.clearServed();
    const stream = await openai.chat.completions.create({ model: 'mock-stream-abort', messages: USER, stream: true });
    const { items, error } = await drain(stream);
    // Node's fetch (undici) fails the body with TypeError('terminated'); the SDK passes it through.
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'terminated' });
    const exchange = await recorded(1);
    expect(exchange).toMatchObject({ path: '/v1/chat/completions', status: 200, stream: true, aborted: 'server' });
    expect(items).toEqual(exchange.response);
    expect(items.length).toBeGreaterThan(1);
    expect(items.every((c) => c.choices[0]?.finish_reason === null)).toBe(true);
    expect(items[0]?.model).toBe('mock-stream-abort-2024-08-06');
  });

  it('Responses: events stop before response.completed and the SDK helper rejects', async () => {
    provider.clearServed();
    const stream = await openai.responses.create({ model: 'mock-stream-abort', input: QUESTION, stream: true });
    const { items, error } = await drain(stream);
    expect(error).toBeInstanceOf(Error);
    const exchange = await recorded(1);
    expect(exchange).toMatchObject({ path: '/v1/responses', stream: true, aborted: 'server' });
    expect(items).toEqual(exchange.response);
    expect(items.map((e) => e.type)).toContain('response.output_text.delta');
    expect(items.map((e) => e.type)).not.toContain('response.completed');

    const helper = openai.responses.stream({ model: 'mock-stream-abort', input: 'again' });
    await expect(helper.finalResponse()).rejects.toBeInstanceOf(Error);
    expect((await recorded(2)).aborted).toBe('server');
  });

  it('Anthropic: iteration rejects after some deltas, and messages.stream().finalMessage() rejects', async () => {
    provider.clearServed();
    const params = { model: 'mock-stream-abort', max_tokens: 256, messages: USER };
    const stream = await anthropic.messages.create({ ...params, stream: true });
    const { items, error } = await drain(stream);
    expect(error).toBeInstanceOf(Error);
    const exchange = await recorded(1);
    expect(exchange).toMatchObject({ path: '/v1/messages', stream: true, aborted: 'server' });
    expect(items).toEqual((exchange.response as Array<{ type: string }>).filter((e) => e.type !== 'ping'));
    expect(items.map((e) => e.type)).toContain('content_block_delta');
    expect(items.map((e) => e.type)).not.toContain('message_stop');

    await expect(anthropic.messages.stream(params).finalMessage()).rejects.toBeInstanceOf(Error);
    expect((await recorded(2)).aborted).toBe('server');
  });

  it('a non-streaming request gets half of its JSON body; served keeps the text that was sent', async () => {
    provider.clearServed();
    const error = await openai.chat.completions.create({ model: 'mock-stream-abort', messages: USER }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const exchange = await recorded(1);
    expect(exchange).toMatchObject({ stream: false, status: 200, aborted: 'server' });
    expect(typeof exchange.response).toBe('string');
    expect((exchange.response as string).startsWith('{"id":"chatcmpl-')).toBe(true);
  });
});

describe('mock provider: clients that abort mid-stream (mock-slow-stream)', () => {
  it('chat: an abort at the first chunk ends iteration; served records the half sent, flagged "client"', async () => {
    provider.clearServed();
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: 'mock-slow-stream', messages: USER, stream: true },
      { signal: controller.signal },
    );
    const received: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    const started = Date.now();
    for await (const chunk of stream) {
      received.push(chunk);
      controller.abort(); // the SDK ends the iteration quietly, after the chunks it had already read
    }
    expect(Date.now() - started).toBeLessThan(250); // did not sit out the 300 ms pause
    const exchange = await recorded(1);
    expect(exchange).toMatchObject({ path: '/v1/chat/completions', stream: true, aborted: 'client' });
    const sent = exchange.response as OpenAI.Chat.Completions.ChatCompletionChunk[];
    expect(received.length).toBeGreaterThan(0);
    expect(received).toEqual(sent.slice(0, received.length));
    expect(sent.length).toBeGreaterThan(1);

    // The server is still healthy, and a stream nobody aborts arrives whole after the pause.
    const whole = await drain(
      await openai.chat.completions.create({ model: 'mock-slow-stream', messages: USER, stream: true }),
    );
    expect(whole.error).toBeUndefined();
    const complete = await recorded(2);
    expect(complete.aborted).toBeUndefined();
    expect(whole.items).toEqual(complete.response);
    expect(whole.items.length).toBeGreaterThan(sent.length);
    expect(whole.items.slice(0, sent.length)).toEqual(sent);
  });

  it('Anthropic: aborting the MessageStream mid-way rejects finalMessage() with APIUserAbortError', async () => {
    provider.clearServed();
    const stream = anthropic.messages.stream({ model: 'mock-slow-stream', max_tokens: 256, messages: USER });
    stream.once('text', () => stream.abort());
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
    const exchange = await recorded(1);
    expect(exchange).toMatchObject({ path: '/v1/messages', stream: true, aborted: 'client' });
    expect((exchange.response as Array<{ type: string }>).map((e) => e.type)).not.toContain('message_stop');
  });

  it('Responses: a client abort is recorded the same way', async () => {
    provider.clearServed();
    const controller = new AbortController();
    const stream = await openai.responses.create(
      { model: 'mock-slow-stream', input: QUESTION, stream: true },
      { signal: controller.signal },
    );
    const received: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) {
      received.push(event);
      if (event.type === 'response.output_text.delta') controller.abort();
    }
    const exchange = await recorded(1);
    expect(exchange).toMatchObject({ path: '/v1/responses', aborted: 'client' });
    expect((exchange.response as unknown[]).slice(0, received.length)).toEqual(received);
  });
});
