import type { Attributes } from '@opentelemetry/api';
import type { EventType, JsonValue } from '@auditrail/core';
import { semconv as sc } from '@auditrail/instrumentation';
import { str, toJsonValue, wellFormed } from '../attribute-values.js';
import { type Entry, hasIndexed, indexed } from '../flattened.js';
import { type Message, message, type Part, partsOfContent, toolCallPart, toolResponsePart } from '../messages.js';
import { structured, toolCallContent } from './derived.js';
import { agentData, toolData } from './record-data.js';
import { semconvFields, semconvProvider } from './semconv.js';
import type { DerivedContent, Dialect, Normalized, SpanView } from './types.js';

const REQUEST_TYPE = 'llm.request.type';
const SPAN_KIND = 'traceloop.span.kind';

/** `llm.request.type` (OpenLLMetry before it wrote `gen_ai.operation.name`). */
const REQUEST_TYPES: Readonly<Record<string, readonly [EventType, string]>> = {
  chat: ['llm.completion', 'chat'],
  completion: ['llm.completion', 'text_completion'],
  embedding: ['llm.embedding', 'embeddings'],
  embeddings: ['llm.embedding', 'embeddings'],
  rerank: ['retrieval', 'retrieval'],
};

/** `traceloop.span.kind` of the Traceloop SDK's workflow, task, agent and tool decorators. */
const SPAN_KINDS: Readonly<Record<string, readonly [EventType, string]>> = {
  workflow: ['agent.invoke', 'invoke_workflow'],
  task: ['agent.invoke', 'invoke_workflow'],
  agent: ['agent.invoke', 'invoke_agent'],
  tool: ['tool.call', 'execute_tool'],
};

function kindOf(a: Attributes): readonly [EventType, string] | undefined {
  const rt = a[REQUEST_TYPE];
  if (typeof rt === 'string') return REQUEST_TYPES[rt] ?? ['llm.completion', wellFormed(rt)];
  const kind = a[SPAN_KIND];
  if (typeof kind === 'string') return SPAN_KINDS[kind] ?? ['agent.invoke', 'invoke_workflow'];
  return undefined;
}

/** `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`: role, content (text or JSON blocks), tool calls. */
function flattenedMessage(e: Entry): Message {
  const role = e.get('role');
  const content = e.get('content');
  const parts: Part[] = role === 'tool' && e.has('tool_call_id') ? [toolResponsePart(e.get('tool_call_id'), content)] : partsOfContent(content);
  for (const tc of indexed(e, 'tool_calls')) parts.push(toolCallPart(tc.get('id'), tc.get('name'), tc.get('arguments')));
  if (e.has('function_call.name')) parts.push(toolCallPart(undefined, e.get('function_call.name'), e.get('function_call.arguments')));
  return message(role ?? (e.has('finish_reason') ? 'assistant' : 'user'), parts, e.get('finish_reason'));
}

/** `llm.request.functions.N.{name,description,parameters}` as tool definitions. */
function functionDefinitions(a: Attributes): JsonValue {
  return indexed(a, 'llm.request.functions').map((f) => ({
    type: 'function',
    name: toJsonValue(f.get('name')) ?? null,
    description: toJsonValue(f.get('description')) ?? null,
    parameters: structured(f.get('parameters')),
  }));
}

function derivedContent(a: Attributes, type: EventType, completions: readonly Entry[]): DerivedContent {
  const content: DerivedContent = type === 'tool.call' ? toolCallContent(a, 'traceloop.entity.input', 'traceloop.entity.output') : {};
  if (hasIndexed(a, 'gen_ai.prompt')) content['gen_ai.input.messages'] = indexed(a, 'gen_ai.prompt').map(flattenedMessage);
  if (completions.length > 0) {
    content['gen_ai.output.messages'] = completions.map((e) => {
      const m = flattenedMessage(e);
      return e.has('role') ? m : { ...m, role: 'assistant' };
    });
  }
  if (hasIndexed(a, 'llm.request.functions')) content['gen_ai.tool.definitions'] = functionDefinitions(a);
  return content;
}

/**
 * OpenLLMetry (Traceloop): since 0.2x it writes GenAI semconv (`gen_ai.input.messages` as JSON,
 * `gen_ai.usage.*`), before that `llm.request.type`, flattened `gen_ai.prompt.N.*` /
 * `gen_ai.completion.N.*`, `gen_ai.usage.prompt_tokens` and `llm.usage.total_tokens`; the
 * Traceloop SDK's decorators add `traceloop.span.kind` spans. Its Anthropic instrumentation copies
 * Anthropic's `input_tokens`, which leave cache reads and writes out: they are added back.
 */
export const openllmetry: Dialect = {
  name: 'openllmetry',
  eventType: (a) => kindOf(a)?.[0],
  owns: (span: SpanView) => {
    const a = span.attributes;
    // The first flattened prompt message by name: no scan of every key of every semconv span.
    return span.scope?.startsWith('@traceloop/') === true || typeof a[REQUEST_TYPE] === 'string' || typeof a[SPAN_KIND] === 'string' || a['gen_ai.prompt.0.role'] !== undefined || a['gen_ai.prompt.0.content'] !== undefined;
  },
  normalize(span, type): Normalized {
    const a = span.attributes;
    const fields = semconvFields(a, type, semconvProvider(a) === 'anthropic');
    const entity = str(a, 'traceloop.entity.name');
    // Read once: for the finish reasons and for the output messages.
    const completions = hasIndexed(a, 'gen_ai.completion') ? indexed(a, 'gen_ai.completion') : [];
    let data = fields.data;
    if (type === 'tool.call') data = toolData(str(a, sc.ATTR_GEN_AI_TOOL_NAME) ?? entity, str(a, sc.ATTR_GEN_AI_TOOL_CALL_ID), str(a, sc.ATTR_GEN_AI_TOOL_TYPE) ?? 'function');
    else if (type === 'agent.invoke') data = agentData(str(a, 'gen_ai.agent.name') ?? entity ?? str(a, 'traceloop.workflow.name'), str(a, 'gen_ai.agent.id'));
    else if (data['finish_reasons'] === null && completions.length > 0) {
      const reasons = completions.map((e) => e.get('finish_reason')).filter((r): r is string => typeof r === 'string');
      if (reasons.length > 0) data = { ...data, finish_reasons: reasons.map(wellFormed) };
    }
    return { ...fields, operation: fields.operation ?? kindOf(a)?.[1] ?? null, data, content: derivedContent(a, type, completions) };
  },
};
