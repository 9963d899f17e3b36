import { planChat } from './chat-plan.js';
import type {
  ChatCompletionChunkObject,
  ChatCompletionObject,
  ChunkToolCallDelta,
  FinishReason,
} from './openai-types.js';

/** Fixed `created` timestamp of every completion and chunk. */
const CREATED = 1700000000;
const FINGERPRINT = 'fp_mock';
/** Size (in characters) of each streamed content / arguments piece. */
const PIECE = 8;

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
    created: CREATED,
    model: plan.model,
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    usage: plan.usage,
  };
}

/** `text` split into pieces of {@link PIECE} code points. */
function pieces(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let count = 0;
  for (const ch of text) {
    current += ch;
    count += 1;
    if (count === PIECE) {
      out.push(current);
      current = '';
      count = 0;
    }
  }
  if (current.length > 0) out.push(current);
  return out;
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
      created: CREATED,
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
      created: CREATED,
      model: plan.model,
      system_fingerprint: FINGERPRINT,
      choices: [],
      usage: plan.usage,
    });
  }
  return chunks;
}
