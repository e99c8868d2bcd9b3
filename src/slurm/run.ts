// Runs one SLURM client command (sbatch, squeue, scontrol, scancel, sinfo)
// with the site's SLURM_CONF and the configured time limit. The single place
// that knows how SLURM commands are invoked, so every caller gets the same
// environment and timeout.
import type { ResolvedConfig } from '../config/resolve.js';
import { runLocal, type RunResult } from '../io/run.js';

export interface SlurmRunOptions {
  /** Extra variables for this call (e.g. values for sbatch --export NAMES). */
  env?: Record<string, string>;
  /** Pass only env (plus PATH/HOME/...) instead of inheriting ours: sbatch --export=ALL takes the caller's env. */
  cleanEnv?: boolean;
  timeoutMs?: number;
  input?: string;
}

export function slurmEnv(cfg: Pick<ResolvedConfig, 'slurm'>): Record<string, string> {
  return cfg.slurm.conf ? { SLURM_CONF: cfg.slurm.conf } : {};
}

export function runSlurm(cfg: Pick<ResolvedConfig, 'slurm'>, argv: string[], opts: SlurmRunOptions = {}): Promise<RunResult> {
  return runLocal({
    argv,
    timeoutMs: opts.timeoutMs ?? cfg.slurm.command_timeout_s * 1000,
    env: { ...slurmEnv(cfg), ...opts.env },
    ...(opts.cleanEnv ? { cleanEnv: true } : {}),
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}
