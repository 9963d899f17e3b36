/**
 * Attribute names the OpenAI instrumentation sets beyond the shared ones in `../semconv.ts`, copied
 * here as constants for the same reason: the GenAI names are still "incubating" in
 * `@opentelemetry/semantic-conventions`, and an audit record must not change shape with a
 * dependency bump.
 */
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
/** Set only when the app asked for more (or fewer) than one choice, as the conventions say. */
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
/** `text`, `json`, `image` or `speech`: the output type the app asked for. */
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';

export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';
export const ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT = 'openai.response.system_fingerprint';

/**
 * auditrail's own: the Responses API turn this one continues (`previous_response_id`). It chains
 * turns without naming a conversation, so it is kept beside `gen_ai.conversation.id`, not as it.
 */
export const ATTR_AUDITRAIL_OPENAI_PREVIOUS_RESPONSE_ID = 'auditrail.openai.previous_response_id';
/** auditrail's own: how many inputs one embeddings call embedded. */
export const ATTR_AUDITRAIL_EMBEDDINGS_INPUT_COUNT = 'auditrail.embeddings.input_count';

/** `gen_ai.provider.name` values. */
export const PROVIDER_OPENAI = 'openai';
export const PROVIDER_AZURE_OPENAI = 'azure.ai.openai';
