import type { Attributes } from '@opentelemetry/api';
import type { EventType, JsonValue } from '@auditrail/core';
import { int, isRecord, num, parseJson, str, toJsonValue, wellFormed } from '../attribute-values.js';
import { type Entry, hasIndexed, indexed } from '../flattened.js';
import { type Message, message, type Part, textPart, toolCallPart, toolResponsePart } from '../messages.js';
import { normalizeProvider } from '../provider.js';
import { usageOf } from '../usage.js';
import { structured, toolCallContent } from './derived.js';
import { agentData, llmData, toolData } from './record-data.js';
import type { DerivedContent, Dialect, Normalized, SpanView } from './types.js';

const KIND = 'openinference.span.kind';

/** `openinference.span.kind` → event type and semconv operation. */
const KINDS: Readonly<Record<string, readonly [EventType, string | null]>> = {
  LLM: ['llm.completion', 'chat'],
  EMBEDDING: ['llm.embedding', 'embeddings'],
  TOOL: ['tool.call', 'execute_tool'],
  RETRIEVER: ['retrieval', 'retrieval'],
  RERANKER: ['retrieval', 'retrieval'],
  AGENT: ['agent.invoke', 'invoke_agent'],
  CHAIN: ['agent.invoke', 'invoke_workflow'],
  PROMPT: ['agent.invoke', 'invoke_workflow'],
  GUARDRAIL: ['guardrail', null],
  EVALUATOR: ['evaluation', null],
};

function kindOf(a: Attributes): readonly [EventType, string | null] | undefined {
  const kind = a[KIND];
  if (typeof kind !== 'string') return undefined;
  // A kind added after this was written is still a GenAI span: recorded, never dropped.
  return KINDS[kind.toUpperCase()] ?? ['agent.invoke', null];
}

/** `message.contents.N.message_content.*`: text, image, reasoning, refusal. */
function contentPart(c: Entry): Part {
  const type = c.get('message_content.type');
  const text = c.get('message_content.text');
  const image = c.get('message_content.image.image.url');
  if (image !== undefined) return { type: 'uri', modality: 'image', uri: toJsonValue(image) ?? null };
  if (type === 'reasoning' || type === 'refusal') return { type, content: toJsonValue(text) ?? null };
  return textPart(text);
}

/** One `llm.{input,output}_messages.N` entry as a semconv message. */
function flattenedMessage(e: Entry, defaultRole: string): Message {
  const role = e.get('message.role') ?? defaultRole;
  const content = e.get('message.content');
  const toolCallId = e.get('message.tool_call_id');
  const parts: Part[] = [];
  if (role === 'tool' && toolCallId !== undefined) parts.push(toolResponsePart(toolCallId, content));
  else if (content !== undefined) parts.push(textPart(content));
  for (const c of indexed(e, 'message.contents')) parts.push(contentPart(c));
  for (const tc of indexed(e, 'message.tool_calls')) parts.push(toolCallPart(tc.get('tool_call.id'), tc.get('tool_call.function.name'), tc.get('tool_call.function.arguments')));
  if (e.has('message.function_call_name')) parts.push(toolCallPart(undefined, e.get('message.function_call_name'), e.get('message.function_call_arguments_json')));
  return message(role, parts);
}

function derivedContent(a: Attributes, type: EventType, finishReason: string | null): DerivedContent {
  const content: DerivedContent = type === 'tool.call' ? toolCallContent(a, 'input.value', 'output.value') : {};
  if (hasIndexed(a, 'llm.input_messages')) content['gen_ai.input.messages'] = indexed(a, 'llm.input_messages').map((e) => flattenedMessage(e, 'user'));
  if (hasIndexed(a, 'llm.output_messages')) {
    const out = indexed(a, 'llm.output_messages').map((e) => flattenedMessage(e, 'assistant'));
    if (finishReason !== null && out[0] !== undefined) out[0]['finish_reason'] = finishReason;
    content['gen_ai.output.messages'] = out;
  }
  if (hasIndexed(a, 'llm.tools')) content['gen_ai.tool.definitions'] = indexed(a, 'llm.tools').map((t) => structured(t.get('tool.json_schema')));
  return content;
}

