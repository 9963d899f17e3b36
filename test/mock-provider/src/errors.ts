/** The JSON body of an OpenAI API error response. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * An error the mock answers with an OpenAI-style error body; thrown by the pure
 * request handlers (validation) and caught by the server, which sends `status` + `body`.
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
