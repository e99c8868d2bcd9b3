/**
 * What we ask squeue for: the field list and the argv of the ONE squeue call per poll.
 *
 * Pure: builds arrays of strings, runs nothing. `squeue-parse.ts` reads the output.
 *
 * Format (verified on SLURM 22.05.8, see `man squeue` -O and `_parse_long_token()` in
 * src/squeue/opts.c): each `-O` item is `type[:[.][size][suffix]]`; items are split on
 * commas; after the colon `strtol` reads the width, so an EMPTY width is 0, which means
 * "print the whole value, unpadded", and everything after the width is a suffix printed
 * after the value. We use the ASCII unit separator (0x1F) as that suffix on every field:
 *
 *   squeue -h -O $'JobID:\x1f,Name:\x1f,State:\x1f,Reason:\x1f,...'
 *   → 25\x1fswarm-beefcake-7xjmj\x1fRUNNING\x1fNone\x1f0:03\x1f2:00:00\x1f...\x1f\n
 *
 * so every line is N values each followed by 0x1F: a job name with spaces, commas or `|`
 * cannot shift columns. A name that itself contains 0x1F or a newline (sbatch accepts
 * both) gives a line with the wrong column count, which the parser skips and counts.
 * Not `--json`: 22.05 ignores every filter with --json, dumps finished jobs too, and the
 * schema changes between releases.
 *
 * Filtering: `-u USER` / `--me` is server-side (and makes squeue measurably faster,
 * man squeue). `--name` is server-side too but takes EXACT names (a comma-separated
 * list); squeue has no prefix or pattern match. So the queue poll filters by user on the
 * server and by name prefix on the client (`selectJobs` in squeue-parse.ts); `names` is
 * for looking up the jobs of known issues (idempotent submit, cancel ISSUE). A job name
 * containing a comma can therefore never be selected with --name: job-name.ts refuses such
 * names.
 *
 * Traps found on 22.05.8:
 * - A misspelt field name is NOT an error: squeue prints `squeue: error: Invalid job
 *   format specification: X` on stderr, prints an empty column, and exits 0. Check
 *   stderr with `squeueFormatErrors`.
 * - squeue reads defaults from SQUEUE_* environment variables (SQUEUE_STATES,
 *   SQUEUE_USERS, SQUEUE_FORMAT2, SQUEUE_SORT, ...). Options on the command line win,
 *   but unset ones (e.g. --states) are taken from the operator's environment: run squeue
 *   with the variables in SQUEUE_ENV_TO_CLEAR removed.
 * - Times are printed in the format chosen by SLURM_TIME_FORMAT, local time, no zone by
 *   default (`2026-11-23T10:38:17`). With SQUEUE_ENV (a strftime format with `%z`) they
 *   carry the offset (`2026-11-23T10:38:17+0000`). Over SSH, where the environment is
 *   not passed, prefix the argv with `env SLURM_TIME_FORMAT=...` (see squeueEnvPrefix).
 */

import { JOB_STATES, JOB_STATE_COMPACT } from './states.js';

/** ASCII unit separator, written by squeue after every field. */
export const SQUEUE_DELIMITER = '\x1f';

/** The fields we request, in order, with the key each gets in a parsed QueueJob. */
export const SQUEUE_FIELDS = [
  { key: 'jobId', field: 'JobID' },
  { key: 'name', field: 'Name' },
  { key: 'state', field: 'State' },
  { key: 'reason', field: 'Reason' },
  { key: 'timeUsed', field: 'TimeUsed' },
  { key: 'timeLimit', field: 'TimeLimit' },
  { key: 'nodeList', field: 'NodeList' },
  { key: 'submitTime', field: 'SubmitTime' },
  { key: 'startTime', field: 'StartTime' },
  { key: 'user', field: 'UserName' },
  { key: 'partition', field: 'Partition' },
  { key: 'workDir', field: 'WorkDir' },
  { key: 'dependency', field: 'Dependency' },
  // Path pattern as given to sbatch -o; 22.05 does NOT expand %j here.
  { key: 'stdout', field: 'STDOUT' },
] as const;

export type SqueueFieldKey = (typeof SQUEUE_FIELDS)[number]['key'];

/** The `-O` argument: `JobID:\x1f,Name:\x1f,...`. */
export const SQUEUE_FORMAT = SQUEUE_FIELDS.map((f) => `${f.field}:${SQUEUE_DELIMITER}`).join(',');

/** strftime format for SLURM_TIME_FORMAT: ISO 8601 with the numeric UTC offset. */
export const SQUEUE_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S%z';

