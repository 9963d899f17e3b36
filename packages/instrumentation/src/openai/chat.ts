import type { Attributes } from '@opentelemetry/api';
import type { ChatMessage, LlmResponse, LlmUsage, MessagePart } from '../types.js';
import { array, isJson, type Json, num, put, str } from '../values.js';
import type { ClientInfo, Operation, RequestInfo, ResultInfo, StreamAccumulator } from './internal-types.js';
import { contentParts, contentText, outputType, semconvFinishReason, stopSequences, toolDefinitions } from './messages.js';
import * as oc from './semconv.js';

/** A tool call of an assistant message (`function` or `custom`) as a `tool_call` part. */
function toolCallPart(call: unknown): MessagePart | undefined {
  if (!isJson(call)) return undefined;
  const fn = isJson(call['function']) ? call['function'] : isJson(call['custom']) ? call['custom'] : {};
  return { type: 'tool_call', id: str(call['id']), name: str(fn['name']) ?? '', arguments: fn['arguments'] ?? fn['input'] };
}

/** One chat message (not system or developer: those are system instructions) in the conventions' structure. */
function chatMessage(m: Json): ChatMessage {
  const role = str(m['role']) ?? 'user';
  const named = (message: ChatMessage): ChatMessage => (str(m['name']) !== undefined ? { ...message, name: m['name'] } as ChatMessage : message);
  if (role === 'tool' || role === 'function') {
    return named({ role: 'tool', parts: [{ type: 'tool_call_response', id: str(m['tool_call_id']), response: contentText(m['content']) }] });
  }
  const parts = contentParts(m['content']);
  if (typeof m['refusal'] === 'string') parts.push({ type: 'refusal', content: m['refusal'] });
  for (const call of array(m['tool_calls'])) {
    const part = toolCallPart(call);
    if (part) parts.push(part);
  }
  // The deprecated single `function_call` of older models.
  if (isJson(m['function_call'])) parts.push({ type: 'tool_call', name: str(m['function_call']['name']) ?? '', arguments: m['function_call']['arguments'] });
  return named({ role, parts });
}

/** Where one OpenAI API keeps the four usage counts: chat's `prompt_tokens`…, Responses' `input_tokens`…. */
export interface UsageKeys {
  readonly input: string;
  readonly output: string;
  readonly inputDetails: string;
  readonly outputDetails: string;
}

/** Chat Completions usage: `prompt_tokens`, `completion_tokens` and their details. */
const CHAT_USAGE: UsageKeys = { input: 'prompt_tokens', output: 'completion_tokens', inputDetails: 'prompt_tokens_details', outputDetails: 'completion_tokens_details' };

/**
 * OpenAI's usage under `keys`. The input count already includes the cached tokens and the output
 * count the reasoning ones, as the conventions count, so they are taken as they are.
 */
export function openAIUsage(u: unknown, keys: UsageKeys): LlmUsage | undefined {
  if (!isJson(u)) return undefined;
  const [inputDetails, outputDetails] = [u[keys.inputDetails], u[keys.outputDetails]];
  const input = isJson(inputDetails) ? inputDetails : {};
  const output = isJson(outputDetails) ? outputDetails : {};
  return {
    inputTokens: num(u[keys.input]),
    outputTokens: num(u[keys.output]),
    cacheReadTokens: num(input['cached_tokens']),
    reasoningTokens: num(output['reasoning_tokens']),
  };
}

