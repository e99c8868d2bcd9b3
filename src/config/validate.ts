/**
 * Input checks that run before anything is submitted: issue ids, environment variable
 * names and values given with `--env K=V`. A refusal carries a reason meant for the
 * operator (the CLI turns it into exit 64, and nothing has started).
 *
 * Pure: string checks only.
 *
 * Issue ids end up in job names (`squeue --name` splits on commas), in SWARM_ISSUE_ID,
 * in worktree paths (`<shared>/wt/<id>`, branch `swarm/<id>`), in tracker commands
 * (`bd show ID`) and, over SSH, in a remote shell line. So besides the configured
 * pattern (default `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) every id must pass fixed rules
 * that a looser configured pattern cannot switch off: at most 128 characters, only
 * `A-Z a-z 0-9 . _ -`, no leading `.` or `-`, no `..`. The pattern can narrow that
 * alphabet (e.g. require `beefcake-`), never widen it.
 *
 * Environment VALUES may contain commas, quotes, `$`, spaces: we never put a value into
 * `sbatch --export=` (sbatch splits that list on commas, so `X=a,SWARM_USE_CLOUD=0` would
 * inject a second variable). Only names go into `--export=ALL,NAME,...`; values travel
 * in sbatch's own process environment (or an --export-file), and over SSH through the
 * audited quoting in io/remote-quote.ts. Values still may not contain NUL (cannot be in
 * an environment), newlines (break --export-file and log lines) or exceed 4096 bytes.
 */

export type Validation = { ok: true } | { ok: false; reason: string };

export const DEFAULT_ISSUE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const ISSUE_ID_HARD_MAX = 128;
export const ENV_NAME_MAX = 128;
export const ENV_VALUE_MAX = 4096;

const SAFE_ID_CHAR = /^[A-Za-z0-9._-]$/;
const SHELL_META = new Set([...';&|$`\\"\'<>()[]{}*?!~#=%^']);

const patternCache = new Map<string, RegExp | Error>();

function compile(pattern: string): RegExp | Error {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      // Anchor whatever the config says: a pattern without ^...$ must not match a substring.
      re = new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      re = e instanceof Error ? e : new Error(String(e));
    }
    if (patternCache.size > 32) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === '\n' || ch === '\r') return 'a newline';
  if (cp < 0x20 || cp === 0x7f) return `a control character (${hex})`;
  if (/\s/u.test(ch)) return ch === ' ' ? 'a space' : `whitespace (${hex})`;
  if (ch === '/' || ch === '\\') return `a path separator ("${ch}")`;
  if (ch === ',') return 'a comma (sbatch and squeue split lists on commas)';
  if (ch === '`') return 'a backtick (shell command substitution)';
  if (ch === '$') return 'a "$" (shell expansion)';
  if (SHELL_META.has(ch)) return `the shell metacharacter "${ch}"`;
  if (cp > 0x7e) return `the non-ASCII character "${ch}" (${hex})`;
  return `the character "${ch}"`;
}

/** Check an issue id against the fixed rules and the configured pattern. Never throws. */
export function validateIssueId(id: unknown, pattern: string = DEFAULT_ISSUE_ID_PATTERN): Validation {
  if (typeof id !== 'string') return { ok: false, reason: 'issue id must be a string' };
  if (id === '') return { ok: false, reason: 'issue id is empty' };
  if (id.length > ISSUE_ID_HARD_MAX) {
    return { ok: false, reason: `issue id is ${id.length} characters long (at most ${ISSUE_ID_HARD_MAX})` };
  }
  if (id === '.' || id === '..') return { ok: false, reason: `issue id "${id}" is a path component, not an id` };
  for (const ch of id) {
    if (!SAFE_ID_CHAR.test(ch)) {
      return { ok: false, reason: `issue id contains ${describeChar(ch)}` };
    }
  }
  if (id.includes('..')) return { ok: false, reason: 'issue id contains ".." (path traversal)' };
  if (id.startsWith('-')) return { ok: false, reason: 'issue id starts with "-" (would read as a command option)' };
  if (id.startsWith('.')) return { ok: false, reason: 'issue id starts with "." (hidden file / relative path)' };
  const re = compile(pattern);
  if (re instanceof Error) return { ok: false, reason: `issue id pattern ${JSON.stringify(pattern)} is invalid: ${re.message}` };
  if (!re.test(id)) {
    return { ok: false, reason: `issue id ${JSON.stringify(id)} (${id.length} characters) does not match the pattern ${pattern}` };
  }
  return { ok: true };
}

/** POSIX-style variable name: `^[A-Za-z_][A-Za-z0-9_]*$`, at most 128 characters. */
export function validateEnvName(name: unknown): Validation {
  if (typeof name !== 'string') return { ok: false, reason: 'variable name must be a string' };
  if (name === '') return { ok: false, reason: 'variable name is empty' };
  if (name.length > ENV_NAME_MAX) {
    return { ok: false, reason: `variable name is ${name.length} characters long (at most ${ENV_NAME_MAX})` };
  }
  if (/^[0-9]/.test(name)) return { ok: false, reason: `variable name ${JSON.stringify(name)} starts with a digit` };
  for (const ch of name) {
    if (!/^[A-Za-z0-9_]$/.test(ch)) {
      return { ok: false, reason: `variable name ${JSON.stringify(name)} contains ${describeChar(ch)}` };
    }
  }
  return { ok: true };
}

/** Any text without NUL or line breaks, at most 4096 bytes (UTF-8). Commas are fine. */
export function validateEnvValue(value: unknown): Validation {
  if (typeof value !== 'string') return { ok: false, reason: 'variable value must be a string' };
  if (value.includes('\0')) return { ok: false, reason: 'variable value contains a NUL byte' };
  if (value.includes('\n') || value.includes('\r')) return { ok: false, reason: 'variable value contains a newline' };
  const bytes = utf8Length(value);
  if (bytes > ENV_VALUE_MAX) {
    return { ok: false, reason: `variable value is ${bytes} bytes long (at most ${ENV_VALUE_MAX})` };
  }
  return { ok: true };
}

export type EnvAssignment = { ok: true; name: string; value: string } | { ok: false; reason: string };

/** `NAME=VALUE` (split at the first `=`; the value may be empty and may contain `=`). */
export function parseEnvAssignment(text: unknown): EnvAssignment {
  if (typeof text !== 'string') return { ok: false, reason: 'expected NAME=VALUE' };
  const eq = text.indexOf('=');
  if (eq < 0) return { ok: false, reason: `expected NAME=VALUE, got ${JSON.stringify(text.slice(0, 80))}` };
  const name = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const n = validateEnvName(name);
  if (!n.ok) return n;
  const v = validateEnvValue(value);
  if (!v.ok) return { ok: false, reason: `${name}: ${v.reason}` };
  return { ok: true, name, value };
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
