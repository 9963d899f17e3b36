import { planAnswer, type Answer, type FunctionTool, type Turn } from './answer-plan.js';
import { invalidRequest } from './errors.js';
import { isReasoningModel, openaiSnapshot, reasoningTokens } from './models.js';
import { openaiCachedTokens } from './prompt-cache.js';
import { sumTokens, tokens } from './tokens.js';
import { isRecord, textsOf } from './values.js';

/** Content part types whose `text` counts as an input message's text. */
const TEXT_PARTS = new Set(['input_text', 'output_text', 'text']);

/** Everything the JSON response and its SSE events are built from. */
export interface ResponsesPlan {
  /** JSON of the body: the seed of every id. */
  key: string;
  model: string;
  /** The requested reasoning effort, null for a model that does not reason. */
  effort: string | null;
  answer: Answer;
  inputTokens: number;
  cachedTokens: number;
}

/** An input item as a turn (null for items that are not part of the conversation) and its tokens. */
interface ParsedItem {
  turn: Turn | null;
  tokens: number;
}

function parseItem(item: unknown, index: number): ParsedItem {
  if (!isRecord(item)) {
    throw invalidRequest(`Invalid 'input[${index}]': expected an object.`, `input[${index}]`, 'invalid_type');
  }
  const type = item['type'] ?? 'message';
  if (type === 'message') {
    if (typeof item['role'] !== 'string') {
      const param = `input[${index}].role`;
      throw invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
    }
    const texts = textsOf(item['content'], TEXT_PARTS);
    return { turn: { role: item['role'], text: texts.join('\n') }, tokens: sumTokens(texts) };
  }
  if (type === 'function_call') {
    const args = typeof item['arguments'] === 'string' ? item['arguments'] : '';
    return { turn: { role: 'assistant', text: '' }, tokens: tokens(args) };
  }
  if (type === 'function_call_output') {
    const texts = textsOf(item['output'], TEXT_PARTS);
    return { turn: { role: 'tool', text: texts.join('\n') }, tokens: sumTokens(texts) };
  }
  return { turn: null, tokens: 0 }; // reasoning items and others: carried, not counted
}

function parseInput(value: unknown): ParsedItem[] {
  if (value === undefined)
    throw invalidRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (typeof value === 'string') return [{ turn: { role: 'user', text: value }, tokens: tokens(value) }];
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest(
      "Invalid 'input': expected a string or a non-empty array of input items.",
      'input',
      'invalid_value',
    );
  }
  return value.map(parseItem);
}

function functionTools(value: unknown): FunctionTool[] {
  if (!Array.isArray(value)) return [];
  const tools: FunctionTool[] = [];
  for (const tool of value) {
    if (isRecord(tool) && tool['type'] === 'function' && typeof tool['name'] === 'string') {
      tools.push({ name: tool['name'], parameters: tool['parameters'] });
    }
  }
  return tools;
}

/**
 * Decide, deterministically, how to answer a `POST /v1/responses` body. Input tokens are
 * `instructions` + every input item's text (function-call arguments and outputs included)
 * + the JSON of `tools`. Throws `MockApiError` (400) when the body is not a valid request.
 */
export function planResponse(request: unknown): ResponsesPlan {
  if (!isRecord(request)) throw invalidRequest('The request body must be a JSON object.');
  const model = request['model'];
  if (typeof model !== 'string' || model.length === 0) {
    throw invalidRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  const items = parseInput(request['input']);
  const rawTools = request['tools'];
  const instructions = request['instructions'];
  let inputTokens = typeof instructions === 'string' ? tokens(instructions) : 0;
  if (Array.isArray(rawTools) && rawTools.length > 0) inputTokens += tokens(JSON.stringify(rawTools));
  for (const item of items) inputTokens += item.tokens;
  // The reusable prefix: instructions, tools and every input item but the last.
  const prefixTokens = inputTokens - (items.at(-1) as ParsedItem).tokens;

  const reasoning = request['reasoning'];
  const effort = isRecord(reasoning) ? reasoning['effort'] : undefined;
  const max = request['max_output_tokens'];
  const answer = planAnswer({
    turns: items.flatMap((item) => (item.turn === null ? [] : [item.turn])),
    tools: functionTools(rawTools),
    parallelToolCalls: request['parallel_tool_calls'] !== false,
    maxOutputTokens: typeof max === 'number' ? max : undefined,
    reasoningTokens: reasoningTokens(model, effort),
  });
  return {
    key: JSON.stringify(request),
    model: openaiSnapshot(model),
    effort: isReasoningModel(model) ? (typeof effort === 'string' ? effort : 'medium') : null,
    answer,
    inputTokens,
    cachedTokens: openaiCachedTokens(prefixTokens),
  };
}
