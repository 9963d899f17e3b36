/** Stable error codes of @auditrail/core. */
export type AuditrailErrorCode =
  | 'INVALID_RECORD'
  | 'INVALID_CONFIG'
  | 'NON_CANONICAL'
  | 'SEQUENCE_OVERFLOW'
  /** A signed note, key, checkpoint or proof that is not well formed. */
  | 'INVALID_INPUT';

/** The one error class of @auditrail/core: a stable `code`, and the underlying error as `cause`. */
export class AuditrailError extends Error {
  readonly code: AuditrailErrorCode;

  constructor(code: AuditrailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditrailError';
    this.code = code;
  }
}