/** Environment to set for squeue so that times carry their offset. */
export const SQUEUE_ENV: Readonly<Record<string, string>> = { SLURM_TIME_FORMAT: SQUEUE_TIME_FORMAT };

/** squeue reads these as option defaults (man squeue, ENVIRONMENT VARIABLES): unset them. */
export const SQUEUE_ENV_TO_CLEAR: readonly string[] = [
  'SQUEUE_ACCOUNT',
  'SQUEUE_ALL',
  'SQUEUE_ARRAY',
  'SQUEUE_ARRAY_UNIQUE',
  'SQUEUE_NAMES',
  'SQUEUE_FEDERATION',
  'SQUEUE_FORMAT',
  'SQUEUE_FORMAT2',
  'SQUEUE_LICENSES',
  'SQUEUE_LOCAL',
  'SQUEUE_PARTITION',
  'SQUEUE_PRIORITY',
  'SQUEUE_QOS',
  'SQUEUE_SIBLING',
  'SQUEUE_SORT',
  'SQUEUE_STATES',
  'SQUEUE_USERS',
  'SLURM_CLUSTERS',
];

/** argv prefix that sets SQUEUE_ENV when the environment cannot be passed (SSH). */
export function squeueEnvPrefix(): string[] {
  return ['env', ...Object.entries(SQUEUE_ENV).map(([k, v]) => `${k}=${v}`)];
}

export interface SqueueOptions {
  /** `--user=<user>`; mutually exclusive with `me`. */
  user?: string;
  /** `--me` (22.05+): the invoking user. */
  me?: boolean;
  /**
   * NOT sent to squeue (it has no prefix match); accepted here so callers can pass one
   * options object. Filter the parsed jobs with `selectJobs(jobs, { namePrefix })`.
   */
  namePrefix?: string;
  /** Exact job names, sent as `--name=a,b`. An empty list is refused (it would mean "all"). */
  names?: readonly string[];
  /**
   * `--states=...`: names or compact codes, or ['all']. Unset: squeue's default, which
   * on 22.05 is pending, running, suspended and completing jobs (all flag states whose
   * base state is one of those, e.g. held and configuring jobs, included).
   */
  states?: readonly string[];
}

const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const STATE_WORDS = new Set<string>([...JOB_STATES, ...Object.values(JOB_STATE_COMPACT), 'ALL']);

/** Throws TypeError for values that cannot be passed safely; these come from config/code. */
export function squeueArgs(opts: SqueueOptions = {}): string[] {
  const args = ['-h', '-O', SQUEUE_FORMAT];
  if (opts.user !== undefined && opts.me) throw new TypeError('squeueArgs: pass either user or me, not both');
  if (opts.user !== undefined) {
    if (!USER_RE.test(opts.user)) {
      throw new TypeError(`squeueArgs: invalid user name ${JSON.stringify(opts.user)}`);
    }
    args.push(`--user=${opts.user}`);
  } else if (opts.me) {
    args.push('--me');
  }
  if (opts.names !== undefined) {
    if (opts.names.length === 0) throw new TypeError('squeueArgs: names must not be empty');
    for (const n of opts.names) {
      // squeue splits the list on commas; control characters could not match anyway.
      if (n === '' || n.includes(',') || /[\x00-\x1f\x7f]/.test(n)) {
        throw new TypeError(`squeueArgs: job name ${JSON.stringify(n)} cannot be passed to --name`);
      }
    }
    args.push(`--name=${opts.names.join(',')}`);
  }
  if (opts.states !== undefined) {
    if (opts.states.length === 0) throw new TypeError('squeueArgs: states must not be empty');
    const upper = opts.states.map((s) => s.trim().toUpperCase());
    for (const s of upper) {
      if (!STATE_WORDS.has(s)) throw new TypeError(`squeueArgs: unknown job state ${JSON.stringify(s)}`);
    }
    args.push(`--states=${upper.includes('ALL') ? 'all' : upper.join(',')}`);
  }
  return args;
}

/**
 * Field names squeue rejected, from its stderr (`squeue: error: Invalid job format
 * specification: X`). squeue still exits 0 and prints empty columns for them, so a
 * non-empty result means the output cannot be trusted.
 */
export function squeueFormatErrors(stderr: string): string[] {
  const out: string[] = [];
  const re = /Invalid job format specification: ?(\S*)/g;
  for (let m = re.exec(stderr); m !== null; m = re.exec(stderr)) out.push(m[1] ?? '');
  return out;
}
