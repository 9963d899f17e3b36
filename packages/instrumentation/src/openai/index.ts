export { OpenAIInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { OpenAIInstrumentationConfig } from './types.js';
