// Errors the batch layer throws for bad operator input. batch/ may not import
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
