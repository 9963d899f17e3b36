/** Where a command writes. Commands never touch process.* themselves, so tests call them directly. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress is shown only then. */
  readonly interactive: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A usage or input error: the entry prints its message and exits 2. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 2, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
