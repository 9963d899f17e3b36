import type { Attributes } from '@opentelemetry/api';
import type { ChatMessage } from '../types.js';
import { array, isJson, type Json, num, put, str } from '../values.js';
import type { ClientInfo, Operation, RequestInfo, ResultInfo } from './internal-types.js';
import * as oc from './semconv.js';

function embeddingsRequest(body: Json, client: ClientInfo, capture: boolean): RequestInfo {
  const input = body['input'];
  const inputs = typeof input === 'string' ? [input] : array(input);
  // Token arrays (numbers, or arrays of numbers) are not text: counted, not recorded as content.
  const texts = inputs.filter((i): i is string => typeof i === 'string');
  const single = inputs.length > 0 && inputs.every((i) => typeof i === 'number');
  const attributes: Attributes = { ...client.attributes };
  attributes[oc.ATTR_AUDITRAIL_EMBEDDINGS_INPUT_COUNT] = single ? 1 : inputs.length;
  const format = str(body['encoding_format']);
  put(attributes, oc.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS, format !== undefined ? [format] : undefined);
  put(attributes, oc.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, num(body['dimensions']));
  // What was embedded is content like any prompt: recorded only when capturing, as user text.
  const inputMessages: ChatMessage[] | undefined = capture && texts.length > 0 ? [{ role: 'user', parts: texts.map((content) => ({ type: 'text', content })) }] : undefined;
  return { options: { provider: client.provider, model: str(body['model']) ?? 'unknown', operation: 'embeddings', inputMessages }, attributes };
}

function embeddingsResult(value: unknown): ResultInfo {
  const r = isJson(value) ? value : {};
  const usage = isJson(r['usage']) ? r['usage'] : undefined;
  const attributes: Attributes = {};
  const first = array(r['data'])[0];
  const vector = isJson(first) ? first['embedding'] : undefined;
  // A float array (or the Float32Array the SDK decodes base64 into); a base64 string has no count to read.
  if (Array.isArray(vector) || ArrayBuffer.isView(vector)) attributes[oc.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = (vector as ArrayLike<number>).length;
  return {
    response: { model: str(r['model']), usage: usage ? { inputTokens: num(usage['prompt_tokens']) } : undefined },
    attributes,
  };
}

/** `embeddings.create` (never streamed). */
export const embeddings: Operation = {
  request: embeddingsRequest,
  result: embeddingsResult,
  accumulator: () => ({ add: () => {}, result: () => embeddingsResult(undefined) }),
};
