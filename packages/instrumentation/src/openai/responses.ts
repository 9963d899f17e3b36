import type { Attributes } from '@opentelemetry/api';
import * as sc from '../semconv.js';
import type { ChatMessage, LlmResponse, MessagePart } from '../types.js';
import { openAIUsage, type UsageKeys } from './chat.js';
import { array, isJson, type Json, num, put, str } from '../values.js';
import type { ClientInfo, Operation, RequestInfo, ResultInfo, StreamAccumulator } from './internal-types.js';
import { contentParts, contentText, outputType, toolDefinitions } from './messages.js';
import * as oc from './semconv.js';

/** The summary text of a `reasoning` item (the reasoning itself stays encrypted at the provider). */
function reasoningPart(item: Json): MessagePart | undefined {
  const text = array(item['summary'])
    .map((s) => (isJson(s) ? (str(s['text']) ?? '') : ''))
    .join('\n');
  return text ? { type: 'reasoning', content: text } : undefined;
}

/**
 * The parts an item of the model's side contributes to an assistant message: its text, its tool
 * calls, its reasoning summary; an item of another kind (web search, file search, image
 * generation, MCP, computer use…) is kept whole as a part of its own type.
 */
function assistantParts(item: Json): MessagePart[] {
  switch (item['type']) {
    case 'message':
      return contentParts(item['content']);
    case 'function_call':
      return [{ type: 'tool_call', id: str(item['call_id']), name: str(item['name']) ?? '', arguments: item['arguments'] }];
    case 'custom_tool_call':
      return [{ type: 'tool_call', id: str(item['call_id']), name: str(item['name']) ?? '', arguments: item['input'] }];
    case 'reasoning': {
      const part = reasoningPart(item);
      return part ? [part] : [];
    }
    default:
      return [{ ...item, type: str(item['type']) ?? 'unknown' }];
  }
}

/** Adds one Responses input item to the conversation (or, for system and developer messages, to the instructions). */
function addInputItem(item: unknown, messages: ChatMessage[], system: MessagePart[]): void {
  if (typeof item === 'string') {
    messages.push({ role: 'user', parts: [{ type: 'text', content: item }] });
    return;
  }
  if (!isJson(item)) return;
  const type = str(item['type']) ?? (item['role'] !== undefined ? 'message' : undefined);
  if (type === 'message') {
    const role = str(item['role']) ?? 'user';
    if (role === 'system' || role === 'developer') system.push(...contentParts(item['content']));
    else messages.push({ role, parts: contentParts(item['content']) });
    return;
  }
  if (type === 'function_call_output' || type === 'custom_tool_call_output') {
    messages.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: str(item['call_id']), response: contentText(item['output']) }] });
    return;
  }
  if (type?.endsWith('_output')) {
    messages.push({ role: 'tool', parts: [{ ...item, type }] });
    return;
  }
  // Items of the model's side (tool calls, reasoning, an earlier answer): one assistant turn.
  const parts = assistantParts({ ...item, type: type ?? 'unknown' });
  const last = messages.at(-1);
  if (last?.role === 'assistant') last.parts.push(...parts);
  else if (parts.length > 0) messages.push({ role: 'assistant', parts });
}

function responsesRequest(body: Json, client: ClientInfo, capture: boolean): RequestInfo {
  const system: MessagePart[] = [];
  const input: ChatMessage[] = [];
  if (capture) {
    if (typeof body['instructions'] === 'string') system.push({ type: 'text', content: body['instructions'] });
    else for (const item of array(body['instructions'])) addInputItem(item, [], system);
    if (typeof body['input'] === 'string') input.push({ role: 'user', parts: [{ type: 'text', content: body['input'] }] });
    else for (const item of array(body['input'])) addInputItem(item, input, system);
  }
  const conversation = body['conversation'];
  const attributes: Attributes = { ...client.attributes };
  put(attributes, oc.ATTR_AUDITRAIL_OPENAI_PREVIOUS_RESPONSE_ID, str(body['previous_response_id']));
  put(attributes, oc.ATTR_GEN_AI_OUTPUT_TYPE, outputType(isJson(body['text']) ? body['text']['format'] : undefined));
  put(attributes, oc.ATTR_OPENAI_REQUEST_SERVICE_TIER, str(body['service_tier']));
  return {
    options: {
      provider: client.provider,
      model: str(body['model']) ?? 'unknown',
      operation: 'chat',
      inputMessages: capture ? input : undefined,
      systemInstructions: system.length > 0 ? system : undefined,
      tools: capture ? toolDefinitions(body['tools']) : undefined,
      temperature: num(body['temperature']),
      maxTokens: num(body['max_output_tokens']),
      topP: num(body['top_p']),
      conversationId: str(conversation) ?? (isJson(conversation) ? str(conversation['id']) : undefined),
    },
    attributes,
  };
}

/** Responses usage: `input_tokens`, `output_tokens` and their details (see openAIUsage). */
const RESPONSES_USAGE: UsageKeys = { input: 'input_tokens', output: 'output_tokens', inputDetails: 'input_tokens_details', outputDetails: 'output_tokens_details' };

