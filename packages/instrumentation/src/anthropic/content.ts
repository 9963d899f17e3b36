import type { ChatMessage, MessagePart } from '../types.js';
import { isJson, type Json, str } from '../values.js';

/**
 * Anthropic content blocks → parts of the GenAI semantic-convention message structure.
 *
 * - `text` → `{ type: 'text', content }`; `thinking` → `{ type: 'reasoning', content }`
 * - `tool_use` (and `server_tool_use`, `mcp_tool_use`) → `{ type: 'tool_call', id, name, arguments }`
 * - `tool_result` → `{ type: 'tool_call_response', id, response }`: a string result as it is, a list
 *   of blocks as a list of parts; a server tool's `*_tool_result` keeps only its type
 * - `image` / `document`: never their bytes. Base64 data → `{ type: 'blob', modality, mime_type }`
 *   without `content`; a URL source → `{ type: 'uri', modality, uri }`; a Files API source →
 *   `{ type: 'file', modality, file_id }`
 * - anything else (`redacted_thinking`, `search_result`, `container_upload`, …) → `{ type }` only.
 *
 * `cache_control`, citations and signatures are not content and are left out.
 */
function blockPart(block: unknown): MessagePart {
  if (!isJson(block)) return { type: 'unknown' };
  switch (block['type']) {
    case 'text':
      return { type: 'text', content: str(block['text']) ?? '' };
    case 'thinking':
      return { type: 'reasoning', content: str(block['thinking']) ?? '' };
    case 'tool_use':
    case 'server_tool_use':
    case 'mcp_tool_use':
      return { type: 'tool_call', id: str(block['id']), name: str(block['name']) ?? '', arguments: block['input'] };
    case 'tool_result':
      return { type: 'tool_call_response', id: str(block['tool_use_id']), response: toolResult(block['content']) };
    case 'image':
      return mediaPart('image', block['source']);
    case 'document':
      return mediaPart('document', block['source']);
    default: {
      const type = str(block['type']) ?? 'unknown';
      if (type.endsWith('_tool_result')) return { type: 'tool_call_response', id: str(block['tool_use_id']), response: { type } };
      return { type };
    }
  }
}

function toolResult(content: unknown): unknown {
  return Array.isArray(content) ? content.map(blockPart) : content;
}

function mediaPart(modality: 'image' | 'document', source: unknown): MessagePart {
  const s: Json = isJson(source) ? source : {};
  switch (s['type']) {
    case 'url':
      return { type: 'uri', modality, uri: str(s['url']) };
    case 'file':
      return { type: 'file', modality, file_id: str(s['file_id']) };
    default:
      // base64 and text data: the media type only (a placeholder, no bytes).
      return { type: 'blob', modality, mime_type: str(s['media_type']) };
  }
}

/** The parts of a message's `content`: a string is one text part. */
export function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  return Array.isArray(content) ? content.map(blockPart) : [];
}

/** `messages` of a request → input messages (roles as sent: Anthropic tool results are `user` turns). */
export function inputMessages(messages: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(messages)) return undefined;
  return messages.map((m) => (isJson(m) ? { role: str(m['role']) ?? 'user', parts: contentParts(m['content']) } : { role: 'user', parts: [] }));
}

/** `system` (a string or text blocks) → system instructions. */
export function systemInstructions(system: unknown): MessagePart[] | undefined {
  return system === undefined || system === null ? undefined : contentParts(system);
}

/**
 * `tools` → tool definitions: a client tool `{ name, description, input_schema }` becomes
 * `{ type: 'function', name, description, parameters }`; a server tool (`web_search_20250305`,
 * `bash_20250124`, …) keeps its type and name.
 */
export function toolDefinitions(tools: unknown): unknown[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  return tools.map((t) => {
    if (!isJson(t)) return t;
    const type = str(t['type']);
    if (type === undefined || type === 'custom') return { type: 'function', name: t['name'], description: t['description'], parameters: t['input_schema'] };
    return { type, name: t['name'] };
  });
}

/** A response's content blocks → the output message, with the stop reason as its finish reason. */
export function outputMessage(content: unknown, stopReason: string | undefined): ChatMessage {
  const message: ChatMessage = { role: 'assistant', parts: contentParts(content) };
  if (stopReason !== undefined) message.finish_reason = stopReason;
  return message;
}
