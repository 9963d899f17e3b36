import OpenAI from 'openai';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startMockProvider, type MockProvider } from '../src/index.ts';
import { openaiClient, tok, USAGE_DETAILS } from './fixtures.ts';

let provider: MockProvider;
let client: OpenAI;

beforeAll(async () => {
  provider = await startMockProvider();
  client = openaiClient(provider);
});

afterAll(() => provider.close());

/** A 5,000-byte system prompt: 1,250 tokens, over OpenAI's 1,024-token caching minimum. */
const LONG_SYSTEM = 'You are a careful support agent. '.repeat(160).slice(0, 5000);

describe('mock provider: chat usage details', () => {
  it('reports cached tokens for a long reusable prefix: whole 128-token blocks, included in prompt_tokens', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: LONG_SYSTEM },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(tok(LONG_SYSTEM)).toBe(1250);
    expect(completion.usage).toEqual({
      prompt_tokens: 1250 + 1,
      completion_tokens: tok('Mock answer to: hi'),
      total_tokens: 1251 + 5,
      prompt_tokens_details: { cached_tokens: 1152, audio_tokens: 0 }, // 9 × 128 ≤ 1250
      completion_tokens_details: USAGE_DETAILS.completion_tokens_details,
    });
    expect(completion.usage).toEqual((provider.served.at(-1)?.response as OpenAI.Chat.ChatCompletion).usage);

    // The last message is never part of the cached prefix, however long.
    const single = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: LONG_SYSTEM }],
    });
    expect(single.usage?.prompt_tokens).toBe(1250);
    expect(single.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('charges reasoning tokens to o-series models, by reasoning_effort, inside completion_tokens', async () => {
    const ask = (model: string, effort?: OpenAI.ReasoningEffort) =>
      client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Think first' }],
        ...(effort === undefined ? {} : { reasoning_effort: effort }),
      });
    const visible = tok('Mock answer to: Think first'); // 7
    const usage = async (model: string, effort?: OpenAI.ReasoningEffort) => {
      const u = (await ask(model, effort)).usage;
      return [u?.completion_tokens, u?.completion_tokens_details?.reasoning_tokens];
    };
    expect(await usage('o3-mini')).toEqual([visible + 128, 128]);
    expect(await usage('o4-mini', 'low')).toEqual([visible + 32, 32]);
    expect(await usage('gpt-5', 'high')).toEqual([visible + 512, 512]);
    expect(await usage('gpt-4o', 'high')).toEqual([visible, 0]);
  });

  it('spends the max_completion_tokens budget on reasoning first, as the real API does', async () => {
    const completion = await client.chat.completions.create({
      model: 'o3-mini',
      max_completion_tokens: 130,
      messages: [{ role: 'user', content: 'Think first' }],
    });
    // 128 reasoning tokens leave 2 for the answer: 8 bytes.
    expect(completion.choices[0]?.message.content).toBe('Mock ans');
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(130);
  });

  it('streams usage only with include_usage: a last chunk with empty choices, null before', async () => {
    const params = {
      model: 'o4-mini',
      messages: [
        { role: 'system' as const, content: LONG_SYSTEM },
        { role: 'user' as const, content: 'stream it' },
      ],
      stream: true as const,
    };
    const withUsage = await client.chat.completions.create({ ...params, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of withUsage) chunks.push(chunk);
    expect(chunks).toEqual(provider.served.at(-1)?.response);
    expect(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: 1250 + tok('stream it'),
      completion_tokens: tok('Mock answer to: stream it') + 128,
      prompt_tokens_details: { cached_tokens: 1152 },
      completion_tokens_details: { reasoning_tokens: 128 },
    });

    const without = await client.chat.completions.create(params);
    for await (const chunk of without) expect(chunk.usage).toBeUndefined();
    expect((provider.served.at(-1)?.response as unknown[]).length).toBe(chunks.length - 1);
  });
});
