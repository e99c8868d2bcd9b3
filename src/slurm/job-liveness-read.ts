// Reads what job-liveness.ts decides on, for one issue, side by side: squeue by the
// issue's job name, our direct-SSH jobs of the issue, and sacct for the job ids we know
// (the one the operator named, and those our jobs table still holds open).
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { openSlurmJobIds } from '../store/jobs.js';
import { decideLiveness, type Liveness, type QueueAnswer } from './job-liveness.js';
import { renderJobName } from './job-name.js';
import { readSshJobs } from './queue.js';
import { ownerFilter, runSqueue } from './client.js';
import { runSlurm } from './run.js';
import { selectJobs } from './squeue-parse.js';

/** sacct's state for one job; null when sacct gives no answer (accounting off, slurmdbd down). */
async function sacctState(cfg: ResolvedConfig, jobId: string): Promise<string | null> {
  const r = await runSlurm(cfg, ['sacct', '-j', jobId, '-n', '-X', '-P', '-o', 'State']);
  if (!r.ok) return null;
  const s = r.stdout.trim().split('\n')[0]?.trim().split(/\s+/)[0];
  return s ? s.toUpperCase() : null;
}

export async function readIssueLiveness(cfg: ResolvedConfig, store: Store, issue: string, opts: { jobIds?: ReadonlyArray<string | null | undefined> } = {}): Promise<Liveness> {
  const subject = `issue ${issue}`;
  const name = renderJobName(issue, cfg.swarm.job_name_template, cfg.swarm.issue_id_pattern);
  if (!name.ok) return { verdict: 'unknown', reason: `${subject}: no job name for it (${name.reason})` };
  const ids = [...new Set([...(opts.jobIds ?? []), ...openSlurmJobIds(store, issue)].filter((j): j is string => typeof j === 'string' && /^\d+(?:_\d+)?$/.test(j)))];
  const [sq, ssh, sacct] = await Promise.all([
    runSqueue(cfg, { ...ownerFilter(cfg), names: [name.name] }),
    readSshJobs(cfg, store, issue),
    Promise.all(ids.map(async (jobId) => ({ jobId, state: await sacctState(cfg, jobId) }))),
  ]);
  const squeue: QueueAnswer = sq.ok ? { status: 'known', jobs: selectJobs(sq.jobs, { names: [name.name] }) } : { status: sq.partial ? 'partial' : 'failed', error: sq.error };
  return decideLiveness({
    subject,
    squeue,
    ssh: ssh.errors.length ? { status: 'failed', error: ssh.errors.join('; '), jobs: ssh.jobs } : { status: 'known', jobs: ssh.jobs },
    sacct,
  });
}
