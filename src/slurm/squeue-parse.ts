/**
 * Parse the output of `squeue <squeueArgs()>` into jobs, never throwing: a malformed line
 * (wrong column count, empty or undecodable job id) is skipped and reported, so one odd
 * job name cannot hide the rest of the queue or crash a poll.
 *
 * Pure: takes the captured stdout as a string (decoded as UTF-8 by the caller, which
 * turns invalid bytes into U+FFFD) and returns data.
 *
 * Value forms, as printed by SLURM 22.05.8 (captured in fixtures/squeue/):
 * - TimeUsed / TimeLimit: `[days-][hours:]minutes:seconds`, days and hours only when
 *   needed (`0:05`, `12:34`, `2:00:00`, `1-00:00:00`); TimeUsed may be `INVALID` (clock
 *   skew), TimeLimit `UNLIMITED` or `NOT_SET`.
 * - NodeList: empty for pending jobs; `(null)` / `n/a` also mean none.
 * - Reason: `None` for running jobs; for pending jobs a reason code (`Dependency`,
 *   `DependencyNeverSatisfied`, `Resources`, `Priority`, `BeginTime`, `JobHeldUser`, ...)
 *   OR free text that slurmctld stored as the job's description, e.g. `Nodes required for
 *   job are DOWN, DRAINED or reserved for jobs in higher priority partitions` or `job
 *   requeued in held state`. `reasonCode` is the code when there is one, `reasonKind` a
 *   coarse class for both.
 * - Dependency: `(null)` when none, else e.g. `afterany:26(unfulfilled)`,
 *   `afterok:18(failed)`, several joined by `,` (all) or `?` (any).
 * - SubmitTime / StartTime: `2026-11-23T10:38:17+0000` with SQUEUE_ENV, else local time
 *   without a zone; StartTime is `N/A` or an expected time while pending.
 */

import { SQUEUE_DELIMITER, SQUEUE_FIELDS } from './squeue-format.js';
import { isActive, jobPhase, parseJobState, type JobPhase, type ParsedJobState } from './states.js';

export type ReasonKind =
  | 'none'
  | 'dependency'
  | 'dependency_never_satisfied'
  | 'resources'
  | 'priority'
  | 'begin_time'
  | 'held_user'
  | 'held_admin'
  | 'held'
  | 'nodes_unavailable'
  | 'partition_unavailable'
  | 'limit'
  | 'invalid_request'
  | 'failure'
  | 'other';

export interface JobDependency {
  type: string;
  /** Job ids named by the dependency (`afterany:1:2` → ['1','2']); empty for `singleton`. */
  jobIds: string[];
  /** Text in parentheses: `unfulfilled`, `failed`, ... null when absent. */
  status: string | null;
}

export interface QueueJob {
  /** `1234`, `1234_7` (array element), `1234_[1-5]` (pending array), `1234+0` (het job). */
  jobId: string;
  name: string;
  state: ParsedJobState;
  stateRaw: string;
  phase: JobPhase;
  /** Blocks a resubmit of the same issue (see isActive). */
  active: boolean;
  /** null when squeue prints `None` or nothing. */
  reason: string | null;
  reasonCode: string | null;
  reasonKind: ReasonKind;
  /** null when `INVALID` or unparseable. */
  timeUsedSeconds: number | null;
  timeUsedRaw: string;
  /** null when unlimited, not set or unparseable (see timeLimitRaw). */
  timeLimitSeconds: number | null;
  timeLimitUnlimited: boolean;
  timeLimitRaw: string;
  /** Node list expression (`vasp-02`, `vasp-[02-03]`), null when none. */
  nodeList: string | null;
  /** ISO 8601 UTC, or null when absent or unparseable (raw kept alongside). */
  submitTime: string | null;
  submitTimeRaw: string;
  startTime: string | null;
  startTimeRaw: string;
  user: string;
  partition: string;
  workDir: string | null;
  /** null when `(null)` or empty. */
  dependency: string | null;
  /** Shared and frozen when empty: do not mutate. */
  dependencies: readonly JobDependency[];
  /** The -o path pattern as submitted (`%j` not expanded by squeue). */
  stdout: string | null;
  /**
   * Who runs the job: 'slurm' for every squeue line; queue.ts lists our direct-SSH jobs
   * with 'ssh'. Set here so the queue does not copy every job to add it.
   */
  via: 'slurm' | 'ssh';
}

