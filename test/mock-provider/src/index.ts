export { startMockProvider } from './server.js';
export type { MockProvider, MockProviderOptions, ServedExchange } from './types.js';
export { createChatCompletion, createChatCompletionChunks } from './openai-chat.js';
export type {
  ChatCompletionChunkObject,
  ChatCompletionObject,
  ChatUsage,
  ChunkToolCallDelta,
  FinishReason,
  ToolCallObject,
} from './openai-types.js';
export { createEmbeddingResponse, embeddingVector } from './openai-embeddings.js';
export type { EmbeddingObject, EmbeddingResponseObject } from './openai-embeddings.js';
export { tokens } from './tokens.js';
export { MockApiError } from './errors.js';
export type { OpenAIErrorBody } from './errors.js';
export { errorForModel, SLOW_MODEL, SLOW_MS } from './error-triggers.js';
