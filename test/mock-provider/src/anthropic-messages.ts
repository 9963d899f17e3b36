import type { AnswerFinish } from './answer-plan.js';
import { planMessages, type MessagesPlan } from './anthropic-plan.js';
import type { ContentBlock, MessageObject, MessageStreamEvent, MessageUsage, StopReason } from './anthropic-types.js';
import { derivedId } from './sha256.js';
import { pieces } from './text.js';

const STOP_REASONS: Record<AnswerFinish, StopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
};

function usageOf(plan: MessagesPlan): MessageUsage {
  const { cache } = plan;
  return {
    input_tokens: cache.input,
    cache_creation_input_tokens: cache.cacheCreation,
    cache_read_input_tokens: cache.cacheRead,
    cache_creation: {
      ephemeral_5m_input_tokens: cache.ttl === '5m' ? cache.cacheCreation : 0,
      ephemeral_1h_input_tokens: cache.ttl === '1h' ? cache.cacheCreation : 0,
    },
    output_tokens: plan.answer.outputTokens,
    service_tier: 'standard',
  };
}

function buildMessage(plan: MessagesPlan): MessageObject {
  const { answer, key } = plan;
  const content: ContentBlock[] =
    answer.text !== null
      ? [{ type: 'text', text: answer.text }]
      : answer.toolCalls.map((call, index) => ({
          type: 'tool_use',
          id: derivedId('toolu_', key, String(index)),
          name: call.name,
          input: JSON.parse(call.arguments) as Record<string, unknown>,
        }));
  return {
    id: derivedId('msg_', key),
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content,
    stop_reason: STOP_REASONS[answer.finish],
    stop_sequence: null,
    usage: usageOf(plan),
  };
}

/**
 * The `message` answering a `POST /v1/messages` body. Pure and deterministic; throws
 * `MockApiError` (400) for an invalid body.
 */
export function createMessage(request: unknown): MessageObject {
  return buildMessage(planMessages(request));
}

/** The events that stream content block `index`: start, deltas, stop. */
function blockEvents(block: ContentBlock, index: number): MessageStreamEvent[] {
  if (block.type === 'text') {
    return [
      { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      ...pieces(block.text).map((text) => ({
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text },
      })),
      { type: 'content_block_stop', index },
    ];
  }
  // As the real API does, the JSON of the input starts with an empty partial.
  const partials = ['', ...pieces(JSON.stringify(block.input))];
  return [
    { type: 'content_block_start', index, content_block: { ...block, input: {} } },
    ...partials.map((partial_json) => ({
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json },
    })),
    { type: 'content_block_stop', index },
  ];
}

/**
 * The events of the SSE answer to a streaming `POST /v1/messages` body, in the real
 * API's order: `message_start` (usage with the input and cache figures), a `ping` after
 * the first `content_block_start`, each block's start / deltas / stop, `message_delta`
 * (stop reason and the final usage), `message_stop`. Pure and deterministic; throws
 * `MockApiError` (400) for an invalid body.
 */
export function createMessageEvents(request: unknown): MessageStreamEvent[] {
  const message = buildMessage(planMessages(request));
  const { usage } = message;
  const start: MessageObject = {
    ...message,
    content: [],
    stop_reason: null,
    usage: { ...usage, output_tokens: Math.min(1, usage.output_tokens) },
  };
  const blocks = message.content.flatMap(blockEvents);
  return [
    { type: 'message_start', message: start },
    ...blocks.slice(0, 1),
    { type: 'ping' },
    ...blocks.slice(1),
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
      },
    },
    { type: 'message_stop' },
  ];
}
