/** Which provider's wire format an exchange speaks. */
export type Dialect = 'openai' | 'anthropic';

/** The JSON body of an OpenAI API error response. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The JSON body of an Anthropic API error response (also the data of an SSE `error` event). */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** Anthropic's error `type` for each HTTP status it uses. */
const ANTHROPIC_TYPES = new Map<number, string>([
  [400, 'invalid_request_error'],
  [401, 'authentication_error'],
  [403, 'permission_error'],
  [404, 'not_found_error'],
  [413, 'request_too_large'],
  [429, 'rate_limit_error'],
  [500, 'api_error'],
  [529, 'overloaded_error'],
]);

/**
 * An error the mock answers with an error body; thrown by the pure request handlers
 * (validation) and caught by the server, which sends `status` + the body of the route's
 * dialect (`body` for OpenAI, {@link anthropicErrorBody} for Anthropic).
 */
export class MockApiError extends Error {
  readonly status: number;
  readonly body: OpenAIErrorBody;

  constructor(
    status: number,
    message: string,
    type = 'invalid_request_error',
    param: string | null = null,
    code: string | null = null,
  ) {
    super(message);
    this.name = 'MockApiError';
    this.status = status;
    this.body = { error: { message, type, param, code } };
  }
}

/** A 400 `invalid_request_error` about `param`. */
export function invalidRequest(message: string, param: string | null = null, code: string | null = null): MockApiError {
  return new MockApiError(400, message, 'invalid_request_error', param, code);
}

/** The Anthropic-shaped body of `error`: its `type` follows from the HTTP status. */
export function anthropicErrorBody(error: MockApiError): AnthropicErrorBody {
  return { type: 'error', error: { type: ANTHROPIC_TYPES.get(error.status) ?? 'api_error', message: error.message } };
}

/** The body `error` is sent with in `dialect`. */
export function errorBody(error: MockApiError, dialect: Dialect): OpenAIErrorBody | AnthropicErrorBody {
  return dialect === 'anthropic' ? anthropicErrorBody(error) : error.body;
}
