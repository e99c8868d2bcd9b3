// Reading the command line before commander does: which command is named
// (so only its definition is set up, commands/index.ts) and the default
// command for a plain `swarmctl`. Pure.

/** Global options that take a value (the next word is not a command). */
const VALUE_OPTIONS = new Set(['-c', '--config', '--db']);

/** The first word of `argv` (node, script, ...) that is not a global option or its value. */
export function commandName(argv: string[]): string | undefined {
  const rest = argv.slice(2);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** Plain `swarmctl` (only global options) means the console: `tui`, which prints `status` when not on a terminal. */
export function withDefaultCommand(argv: string[]): string[] {
  if (commandName(argv) !== undefined) return argv;
  if (argv.slice(2).some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version')) return argv;
  return [...argv, 'tui'];
}
