import type { JsonValue } from '@auditrail/core';
import { isRecord, jsonOrText, toJsonValue, wellFormed } from './attribute-values.js';

/**
 * Messages in the GenAI semantic-convention structure, the one shape the payload carries whatever
 * dialect a span spoke:
 * `[{ role, parts: [{type:'text',content} | {type:'tool_call',id,name,arguments} | {type:'tool_call_response',id,response} | …], finish_reason? }]`.
 */
export type Part = { [key: string]: JsonValue };
export interface Message {
  [key: string]: JsonValue;
  role: string;
  parts: Part[];
}

export function textPart(content: unknown): Part {
  return { type: 'text', content: typeof content === 'string' ? wellFormed(content) : (toJsonValue(content) ?? null) };
}

/** A tool call; arguments sent as JSON text become structure, other text stays text. */
export function toolCallPart(id: unknown, name: unknown, args: unknown): Part {
  const part: Part = { type: 'tool_call' };
  if (typeof id === 'string' && id !== '') part['id'] = wellFormed(id);
  part['name'] = typeof name === 'string' ? wellFormed(name) : null;
  if (args !== undefined) part['arguments'] = toJsonValue(jsonOrText(args)) ?? null;
  return part;
}

export function toolResponsePart(id: unknown, response: unknown): Part {
  const part: Part = { type: 'tool_call_response' };
  if (typeof id === 'string' && id !== '') part['id'] = wellFormed(id);
  part['response'] = toJsonValue(response) ?? null;
  return part;
}

export function message(role: unknown, parts: Part[], finishReason?: unknown): Message {
  const m: Message = { role: typeof role === 'string' && role !== '' ? wellFormed(role) : 'user', parts };
  if (typeof finishReason === 'string' && finishReason !== '') m['finish_reason'] = wellFormed(finishReason);
  return m;
}

/** A text that may be JSON content blocks (older instrumentations stringify non-string content). */
export function partsOfContent(content: unknown): Part[] {
  if (content === undefined || content === null) return [];
  if (Array.isArray(content)) return content.map(partOfBlock);
  if (typeof content === 'string') {
    const parsed = jsonOrText(content);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((b) => isRecord(b) && typeof b['type'] === 'string')) return parsed.map(partOfBlock);
    return [textPart(content)];
  }
  return [textPart(content)];
}

/**
 * One content block of any provider or SDK shape as a semconv part: OpenAI (`text`, `image_url`,
 * `input_text`, `output_text`, `refusal`), Anthropic (`text`, `tool_use`, `tool_result`,
 * `thinking`), the Vercel AI SDK (`tool-call`, `tool-result`, `reasoning`, `file`), and semconv
 * parts themselves. Unknown blocks are kept as they are.
 */
export function partOfBlock(block: unknown): Part {
  if (typeof block === 'string') return textPart(block);
  if (!isRecord(block)) return { type: 'unknown', value: toJsonValue(block) ?? null };
  switch (block['type']) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return textPart(block['content'] ?? block['text']);
    case 'refusal':
      return { type: 'refusal', content: toJsonValue(block['refusal'] ?? block['content']) ?? null };
    case 'reasoning':
    case 'thinking':
      return { type: 'reasoning', content: toJsonValue(block['content'] ?? block['text'] ?? block['thinking']) ?? null };
    case 'tool_call':
      // The Responses API has an item id and a call id; the call id is what tool results name.
      return toolCallPart(block['call_id'] ?? block['id'], block['name'], block['arguments']);
    case 'tool-call':
      return toolCallPart(block['toolCallId'], block['toolName'], block['input'] ?? block['args']);
    case 'tool_use':
      return toolCallPart(block['id'], block['name'], block['input']);
    case 'tool_call_response':
      return toolResponsePart(block['id'], block['response']);
    case 'tool-result':
      return toolResponsePart(block['toolCallId'], toolOutputValue(block['output'] ?? block['result']));
    case 'tool_result':
      return toolResponsePart(block['tool_use_id'], block['content']);
    case 'image_url':
      return { type: 'uri', modality: 'image', uri: toJsonValue(isRecord(block['image_url']) ? block['image_url']['url'] : block['image_url']) ?? null };
    default:
      return toJsonValue(block) as Part;
  }
}

/** The Vercel AI SDK wraps tool outputs as `{ type: 'json' | 'text' | …, value }`. */
function toolOutputValue(output: unknown): unknown {
  return isRecord(output) && 'value' in output && typeof output['type'] === 'string' ? output['value'] : output;
}

/** Messages of the `{ role, content }` shape (OpenAI chat, Anthropic, the Vercel AI SDK prompt) as semconv messages. */
export function messagesOfChat(list: unknown): Message[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.filter(isRecord).map(messageOfChat);
}

function messageOfChat(m: { [key: string]: unknown }): Message {
  const role = m['role'];
  const parts = partsOfContent(m['content']);
  if (Array.isArray(m['tool_calls'])) {
    for (const tc of m['tool_calls'].filter(isRecord)) {
      const fn = isRecord(tc['function']) ? tc['function'] : tc;
      parts.push(toolCallPart(tc['id'], fn['name'], fn['arguments']));
    }
  }
  if (role === 'tool' && typeof m['tool_call_id'] === 'string') {
    return message(role, [toolResponsePart(m['tool_call_id'], m['content'])]);
  }
  return message(role, parts, m['finish_reason']);
}
