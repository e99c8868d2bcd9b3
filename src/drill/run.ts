// Runs drills against a sandbox folder: builds each drill's context (the sandbox's config, its bd
// first on PATH, its SLURM_CONF), bounds it in time, and runs its cleanups last-first whatever happens.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../sandbox/paths.js';
import { stillSame } from '../io/proc.js';
import { readState, type SandboxState } from '../sandbox/records.js';
import { DRILLS } from './registry.js';
import type { CliRun, Drill, DrillContext, DrillResult } from './types.js';

export const DEFAULT_DRILL_TIMEOUT_S = 120;
/** Each cleanup step gets this long: a hung undo must not keep the next one from running. */
const CLEANUP_STEP_MS = 60_000;

/** Exit-2 kind: there is no running sandbox to drill on. */
export class NoSandboxError extends Error {}
/** Exit-64 kind: a drill name that is not in the registry. */
export class UnknownDrillError extends Error {
  constructor(
    readonly unknown: string[],
    readonly known: string[],
  ) {
    super(`unknown drill${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: use one of ${known.join(', ')}`);
  }
}

export interface RunDrillsOpts {
  dir: string;
  /** Drill names to run (registry order is kept); empty = all. */
  names: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The registry; tests pass their own. */
  drills?: readonly Drill[];
  /** The swarmctl binary the drills drive (default: this repo's bin/swarmctl). */
  bin?: string;
  /** Called as each drill finishes (the command prints as it goes). */
  onResult?: (r: DrillResult) => void;
  /** Aborts the running drill (Ctrl-C); its cleanups still run, later drills do not. */
  signal?: AbortSignal;
}

/** The drills to run, in registry order; throws UnknownDrillError on a name not there. */
export function selectDrills(names: readonly string[], drills: readonly Drill[] = DRILLS): Drill[] {
  const known = drills.map((d) => d.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new UnknownDrillError(unknown, known);
  return names.length ? drills.filter((d) => names.includes(d.name)) : [...drills];
}

/** The sandbox's state when it is up (not marked down, some recorded process or job still there). */
export function upSandbox(dir: string): SandboxState {
  let s: SandboxState | null;
  try {
    s = readState(dir);
  } catch (e) {
    throw new NoSandboxError(`${(e as Error).message}`);
  }
  if (!s) throw new NoSandboxError(`no sandbox in ${dir} (no sandbox.json)`);
  if (s.downAt) throw new NoSandboxError(`the sandbox in ${dir} is down (since ${s.downAt})`);
  if (!s.processes.some((p) => stillSame(p.pid, p.startTime))) throw new NoSandboxError(`the sandbox in ${dir} runs no recorded process`);
  return s;
}

/** The environment every drill child gets: the sandbox's bin/ (its bd) first on PATH, its SLURM_CONF, no colour. */
export function drillEnv(dir: string, state: SandboxState, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    PATH: `${join(dir, 'bin')}:${env['PATH'] ?? '/usr/bin:/bin'}`,
    NO_COLOR: '1',
    ...(state.slurmConf ? { SLURM_CONF: state.slurmConf } : {}),
  };
}

function runCli(argv: string[], env: NodeJS.ProcessEnv, timeoutMs: number, signal: AbortSignal): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(argv[0] as string, argv.slice(1), { env, timeout: timeoutMs, killSignal: 'SIGKILL', signal, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      // A kill (time limit or abort) reads as exit 124, like timeout(1).
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : 124;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - t0 });
    });
  });
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${sec(ms)}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function runOneDrill(drill: Drill, base: { dir: string; state: SandboxState; env: NodeJS.ProcessEnv; bin: string; signal?: AbortSignal }): Promise<DrillResult> {
  const t0 = Date.now();
  const observed: string[] = [];
  const na =
    base.state.profile && !drill.profiles.includes(base.state.profile) ? `profile ${base.state.profile}; applies to ${drill.profiles.join(', ')}` : (drill.notApplicable?.(base.state) ?? null);
  if (na) return { name: drill.name, status: 'not_applicable', observed: [na], ms: 0 };

  const timeoutMs = (drill.timeoutS ?? DEFAULT_DRILL_TIMEOUT_S) * 1000;
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort(new Error('interrupted'));
  base.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const cleanups: Array<() => Promise<void> | void> = [];
  const config = join(base.dir, 'swarmctl.yaml');
  // Runs during the drill die with its abort; runs from the cleanups must not (they undo what it broke).
  let runSignal: AbortSignal = ac.signal;
  const argvOf = (args: string[], cfg = config) => [process.execPath, base.bin, '--config', cfg, ...args];
  const ctx: DrillContext = {
    dir: base.dir,
    config,
    state: base.state,
    env: base.env,
    signal: ac.signal,
    swarmctlArgv: argvOf,
    swarmctl: (args, o) => runCli(argvOf(args, o?.config), { ...base.env, ...o?.env }, o?.timeoutMs ?? 60_000, runSignal),
    observe: (line) => observed.push(line),
    cleanup: (step) => cleanups.push(step),
  };

  let pass = false;
  const timer = setTimeout(() => ac.abort(new Error(`time bound of ${sec(timeoutMs)} passed`)), timeoutMs);
  try {
    const aborted = new Promise<never>((_, reject) => {
      if (ac.signal.aborted) reject(ac.signal.reason);
      ac.signal.addEventListener('abort', () => reject(ac.signal.reason as Error), { once: true });
    });
    pass = await Promise.race([drill.run(ctx), aborted]);
  } catch (e) {
    observed.push(`FAILED: ${(e as Error)?.message ?? String(e)}`);
    pass = false;
  } finally {
    clearTimeout(timer);
    if (!ac.signal.aborted) ac.abort(new Error('drill finished'));
    base.signal?.removeEventListener('abort', onOuterAbort);
  }
  runSignal = new AbortController().signal;
  // Undo last-first; a failing undo is reported and fails the drill (the sandbox may be left broken).
  for (const step of cleanups.reverse()) {
    try {
      await withTimeout(Promise.resolve().then(step), CLEANUP_STEP_MS, 'a cleanup step');
    } catch (e) {
      observed.push(`cleanup failed: ${(e as Error)?.message ?? String(e)}`);
      pass = false;
    }
  }
  return { name: drill.name, status: pass ? 'pass' : 'fail', observed, ms: Date.now() - t0 };
}

/** Runs the chosen drills in registry order against the sandbox in `dir`. */
export async function runDrills(opts: RunDrillsOpts): Promise<DrillResult[]> {
  const chosen = selectDrills(opts.names, opts.drills ?? DRILLS);
  const state = upSandbox(opts.dir);
  const env = drillEnv(opts.dir, state, opts.env);
  const bin = opts.bin ?? join(repoRoot(), 'bin', 'swarmctl');
  const results: DrillResult[] = [];
  for (const drill of chosen) {
    if (opts.signal?.aborted) break;
    // Re-read each time: an earlier drill's cleanup may have restarted a process (new pid in sandbox.json).
    const fresh = readState(opts.dir) ?? state;
    const r = await runOneDrill(drill, { dir: opts.dir, state: fresh, env, bin, ...(opts.signal ? { signal: opts.signal } : {}) });
    results.push(r);
    opts.onResult?.(r);
  }
  return results;
}