/** `input.value` / `output.value` parsed when their mime type says JSON (the raw request or response). */
function jsonValueOf(a: Attributes, key: 'input' | 'output'): { [key: string]: unknown } {
  if (a[`${key}.mime_type`] !== 'application/json') return {};
  const parsed = parseJson(a[`${key}.value`]);
  return isRecord(parsed) ? parsed : {};
}

function finishReasonsOf(a: Attributes, response: { [key: string]: unknown }): string[] | null {
  const reason = str(a, 'llm.finish_reason');
  if (reason !== null) return [reason];
  const choices = response['choices'];
  if (!Array.isArray(choices)) return null;
  const reasons = choices.map((c: unknown) => (isRecord(c) ? c['finish_reason'] : undefined)).filter((r): r is string => typeof r === 'string');
  return reasons.length > 0 ? reasons.map(wellFormed) : null;
}

function llmFields(a: Attributes, params: { [key: string]: unknown }): { [key: string]: JsonValue } {
  const response = jsonValueOf(a, 'output');
  const p = params as Attributes;
  return llmData({
    responseId: typeof response['id'] === 'string' ? wellFormed(response['id']) : null,
    finishReasons: finishReasonsOf(a, response),
    temperature: num(p, 'temperature'),
    maxTokens: int(p, 'max_tokens', 'max_completion_tokens', 'max_output_tokens'),
    topP: num(p, 'top_p'),
  });
}

function dataOf(type: EventType, a: Attributes, params: { [key: string]: unknown }): { [key: string]: JsonValue } {
  switch (type) {
    case 'llm.completion':
    case 'llm.embedding':
      return llmFields(a, params);
    case 'tool.call':
      return toolData(str(a, 'tool.name'), str(a, 'tool_call.id', 'tool.id'), 'function');
    case 'agent.invoke':
      return agentData(str(a, 'agent.name', 'graph.node.name'), str(a, 'graph.node.id'));
    case 'retrieval':
      return { data_source_id: null };
    default:
      return {};
  }
}

/** Invocation parameters: JSON of the request minus its messages (model, temperature, tools, …). */
function paramsOf(a: Attributes): { [key: string]: unknown } {
  const parsed = parseJson(a['llm.invocation_parameters']);
  return isRecord(parsed) ? parsed : {};
}

function modelOf(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? wellFormed(v) : null;
}

/**
 * OpenInference (Arize): `openinference.span.kind`, `llm.*` with flattened
 * `llm.input_messages.N.message.*`, `llm.token_count.*` (prompt includes cache reads), the raw
 * request and response in `input.value` / `output.value`. `llm.model_name` is the requested model
 * until the response replaces it with the model that answered (not for streams).
 */
export const openinference: Dialect = {
  name: 'openinference',
  eventType: (a) => kindOf(a)?.[0],
  owns: (span: SpanView) => typeof span.attributes[KIND] === 'string',
  normalize(span, type): Normalized {
    const a = span.attributes;
    const params = paramsOf(a);
    const finish = str(a, 'llm.finish_reason');
    const op = kindOf(a)?.[1] ?? null;
    return {
      operation: op === 'chat' && (a['llm.prompts'] !== undefined || hasIndexed(a, 'llm.prompts')) ? 'text_completion' : op,
      provider: normalizeProvider(str(a, 'llm.provider', 'llm.system', 'gen_ai.provider.name', 'gen_ai.system')),
      requestModel: str(a, 'llm.request.model_name') ?? modelOf(params['model']) ?? str(a, 'llm.model_name', 'embedding.model_name'),
      responseModel: str(a, 'llm.response.model_name', 'llm.model_name', 'embedding.model_name'),
      usage: usageOf({
        input: int(a, 'llm.token_count.prompt'),
        output: int(a, 'llm.token_count.completion'),
        cacheRead: int(a, 'llm.token_count.prompt_details.cache_read'),
        cacheWrite: int(a, 'llm.token_count.prompt_details.cache_write'),
        reasoning: int(a, 'llm.token_count.completion_details.reasoning'),
      }),
      data: dataOf(type, a, params),
      content: derivedContent(a, type, finish),
    };
  },
};

