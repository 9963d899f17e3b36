import type { ChatMessage, LlmResponse } from '@auditrail/instrumentation';
import type OpenAI from 'openai';

type Param = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** OpenAI chat messages in the GenAI semantic-convention structure. */
export function toSemconvMessages(messages: Param[]): ChatMessage[] {
  return messages.map((m) => {
    if (m.role === 'tool') return { role: 'tool', parts: [{ type: 'tool_call_response', id: m.tool_call_id, response: m.content }] };
    const parts: ChatMessage['parts'] = [];
    if (typeof m.content === 'string') parts.push({ type: 'text', content: m.content });
    if (m.role === 'assistant') {
      for (const tc of m.tool_calls ?? []) {
        if (tc.type === 'function') parts.push({ type: 'tool_call', id: tc.id, name: tc.function.name, arguments: tc.function.arguments });
      }
    }
    return { role: m.role, parts };
  });
}

/** What a chat completion reports, as auditrail records it. */
export function toLlmResponse(res: OpenAI.Chat.Completions.ChatCompletion): LlmResponse {
  const response: LlmResponse = {
    id: res.id,
    model: res.model,
    finishReasons: res.choices.map((c) => c.finish_reason),
    outputMessages: res.choices.map((c) => ({ ...toSemconvMessages([c.message as Param])[0]!, finish_reason: c.finish_reason })),
  };
  if (res.usage) {
    response.usage = {
      inputTokens: res.usage.prompt_tokens,
      outputTokens: res.usage.completion_tokens,
      cacheReadTokens: res.usage.prompt_tokens_details?.cached_tokens ?? 0,
      reasoningTokens: res.usage.completion_tokens_details?.reasoning_tokens ?? 0,
    };
  }
  return response;
}