export interface SkippedLine {
  line: string;
  reason: string;
}

export interface SqueueParseResult {
  jobs: QueueJob[];
  skipped: SkippedLine[];
}

export interface SqueueParseOptions {
  /**
   * How to read times printed WITHOUT an offset (SLURM_TIME_FORMAT unset or `standard`):
   * minutes east of UTC of the host that ran squeue, or 'local' for this process's zone.
   * Default 'local'. Times that carry an offset ignore this.
   */
  utcOffsetMinutes?: number | 'local';
}

const FIELD_COUNT = SQUEUE_FIELDS.length;
const NO_DEPENDENCIES: readonly JobDependency[] = Object.freeze([]);
const MAX_SKIPPED_LINE = 300;

/** Job ids always start with the numeric id; the rest covers arrays and het jobs. */
const JOB_ID_RE = /^\d+(?:[_+][0-9A-Za-z_[\],%:+*.-]*)?$/;

export function parseSqueue(stdout: string, opts: SqueueParseOptions = {}): SqueueParseResult {
  const offset = opts.utcOffsetMinutes ?? 'local';
  // Jobs submitted together share their times: each distinct time is converted once per call.
  const times = new Map<string, string | null>();
  const isoOf = (raw: string): string | null => {
    let iso = times.get(raw);
    if (iso === undefined) times.set(raw, (iso = parseSlurmTimestamp(raw, offset)));
    return iso;
  };
  const jobs: QueueJob[] = [];
  const skipped: SkippedLine[] = [];
  for (const raw of (typeof stdout === 'string' ? stdout : '').split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    // Each value is followed by the delimiter, so a good line splits into FIELD_COUNT values and a last empty part.
    const parts = line.split(SQUEUE_DELIMITER);
    if (parts[parts.length - 1] !== '') {
      skip(skipped, line, `line does not end with the field delimiter (${parts.length} parts)`);
    } else if (parts.length - 1 !== FIELD_COUNT) {
      skip(skipped, line, `expected ${FIELD_COUNT} fields, got ${parts.length - 1}`);
    } else {
      const job = parseFields(parts, isoOf);
      if (typeof job === 'string') skip(skipped, line, job);
      else jobs.push(job);
    }
  }
  return { jobs, skipped };
}

function skip(skipped: SkippedLine[], line: string, reason: string): void {
  skipped.push({
    line: line.length > MAX_SKIPPED_LINE ? `${line.slice(0, MAX_SKIPPED_LINE)}…` : line,
    reason,
  });
}

