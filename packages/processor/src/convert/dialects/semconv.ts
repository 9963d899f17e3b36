import type { Attributes } from '@opentelemetry/api';
import { type EventType, type JsonValue, OPERATION_EVENT_TYPES } from '@auditrail/core';
import { semconv as sc } from '@auditrail/instrumentation';
import { int, isRecord, num, parseJson, str, stringsOf, wellFormed } from '../attribute-values.js';
import { normalizeProvider } from '../provider.js';
import { type TokenCounts, usageOf } from '../usage.js';
import { agentData, type LlmFields, llmData, toolData } from './record-data.js';
import type { Dialect, Normalized, SpanView } from './types.js';

/**
 * Token attributes across GenAI semconv versions and the instrumentations that follow them
 * (`cache_creation` and `cache_write`, `prompt_tokens` and `input_tokens`, OpenLLMetry's
 * `cache_read_input_tokens`), current name first.
 */
const TOKENS = {
  input: [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, 'gen_ai.usage.prompt_tokens', 'llm.usage.prompt_tokens'],
  output: [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, 'gen_ai.usage.completion_tokens', 'llm.usage.completion_tokens'],
  cacheRead: [sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, 'gen_ai.usage.cache_read_input_tokens'],
  cacheWrite: [sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, 'gen_ai.usage.cache_write.input_tokens', 'gen_ai.usage.cache_creation_input_tokens'],
  reasoning: [sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, 'gen_ai.usage.reasoning_tokens'],
} as const;

function semconvTokens(a: Attributes): TokenCounts {
  return {
    input: int(a, ...TOKENS.input),
    output: int(a, ...TOKENS.output),
    cacheRead: int(a, ...TOKENS.cacheRead),
    cacheWrite: int(a, ...TOKENS.cacheWrite),
    reasoning: int(a, ...TOKENS.reasoning),
  };
}

function semconvLlmFields(a: Attributes): LlmFields {
  return {
    responseId: str(a, sc.ATTR_GEN_AI_RESPONSE_ID),
    finishReasons: stringsOf(a, sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS),
    temperature: num(a, sc.ATTR_GEN_AI_REQUEST_TEMPERATURE),
    maxTokens: int(a, sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS),
    topP: num(a, sc.ATTR_GEN_AI_REQUEST_TOP_P),
  };
}

/**
 * Which documents a retrieval returned, by id and score, for the record (their text stays in the
 * payload with the rest of `gen_ai.retrieval.documents`). At most 100; odd shapes give null.
 */
function documentRefs(a: Attributes): JsonValue {
  const docs = parseJson(a[sc.ATTR_GEN_AI_RETRIEVAL_DOCUMENTS]);
  if (!Array.isArray(docs)) return null;
  return docs.slice(0, 100).map((d) => {
    const doc = isRecord(d) ? d : {};
    return { id: typeof doc['id'] === 'string' ? wellFormed(doc['id'].slice(0, 512)) : null, score: typeof doc['score'] === 'number' && Number.isFinite(doc['score']) ? doc['score'] : null };
  });
}