/**
 * The Responses API has no finish reason; it is derived in the conventions' vocabulary from the
 * status: `completed` → `stop` (`tool_call` when the output calls tools), `incomplete` → `length`
 * or `content_filter`, `failed` / `cancelled` → `error`; a response still queued or in progress
 * (background mode, a stream cut short) has none.
 */
function finishReason(r: Json, output: Json[]): string | undefined {
  switch (r['status']) {
    case 'completed':
      return output.some((i) => i['type'] === 'function_call' || i['type'] === 'custom_tool_call') ? 'tool_call' : 'stop';
    case 'incomplete': {
      const reason = isJson(r['incomplete_details']) ? r['incomplete_details']['reason'] : undefined;
      return reason === 'content_filter' ? 'content_filter' : 'length';
    }
    case 'failed':
    case 'cancelled':
      return 'error';
    default:
      return undefined;
  }
}

/** A `response` object (returned, or the last one a stream carried) as a response record. */
function responsesResult(value: unknown, capture: boolean): ResultInfo {
  const r = isJson(value) ? value : {};
  const output = array(r['output']).filter(isJson);
  const finish = finishReason(r, output);
  const parts = capture ? output.flatMap(assistantParts) : [];
  const response: LlmResponse = {
    id: str(r['id']),
    model: str(r['model']),
    finishReasons: finish !== undefined ? [finish] : undefined,
    usage: openAIUsage(r['usage'], RESPONSES_USAGE),
    outputMessages: capture && (output.length > 0 || finish !== undefined) ? [{ role: 'assistant', parts, finish_reason: finish ?? 'error' }] : undefined,
  };
  const attributes: Attributes = {};
  put(attributes, oc.ATTR_OPENAI_RESPONSE_SERVICE_TIER, str(r['service_tier']));
  const conversation = r['conversation'];
  put(attributes, sc.ATTR_GEN_AI_CONVERSATION_ID, isJson(conversation) ? str(conversation['id']) : undefined);
  const error = isJson(r['error']) ? r['error'] : undefined;
  if (r['status'] === 'failed') {
    return { response, attributes, failure: { name: str(error?.['code']) ?? 'response_failed', message: str(error?.['message']) ?? 'response failed' } };
  }
  return { response, attributes };
}

const FINAL = new Set(['completed', 'incomplete', 'failed', 'cancelled']);

/**
 * Follows a Responses event stream. Every lifecycle event carries the response; the last one
 * (`response.completed`, `.incomplete`, `.failed`) carries it whole, with output and usage. Until
 * then — a stream cut short — the output is rebuilt from the item and delta events seen so far.
 */
class ResponsesStreamAccumulator implements StreamAccumulator {
  readonly #capture: boolean;
  #response: Json = {};
  readonly #items = new Map<number, Json>();
  readonly #text = new Map<number, string>();
  readonly #arguments = new Map<number, string>();
  #failure: { name: string; message: string } | undefined;

  constructor(capture: boolean) {
    this.#capture = capture;
  }

  add(event: unknown): void {
    if (!isJson(event)) return;
    const index = num(event['output_index']) ?? 0;
    // Without content capture, only the lifecycle events (the response, its usage) are followed.
    const type = this.#capture || event['type'] === 'error' || isJson(event['response']) ? event['type'] : undefined;
    switch (type) {
      case undefined:
        break;
      case 'response.output_item.added':
      case 'response.output_item.done':
        if (isJson(event['item'])) this.#items.set(index, event['item']);
        if (event['type'] === 'response.output_item.done') {
          this.#text.delete(index);
          this.#arguments.delete(index);
        }
        break;
      case 'response.output_text.delta':
        this.#text.set(index, (this.#text.get(index) ?? '') + (str(event['delta']) ?? ''));
        break;
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        this.#arguments.set(index, (this.#arguments.get(index) ?? '') + (str(event['delta']) ?? ''));
        break;
      case 'error':
        this.#failure = { name: str(event['code']) ?? 'error', message: str(event['message']) ?? 'stream error' };
        break;
      default:
        if (isJson(event['response'])) this.#response = event['response'];
    }
  }

  result(): ResultInfo {
    if (FINAL.has(str(this.#response['status']) ?? '')) return responsesResult(this.#response, this.#capture);
    const output = [...this.#items]
      .sort(([a], [b]) => a - b)
      .map(([index, item]) => {
        const text = this.#text.get(index);
        const args = this.#arguments.get(index);
        if (text !== undefined && item['type'] === 'message') return { ...item, content: [{ type: 'output_text', text }] };
        if (args !== undefined && item['type'] === 'function_call') return { ...item, arguments: args };
        if (args !== undefined && item['type'] === 'custom_tool_call') return { ...item, input: args };
        return item;
      });
    const partial = responsesResult({ ...this.#response, output }, this.#capture);
    return this.#failure ? { ...partial, failure: this.#failure } : partial;
  }
}

/** `responses.create`, with and without `stream: true` (also what `responses.stream()` and `responses.parse()` call). */
export const responses: Operation = {
  request: responsesRequest,
  result: responsesResult,
  accumulator: (capture) => new ResponsesStreamAccumulator(capture),
};
