// The error the lower layers throw for bad operator input. They may not import
// cli/output.ts, so the CLI maps `exitCode` (64 = usage, nothing was run) itself.
export class UsageError extends Error {
  readonly exitCode = 64;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
