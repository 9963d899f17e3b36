import { planChat } from './chat-plan.js';
import { CREATED_AT } from './clock.js';
import type {
  ChatCompletionChunkObject,
  ChatCompletionObject,
  ChunkToolCallDelta,
  FinishReason,
} from './openai-types.js';
import { pieces } from './text.js';

const FINGERPRINT = 'fp_mock';

/**
 * The `chat.completion` object answering a `POST /v1/chat/completions` body.
 * Pure and deterministic; throws `MockApiError` (400) for an invalid body.
 */
export function createChatCompletion(request: unknown): ChatCompletionObject {
  const plan = planChat(request);
  const message: ChatCompletionObject['choices'][number]['message'] =
    plan.toolCalls.length > 0
      ? { role: 'assistant', content: null, tool_calls: plan.toolCalls, refusal: null, annotations: [] }
      : { role: 'assistant', content: plan.text, refusal: null, annotations: [] };
  return {
    id: plan.id,
    object: 'chat.completion',
    created: CREATED_AT,
    model: plan.model,
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    usage: plan.usage,
  };
}

/**
 * The `chat.completion.chunk` objects of the SSE answer to a streaming request, in
 * order (without the final `[DONE]` sentinel). Pure and deterministic; throws
 * `MockApiError` (400) for an invalid body.
 */
export function createChatCompletionChunks(request: unknown): ChatCompletionChunkObject[] {
  const plan = planChat(request);
  const chunks: ChatCompletionChunkObject[] = [];
  const push = (delta: ChatCompletionChunkObject['choices'][number]['delta'], finish: FinishReason | null): void => {
    const chunk: ChatCompletionChunkObject = {
      id: plan.id,
      object: 'chat.completion.chunk',
      created: CREATED_AT,
      model: plan.model,
      system_fingerprint: FINGERPRINT,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (plan.includeUsage) chunk.usage = null;
    chunks.push(chunk);
  };

  if (plan.toolCalls.length > 0) {
    plan.toolCalls.forEach((call, index) => {
      const header: ChunkToolCallDelta = {
        index,
        id: call.id,
        type: 'function',
        function: { name: call.function.name, arguments: '' },
      };
      push(index === 0 ? { role: 'assistant', content: null, tool_calls: [header] } : { tool_calls: [header] }, null);
      for (const piece of pieces(call.function.arguments)) {
        push({ tool_calls: [{ index, function: { arguments: piece } }] }, null);
      }
    });
  } else {
    push({ role: 'assistant', content: '' }, null);
    for (const piece of pieces(plan.text ?? '')) push({ content: piece }, null);
  }
  push({}, plan.finishReason);

  if (plan.includeUsage) {
    chunks.push({
      id: plan.id,
      object: 'chat.completion.chunk',
      created: CREATED_AT,
      model: plan.model,
      system_fingerprint: FINGERPRINT,
      choices: [],
      usage: plan.usage,
    });
  }
  return chunks;
}
