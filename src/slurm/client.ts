// The SLURM client: each function runs ONE SLURM command as an argv through
// runSlurm (SLURM_CONF + the configured timeout) and returns data or a
// structured error. Parsing lives in the pure *-parse.ts modules; deciding what
// to do with the result lives in submit/queue/cancel.
import type { ResolvedConfig } from '../config/resolve.js';
import { describeFailure, type RunResult } from '../io/run.js';
import { explainSbatchFailure, parseSbatchParsable, type SbatchFailure } from './sbatch-parse.js';
import { runSlurm } from './run.js';
import { SQUEUE_ENV, squeueArgs, squeueFormatErrors, type SqueueOptions } from './squeue-format.js';
import { parseSqueue, type QueueJob, type SkippedLine, type SqueueParseResult } from './squeue-parse.js';
import { parseScontrolPing } from './states.js';

/** stdout is kept for the stale-queue cache (queue.ts), which stores it as printed. */
export type SqueueResult = { ok: true; jobs: QueueJob[]; skipped: SkippedLine[]; stdout: string; argv: string[] } | { ok: false; error: string; argv: string[]; partial?: boolean };

/** The server-side filter for our jobs: slurm.user, else --me. */
export function ownerFilter(cfg: Pick<ResolvedConfig, 'slurm'>): Pick<SqueueOptions, 'user' | 'me'> {
  return cfg.slurm.user ? { user: cfg.slurm.user } : { me: true };
}

/**
 * One squeue call. cleanEnv drops the operator's SQUEUE_* defaults (they would add
 * filters we did not ask for); SQUEUE_ENV makes times carry their offset. `parse` is
 * a reusing parser when the caller polls (createSqueueParser).
 */
export async function runSqueue(cfg: Pick<ResolvedConfig, 'slurm'>, opts: SqueueOptions, parse: (stdout: string) => SqueueParseResult = parseSqueue): Promise<SqueueResult> {
  const argv = ['squeue', ...squeueArgs(opts)];
  const r = await runSlurm(cfg, argv, { cleanEnv: true, env: { ...SQUEUE_ENV } });
  // Output over the runner's cap is a PARTIAL list: the missing jobs would look gone.
  if (!r.ok) return { ok: false, error: describeFailure(r), argv, ...(r.stdoutTruncated ? { partial: true } : {}) };
  const bad = squeueFormatErrors(r.stderr);
  if (bad.length) return { ok: false, error: `squeue rejected format fields: ${bad.join(', ')}`, argv };
  const parsed = parse(r.stdout);
  return { ok: true, jobs: parsed.jobs, skipped: parsed.skipped, stdout: r.stdout, argv };
}

export type SbatchResult = { ok: true; jobId: string; run: RunResult } | { ok: false; failure: SbatchFailure; run: RunResult };

/** sbatch --parsable ...; env is the job's whole environment (clean: with --export=ALL the caller's would win). */
export async function runSbatch(cfg: Pick<ResolvedConfig, 'slurm'>, argv: string[], env: Record<string, string>): Promise<SbatchResult> {
  const run = await runSlurm(cfg, argv, { cleanEnv: true, env });
  if (run.ok) {
    const p = parseSbatchParsable(run.stdout);
    if (p.ok) return { ok: true, jobId: p.jobId, run };
    return { ok: false, failure: { kind: 'ambiguous', message: `unreadable sbatch output: ${p.reason}`, transient: false }, run };
  }
  const stderr = run.spawnError ? `${run.stderr}\n${run.spawnError}` : run.stderr;
  return { ok: false, failure: explainSbatchFailure(stderr, run.exitCode, run.timedOut), run };
}

export type ControllerState = 'up' | 'down' | 'unknown';

/** `scontrol ping`: up when a controller says UP, down when all say DOWN or the call fails to reach one. */
export async function controllerState(cfg: Pick<ResolvedConfig, 'slurm'>): Promise<{ state: ControllerState; detail: string }> {
  const r = await runSlurm(cfg, ['scontrol', 'ping']);
  const p = parseScontrolPing(r.stdout);
  if (p === null) return { state: r.spawnError ? 'unknown' : 'down', detail: describeFailure(r) };
  const up = p.controllers.some((c) => c.up);
  return { state: up ? 'up' : 'down', detail: r.stdout.trim() };
}

/** scancel / scontrol hold|release|requeue: the exact argv (for plans and prompts). */
export function jobControlArgv(action: 'cancel' | 'hold' | 'release' | 'requeue', jobIds: readonly string[]): string[] {
  for (const id of jobIds) if (!/^\d+(?:_\d+)?$/.test(id)) throw new TypeError(`not a SLURM job id: ${JSON.stringify(id)}`);
  return action === 'cancel' ? ['scancel', ...jobIds] : ['scontrol', action, jobIds.join(',')];
}

export async function runJobControl(cfg: Pick<ResolvedConfig, 'slurm'>, argv: string[]): Promise<{ ok: boolean; error?: string }> {
  const r = await runSlurm(cfg, argv);
  return r.ok ? { ok: true } : { ok: false, error: describeFailure(r) };
}
