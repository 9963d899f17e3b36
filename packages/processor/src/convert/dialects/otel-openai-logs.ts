import type { JsonValue } from '@auditrail/core';
import type { CapturedLog } from '../../logs/captured-log.js';
import { isRecord, jsonOrText } from '../attribute-values.js';
import { type Message, message, type Part, partOfBlock, partsOfContent, toolCallPart, toolResponsePart } from '../messages.js';
import type { ContentKey, DerivedContent } from './types.js';

/** Roles of the per-message events (GenAI semconv events before 1.37, emitted by `@opentelemetry/instrumentation-openai` for chat). */
const MESSAGE_EVENTS: Readonly<Record<string, string>> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

const LIST_KEYS: readonly ContentKey[] = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions'];
const VALUE_KEYS: readonly ContentKey[] = ['gen_ai.tool.call.arguments', 'gen_ai.tool.call.result'];

type Body = { [key: string]: unknown };

/** `tool_calls: [{ id, type, function: { name, arguments } }]` of an assistant message or a choice. */
function toolCallsOf(m: Body): Part[] {
  const calls = m['tool_calls'];
  if (!Array.isArray(calls)) return [];
  return calls.filter(isRecord).map((tc) => {
    const fn = isRecord(tc['function']) ? tc['function'] : {};
    return toolCallPart(tc['id'], fn['name'], fn['arguments']);
  });
}

function messageOfEvent(role: string, body: Body): Message {
  if (role === 'tool') return message('tool', [toolResponsePart(body['id'], body['content'])]);
  return message(typeof body['role'] === 'string' ? body['role'] : role, [...partsOfContent(body['content']), ...toolCallsOf(body)]);
}

/** `gen_ai.choice`: `{ index, finish_reason, message: { role?, content?, tool_calls? } }`. */
function messageOfChoice(body: Body): Message {
  const m = isRecord(body['message']) ? body['message'] : {};
  return message(typeof m['role'] === 'string' ? m['role'] : 'assistant', [...partsOfContent(m['content']), ...toolCallsOf(m)], body['finish_reason']);
}

/** A semconv message that came in a log attribute, its parts passed through the same normalization. */
function normalizedMessage(m: unknown): JsonValue {
  if (!isRecord(m) || !Array.isArray(m['parts'])) return partOfBlock(m);
  return message(m['role'], m['parts'].map(partOfBlock), m['finish_reason']);
}

/**
 * Content carried by a span's GenAI log records, as semconv content: the per-message events
 * (`gen_ai.{system,user,assistant,tool}.message` and `gen_ai.choice`, what
 * `@opentelemetry/instrumentation-openai` emits for chat completions) and the newer
 * `gen_ai.client.inference.operation.details` event, whose attributes are the semconv content
 * attributes themselves (what it emits for the Responses API).
 */
export function contentOfLogs(records: readonly CapturedLog[]): DerivedContent {
  const input: JsonValue[] = [];
  const choices: { index: number; message: Message }[] = [];
  const lists = new Map<ContentKey, JsonValue[]>();
  const content: DerivedContent = {};
  for (const r of records) {
    const body: Body = isRecord(r.body) ? r.body : {};
    const role = MESSAGE_EVENTS[r.eventName];
    if (role !== undefined) input.push(messageOfEvent(role, body));
    else if (r.eventName === 'gen_ai.choice') choices.push({ index: typeof body['index'] === 'number' ? body['index'] : choices.length, message: messageOfChoice(body) });
    for (const key of LIST_KEYS) {
      const v = jsonOrText(r.attributes[key]);
      if (Array.isArray(v)) lists.set(key, [...(lists.get(key) ?? []), ...v.map((m) => (key.endsWith('messages') ? normalizedMessage(m) : (m as JsonValue)))]);
    }
    for (const key of VALUE_KEYS) if (r.attributes[key] !== undefined) content[key] = r.attributes[key]!;
  }
  if (input.length > 0) lists.set('gen_ai.input.messages', [...input, ...(lists.get('gen_ai.input.messages') ?? [])]);
  if (choices.length > 0) {
    const sorted = choices.sort((x, y) => x.index - y.index).map((c) => c.message);
    lists.set('gen_ai.output.messages', [...sorted, ...(lists.get('gen_ai.output.messages') ?? [])]);
  }
  for (const [key, list] of lists) content[key] = list;
  return content;
}
