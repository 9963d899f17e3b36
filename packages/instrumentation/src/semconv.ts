/**
 * Attribute names used by auditrail, copied here as constants rather than imported from
 * `@opentelemetry/semantic-conventions`: the GenAI names are still "incubating" there, move between
 * releases, and an audit record must not change shape with a dependency bump.
 */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Older name of the provider attribute, still sent by many instrumentations. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_DATA_SOURCE_ID = 'gen_ai.data_source.id';
export const ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT = 'gen_ai.retrieval.query.text';
/** JSON `[{ id, score, content? }]`. */
export const ATTR_GEN_AI_RETRIEVAL_DOCUMENTS = 'gen_ai.retrieval.documents';
export const ATTR_GEN_AI_RETRIEVAL_TOP_K = 'gen_ai.retrieval.top_k';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_USER_ID = 'user.id';
export const ATTR_SESSION_ID = 'session.id';

/** auditrail's own attributes. */
export const ATTR_AUDITRAIL_EVENT_TYPE = 'auditrail.event_type';
export const ATTR_AUDITRAIL_REQUEST_ID = 'auditrail.request.id';
/** True on a call the app or the network cut short (an aborted stream, a cancelled request). */
export const ATTR_AUDITRAIL_CALL_ABORTED = 'auditrail.call.aborted';
export const ATTR_AUDITRAIL_DECISION_NAME = 'auditrail.decision.name';
export const ATTR_AUDITRAIL_DECISION_OUTCOME = 'auditrail.decision.outcome';
/** The spans a decision rests on, as `traceId-spanId` strings. */
export const ATTR_AUDITRAIL_DECISION_BASED_ON = 'auditrail.decision.based_on';
/** JSON of the inputs a decision weighed (content: stored beside the record, by policy). */
export const ATTR_AUDITRAIL_DECISION_INPUTS = 'auditrail.decision.inputs';
export const ATTR_AUDITRAIL_DECISION_POLICY_VERSION = 'auditrail.decision.policy_version';
export const ATTR_AUDITRAIL_DECISION_MODEL_VERSION = 'auditrail.decision.model_version';
export const ATTR_AUDITRAIL_DECISION_CONFIDENCE = 'auditrail.decision.confidence';
export const ATTR_AUDITRAIL_DECISION_REVIEWER = 'auditrail.decision.reviewer';
export const ATTR_AUDITRAIL_GUARDRAIL_NAME = 'auditrail.guardrail.name';
export const ATTR_AUDITRAIL_GUARDRAIL_RULE = 'auditrail.guardrail.rule';
/** What the guardrail did: `blocked`, `redacted`, `flagged`, `allowed`, … */
export const ATTR_AUDITRAIL_GUARDRAIL_ACTION = 'auditrail.guardrail.action';
/** `low`, `medium`, `high`, `critical`. */
export const ATTR_AUDITRAIL_GUARDRAIL_SEVERITY = 'auditrail.guardrail.severity';
/** JSON of what triggered it (content: stored beside the record, by policy). */
export const ATTR_AUDITRAIL_GUARDRAIL_DETAILS = 'auditrail.guardrail.details';
/** `login`, `logout`, `token_issued`, `access_denied`, … */
export const ATTR_AUDITRAIL_AUTH_ACTION = 'auditrail.auth.action';
export const ATTR_AUDITRAIL_AUTH_OUTCOME = 'auditrail.auth.outcome';
export const ATTR_AUDITRAIL_AUTH_PRINCIPAL = 'auditrail.auth.principal';
export const ATTR_AUDITRAIL_AUTH_METHOD = 'auditrail.auth.method';
export const ATTR_AUDITRAIL_AUTH_REASON = 'auditrail.auth.reason';
export const ATTR_AUDITRAIL_ADMIN_ACTION = 'auditrail.admin.action';
export const ATTR_AUDITRAIL_ADMIN_ACTOR = 'auditrail.admin.actor';
export const ATTR_AUDITRAIL_ADMIN_TARGET = 'auditrail.admin.target';
/** JSON of what changed (content: stored beside the record, by policy). */
export const ATTR_AUDITRAIL_ADMIN_CHANGES = 'auditrail.admin.changes';
export const ATTR_AUDITRAIL_ERROR_MESSAGE = 'auditrail.error.message';
/** JSON of the context an error happened in (content: stored beside the record, by policy). */
export const ATTR_AUDITRAIL_ERROR_CONTEXT = 'auditrail.error.context';

/** Attributes whose values are content (prompts, completions, arguments): kept beside the record. */
export const CONTENT_ATTRIBUTES: readonly string[] = [
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_AUDITRAIL_DECISION_INPUTS,
  ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT,
  ATTR_GEN_AI_RETRIEVAL_DOCUMENTS,
  ATTR_AUDITRAIL_GUARDRAIL_DETAILS,
  ATTR_AUDITRAIL_ADMIN_CHANGES,
  ATTR_AUDITRAIL_ERROR_CONTEXT,
  ATTR_AUDITRAIL_ERROR_MESSAGE,
];