function dataOf(type: EventType, a: Attributes): { [key: string]: JsonValue } {
  switch (type) {
    case 'llm.completion':
    case 'llm.embedding':
      return llmData(semconvLlmFields(a));
    case 'tool.call':
      return toolData(str(a, sc.ATTR_GEN_AI_TOOL_NAME), str(a, sc.ATTR_GEN_AI_TOOL_CALL_ID), str(a, sc.ATTR_GEN_AI_TOOL_TYPE));
    case 'agent.invoke':
      return agentData(str(a, 'gen_ai.agent.name'), str(a, 'gen_ai.agent.id'));
    case 'retrieval':
      return { data_source_id: str(a, sc.ATTR_GEN_AI_DATA_SOURCE_ID), documents: documentRefs(a), top_k: int(a, sc.ATTR_GEN_AI_RETRIEVAL_TOP_K) };
    case 'guardrail':
      return {
        action: str(a, sc.ATTR_AUDITRAIL_GUARDRAIL_ACTION),
        guardrail_name: str(a, sc.ATTR_AUDITRAIL_GUARDRAIL_NAME),
        rule: str(a, sc.ATTR_AUDITRAIL_GUARDRAIL_RULE),
        severity: str(a, sc.ATTR_AUDITRAIL_GUARDRAIL_SEVERITY),
      };
    case 'auth':
      return {
        action: str(a, sc.ATTR_AUDITRAIL_AUTH_ACTION),
        method: str(a, sc.ATTR_AUDITRAIL_AUTH_METHOD),
        outcome: str(a, sc.ATTR_AUDITRAIL_AUTH_OUTCOME),
        principal: str(a, sc.ATTR_AUDITRAIL_AUTH_PRINCIPAL),
        reason: str(a, sc.ATTR_AUDITRAIL_AUTH_REASON),
      };
    case 'admin':
      return { action: str(a, sc.ATTR_AUDITRAIL_ADMIN_ACTION), actor: str(a, sc.ATTR_AUDITRAIL_ADMIN_ACTOR), target: str(a, sc.ATTR_AUDITRAIL_ADMIN_TARGET) };
    case 'error':
      return { error_type: str(a, sc.ATTR_ERROR_TYPE) };
    case 'decision':
      return {
        based_on: stringsOf(a, sc.ATTR_AUDITRAIL_DECISION_BASED_ON) ?? [],
        confidence: num(a, sc.ATTR_AUDITRAIL_DECISION_CONFIDENCE),
        decision_name: str(a, sc.ATTR_AUDITRAIL_DECISION_NAME),
        model_version: str(a, sc.ATTR_AUDITRAIL_DECISION_MODEL_VERSION),
        outcome: str(a, sc.ATTR_AUDITRAIL_DECISION_OUTCOME),
        policy_version: str(a, sc.ATTR_AUDITRAIL_DECISION_POLICY_VERSION),
        reviewer: str(a, sc.ATTR_AUDITRAIL_DECISION_REVIEWER),
      };
    default:
      return {};
  }
}

/** `gen_ai.provider.name`, or the older `gen_ai.system`, normalized. */
export function semconvProvider(a: Attributes): string | null {
  return normalizeProvider(str(a, sc.ATTR_GEN_AI_PROVIDER_NAME, sc.ATTR_GEN_AI_SYSTEM));
}

/**
 * The normalized fields of a span in GenAI semconv terms. `inputExcludesCache`: the span's input
 * tokens leave cache reads and writes out (see `usageOf`).
 */
export function semconvFields(a: Attributes, type: EventType, inputExcludesCache = false): Normalized {
  return {
    operation: str(a, sc.ATTR_GEN_AI_OPERATION_NAME),
    provider: semconvProvider(a),
    requestModel: str(a, sc.ATTR_GEN_AI_REQUEST_MODEL),
    responseModel: str(a, sc.ATTR_GEN_AI_RESPONSE_MODEL),
    usage: usageOf(semconvTokens(a), inputExcludesCache),
    data: dataOf(type, a),
    // Semconv spans carry their content in the semconv attributes themselves.
    content: {},
  };
}

/**
 * The OTel GenAI semantic conventions, current and older names alike: auditrail's own
 * instrumentation, the official `@opentelemetry/instrumentation-openai` (whose message content
 * comes in log records, joined by `AuditLogRecordProcessor`), SDKs that trace themselves
 * (`@anthropic-ai/sdk`), and any other span with `gen_ai.operation.name`.
 */
export const semconv: Dialect = {
  name: 'semconv',
  eventType(a) {
    const op = a[sc.ATTR_GEN_AI_OPERATION_NAME];
    if (typeof op !== 'string') return undefined;
    // An operation we do not know yet is still a GenAI call: recorded, never dropped.
    return OPERATION_EVENT_TYPES[op] ?? 'agent.invoke';
  },
  owns: () => true,
  normalize: (span: SpanView, type) => semconvFields(span.attributes, type),
};
