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
export { createResponse, createResponseEvents } from './openai-responses.js';
export type {
  FunctionCallItem,
  MessageItem,
  OutputItem,
  OutputTextPart,
  ReasoningItem,
  ResponseObject,
  ResponseStreamEvent,
  ResponseUsage,
} from './responses-types.js';
export { createMessage, createMessageEvents } from './anthropic-messages.js';
export type {
  ContentBlock,
  MessageObject,
  MessageStreamEvent,
  MessageUsage,
  StopReason,
  TextBlock,
  ToolUseBlock,
} from './anthropic-types.js';
export { createEmbeddingResponse, embeddingVector } from './openai-embeddings.js';
export type { EmbeddingObject, EmbeddingResponseObject } from './openai-embeddings.js';
export { tokens } from './tokens.js';