/** Returns the job, or the reason the line is unusable. */
function parseFields(p: string[], isoOf: (raw: string) => string | null): QueueJob | string {
  const jobId = p[0]!.trim();
  if (jobId === '') return 'empty job id';
  if (jobId.includes('\uFFFD')) return 'job id is not valid UTF-8';
  if (!JOB_ID_RE.test(jobId)) return `invalid job id ${JSON.stringify(jobId.slice(0, 40))}`;
  const stateRaw = p[2]!.trim();
  const state = parseJobState(stateRaw);
  const reasonRaw = p[3]!.trim();
  const reason = reasonRaw === '' || reasonRaw === 'None' || reasonRaw === '(null)' ? null : reasonRaw;
  const { code, kind } = classifyReason(reason);
  const timeUsedRaw = p[4]!.trim();
  const timeLimitRaw = p[5]!.trim();
  const dependency = nullish(p[12]!);
  const submitTimeRaw = p[7]!.trim();
  const startTimeRaw = p[8]!.trim();
  return {
    jobId,
    name: p[1]!,
    state,
    stateRaw,
    phase: jobPhase(state),
    active: isActive(state),
    reason,
    reasonCode: code,
    reasonKind: kind,
    timeUsedSeconds: parseSlurmDuration(timeUsedRaw),
    timeUsedRaw,
    timeLimitSeconds: parseSlurmDuration(timeLimitRaw),
    timeLimitUnlimited: timeLimitRaw === 'UNLIMITED' || timeLimitRaw === 'INFINITE',
    timeLimitRaw,
    nodeList: nullish(p[6]!),
    submitTime: isoOf(submitTimeRaw),
    submitTimeRaw,
    startTime: isoOf(startTimeRaw),
    startTimeRaw,
    user: p[9]!.trim(),
    partition: p[10]!.trim(),
    workDir: nullish(p[11]!),
    dependency,
    dependencies: dependency === null ? NO_DEPENDENCIES : parseDependency(dependency),
    stdout: nullish(p[13]!),
    via: 'slurm',
  };
}

function nullish(raw: string): string | null {
  const v = raw.trim();
  return v === '' || v === '(null)' || v === 'N/A' || v === 'n/a' ? null : v;
}

/**
 * `[d-][h:]m:s` → seconds. null for `INVALID`, `UNLIMITED`, `NOT_SET`, `N/A` and
 * anything malformed (minutes/seconds ≥ 60, days without hours, letters).
 */
export function parseSlurmDuration(raw: string): number | null {
  const t = raw.trim();
  const n = t.length;
  if (n < 4 || n > 24) return null;
  // Up to four digit groups g0..g3, separators recorded as a small code: ':' = 1, '-' = 2.
  let g0 = -1;
  let g1 = -1;
  let g2 = -1;
  let g3 = -1;
  let groups = 0;
  let shape = 0;
  let cur = -1;
  let width = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? t.charCodeAt(i) : 58;
    if (c >= 48 && c <= 57) {
      cur = cur < 0 ? c - 48 : cur * 10 + (c - 48);
      if (++width > 6) return null;
      continue;
    }
    if ((c !== 58 && c !== 45) || cur < 0 || groups === 4) return null;
    if (groups === 0) g0 = cur;
    else if (groups === 1) g1 = cur;
    else if (groups === 2) g2 = cur;
    else g3 = cur;
    groups++;
    if (i < n) shape = shape * 3 + (c === 58 ? 1 : 2);
    if (i === n && width !== 2) return null; // seconds always have two digits
    cur = -1;
    width = 0;
  }
  let days = 0;
  let hours = 0;
  let minutes: number;
  let seconds: number;
  if (shape === 1) {
    minutes = g0;
    seconds = g1;
  } else if (shape === 4) {
    // ::
    hours = g0;
    minutes = g1;
    seconds = g2;
    if (minutes >= 60) return null;
  } else if (shape === 22) {
    // -::
    days = g0;
    hours = g1;
    minutes = g2;
    seconds = g3;
    if (minutes >= 60 || hours >= 24) return null;
  } else return null;
  if (seconds >= 60) return null;
  return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Two ASCII digits at i..i+1 as a number, or -1. */
