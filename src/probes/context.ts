// What every probe gets besides its service: the time budget and the parts of the
// config it may need (hosts for ssh, slurm for SLURM_CONF). One small type so the
// scheduler, `swarmctl probe`, `swarmctl smoke` and the console build it the same way.
import type { ResolvedConfig } from '../config/resolve.js';
import type { NamedService } from '../config/resolve.js';

export interface ProbeContext {
  /** Hard budget for this probe, in ms. The probe returns by then. */
  timeoutMs: number;
  cfg: Pick<ResolvedConfig, 'hosts' | 'slurm' | 'thresholds'>;
  /** Clock (ms); tests pass a fake one. */
  now?: () => number;
}

/** The per-service timeout: service.timeout_s, else thresholds.probe_timeout_s. */
export function serviceTimeoutMs(svc: NamedService, cfg: Pick<ResolvedConfig, 'thresholds'>): number {
  return Math.round((svc.timeout_s ?? cfg.thresholds.probe_timeout_s) * 1000);
}

/** A deadline helper: how many ms are left of a budget started now. */
export function deadline(budgetMs: number): () => number {
  const end = performance.now() + budgetMs;
  return () => Math.max(1, Math.round(end - performance.now()));
}

export function elapsedSince(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 10) / 10;
}

/** `base + path` without a doubled slash. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}
