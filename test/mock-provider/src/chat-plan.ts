import { Buffer } from 'node:buffer';
import { MockApiError } from './errors.js';
import type { ChatUsage, FinishReason, ToolCallObject } from './openai-types.js';
import { sha256Hex } from './sha256.js';
import { tokens } from './tokens.js';
import { truncate } from './truncate.js';

/** Dated snapshot appended to the requested model, as the real API reports it. */
const SNAPSHOT_SUFFIX = '-2024-08-06';

interface Message {
  role: string;
  texts: string[];
}

interface FunctionTool {
  name: string;
  parameters: unknown;
}

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

/** A 400 `invalid_request_error` about `param`. */
function invalid(message: string, param: string | null, code: string | null): MockApiError {
  return new MockApiError(400, message, 'invalid_request_error', param, code);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text parts of a message's `content` (a string, or an array of `{type:'text', text}` parts). */
function textsOf(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isRecord(part) && part['type'] === 'text' && typeof part['text'] === 'string') texts.push(part['text']);
  }
  return texts;
}

function parseMessages(value: unknown): Message[] {
  if (value === undefined) {
    throw invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid("Invalid 'messages': expected a non-empty array of messages.", 'messages', 'invalid_value');
  }
  return value.map((message: unknown, i): Message => {
    if (!isRecord(message) || typeof message['role'] !== 'string') {
      const param = `messages[${i}].role`;
      throw invalid(`Invalid value for '${param}': expected a string.`, param, 'invalid_value');
    }
    return { role: message['role'], texts: textsOf(message['content']) };
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

function snapshotModel(model: string): string {
  return /-\d{4}-\d{2}-\d{2}$/.test(model) ? model : model + SNAPSHOT_SUFFIX;
}

/** Deterministic value for one required tool parameter. */
function argumentValue(name: string, schema: unknown, userText: string): unknown {
  const s = isRecord(schema) ? schema : {};
  const choices = s['enum'];
  if (Array.isArray(choices) && choices.length > 0) return choices[0];
  const declared = s['type'];
  const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared;
  switch (type) {
    case 'string':
      return name === 'city' || name === 'location' ? 'Paris' : truncate(userText, 40);
    case 'number':
    case 'integer':
      return 42;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/** Arguments filling every required property of a tool's JSON-schema `parameters`. */
function toolArguments(parameters: unknown, userText: string): string {
  const entries: Array<[string, unknown]> = [];
  if (isRecord(parameters) && Array.isArray(parameters['required'])) {
    const properties = isRecord(parameters['properties']) ? parameters['properties'] : {};
    for (const name of parameters['required']) {
      if (typeof name !== 'string') continue;
      const schema = Object.hasOwn(properties, name) ? properties[name] : undefined;
      entries.push([name, argumentValue(name, schema, userText)]);
    }
  }
  // Object.fromEntries defines own properties, so a '__proto__' name stays a plain key.
  return JSON.stringify(Object.fromEntries(entries));
}

/** Longest prefix of `text` whose UTF-8 encoding fits in `maxBytes` (never splits a code point). */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

function usageOf(promptTokens: number, completionTokens: number): ChatUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
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
  if (!isRecord(request)) {
    throw invalid('The request body must be a JSON object.', null, null);
  }
  const model = request['model'];
  if (typeof model !== 'string' || model.length === 0) {
    throw invalid('You must provide a model parameter.', 'model', 'missing_required_parameter');
  }
  const messages = parseMessages(request['messages']);
  const key = JSON.stringify(request);
  const rawTools = request['tools'];
  const tools = functionTools(rawTools);

  let promptTokens = 0;
  for (const message of messages) for (const text of message.texts) promptTokens += tokens(text);
  if (Array.isArray(rawTools) && rawTools.length > 0) promptTokens += tokens(JSON.stringify(rawTools));

  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    if (messages[i]?.role === 'user') {
      lastUser = i;
      break;
    }
  }
  const userText = lastUser >= 0 ? (messages[lastUser]?.texts.join('\n') ?? '') : '';
  const streamOptions = request['stream_options'];
  const plan = {
    id: 'chatcmpl-' + sha256Hex(key).slice(0, 24),
    model: snapshotModel(model),
    includeUsage: request['stream'] === true && isRecord(streamOptions) && streamOptions['include_usage'] === true,
  };

  // Rule 1: tools offered and the user just spoke -> call the named tools (or the first one).
  if (tools.length > 0 && lastUser === messages.length - 1) {
    let chosen = tools.filter((tool) => userText.includes(tool.name));
    if (chosen.length === 0) chosen = tools.slice(0, 1);
    if (request['parallel_tool_calls'] === false) chosen = chosen.slice(0, 1);
    const toolCalls = chosen.map((tool, index): ToolCallObject => ({
      id: 'call_' + sha256Hex(key + String(index)).slice(0, 24),
      type: 'function',
      function: { name: tool.name, arguments: toolArguments(tool.parameters, userText) },
    }));
    const completionTokens = toolCalls.reduce((sum, call) => sum + tokens(call.function.arguments), 0);
    const usage = usageOf(promptTokens, completionTokens);
    return { ...plan, text: null, toolCalls, finishReason: 'tool_calls', usage };
  }

  // Rule 2: answer in text, mentioning the tool results that followed the last user message.
  let toolResults = 0;
  for (let i = lastUser + 1; i < messages.length; i += 1) if (messages[i]?.role === 'tool') toolResults += 1;
  let text = 'Mock answer to: ' + truncate(userText, 80);
  if (toolResults > 0) text += ` (using ${toolResults} tool results)`;

  // Rule 3: a token budget smaller than the answer truncates it to max*4 UTF-8 bytes.
  let finishReason: FinishReason = 'stop';
  const maxCompletion = request['max_completion_tokens'];
  const max = typeof maxCompletion === 'number' ? maxCompletion : request['max_tokens'];
  if (typeof max === 'number' && max >= 0 && tokens(text) > max) {
    text = truncateUtf8(text, Math.floor(max) * 4);
    finishReason = 'length';
  }
  return { ...plan, text, toolCalls: [], finishReason, usage: usageOf(promptTokens, tokens(text)) };
}

