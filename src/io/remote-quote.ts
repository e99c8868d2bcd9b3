// THE ONE place that builds a shell string. SSH joins its arguments with
// spaces and hands them to the remote user's shell, so every word that crosses
// SSH is quoted here, and nowhere else. Reviewed rules:
//   - a word of only safe characters (and not starting with "=" or "~", which
//     zsh/bash expand at word start) passes as is;
//   - anything else is wrapped in single quotes, with each ' written as '\''
//     (inside single quotes a POSIX shell interprets nothing);
//   - the empty word becomes '' so it stays an argument;
//   - a NUL byte cannot be passed through any shell: refuse it.
// Pure: no imports.

const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class UnquotableError extends Error {}

export function quoteWord(word: string): string {
  if (word.includes('\0')) throw new UnquotableError('a NUL byte cannot be passed through a remote shell');
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function quoteForRemoteShell(argv: readonly string[]): string {
  if (argv.length === 0) throw new UnquotableError('empty argv');
  return argv.map(quoteWord).join(' ');
}

export interface RemoteCommand {
  argv: readonly string[];
  /** Variables for the remote process; passed through `env`, never as shell assignments. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}

/** `cd -- DIR && exec env K=V argv...` with every word quoted. */
export function buildRemoteCommand({ argv, env, cwd }: RemoteCommand): string {
  const parts: string[] = [];
  if (cwd !== undefined) parts.push(`cd -- ${quoteWord(cwd)} &&`);
  const envWords: string[] = [];
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(k)) throw new UnquotableError(`invalid environment variable name: ${JSON.stringify(k)}`);
    envWords.push(quoteWord(`${k}=${v}`));
  }
  parts.push('exec');
  if (envWords.length) parts.push('env', ...envWords);
  parts.push(quoteForRemoteShell(argv));
  return parts.join(' ');
}