function chatRequest(body: Json, client: ClientInfo, capture: boolean): RequestInfo {
  const system: MessagePart[] = [];
  const input: ChatMessage[] = [];
  for (const m of capture ? array(body['messages']) : []) {
    if (!isJson(m)) continue;
    if (m['role'] === 'system' || m['role'] === 'developer') system.push(...contentParts(m['content']));
    else input.push(chatMessage(m));
  }
  const legacyFunctions = array(capture ? body['functions'] : undefined).map((f) => ({ type: 'function', ...(isJson(f) ? f : {}) }));
  const attributes: Attributes = { ...client.attributes };
  put(attributes, oc.ATTR_GEN_AI_REQUEST_SEED, num(body['seed']));
  put(attributes, oc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, num(body['frequency_penalty']));
  put(attributes, oc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, num(body['presence_penalty']));
  put(attributes, oc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, stopSequences(body['stop']));
  const n = num(body['n']);
  if (n !== undefined && n !== 1) attributes[oc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = n;
  put(attributes, oc.ATTR_GEN_AI_OUTPUT_TYPE, outputType(body['response_format']));
  put(attributes, oc.ATTR_OPENAI_REQUEST_SERVICE_TIER, str(body['service_tier']));
  return {
    options: {
      provider: client.provider,
      model: str(body['model']) ?? 'unknown',
      operation: 'chat',
      inputMessages: capture ? input : undefined,
      systemInstructions: system.length > 0 ? system : undefined,
      tools: capture ? (toolDefinitions(body['tools']) ?? (legacyFunctions.length > 0 ? legacyFunctions : undefined)) : undefined,
      temperature: num(body['temperature']),
      maxTokens: num(body['max_completion_tokens']) ?? num(body['max_tokens']),
      topP: num(body['top_p']),
    },
    attributes,
  };
}

/** A chat completion (or one assembled from a stream) as a response record. */
function chatResult(value: unknown, capture: boolean): ResultInfo {
  const c = isJson(value) ? value : {};
  const choices = array(c['choices'])
    .filter(isJson)
    .sort((a, b) => (num(a['index']) ?? 0) - (num(b['index']) ?? 0));
  const response: LlmResponse = {
    id: str(c['id']),
    model: str(c['model']),
    finishReasons: choices.map((ch) => ch['finish_reason']).filter((r): r is string => typeof r === 'string'),
    usage: openAIUsage(c['usage'], CHAT_USAGE),
    outputMessages: capture
      ? choices.map((ch) => ({
          ...chatMessage(isJson(ch['message']) ? { role: 'assistant', ...ch['message'] } : { role: 'assistant' }),
          finish_reason: semconvFinishReason(ch['finish_reason']),
        }))
      : undefined,
  };
  if (response.finishReasons?.length === 0) response.finishReasons = undefined;
  const attributes: Attributes = {};
  put(attributes, oc.ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT, str(c['system_fingerprint']));
  put(attributes, oc.ATTR_OPENAI_RESPONSE_SERVICE_TIER, str(c['service_tier']));
  return { response, attributes };
}

interface ToolCallDelta {
  id?: string;
  type?: string;
  name: string;
  arguments: string;
}

interface ChoiceDelta {
  role?: string;
  content: string;
  hasContent: boolean;
  refusal?: string;
  toolCalls: Map<number, ToolCallDelta>;
  functionCall?: { name: string; arguments: string };
  finishReason?: string;
}

/**
 * Assembles `chat.completion.chunk`s into the completion they add up to: text, refusals and tool
 * call arguments concatenated per choice and per tool-call index, the finish reason of each
 * choice, and the usage of the last chunk (`stream_options.include_usage`).
 */
class ChatStreamAccumulator implements StreamAccumulator {
  readonly #capture: boolean;
  #id: string | undefined;
  #model: string | undefined;
  #fingerprint: string | undefined;
  #serviceTier: string | undefined;
  #usage: unknown;
  readonly #choices = new Map<number, ChoiceDelta>();

  constructor(capture: boolean) {
    this.#capture = capture;
  }

  add(chunk: unknown): void {
    if (!isJson(chunk)) return;
    this.#id ??= str(chunk['id']);
    this.#model ??= str(chunk['model']) || undefined;
    this.#fingerprint ??= str(chunk['system_fingerprint']);
    this.#serviceTier = str(chunk['service_tier']) ?? this.#serviceTier;
    if (isJson(chunk['usage'])) this.#usage = chunk['usage'];
    for (const choice of array(chunk['choices'])) {
      if (!isJson(choice)) continue;
      const index = num(choice['index']) ?? 0;
      let acc = this.#choices.get(index);
      if (!acc) this.#choices.set(index, (acc = { content: '', hasContent: false, toolCalls: new Map() }));
      if (typeof choice['finish_reason'] === 'string') acc.finishReason = choice['finish_reason'];
      if (!this.#capture) continue; // only the finish reason is recorded
      const delta = isJson(choice['delta']) ? choice['delta'] : {};
      acc.role ??= str(delta['role']);
      if (typeof delta['content'] === 'string') {
        acc.content += delta['content'];
        acc.hasContent = true;
      }
      if (typeof delta['refusal'] === 'string') acc.refusal = (acc.refusal ?? '') + delta['refusal'];
      for (const tc of array(delta['tool_calls'])) {
        if (!isJson(tc)) continue;
        const i = num(tc['index']) ?? acc.toolCalls.size;
        let call = acc.toolCalls.get(i);
        if (!call) acc.toolCalls.set(i, (call = { name: '', arguments: '' }));
        call.id ??= str(tc['id']);
        call.type ??= str(tc['type']);
        const fn = isJson(tc['function']) ? tc['function'] : {};
        if (typeof fn['name'] === 'string') call.name += fn['name'];
        if (typeof fn['arguments'] === 'string') call.arguments += fn['arguments'];
      }
      if (isJson(delta['function_call'])) {
        acc.functionCall ??= { name: '', arguments: '' };
        acc.functionCall.name += str(delta['function_call']['name']) ?? '';
        acc.functionCall.arguments += str(delta['function_call']['arguments']) ?? '';
      }
    }
  }

  result(): ResultInfo {
    const choices = [...this.#choices].map(([index, acc]) => {
      // The first delta of a tool-calling answer may carry `content: ''`: no text part for it.
      const text = acc.hasContent && (acc.content !== '' || acc.toolCalls.size === 0) ? acc.content : null;
      const message: Json = { role: acc.role ?? 'assistant', content: text };
      if (acc.refusal !== undefined) message['refusal'] = acc.refusal;
      if (acc.toolCalls.size > 0) {
        message['tool_calls'] = [...acc.toolCalls]
          .sort(([a], [b]) => a - b)
          .map(([, call]) => ({ id: call.id, type: call.type ?? 'function', function: { name: call.name, arguments: call.arguments } }));
      }
      if (acc.functionCall) message['function_call'] = acc.functionCall;
      return { index, message, finish_reason: acc.finishReason ?? null };
    });
    const completion = { id: this.#id, model: this.#model, choices, usage: this.#usage, system_fingerprint: this.#fingerprint, service_tier: this.#serviceTier };
    return chatResult(completion, this.#capture);
  }
}

/** `chat.completions.create`, with and without `stream: true`. */
export const chatCompletions: Operation = {
  request: chatRequest,
  result: chatResult,
  accumulator: (capture) => new ChatStreamAccumulator(capture),
};
