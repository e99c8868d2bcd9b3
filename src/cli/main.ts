// Entry point. Startup cost matters (job wrappers call swarmctl in a loop), so
// this file loads commander and the small command definitions only; each
// command imports its implementation when it runs. Ink/React load only for
// the console.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { commandName, withDefaultCommand } from './argv.js';
import { registerFor } from './commands/index.js';
import { CliError, EXIT, EXIT_CODES_HELP, noColor } from './output.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

/** The program with the definitions `argv` needs (all of them when `argv` names no known command). */
export function buildProgram(argv: string[] = []): Command {
  const program = new Command('swarmctl')
    .description('Operate a self-hosted AI agent swarm: probes, SLURM jobs, discovery, recovery, console')
    .version(version(), '-V, --version')
    .option('-c, --config <path>', 'config file (default: $SWARMCTL_CONFIG, ./swarmctl.yaml, $XDG_CONFIG_HOME/swarmctl/config.yaml, /etc/swarmctl/config.yaml)')
    .option('--db <path>', 'state database (default: $XDG_STATE_HOME/swarmctl/swarmctl.db)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  const name = commandName(argv);
  const versionOnly = name === undefined && argv.slice(2).some((a) => a === '-V' || a === '--version') && !argv.slice(2).some((a) => a === '-h' || a === '--help');
  registerFor(program, name, versionOnly);
  return program;
}

function reportError(e: unknown, json: boolean): number {
  if (e instanceof CliError) {
    if (json) {
      process.stdout.write(`${JSON.stringify({ error: { message: e.message, hint: e.hint ?? null, exit_code: e.exitCode, details: e.details ?? null } }, null, 2)}\n`);
    }
    process.stderr.write(`swarmctl: ${e.message}\n`);
    if (e.hint) process.stderr.write(`  next: ${e.hint}\n`);
    return e.exitCode;
  }
  // A file refused by core/safe-read.ts (not regular, over its limit): its message says which and why.
  if (e instanceof Error && e.name === 'SafeReadError') {
    if (json) process.stdout.write(`${JSON.stringify({ error: { message: e.message, hint: null, exit_code: EXIT.FAILED, details: null } }, null, 2)}\n`);
    process.stderr.write(`swarmctl: ${e.message}\n`);
    return EXIT.FAILED;
  }
  process.stderr.write(`swarmctl: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT.FAILED;
}

export async function main(argv: string[]): Promise<number> {
  if (noColor()) process.env['FORCE_COLOR'] = '0';
  argv = withDefaultCommand(argv);
  const program = buildProgram(argv);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors; everything else commander rejects is usage.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    return reportError(e, json);
  }
}

process.on('SIGINT', () => process.exit(EXIT.INTERRUPTED));
// `swarmctl queue --json | head -1`: the reader closed the pipe. Stop quietly,
// as a tool killed by SIGPIPE would, instead of an EPIPE stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.PIPE_CLOSED);
  throw e;
});
process.on('SIGTERM', () => process.exit(143));
const code = await main(process.argv);
process.exitCode = code;
