/**
 * SLURM vocabulary: job states, which of them block a resubmit or deserve a retry,
 * and parsers for `scontrol ping` and delimited `sinfo` node lines.
 *
 * Pure: no I/O. The SLURM client (a separate module) runs the commands with the argv
 * built here and hands the captured text to these functions.
 *
 * Sources (checked against SLURM 22.05.8 on this machine, `man squeue` "JOB STATE CODES",
 * `man sinfo` "NODE STATE CODES", and `job_state_string()` in slurm_protocol_defs.c):
 * squeue prints a state FLAG name in preference to the base state, so a job whose base
 * state is PENDING may show as REQUEUED, REQUEUE_HOLD, SPECIAL_EXIT or RESV_DEL_HOLD,
 * a RUNNING one as CONFIGURING, RESIZING, STOPPED or SIGNALING, an ending one as
 * COMPLETING or STAGE_OUT. Unrecognised text parses to 'UNKNOWN' (squeue itself prints
 * `?` for an unknown base state).
 */

/** Base states (`JOB_STATE_BASE`), in SLURM's enum order. */
export const BASE_JOB_STATES = ['PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY'] as const;

/** Flag states that squeue prints instead of the base state when the flag is set. */
export const FLAG_JOB_STATES = [
  'COMPLETING',
  'STAGE_OUT',
  'CONFIGURING',
  'RESIZING',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'SPECIAL_EXIT',
  'STOPPED',
  'REVOKED',
  'RESV_DEL_HOLD',
  'SIGNALING',
] as const;

export const JOB_STATES = [...BASE_JOB_STATES, ...FLAG_JOB_STATES] as const;

export type JobState = (typeof JOB_STATES)[number];
/** A state as parsed from text: one of SLURM's names, or UNKNOWN for anything else. */
export type ParsedJobState = JobState | 'UNKNOWN';

/** Compact codes, as printed by `squeue -o %t` / `-O StateCompact`. */
export const JOB_STATE_COMPACT: Readonly<Record<JobState, string>> = {
  PENDING: 'PD',
  RUNNING: 'R',
  SUSPENDED: 'S',
  COMPLETED: 'CD',
  CANCELLED: 'CA',
  FAILED: 'F',
  TIMEOUT: 'TO',
  NODE_FAIL: 'NF',
  PREEMPTED: 'PR',
  BOOT_FAIL: 'BF',
  DEADLINE: 'DL',
  OUT_OF_MEMORY: 'OOM',
  COMPLETING: 'CG',
  STAGE_OUT: 'SO',
  CONFIGURING: 'CF',
  RESIZING: 'RS',
  REQUEUED: 'RQ',
  REQUEUE_FED: 'RF',
  REQUEUE_HOLD: 'RH',
  SPECIAL_EXIT: 'SE',
  STOPPED: 'ST',
  REVOKED: 'RV',
  RESV_DEL_HOLD: 'RD',
  SIGNALING: 'SI',
};

/** Coarse phase of a job, for display and decisions. */
export type JobPhase = 'pending' | 'held' | 'running' | 'ending' | 'finished' | 'unknown';

const PHASE: Readonly<Record<JobState, JobPhase>> = {
  PENDING: 'pending',
  REQUEUED: 'pending',
  REQUEUE_FED: 'pending',
  REQUEUE_HOLD: 'held',
  SPECIAL_EXIT: 'held',
  RESV_DEL_HOLD: 'held',
  RUNNING: 'running',
  CONFIGURING: 'running',
  RESIZING: 'running',
  SUSPENDED: 'running',
  STOPPED: 'running',
  SIGNALING: 'running',
  COMPLETING: 'ending',
  STAGE_OUT: 'ending',
  COMPLETED: 'finished',
  CANCELLED: 'finished',
  FAILED: 'finished',
  TIMEOUT: 'finished',
  NODE_FAIL: 'finished',
  PREEMPTED: 'finished',
  BOOT_FAIL: 'finished',
  DEADLINE: 'finished',
  OUT_OF_MEMORY: 'finished',
  REVOKED: 'finished',
};

const BY_NAME: ReadonlyMap<string, JobState> = new Map(JOB_STATES.map((s) => [s, s]));
const BY_COMPACT: ReadonlyMap<string, JobState> = new Map(JOB_STATES.map((s) => [JOB_STATE_COMPACT[s], s]));

export function isJobState(value: string): value is JobState {
  return BY_NAME.has(value);
}

/**
 * Parse a job state as printed by squeue (`State`, extended form) or sacct. Accepts the
 * compact codes too, any letter case, and sacct's decorations (`CANCELLED by 1000`,
 * `CANCELLED+`). Anything else, including squeue's `?`, is 'UNKNOWN'.
 */