function two(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * A SLURM timestamp → ISO 8601 UTC (`2026-11-23T10:38:17.000Z`), or null for `N/A`,
 * `Unknown`, `None`, empty and malformed values. Accepts `YYYY-MM-DDTHH:MM:SS` followed
 * by nothing, `Z`, `±HHMM` or `±HH:MM`. Without an offset in the text, the given offset
 * (minutes east of UTC) or this process's local zone applies.
 */
export function parseSlurmTimestamp(raw: string, utcOffsetMinutes: number | 'local' = 'local'): string | null {
  const t = raw.trim();
  const n = t.length;
  if (n !== 19 && n !== 20 && n !== 24 && n !== 25) return null;
  const y = two(t, 0) * 100 + two(t, 2);
  const mo = two(t, 5);
  const d = two(t, 8);
  const h = two(t, 11);
  const mi = two(t, 14);
  const se = two(t, 17);
  if (
    two(t, 0) < 0 ||
    two(t, 2) < 0 ||
    t[4] !== '-' ||
    t[7] !== '-' ||
    t[10] !== 'T' ||
    t[13] !== ':' ||
    t[16] !== ':' ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > 31 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    se < 0 ||
    se > 59 ||
    d > daysInMonth(y, mo)
  ) {
    return null;
  }
  let off: number | 'local';
  if (n === 19) off = utcOffsetMinutes;
  else if (n === 20) {
    if (t[19] !== 'Z') return null;
    off = 0;
  } else {
    const sign = t[19];
    const oh = two(t, 20);
    const om = n === 24 ? two(t, 22) : t[22] === ':' ? two(t, 23) : -1;
    if ((sign !== '+' && sign !== '-') || oh < 0 || om < 0 || oh > 23 || om > 59) return null;
    off = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  if (off === 0) return `${t.slice(0, 19)}.000Z`;
  if (off === 'local') {
    const ms = new Date(y, mo - 1, d, h, mi, se).getTime();
    return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
  }
  // Shift by the offset with plain arithmetic (no Date objects): |offset| < 24 h, so the
  // date moves by at most one day.
  let minutes = h * 60 + mi - off;
  if (minutes >= 0 && minutes < 1440) {
    // Same calendar day (the usual case): keep the date text.
    return `${t.slice(0, 11)}${D2[(minutes / 60) | 0]}:${D2[minutes % 60]}:${D2[se]}.000Z`;
  }
  let yy = y;
  let mm = mo;
  let dd = d;
  if (minutes < 0) {
    minutes += 1440;
    if (--dd < 1) {
      if (--mm < 1) {
        mm = 12;
        yy--;
      }
      dd = daysInMonth(yy, mm);
    }
  } else if (minutes >= 1440) {
    minutes -= 1440;
    if (++dd > daysInMonth(yy, mm)) {
      dd = 1;
      if (++mm > 12) {
        mm = 1;
        yy++;
      }
    }
  }
  if (yy < 0 || yy > 9999) return null;
  return `${String(yy).padStart(4, '0')}-${D2[mm]}-${D2[dd]}T${D2[(minutes / 60) | 0]}:${D2[minutes % 60]}:${D2[se]}.000Z`;
}

const D2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** `afterany:26(unfulfilled),afterok:18(failed)` → parts; unknown shapes keep the text as type. */
export function parseDependency(raw: string): JobDependency[] {
  const out: JobDependency[] = [];
  for (const item of raw.split(/[,?]/)) {
    const t = item.trim();
    if (t === '') continue;
    const m = /^([A-Za-z_]+)((?::[^:()]+)*)(?:\(([^)]*)\))?$/.exec(t);
    if (!m) {
      out.push({ type: t, jobIds: [], status: null });
      continue;
    }
    const ids = (m[2] ?? '')
      .split(':')
      .filter((x) => x !== '')
      .map((x) => x.replace(/\+\d+$/, '')); // "after:123+10": +minutes delay
    out.push({ type: m[1]!, jobIds: ids, status: m[3] ?? null });
  }
  return out;
}

/** Reason codes from `man squeue` (JOB REASON CODES, 22.05) and their kind. */
const REASON_CODES: ReadonlyMap<string, ReasonKind> = new Map<string, ReasonKind>([
  ['Dependency', 'dependency'],
  ['DependencyNeverSatisfied', 'dependency_never_satisfied'],
  ['Resources', 'resources'],
  ['Priority', 'priority'],
  ['BeginTime', 'begin_time'],
  ['JobHeldUser', 'held_user'],
  ['JobHeldAdmin', 'held_admin'],
  ['ReqNodeNotAvail', 'nodes_unavailable'],
  ['NodeDown', 'nodes_unavailable'],
  ['FrontEndDown', 'nodes_unavailable'],
  ['PartitionDown', 'partition_unavailable'],
  ['PartitionInactive', 'partition_unavailable'],
  ['PartitionNodeLimit', 'limit'],
  ['PartitionTimeLimit', 'limit'],
  ['AssociationJobLimit', 'limit'],
  ['AssociationResourceLimit', 'limit'],
  ['AssociationTimeLimit', 'limit'],
  ['QOSJobLimit', 'limit'],
  ['QOSResourceLimit', 'limit'],
  ['QOSTimeLimit', 'limit'],
  ['QOSUsageThreshold', 'limit'],
  ['InactiveLimit', 'limit'],
  ['Licenses', 'limit'],
  ['Reservation', 'other'],
  ['BadConstraints', 'invalid_request'],
  ['InvalidAccount', 'invalid_request'],
  ['InvalidQOS', 'invalid_request'],
  // Not in the man page's list; seen on 22.05.8 for `sbatch -c 64` on a 2-CPU partition.
  ['PartitionConfig', 'invalid_request'],
  ['Cleaning', 'other'],
  ['Prolog', 'other'],
  ['WaitingForScheduling', 'other'],
  ['NonZeroExitCode', 'failure'],
  ['JobLaunchFailure', 'failure'],
  ['SystemFailure', 'failure'],
  ['TimeLimit', 'failure'],
]);

// One frozen result per known code, shared by every job with that reason.
const NO_REASON = Object.freeze({ code: null, kind: 'none' as ReasonKind });
const REASON_RESULTS: ReadonlyMap<string, { code: string | null; kind: ReasonKind }> = new Map([...REASON_CODES].map(([code, kind]) => [code, Object.freeze({ code, kind })]));

/** Code and kind of a Reason value (null reason → 'none'). The result may be shared: do not mutate. */
export function classifyReason(reason: string | null): { code: string | null; kind: ReasonKind } {
  if (reason === null) return NO_REASON;
  const exact = REASON_RESULTS.get(reason);
  if (exact !== undefined) return exact;
  const word = /^[A-Za-z]+/.exec(reason)?.[0] ?? '';
  const known = REASON_CODES.get(word);
  if (known !== undefined) return { code: word, kind: known };
  // Families: AssocGrpCpuLimit, AssocMaxJobsLimit, QOSGrpNodeLimit, QOSMaxWallDurationPerJobLimit...
  if (/^(Assoc|QOS)(Grp|Max|Min)[A-Za-z]*$/.test(word)) return { code: word, kind: 'limit' };
  // Free-text descriptions slurmctld stores instead of a code.
  if (/DOWN, DRAINED|not available|UnavailableNodes/i.test(reason)) return { code: null, kind: 'nodes_unavailable' };
  if (/held/i.test(reason)) return { code: null, kind: 'held' };
  // A single CamelCase word is a code this table does not know yet.
  if (/^[A-Z][A-Za-z0-9]*$/.test(reason)) return { code: reason, kind: 'other' };
  return { code: null, kind: 'other' };
}

/**
 * The client-side half of queue filtering: squeue filters by user on the server, the
 * name prefix (which squeue cannot match) is applied here.
 */
export function selectJobs(jobs: readonly QueueJob[], filter: { namePrefix?: string; names?: readonly string[]; user?: string; activeOnly?: boolean }): QueueJob[] {
  const names = filter.names === undefined ? undefined : new Set(filter.names);
  return jobs.filter(
    (j) =>
      (filter.namePrefix === undefined || j.name.startsWith(filter.namePrefix)) &&
      (names === undefined || names.has(j.name)) &&
      (filter.user === undefined || j.user === filter.user) &&
      (!filter.activeOnly || j.active),
  );
}
