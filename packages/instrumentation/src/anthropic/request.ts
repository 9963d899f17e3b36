import type { Attributes } from '@opentelemetry/api';
import type { LlmCallOptions } from '../types.js';
import { inputMessages, systemInstructions, toolDefinitions } from './content.js';
import { isJson, type Json, num, str } from '../values.js';
import * as asc from './semconv.js';

/**
 * The call to record for `messages.create(params, options)`. Content (messages, system, tools) is
 * converted only when it is captured. The conversation id is the SDK's own request option
 * `openTelemetry.conversationId` (≥ 0.134), which the SDK does not send to the API.
 */
export function callOptions(params: Json, options: unknown, provider: string, capture: boolean): LlmCallOptions {
  const o: LlmCallOptions = { provider, model: str(params['model']) ?? 'unknown' };
  const maxTokens = num(params['max_tokens']);
  if (maxTokens !== undefined) o.maxTokens = maxTokens;
  const temperature = num(params['temperature']);
  if (temperature !== undefined) o.temperature = temperature;
  const topP = num(params['top_p']);
  if (topP !== undefined) o.topP = topP;
  const otel = isJson(options) ? options['openTelemetry'] : undefined;
  const conversationId = isJson(otel) ? str(otel['conversationId']) : undefined;
  if (conversationId !== undefined) o.conversationId = conversationId;
  if (capture) {
    o.inputMessages = inputMessages(params['messages']);
    o.systemInstructions = systemInstructions(params['system']);
    o.tools = toolDefinitions(params['tools']);
  }
  return o;
}

/** Request parameters that `LlmCallOptions` has no field for. */
export function extraRequestAttributes(params: Json): Attributes {
  const a: Attributes = {};
  const topK = num(params['top_k']);
  if (topK !== undefined) a[asc.ATTR_GEN_AI_REQUEST_TOP_K] = topK;
  const stop = params['stop_sequences'];
  if (Array.isArray(stop) && stop.length > 0 && stop.every((s) => typeof s === 'string')) a[asc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [...stop] as string[];
  return a;
}

/** `gen_ai.provider.name`: `anthropic`, or the platform a Bedrock / Vertex client names itself after. */
export function providerOf(client: unknown): string {
  return (isJson(client) ? str(client['_genAIProviderName']) : undefined) ?? 'anthropic';
}

/** `server.address` and `server.port` of the client's `baseURL`. */
export function serverAttributes(client: unknown): Attributes {
  try {
    const base = isJson(client) ? str(client['baseURL']) : undefined;
    if (base === undefined) return {};
    const url = new URL(base);
    return {
      [asc.ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      [asc.ATTR_SERVER_PORT]: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443,
    };
  } catch {
    return {};
  }
}
