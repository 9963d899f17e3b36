import { createHash } from 'node:crypto';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';

/** Shared constants of the mock-provider tests. */
export const API_KEY = 'sk-proj-mockmockmockmockmockmockmock0000';
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

/** The embedding the mock is meant to return for `text`, computed independently of the implementation. */
export function intendedEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from({ length: 8 }, (_, i) => {
    const unit = digest.readUInt32BE(i * 4) / 0xffffffff; // [0, 1]
    return Math.round((unit * 2 - 1) * 1e6) / 1e6;
  });
}