export function parseJobState(raw: string): ParsedJobState {
  const exact = BY_NAME.get(raw);
  if (exact !== undefined) return exact;
  let s = raw.trim().toUpperCase();
  const space = s.indexOf(' ');
  if (space >= 0) s = s.slice(0, space); // "CANCELLED BY 1000"
  if (s.endsWith('+')) s = s.slice(0, -1);
  return BY_NAME.get(s) ?? BY_COMPACT.get(s) ?? 'UNKNOWN';
}

export function jobPhase(state: ParsedJobState): JobPhase {
  return state === 'UNKNOWN' ? 'unknown' : PHASE[state];
}

/**
 * True when a job in this state still holds or may again take the issue, so submitting
 * the same issue again would run it twice: everything that is not finished. That
 * includes held jobs (REQUEUE_HOLD, SPECIAL_EXIT, RESV_DEL_HOLD: a release runs them),
 * SUSPENDED/STOPPED (a resume continues them) and COMPLETING/STAGE_OUT (the old job's
 * cleanup still touches the worktree a resubmit would wipe). UNKNOWN counts as active:
 * a skipped submit is reported and can be forced, a duplicate one cannot be undone.
 */
export function isActive(state: ParsedJobState): boolean {
  const phase = jobPhase(state);
  return phase !== 'finished';
}

/** Finished states that are worth an automatic resubmit: the job did not fail by itself. */
export const RETRYABLE_END_STATES: readonly JobState[] = ['NODE_FAIL', 'PREEMPTED', 'TIMEOUT', 'BOOT_FAIL'];

export function isRetryableEnd(state: ParsedJobState): boolean {
  return state !== 'UNKNOWN' && RETRYABLE_END_STATES.includes(state);
}

export function isFinished(state: ParsedJobState): boolean {
  return jobPhase(state) === 'finished';
}

// ---------------------------------------------------------------------------
// scontrol ping
// ---------------------------------------------------------------------------

export interface ControllerStatus {
  /** `primary`, `backup`, `backup1`, ... as printed. */
  role: string;
  host: string;
  up: boolean;
}

export interface PingResult {
  controllers: ControllerStatus[];
  /** True when at least one controller answers. */
  anyUp: boolean;
  /** True when the primary answers (false when the primary is missing from the output). */
  primaryUp: boolean;
  /** Lines that matched neither form (banners, errors). */
  unrecognized: string[];
}

// 20.11+:  "Slurmctld(primary) at vm is UP"  /  "Slurmctld(backup) at vm2 is DOWN"
const PING_LINE = /^Slurmctld\(([^)]+)\) at (\S+) is (UP|DOWN)\s*$/;
// Before 20.11: "Slurmctld(primary/backup) at vm/vm2 are UP/DOWN"
const PING_OLD = /^Slurmctld\(([^)/]+)\/([^)]+)\) at (\S+)\/(\S+) are (UP|DOWN)\/(UP|DOWN)\s*$/;

/**
 * Parse `scontrol ping`. Returns null when no controller line is present at all (e.g. the
 * command failed before pinging); the caller then treats the controller as unknown.
 */
export function parseScontrolPing(stdout: string): PingResult | null {
  const controllers: ControllerStatus[] = [];
  const unrecognized: string[] = [];
  for (const rawLine of stdout.split('\n')) {
    const line = rawLine.replace(/\r$/, '').trim();
    if (line === '') continue;
    const m = PING_LINE.exec(line);
    if (m) {
      controllers.push({ role: m[1]!, host: m[2]!, up: m[3] === 'UP' });
      continue;
    }
    const o = PING_OLD.exec(line);
    if (o) {
      controllers.push({ role: o[1]!, host: o[3]!, up: o[5] === 'UP' });
      if (o[4] !== '(NULL)') controllers.push({ role: o[2]!, host: o[4]!, up: o[6] === 'UP' });
      continue;
    }
    unrecognized.push(line);
  }
  if (controllers.length === 0) return null;
  return {
    controllers,
    anyUp: controllers.some((c) => c.up),
    primaryUp: controllers.some((c) => c.role === 'primary' && c.up),
    unrecognized,
  };
}

// ---------------------------------------------------------------------------
// sinfo nodes
// ---------------------------------------------------------------------------

/** Unit separator: never part of a node name, state or (sane) reason. */
export const SINFO_DELIMITER = '\x1f';

/** Fields we request, in order. `StateComplete` lists every flag (`idle+drain`). */
export const SINFO_FIELDS = ['NodeList', 'Partition', 'StateLong', 'StateComplete', 'Reason'] as const;

