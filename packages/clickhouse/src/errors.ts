/** Stable error codes of @auditrail/clickhouse. */
export type StoreErrorCode = 'INVALID_CONFIG' | 'CONNECTION' | 'QUERY' | 'MIGRATION' | 'LOCKED' | 'CLOSED';

/** The one error class of @auditrail/clickhouse: a stable `code`, the underlying error as `cause`. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
