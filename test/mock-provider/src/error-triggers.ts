import type { Dialect } from './errors.js';
import { MockApiError } from './errors.js';

/** Model name that makes the mock wait {@link SLOW_MS} ms before answering normally. */
export const SLOW_MODEL = 'mock-slow';
/** Model name that makes the mock send the first half of its answer, wait {@link SLOW_MS} ms, then the rest. */
export const SLOW_STREAM_MODEL = 'mock-slow-stream';
/** Model name that makes the mock send the first half of its answer and then destroy the connection. */
export const STREAM_ABORT_MODEL = 'mock-stream-abort';
/** Extra delay applied to {@link SLOW_MODEL} and {@link SLOW_STREAM_MODEL} requests. */
export const SLOW_MS = 2000;

/**
 * The error a request for `model` must be answered with, if `model` is one of the
 * error-trigger names (`mock-error-500`, `mock-error-429`, `mock-error-400`). The
 * messages follow the wording of `dialect`'s API.
 */
export function errorForModel(model: unknown, dialect: Dialect): MockApiError | undefined {
  const anthropic = dialect === 'anthropic';
  switch (model) {
    case 'mock-error-500':
      return new MockApiError(
        500,
        anthropic ? 'Internal server error' : 'The server had an error while processing your request.',
        'server_error',
      );
    case 'mock-error-429':
      return new MockApiError(
        429,
        anthropic
          ? 'This request would exceed the rate limit for your organization of 3 requests per minute ' +
              '(mock-error-429 trigger). Please try again in 20s.'
          : 'Rate limit reached for mock-error-429 in organization org-mock on requests per min (RPM): ' +
              'Limit 3, Used 3, Requested 1. Please try again in 20s.',
        'requests',
        null,
        'rate_limit_exceeded',
      );
    case 'mock-error-400':
      return new MockApiError(
        400,
        "Invalid request: the model 'mock-error-400' always rejects requests (mock error trigger).",
        'invalid_request_error',
      );
    default:
      return undefined;
  }
}
