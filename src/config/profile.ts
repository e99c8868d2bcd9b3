// The swarm profile: WHERE an orchestrator keeps its per-issue files, how its job
// logs and job names are spelled, what its remedy variables are called, how the
// tracker is driven, and which log lines mean what (the signature catalogue). It is
// data, not code: three defaults (`runbook`, what seed 001 wrote down; `beefcake`, the
// Rust orchestrator up to 2026-04-18; `python-worker`, the Python worker that replaced it)
// and a site's overrides from the config's top-level `profile:` key, merged entry by
// entry. A file or variable the orchestrator does not have is `null` ("n/a", never
// "missing"). Pure: no I/O. (Imports the catalogue
// data from config/signature-catalogue.ts, which is pure as well.)
import { DEFAULT_CATALOGUES } from './signature-catalogue.js';
import type { SignatureCatalogue, SignatureCatalogueOverride } from './signatures.js';
import { mergeCatalogue } from './signatures-merge.js';

export type ProfileName = 'runbook' | 'beefcake' | 'python-worker';
export const PROFILE_NAMES: readonly ProfileName[] = ['runbook', 'beefcake', 'python-worker'];

export interface ProfilePaths {
  /** Resume file; `{repo}/…` means one shared file whose `issue.id` says whose it is. */
  resume: string | null;
  session_log: string | null;
  checkpoint: string | null;
  metrics: string | null;
  /** Job log; variables {logs} and {jobid}. */
  job_log: string;
  /** Where a worktree lives (for git checks and cleaning). */
  worktree: string;
  /** Run-summary files (one JSON row per run, python worker), newest rows last; [] when the orchestrator writes none. */
  run_summary: string[];
}

export interface ProfileVars {
  temperature: string | null;
  max_turns: string | null;
  use_cloud: string | null;
  /** The worker's model or variant (python worker: SWARM_WORKER_MODEL). */
  model: string | null;
}

export interface ProfileTracker {
  reopen: string[];
  note: string[];
  show: string[];
}

/** A job log read from a command (the dogfood loop's journal), not a file. */
export interface JobLogCommand {
  /** argv; `{issue}` and `{since}` (ISO time) are filled in word by word. */
  argv: string[];
  /** A host from the config's hosts (null: run here). */
  host: string | null;
  /** `lines` (default: plain output, evidence by line number) or `journal-json` (`journalctl -o json`: evidence by `__CURSOR`). */
  format?: 'lines' | 'journal-json' | undefined;
}

/**
 * Where an issue's worktree lives: on the share every host sees (`shared`), or in a folder
 * local to the host that ran the issue (`run_host`: the python worker's /tmp/beefcake-wt),
 * where swarmctl checks and archives it over SSH, into `archive_dir` on that same host.
 */
export interface ProfileWorktrees {
  location: 'shared' | 'run_host';
  /** run_host: the archive folder on that host; `{worktrees}` is paths.worktrees_dir (a sibling, same file system). */
  archive_dir: string | null;
}

export interface SwarmProfile {
  name: string;
  base: ProfileName;
  paths: ProfilePaths;
  job_name_template: string;
  /** Branch of an issue's worktree. */
  branch_template: string;
  vars: ProfileVars;
  tracker: ProfileTracker;
  /** true when submits go through our wrapper, which forwards remedy variables into the container. */
  wrapper_forwards_env: boolean;
  /** When set, the job log is this command's output (e.g. journalctl on the loop host) when no log file is found. */
  job_log_command: JobLogCommand | null;
  /** Remedies that are command flags, appended to swarm.command on resubmit (python worker: --architect-coder). */
  flags: { architect: string[] | null };
  /** A running job silent this long is "silent" (null: thresholds.stale_worker_s). The python worker prints nothing mid-run. */
  silent_worker_s: number | null;
  worktrees: ProfileWorktrees;
  catalogue: SignatureCatalogue;
}

const WT = '{worktrees}/{issue}';

