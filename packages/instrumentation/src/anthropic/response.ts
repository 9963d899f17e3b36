import type { Attributes } from '@opentelemetry/api';
import type { LlmResponse, LlmUsage } from '../types.js';
import { outputMessage } from './content.js';
import { isJson, type Json, num, str } from '../values.js';
import * as asc from './semconv.js';

/** What a response adds to the call: the semconv response, and Anthropic's own numbers beside it. */
export interface RecordedResponse {
  readonly response: LlmResponse;
  readonly attributes: Attributes;
}

/**
 * Anthropic usage → semconv usage. Anthropic's `input_tokens` counts only the input after the last
 * cache breakpoint; `gen_ai.usage.input_tokens` counts all of it ("SHOULD include cached tokens"),
 * so input = input_tokens + cache_read_input_tokens + cache_creation_input_tokens. Cache read and
 * write are the API's own figures; output is `output_tokens`, which includes thinking tokens
 * (reasoning = `output_tokens_details.thinking_tokens` when the API reports it).
 *
 * `final` is false for the usage of a stream cut short before `message_delta`: its output count is
 * a placeholder then, and is left out rather than recorded wrong.
 */
export function usageOf(usage: unknown, final: boolean): LlmUsage {
  const u: Json = isJson(usage) ? usage : {};
  const input = num(u['input_tokens']);
  const cacheRead = num(u['cache_read_input_tokens']);
  const cacheWrite = num(u['cache_creation_input_tokens']);
  const out: LlmUsage = {};
  if (input !== undefined) out.inputTokens = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (cacheRead !== undefined) out.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) out.cacheWriteTokens = cacheWrite;
  if (final) {
    const output = num(u['output_tokens']);
    if (output !== undefined) out.outputTokens = output;
    const details = u['output_tokens_details'];
    const thinking = isJson(details) ? num(details['thinking_tokens']) : undefined;
    if (thinking !== undefined) out.reasoningTokens = thinking;
  }
  return out;
}

/** The API's own usage figures (`anthropic.usage.*`), verbatim, and the tier, speed and region it reports beside them. */
function rawUsageAttributes(usage: unknown): Attributes {
  const u: Json = isJson(usage) ? usage : {};
  const a: Attributes = {};
  const set = (key: string, value: unknown) => {
    const n = num(value);
    if (n !== undefined) a[key] = n;
  };
  set(asc.ATTR_ANTHROPIC_USAGE_INPUT_TOKENS, u['input_tokens']);
  set(asc.ATTR_ANTHROPIC_USAGE_CACHE_READ_INPUT_TOKENS, u['cache_read_input_tokens']);
  set(asc.ATTR_ANTHROPIC_USAGE_CACHE_CREATION_INPUT_TOKENS, u['cache_creation_input_tokens']);
  const creation = u['cache_creation'];
  if (isJson(creation)) {
    set(asc.ATTR_ANTHROPIC_USAGE_CACHE_CREATION_5M, creation['ephemeral_5m_input_tokens']);
    set(asc.ATTR_ANTHROPIC_USAGE_CACHE_CREATION_1H, creation['ephemeral_1h_input_tokens']);
  }
  for (const [key, field] of [
    [asc.ATTR_ANTHROPIC_RESPONSE_SERVICE_TIER, 'service_tier'],
    [asc.ATTR_ANTHROPIC_RESPONSE_SPEED, 'speed'],
    [asc.ATTR_ANTHROPIC_RESPONSE_INFERENCE_GEO, 'inference_geo'],
  ] as const) {
    const value = str(u[field]);
    if (value !== undefined) a[key] = value;
  }
  return a;
}

/**
 * A `Message` (or one rebuilt from a stream) → the response to record. Output messages are built
 * only when content is captured.
 */
export function recordedMessage(message: unknown, capture: boolean, final = true): RecordedResponse {
  const m: Json = isJson(message) ? message : {};
  const stopReason = final ? str(m['stop_reason']) : undefined;
  const response: LlmResponse = { id: str(m['id']), model: str(m['model']), usage: usageOf(m['usage'], final) };
  if (stopReason !== undefined) response.finishReasons = [stopReason];
  if (capture && m['content'] !== undefined) response.outputMessages = [outputMessage(m['content'], stopReason)];
  const attributes = rawUsageAttributes(m['usage']);
  // The SDK puts the `request-id` and `anthropic-workspace-id` headers on the parsed message (non-enumerable).
  const requestId = str(m['_request_id']);
  if (requestId !== undefined) attributes[asc.ATTR_ANTHROPIC_REQUEST_ID] = requestId;
  const workspaceId = str(m['_workspace_id']);
  if (workspaceId !== undefined) attributes[asc.ATTR_ANTHROPIC_WORKSPACE_ID] = workspaceId;
  return { response, attributes };
}
