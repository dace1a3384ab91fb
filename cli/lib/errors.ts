/**
 * A mistake the user can fix, with a stable `code` for --json consumers. Exit code 2 marks a
 * usage error (bad command line), 1 a failure (the command ran and did not succeed).
 */
export class CLIError extends Error {
  override name = "CLIError";
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function usageError(code: string, message: string, hint?: string): CLIError {
  return new CLIError(code, message, 2, hint);
}
