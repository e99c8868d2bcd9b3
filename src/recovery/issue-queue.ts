// The issue's jobs as squeue lists them, on its own so that `diagnose` can start squeue before it
// loads the rest of the recovery code and opens SQLite (its first child, as early as possible).
import type { ResolvedConfig } from '../config/resolve.js';
import type { SwarmProfile } from '../config/profile.js';
import type { QueueView } from './diagnose.js';
import { renderJobName } from '../slurm/job-name.js';
import { runSlurm } from '../slurm/run.js';
import { squeueArgs } from '../slurm/squeue-format.js';
import { parseSqueue } from '../slurm/squeue-parse.js';

/** The issue's jobs from squeue (all states it still remembers). */
export async function issueQueue(cfg: ResolvedConfig, profile: SwarmProfile, issue: string, timeoutMs?: number): Promise<QueueView> {
  const name = renderJobName(issue, profile.job_name_template, cfg.swarm.issue_id_pattern);
  if (!name.ok) return { ok: false, error: name.reason, jobs: [] };
  const r = await runSlurm(cfg, ['squeue', ...squeueArgs({ names: [name.name], states: ['all'], ...(cfg.slurm.user ? { user: cfg.slurm.user } : {}) })], {
    env: { SLURM_TIME_FORMAT: '%Y-%m-%dT%H:%M:%S%z' },
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  if (!r.ok) return { ok: false, error: r.timedOut ? `squeue timed out after ${Math.round(r.durationMs / 100) / 10} s` : (r.spawnError ?? r.stderr.trim()) || `squeue exited ${r.exitCode}`, jobs: [] };
  const p = parseSqueue(r.stdout);
  return { ok: true, jobs: p.jobs.filter((j) => j.name === name.name).map((j) => ({ jobId: j.jobId, state: j.state, active: j.active, reason: j.reason })) };
}
