import { MockApiError } from './errors.js';

/** Model name that makes the mock wait {@link SLOW_MS} ms before answering normally. */
export const SLOW_MODEL = 'mock-slow';
/** Extra delay applied to {@link SLOW_MODEL} requests. */
export const SLOW_MS = 2000;

/**
 * The error a request for `model` must be answered with, if `model` is one of the
 * error-trigger names (`mock-error-500`, `mock-error-429`, `mock-error-400`).
 */
export function errorForModel(model: unknown): MockApiError | undefined {
  switch (model) {
    case 'mock-error-500':
      return new MockApiError(500, 'The server had an error while processing your request.', 'server_error');
    case 'mock-error-429':
      return new MockApiError(
        429,
        'Rate limit reached for mock-error-429 in organization org-mock on requests per min (RPM): ' +
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
