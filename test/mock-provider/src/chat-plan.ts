import { planAnswer, type FunctionTool, type Turn } from './answer-plan.js';
import { invalidRequest } from './errors.js';
import { openaiSnapshot, reasoningTokens } from './models.js';
import type { ChatUsage, FinishReason, ToolCallObject } from './openai-types.js';
import { openaiCachedTokens } from './prompt-cache.js';
import { derivedId } from './sha256.js';
import { sumTokens, tokens } from './tokens.js';
import { isRecord, textsOf } from './values.js';

/** Content part types whose `text` counts as a chat message's text. */
const TEXT_PARTS = new Set(['text']);

/** Everything both response shapes (JSON and SSE) are built from. */
export interface ChatPlan {
  id: string;
  model: string;
  text: string | null;
  toolCalls: ToolCallObject[];
  finishReason: FinishReason;
  usage: ChatUsage;
  includeUsage: boolean;
}

/** A chat message as a turn, and its prompt tokens (counted per text part). */
interface ParsedMessage {
  turn: Turn;
  tokens: number;
}

function parseMessages(value: unknown): ParsedMessage[] {
  if (value === undefined) {
    throw invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest("Invalid 'messages': expected a non-empty array of messages.", 'messages', 'invalid_value');
  }
  return value.map((message: unknown, i): ParsedMessage => {
    if (!isRecord(message) || typeof message['role'] !== 'string') {
      const param = `messages[${i}].role`;
      throw invalidRequest(`Invalid value for '${param}': expected a string.`, param, 'invalid_value');
    }
    const texts = textsOf(message['content'], TEXT_PARTS);
    return {
      turn: { role: message['role'], text: texts.join('\n') },
      tokens: sumTokens(texts),
    };
  });
}

function functionTools(value: unknown): FunctionTool[] {
  if (!Array.isArray(value)) return [];
  const tools: FunctionTool[] = [];
  for (const tool of value) {
    if (!isRecord(tool) || tool['type'] !== 'function' || !isRecord(tool['function'])) continue;
    const fn = tool['function'];
    if (typeof fn['name'] === 'string') tools.push({ name: fn['name'], parameters: fn['parameters'] });
  }
  return tools;
}

/** OpenAI chat usage; `prompt_tokens` includes the cached ones, `completion_tokens` the reasoning ones. */
function usageOf(promptTokens: number, cachedTokens: number, completionTokens: number, reasoning: number): ChatUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/**
 * Decide, deterministically, how to answer a chat completions request body.
 * Throws `MockApiError` (400) when the body is not a valid request.
 */
export function planChat(request: unknown): ChatPlan {
  if (!isRecord(request)) throw invalidRequest('The request body must be a JSON object.');
  const model = request['model'];
  if (typeof model !== 'string' || model.length === 0) {
    throw invalidRequest('You must provide a model parameter.', 'model', 'missing_required_parameter');
  }
  const messages = parseMessages(request['messages']);
  const key = JSON.stringify(request);
  const rawTools = request['tools'];
  let promptTokens = Array.isArray(rawTools) && rawTools.length > 0 ? tokens(JSON.stringify(rawTools)) : 0;
  for (const message of messages) promptTokens += message.tokens;
  // The reusable prefix: the tools and every message but the last.
  const prefixTokens = promptTokens - (messages.at(-1) as ParsedMessage).tokens;

  const max = request['max_completion_tokens'];
  const maxTokens = typeof max === 'number' ? max : request['max_tokens'];
  const answer = planAnswer({
    turns: messages.map((message) => message.turn),
    tools: functionTools(rawTools),
    parallelToolCalls: request['parallel_tool_calls'] !== false,
    maxOutputTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    reasoningTokens: reasoningTokens(model, request['reasoning_effort']),
  });
  const streamOptions = request['stream_options'];
  return {
    id: derivedId('chatcmpl-', key),
    model: openaiSnapshot(model),
    text: answer.text,
    toolCalls: answer.toolCalls.map((call, index): ToolCallObject => ({
      id: derivedId('call_', key, String(index)),
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    })),
    finishReason: answer.finish,
    usage: usageOf(promptTokens, openaiCachedTokens(prefixTokens), answer.outputTokens, answer.reasoningTokens),
    includeUsage: request['stream'] === true && isRecord(streamOptions) && streamOptions['include_usage'] === true,
  };
}