const COMMON = {
  job_name_template: 'swarm-{issue}',
  branch_template: 'swarm/{issue}',
  tracker: {
    reopen: ['bd', 'update', '{issue}', '--status', 'open'],
    note: ['bd', 'note', '{issue}', '{text}'],
    show: ['bd', 'show', '{issue}', '--json'],
  },
  wrapper_forwards_env: true,
  job_log_command: null,
  flags: { architect: null },
  silent_worker_s: null,
  worktrees: { location: 'shared' as const, archive_dir: null },
};

export const DEFAULT_PROFILES: Readonly<Record<ProfileName, Omit<SwarmProfile, 'catalogue'>>> = {
  runbook: {
    ...COMMON,
    name: 'runbook',
    base: 'runbook',
    paths: {
      resume: `${WT}/.swarm-resume.json`,
      session_log: `${WT}/.swarm/session.jsonl`,
      checkpoint: `${WT}/.swarm/checkpoint.json`,
      metrics: `${WT}/.swarm-metrics.json`,
      job_log: '{logs}/swarm-orch-{jobid}.log',
      worktree: WT,
      run_summary: [],
    },
    vars: { temperature: 'SWARM_WORKER_TEMP', max_turns: 'SWARM_WORKER_MAX_TURNS', use_cloud: 'SWARM_USE_CLOUD', model: null },
  },
  beefcake: {
    ...COMMON,
    name: 'beefcake',
    base: 'beefcake',
    paths: {
      resume: '{repo}/.swarm-resume.json',
      session_log: `${WT}/.swarm/session.jsonl`,
      checkpoint: `${WT}/.swarm/checkpoint.json`,
      metrics: `${WT}/.swarm-metrics.json`,
      job_log: '{logs}/swarm-orch-{jobid}.log',
      worktree: WT,
      run_summary: [],
    },
    vars: { temperature: 'SWARM_WORKER_TEMPERATURE', max_turns: 'SWARM_WORKER_MAX_TURNS', use_cloud: 'SWARM_USE_CLOUD', model: null },
  },
  // shared/formats/pyworker/FORMATS.md §5.2: no resume, checkpoint or metrics file; one summary row per run.
  'python-worker': {
    ...COMMON,
    name: 'python-worker',
    base: 'python-worker',
    paths: {
      resume: null,
      session_log: null,
      checkpoint: null,
      metrics: null,
      job_log: '{logs}/swarm-orch-{jobid}.log',
      worktree: WT,
      run_summary: ['{repo}/logs/mini-swarm/summary.jsonl', '{repo}/logs/dogfood/dogfood-summary.jsonl'],
    },
    // Temperature and max turns are hard-coded in the worker (sw.py:93, run.py:334); SWARM_USE_CLOUD=0 is a no-op.
    vars: { temperature: null, max_turns: null, use_cloud: 'SWARM_USE_CLOUD', model: 'SWARM_WORKER_MODEL' },
    tracker: {
      ...COMMON.tracker,
      // The worker claims with `bd update --claim` and never reopens: clear the assignee too.
      reopen: ['bd', 'update', '{issue}', '--status', 'open', '--assignee', ''],
    },
    flags: { architect: ['--architect-coder'] },
    // 60 model calls of up to 30 min plus the verifier, with no output in between.
    silent_worker_s: 4 * 3600,
    // $SWARM_WT_ROOT (default /tmp/beefcake-wt) is local to the host that ran the issue (run.py:149).
    worktrees: { location: 'run_host', archive_dir: '{worktrees}-archive' },
  },
};

type Partly<T> = { [K in keyof T]?: T[K] | undefined };

