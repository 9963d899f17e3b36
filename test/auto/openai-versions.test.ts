import OpenAIv4 from 'openai-v4';
import OpenAIv5 from 'openai-v5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedCost, OpenAIHarness, oneTurn, recordUsage, streamedText, succeeded, summary, textAnswer } from './fixtures/openai-harness.ts';

/**
 * The core scenarios against the older majors still in use: openai 4.x (own fetch shims, classes
 * under `openai/resources/chat/completions`) and 5.x, patched with manuallyInstrument — the same
 * instrumentation instance patches both, side by side.
 */

type Json = Record<string, any>;
/** The part of the client the scenarios use, the same in every major. */
interface Client {
  chat: { completions: { create(body: Json, options?: Json): Promise<any> } };
  responses: { create(body: Json, options?: Json): Promise<any> };
  embeddings: { create(body: Json, options?: Json): Promise<any> };
}

let h: OpenAIHarness;
beforeAll(async () => {
  h = await OpenAIHarness.start();
  h.instrumentation.manuallyInstrument(OpenAIv4);
  h.instrumentation.manuallyInstrument(OpenAIv5);
});
afterAll(() => h.close());

const TOOLS = ['get_weather', 'get_time'].map((name) => ({
  type: 'function',
  function: { name, description: `${name} for a city`, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
}));

describe.each([
  ['4', OpenAIv4 as unknown as new (o: Json) => Client],
  ['5', OpenAIv5 as unknown as new (o: Json) => Client],
])('openai v%s', (major, OpenAI) => {
  let client: Client;
  beforeAll(() => {
    client = h.client(OpenAI);
  });

  it('chat: request, answer, usage, cost, messages', async () => {
    const r = await h.record(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: `v${major}` }, { role: 'user', content: 'Hello from an older SDK' }] }));
    const served = r.served[0]!.response as Json;
    expect(r.events.map(summary)).toEqual([succeeded(r.requestId, 'chat', 'gpt-4o-mini', served)]);
    expect(r.events[0]!.cost_usd).toBe(expectedCost(r.events[0]!));
    expect(await h.content(r.events[0]!)).toEqual(oneTurn(`v${major}`, 'Hello from an older SDK', served['choices'][0].message.content));
  });

  it('chat, streamed with parallel tool calls: complete at the end of the stream', async () => {
    const r = await h.record(async () => {
      const chunks: Json[] = [];
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Use get_weather and get_time for Paris' }], tools: TOOLS, stream: true, stream_options: { include_usage: true } });
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    });
    const fragments = r.value.flatMap((c) => c['choices'][0]?.delta.tool_calls ?? []);
    const calls = [0, 1].map((i) => {
      const parts = fragments.filter((f: Json) => f['index'] === i);
      return { type: 'tool_call', id: parts[0].id, name: parts[0].function.name, arguments: parts.map((f: Json) => f['function'].arguments).join('') };
    });
    const [e] = r.events;
    expect([e!.usage, e!.data['finish_reasons']]).toEqual([recordUsage(r.value.at(-1)!['usage'], 'chat'), ['tool_calls']]);
    expect((await h.content(e!))['gen_ai.output.messages']).toEqual([{ role: 'assistant', parts: calls, finish_reason: 'tool_call' }]);
  });

  it('responses, plain and streamed; embeddings', async () => {
    const r = await h.record(async () => {
      const plain = await client.responses.create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Responses on an older SDK' });
      const events: Json[] = [];
      for await (const x of await client.responses.create({ model: 'gpt-4o-mini', input: 'Streamed on an older SDK', stream: true })) events.push(x);
      const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'one text' });
      return { plain, completed: events.at(-1)!['response'], embedding };
    });
    const { plain, completed, embedding } = r.value;
    expect(r.events.map((e) => [e.event_type, e.name, e.data['response_id'] ?? null, e.usage])).toEqual([
      ['llm.completion', 'chat gpt-4o-mini', plain.id, recordUsage(plain.usage, 'responses')],
      ['llm.completion', 'chat gpt-4o-mini', completed.id, recordUsage(completed.usage, 'responses')],
      ['llm.embedding', 'embeddings text-embedding-3-small', null, recordUsage(embedding.usage, 'embeddings')],
    ]);
    expect((await h.content(r.events[1]!))['gen_ai.output.messages']).toEqual(textAnswer(completed.output[0].content[0].text));
  });

  it('errors by class; a stream cut by the server and one aborted by the app', async () => {
    const r = await h.record(async () => {
      const error = await client.chat.completions.create({ model: 'mock-error-429', messages: [{ role: 'user', content: 'x' }] }).catch((e: Error) => e.constructor.name);
      let text = '';
      const cut = await (async () => {
        try {
          for await (const c of await client.chat.completions.create({ model: 'mock-stream-abort', messages: [{ role: 'user', content: 'Tell me about audit logs at length' }], stream: true })) text += c['choices'][0]?.delta.content ?? '';
          return null;
        } catch (e) {
          return (e as Error).constructor.name;
        }
      })();
      const slow = await client.chat.completions.create({ model: 'mock-slow-stream', messages: [{ role: 'user', content: 'Tell me about audit logs at length' }], stream: true });
      for await (const _ of slow) slow.controller.abort();
      return { error, cut, text };
    }, { served: 3 });
    expect(r.value.error).toBe('RateLimitError');
    expect(r.value.text).toBe(streamedText(r.served[1]!.response));
    expect(r.events.map((e) => [e.request_model, e.status, e.error_type, e.attributes['auditrail.call.aborted'] ?? false])).toEqual([
      ['mock-error-429', 'error', 'RateLimitError', false],
      // v4 (node-fetch) fails a cut body with a plain Error: the conventions' `_OTHER`.
      ['mock-stream-abort', 'error', r.value.cut === 'Error' ? '_OTHER' : r.value.cut, true],
      ['mock-slow-stream', 'error', 'APIUserAbortError', true],
    ]);
  });
});
