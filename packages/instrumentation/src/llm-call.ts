import { type Attributes, SpanKind } from '@opentelemetry/api';
import { SpanHandle } from './span-handle.js';
import { runInSpan, safely } from './run-span.js';
import { json } from './values.js';
import * as sc from './semconv.js';
import type { LlmCallOptions, LlmResponse } from './types.js';

/** The response attributes of an LLM call. */
export function responseAttributes(response: LlmResponse): Attributes {
  const a: Attributes = {};
  if (response.id !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_ID] = response.id;
  if (response.model !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
  if (response.finishReasons !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = response.finishReasons;
  const u = response.usage;
  if (u?.inputTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = u.inputTokens;
  if (u?.outputTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = u.outputTokens;
  if (u?.cacheReadTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = u.cacheReadTokens;
  if (u?.cacheWriteTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = u.cacheWriteTokens;
  if (u?.reasoningTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = u.reasoningTokens;
  const out = json(response.outputMessages);
  if (out !== undefined) a[sc.ATTR_GEN_AI_OUTPUT_MESSAGES] = out;
  return a;
}

/** Handle on an LLM call in progress. */
export class LlmCall extends SpanHandle {
  /** Records what the provider answered. Never throws. */
  setResponse(response: LlmResponse): void {
    safely(() => this.span.setAttributes(responseAttributes(response)));
  }
}

/** The request attributes of an LLM call (content included: auto-instrumentation drops it when not capturing). */
export function requestAttributes(o: LlmCallOptions): Attributes {
  const a: Attributes = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: o.operation ?? 'chat',
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: o.provider,
    [sc.ATTR_GEN_AI_REQUEST_MODEL]: o.model,
  };
  if (o.temperature !== undefined) a[sc.ATTR_GEN_AI_REQUEST_TEMPERATURE] = o.temperature;
  if (o.maxTokens !== undefined) a[sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS] = o.maxTokens;
  if (o.topP !== undefined) a[sc.ATTR_GEN_AI_REQUEST_TOP_P] = o.topP;
  if (o.conversationId !== undefined) a[sc.ATTR_GEN_AI_CONVERSATION_ID] = o.conversationId;
  const input = json(o.inputMessages);
  if (input !== undefined) a[sc.ATTR_GEN_AI_INPUT_MESSAGES] = input;
  const system = json(o.systemInstructions);
  if (system !== undefined) a[sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = system;
  const tools = json(o.tools);
  if (tools !== undefined) a[sc.ATTR_GEN_AI_TOOL_DEFINITIONS] = tools;
  return a;
}

/**
 * Runs one LLM call inside a GenAI client span named `{operation} {model}`.
 *
 * @example
 * const reply = await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini', inputMessages }, async (call) => {
 *   const res = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
 *   call.setResponse({ id: res.id, model: res.model, usage: { inputTokens: res.usage?.prompt_tokens } });
 *   return res;
 * });
 */
export function withLlmCall<T>(options: LlmCallOptions, fn: (call: LlmCall) => Promise<T> | T): Promise<T> {
  let attributes: Attributes = {};
  safely(() => (attributes = requestAttributes(options)));
  return runInSpan(`${options.operation ?? 'chat'} ${options.model}`, SpanKind.CLIENT, attributes, (span) => fn(new LlmCall(span)));
}