/** The config's `profile:` key once validated (profile-schema.ts's schema checks it is this shape). */
export interface ProfileOverride {
  name?: string | undefined;
  paths?: Partly<ProfilePaths> | undefined;
  job_name_template?: string | undefined;
  branch_template?: string | undefined;
  vars?: Partly<ProfileVars> | undefined;
  tracker?: Partly<ProfileTracker> | undefined;
  wrapper_forwards_env?: boolean | undefined;
  flags?: { architect?: string[] | null | undefined } | undefined;
  job_log_command?: JobLogCommand | null | undefined;
  silent_worker_s?: number | null | undefined;
  worktrees?: Partly<ProfileWorktrees> | undefined;
  catalogue?: SignatureCatalogueOverride | undefined;
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (!o) return out;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * The effective profile: base defaults, then the site's overrides, ALREADY VALIDATED (by the
 * config schema, or profile-schema.ts's buildProfile for an unknown value). No zod here: a
 * command whose config came from the validated cache builds its profile without loading it.
 */
export function buildProfileFrom(base: ProfileName, over: ProfileOverride = {}, jobNameTemplate?: string): SwarmProfile {
  const b = DEFAULT_PROFILES[base];
  const catalogue = over.catalogue ? mergeCatalogue(DEFAULT_CATALOGUES[base], over.catalogue) : DEFAULT_CATALOGUES[base];
  return {
    name: over.name ?? b.name,
    base,
    paths: { ...b.paths, ...defined(over.paths) },
    job_name_template: over.job_name_template ?? jobNameTemplate ?? b.job_name_template,
    branch_template: over.branch_template ?? b.branch_template,
    vars: { ...b.vars, ...defined(over.vars) },
    tracker: { ...b.tracker, ...defined(over.tracker) },
    wrapper_forwards_env: over.wrapper_forwards_env ?? b.wrapper_forwards_env,
    job_log_command: over.job_log_command !== undefined ? over.job_log_command : b.job_log_command,
    flags: { ...b.flags, ...defined(over.flags) },
    silent_worker_s: over.silent_worker_s !== undefined ? over.silent_worker_s : b.silent_worker_s,
    worktrees: { ...b.worktrees, ...defined(over.worktrees) },
    catalogue,
  };
}

/** The profile of a resolved config (`swarm.profile` + top-level `profile:`). */
export function profileOf(cfg: { swarm: { profile: ProfileName; job_name_template?: string; sbatch_script?: string | undefined }; profile?: unknown }): SwarmProfile {
  // cfg is a resolved config: its `profile:` passed the config schema (load.ts, or the validated cache).
  const profile = buildProfileFrom(cfg.swarm.profile, (cfg.profile ?? {}) as ProfileOverride, cfg.swarm.job_name_template);
  // A site's own sbatch script may not forward remedy variables into the container.
  if (cfg.swarm.sbatch_script !== undefined && !(isObj(cfg.profile) && 'wrapper_forwards_env' in cfg.profile)) {
    profile.wrapper_forwards_env = false;
  }
  return profile;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Fills `{name}` placeholders; an unknown or empty variable is an error (never a silent ''). */
export function renderTemplate(tpl: string, vars: Readonly<Record<string, string>>): { ok: true; value: string } | { ok: false; error: string } {
  let error: string | undefined;
  const value = tpl.replace(/\{([a-z_]+)\}/g, (_m, k: string) => {
    const v = vars[k];
    if (v === undefined || v === '') error ??= `template ${tpl}: {${k}} is ${v === undefined ? 'unknown' : 'empty'}`;
    return v ?? '';
  });
  return error ? { ok: false, error } : { ok: true, value };
}

/** Tracker argv with {issue} and {text} filled in, word by word (never a shell string). */
export function trackerArgv(tpl: readonly string[], issue: string, text = ''): string[] {
  return tpl.map((w) => w.replaceAll('{issue}', issue).replaceAll('{text}', text));
}

/** The variable a template starts with (`{worktrees}/…` → 'worktrees'): the root the path must stay under. */
export function templateRoot(tpl: string): string | null {
  const m = /^\{([a-z_]+)\}(?:\/|$)/.exec(tpl);
  return m ? (m[1] as string) : null;
}
