// Output and exit-code conventions shared by every command:
//   exit 0 ok/healthy, 1 degraded/partial, 2 down/failed, 64 usage/config, 130 Ctrl-C;
//   with --json exactly one JSON document on stdout and human text on stderr.
// Kept free of heavy imports: it is loaded on every start.
import type { ProbeStatus } from '../core/probe.js';

export const EXIT = { OK: 0, DEGRADED: 1, FAILED: 2, USAGE: 64, INTERRUPTED: 130, PIPE_CLOSED: 141 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The health rule every health command uses: 0 all up, 1 any loading/degraded/unknown, 2 any down. */
export function exitCodeFor(statuses: readonly ProbeStatus[]): 0 | 1 | 2 {
  if (statuses.includes('down')) return EXIT.FAILED;
  return statuses.some((s) => s !== 'up') ? EXIT.DEGRADED : EXIT.OK;
}

/** An error the operator can act on: message, the next step, and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILED,
    readonly hint?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, hint?: string, details?: unknown): CliError {
  return new CliError(message, EXIT.USAGE, hint, details);
}

export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** One NDJSON line (streams: --watch, --follow, restart events). */
export function printJsonLine(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}

/** Human text: stdout normally, stderr when stdout carries JSON. */
export function say(text: string, json = false): void {
  (json ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
}

export function noColor(): boolean {
  return Boolean(process.env['NO_COLOR']) || process.env['TERM'] === 'dumb';
}

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0    ok / healthy / done
  1    degraded or partly done
  2    down or failed
  64   usage or config error
  130  interrupted (Ctrl-C)
  141  the reader of the output went away (\`| head\`), as SIGPIPE would
`;
