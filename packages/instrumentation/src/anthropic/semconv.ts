/**
 * Attribute names this instrumentation sets beyond `../semconv.ts`, copied as constants for the
 * same reason: the GenAI names are "incubating" in `@opentelemetry/semantic-conventions`, and an
 * audit record must not change shape with a dependency bump. The `anthropic.*` names are the ones
 * `@anthropic-ai/sdk` itself uses on its own spans (1.x), so both read alike.
 */
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';

/**
 * The input-side token counts exactly as the API reported them. Anthropic's `input_tokens`
 * excludes cache reads and writes; `gen_ai.usage.input_tokens` is their sum (semconv).
 */
export const ATTR_ANTHROPIC_USAGE_INPUT_TOKENS = 'anthropic.usage.input_tokens';
export const ATTR_ANTHROPIC_USAGE_CACHE_READ_INPUT_TOKENS = 'anthropic.usage.cache_read_input_tokens';
export const ATTR_ANTHROPIC_USAGE_CACHE_CREATION_INPUT_TOKENS = 'anthropic.usage.cache_creation_input_tokens';
/** Cache writes by lifetime: 1-hour writes cost more than 5-minute ones. */
export const ATTR_ANTHROPIC_USAGE_CACHE_CREATION_5M = 'anthropic.usage.cache_creation.ephemeral_5m_input_tokens';
export const ATTR_ANTHROPIC_USAGE_CACHE_CREATION_1H = 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens';
/** `standard`, `priority` or `batch`: the tier that served (and prices) the call. */
export const ATTR_ANTHROPIC_RESPONSE_SERVICE_TIER = 'anthropic.response.service_tier';
/** `standard` or `fast`: the speed the call ran at (fast mode is priced apart). */
export const ATTR_ANTHROPIC_RESPONSE_SPEED = 'anthropic.response.speed';
/** Where inference ran (data residency), as the API reports it in the usage. */
export const ATTR_ANTHROPIC_RESPONSE_INFERENCE_GEO = 'anthropic.response.inference_geo';
/** The workspace the call was billed to (`anthropic-workspace-id` header). */
export const ATTR_ANTHROPIC_WORKSPACE_ID = 'anthropic.workspace.id';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
/** The API's request id (`request-id` header), what Anthropic support asks for. */
export const ATTR_ANTHROPIC_REQUEST_ID = 'anthropic.request.id';