/**
 * argv after `sinfo`: one line per node and partition (`-N`), no header, every field
 * unpadded (empty width after the colon) and followed by the delimiter. Verified on
 * 22.05.8: `sinfo -h -N -O 'NodeList:\x1f,Partition:\x1f,StateLong:\x1f,StateComplete:\x1f,Reason:\x1f'`
 * prints `vm\x1fdebug*\x1fdraining\x1fallocated+drain\x1fbad gpu, see ticket 12\x1f`.
 */
export function sinfoArgs(opts: { partition?: string } = {}): string[] {
  const args = ['-h', '-N', '-O', SINFO_FIELDS.map((f) => `${f}:${SINFO_DELIMITER}`).join(',')];
  if (opts.partition !== undefined) args.push(`--partition=${opts.partition}`);
  return args;
}

export interface NodeInfo {
  node: string;
  /** Partition without the default marker `*`. */
  partition: string;
  defaultPartition: boolean;
  /** StateLong, lower case, flag characters removed (`down`, `drained`, `idle`, `mixed`...). */
  state: string;
  /** Raw StateLong, e.g. `down*`, `idle~`. */
  stateRaw: string;
  /** StateComplete split on `+`, lower case, e.g. ['allocated', 'drain']. */
  stateFlags: string[];
  /** Suffix characters of StateLong: `*` not responding, `~` powered off, ... */
  suffixes: string[];
  /** null when sinfo prints `none`. */
  reason: string | null;
  notResponding: boolean;
  down: boolean;
  drained: boolean;
  /** drain requested while jobs still run. */
  draining: boolean;
  failing: boolean;
  /** down, drained/draining, failing, not responding, or powered off: no new work lands here. */
  unavailable: boolean;
}

export interface SinfoParseResult {
  nodes: NodeInfo[];
  skipped: { line: string; reason: string }[];
}

const NODE_SUFFIX_CHARS = new Set(['*', '~', '#', '!', '%', '$', '@', '^', '-']);

export function parseSinfoNodes(stdout: string): SinfoParseResult {
  const nodes: NodeInfo[] = [];
  const skipped: { line: string; reason: string }[] = [];
  const expected = SINFO_FIELDS.length + 1; // trailing delimiter leaves an empty last part
  for (const rawLine of stdout.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') continue;
    const parts = line.split(SINFO_DELIMITER);
    if (parts[parts.length - 1] !== '') {
      skipped.push({ line, reason: `line does not end with the field delimiter (${parts.length} parts)` });
      continue;
    }
    if (parts.length !== expected) {
      skipped.push({ line, reason: `expected ${SINFO_FIELDS.length} fields, got ${parts.length - 1}` });
      continue;
    }
    const [node = '', partRaw = '', stateLongRaw = '', stateCompleteRaw = '', reasonRaw = ''] = parts;
    if (node === '' || node.includes('\uFFFD')) {
      skipped.push({ line, reason: 'empty or undecodable node name' });
      continue;
    }
    let stateCore = stateLongRaw.trim().toLowerCase();
    const suffixes: string[] = [];
    while (stateCore.length > 0 && NODE_SUFFIX_CHARS.has(stateCore[stateCore.length - 1]!)) {
      suffixes.unshift(stateCore[stateCore.length - 1]!);
      stateCore = stateCore.slice(0, -1);
    }
    const stateFlags = stateCompleteRaw
      .trim()
      .toLowerCase()
      .split('+')
      .map((f) => f.replace(/[*~#!%$@^-]+$/, ''))
      .filter((f) => f !== '');
    const has = (f: string): boolean => stateCore === f || stateFlags.includes(f);
    const notResponding = suffixes.includes('*') || has('not_responding');
    const down = has('down');
    const draining = stateCore === 'draining' || (stateFlags.includes('drain') && !isIdleLike(stateFlags));
    const drained = stateCore === 'drained' || (stateFlags.includes('drain') && isIdleLike(stateFlags));
    const failing = stateCore === 'failing' || stateCore === 'fail' || stateFlags.includes('fail');
    const poweredOff = suffixes.includes('~') || has('powered_down');
    const reason = reasonRaw.trim();
    nodes.push({
      node,
      partition: partRaw.replace(/\*$/, ''),
      defaultPartition: partRaw.endsWith('*'),
      state: stateCore,
      stateRaw: stateLongRaw,
      stateFlags,
      suffixes,
      reason: reason === '' || reason.toLowerCase() === 'none' ? null : reason,
      notResponding,
      down,
      drained,
      draining,
      failing,
      unavailable: down || drained || draining || failing || notResponding || poweredOff,
    });
  }
  return { nodes, skipped };
}

function isIdleLike(flags: string[]): boolean {
  // A drain flag on a node without running jobs means DRAINED; with jobs, DRAINING.
  return !flags.some((f) => f === 'allocated' || f === 'mixed' || f === 'completing');
}
