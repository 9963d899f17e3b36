import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import type { FunctionTool } from 'openai/resources/responses/responses';
import type { MockProvider } from '../src/index.ts';

/** Shared constants of the mock-provider tests. */
export const API_KEY = 'sk-proj-mockmockmockmockmockmockmock0000';
/** Fake, but shaped like a real key: `sk-ant-api03-` + 93 base64url characters. */
export const ANTHROPIC_KEY =
  'sk-ant-api03-PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA_2O76UMFxFkM_R5Kjp1vRt-1fjORS_6ilI8ihN5KXSc7Tvo_hBKqFY';

/** An OpenAI client of the mock, with API_KEY and no retries (a retry would hide what the mock did). */
export const openaiClient = (provider: MockProvider): OpenAI => new OpenAI({ baseURL: provider.url, apiKey: API_KEY, maxRetries: 0 });
/** An Anthropic client of the mock, with ANTHROPIC_KEY and no retries. */
export const anthropicClient = (provider: MockProvider): Anthropic => new Anthropic({ baseURL: provider.anthropicUrl, apiKey: ANTHROPIC_KEY, maxRetries: 0 });

export const hex = (text: string): string => createHash('sha256').update(text).digest('hex');
export const USAGE_DETAILS = {
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

export const TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
        required: ['city'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      parameters: {
        type: 'object',
        properties: { timezone: { type: 'string' }, offset: { type: 'integer' }, dst: { type: 'boolean' } },
        required: ['timezone', 'offset', 'dst'],
      },
    },
  },
];

/** {@link TOOLS} as Responses API function tools. */
export const RESPONSE_TOOLS: FunctionTool[] = TOOLS.flatMap((tool) =>
  tool.type === 'function'
    ? [
        {
          type: 'function' as const,
          name: tool.function.name,
          parameters: tool.function.parameters ?? null,
          strict: false,
        },
      ]
    : [],
);

/** {@link TOOLS} as Anthropic tools. */
export const ANTHROPIC_TOOLS: Anthropic.Tool[] = TOOLS.flatMap((tool) =>
  tool.type === 'function'
    ? [{ name: tool.function.name, input_schema: tool.function.parameters as Anthropic.Tool.InputSchema }]
    : [],
);

/** Tokens of `text` as the mock counts them: ceil(UTF-8 bytes / 4). */
export const tok = (text: string): number => Math.ceil(Buffer.byteLength(text, 'utf8') / 4);

/** The embedding the mock is meant to return for `text`, computed independently of the implementation. */
export function intendedEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from({ length: 8 }, (_, i) => {
    const unit = digest.readUInt32BE(i * 4) / 0xffffffff; // [0, 1]
    return Math.round((unit * 2 - 1) * 1e6) / 1e6;
  });
}
