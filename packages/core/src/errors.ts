/** Stable error codes of @auditrail/core. */
export type AuditrailErrorCode =
  | 'INVALID_RECORD'
  | 'INVALID_CONFIG'
  | 'NON_CANONICAL'
  | 'SEQUENCE_OVERFLOW';

/** The one error class of @auditrail/core: a stable `code`, and the underlying error as `cause`. */
export class AuditrailError extends Error {
  readonly code: AuditrailErrorCode;

  constructor(code: AuditrailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditrailError';
    this.code = code;
  }
}
