import { createMessage, createMessageEvents } from './anthropic-messages.js';
import type { Dialect } from './errors.js';
import { createChatCompletion, createChatCompletionChunks } from './openai-chat.js';
import { createEmbeddingResponse } from './openai-embeddings.js';
import { createResponse, createResponseEvents } from './openai-responses.js';

/** How the mock answers one `POST` path. */
export interface Route {
  dialect: Dialect;
  /** The JSON answer to a request body (throws `MockApiError` for an invalid one). */
  json(request: unknown): unknown;
  /** The SSE events answering a body with `stream: true`; absent when the route does not stream. */
  events?: (request: unknown) => readonly unknown[];
  /** Whether each SSE frame has an `event: <type>` line (else `data:` only). */
  named: boolean;
  /** Whether the stream ends with `data: [DONE]`. */
  done: boolean;
}

/** Every path the mock answers, by exact path. */
export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  [
    '/v1/chat/completions',
    { dialect: 'openai', json: createChatCompletion, events: createChatCompletionChunks, named: false, done: true },
  ],
  ['/v1/embeddings', { dialect: 'openai', json: createEmbeddingResponse, named: false, done: false }],
  [
    '/v1/responses',
    { dialect: 'openai', json: createResponse, events: createResponseEvents, named: true, done: false },
  ],
  [
    '/v1/messages',
    { dialect: 'anthropic', json: createMessage, events: createMessageEvents, named: true, done: false },
  ],
]);
