// `swarmctl submit`: start swarm jobs for issues through sbatch, or directly over
// SSH when SLURM is down (--via ssh / auto). Safe by construction:
// - every id and env entry is validated BEFORE anything runs (UsageError, exit 64);
// - idempotent: an issue with an active job is skipped unless force; after an
//   ambiguous sbatch failure we look the job up with `squeue --name` before the one
//   retry, because sbatch can fail and still submit;
// - the cap (swarm.max_concurrent_jobs) REFUSES past it: issues beyond the cap are
//   reported skipped, never silently queued. A --sequential batch is one chain
//   (each job `--dependency=afterany:<previous>`), so it counts as one job;
// - every submit is recorded in the jobs table and the audit table.
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { UsageError } from '../core/usage-error.js';
import { base64Title, issueTitle } from './issue-title.js';
import { renderJobName } from '../slurm/job-name.js';
import { recordJob } from '../store/jobs.js';
import { jobNamePrefix, readSshJobs } from '../slurm/queue.js';
import { controllerState, ownerFilter, runSbatch, runSqueue } from '../slurm/client.js';
import { directHost, sshJobId, sshStartArgv, startSshJob } from '../slurm/ssh-jobs.js';
import { selectJobs, type QueueJob } from '../slurm/squeue-parse.js';
import { planSbatch, substituteIssue } from './plan.js';
import { validateEnvName, validateEnvValue, validateIssueId } from '../config/validate.js';

export interface SubmitRequest {
  issues: string[];
  env?: Record<string, string>;
  via?: 'slurm' | 'ssh' | 'auto';
  sequential?: boolean;
  force?: boolean;
  dryRun?: boolean;
  title?: string;
  /** Submit SLURM jobs held (`sbatch --hold`); release with `swarmctl job release`. */
  hold?: boolean;
  /** Flags appended to swarm.command (a recovery remedy that is a flag, e.g. --architect-coder). */
  args?: string[];
}

export interface SubmitOutcome {
  issueId: string;
  status: 'submitted' | 'skipped' | 'failed' | 'dry-run';
  jobId?: string;
  via: 'slurm' | 'ssh';
  argv: string[];
  reason?: string;
  /** Variable names the job gets (values are never printed). */
  envNames?: string[];
  /** Non-fatal notes (e.g. no title found). */
  notes?: string[];
}

/** slurm/swarm-job.sbatch of this package (dist/submit/ or src/submit/ → ../../slurm). */
export const DEFAULT_SBATCH_SCRIPT = fileURLToPath(new URL('../../slurm/swarm-job.sbatch', import.meta.url));

/** bin/swarmctl of this package, for the job wrapper's diagnose hook. */
const SWARMCTL_BIN = fileURLToPath(new URL('../../bin/swarmctl', import.meta.url));

export function validateRequest(cfg: ResolvedConfig, req: SubmitRequest): void {
  if (!Array.isArray(req.issues) || req.issues.length === 0) throw new UsageError('no issue ids given');
  const seen = new Set<string>();
  for (const id of req.issues) {
    const v = validateIssueId(id, cfg.swarm.issue_id_pattern);
    if (!v.ok) throw new UsageError(`issue id ${JSON.stringify(id)}: ${v.reason}`, { issue: id });
    if (seen.has(id)) throw new UsageError(`issue id ${id} is given twice`);
    seen.add(id);
    const n = renderJobName(id, cfg.swarm.job_name_template, cfg.swarm.issue_id_pattern);
    if (!n.ok) throw new UsageError(`job name for ${id}: ${n.reason}`);
  }
  for (const [k, v] of Object.entries({ ...cfg.swarm.env, ...req.env })) {
    const n = validateEnvName(k);
    if (!n.ok) throw new UsageError(`env name ${JSON.stringify(k)}: ${n.reason}`);
    const val = validateEnvValue(v);
    if (!val.ok) throw new UsageError(`env ${k}: ${val.reason}`);
  }
  if (req.title !== undefined && req.issues.length > 1) throw new UsageError('--title applies to one issue; submit issues with different titles one at a time');
  if (req.via !== undefined && !['slurm', 'ssh', 'auto'].includes(req.via)) throw new UsageError(`--via must be slurm, ssh or auto, not ${String(req.via)}`);
  if (req.via === 'ssh') {
    if (!directHost(cfg)) throw new UsageError('--via ssh needs swarm.direct_host naming a host in hosts:');
    if (!cfg.swarm.command) throw new UsageError('--via ssh needs swarm.command (the job command to start on the host)');
  }
}

async function chooseVia(cfg: ResolvedConfig, req: SubmitRequest): Promise<{ via: 'slurm' | 'ssh'; note?: string }> {
  if (req.via === 'ssh') return { via: 'ssh' };
  if (req.via !== 'auto') return { via: 'slurm' };
  const canFallback = cfg.swarm.allow_direct_fallback && directHost(cfg) !== null && cfg.swarm.command !== undefined;
  if (req.dryRun && !canFallback) return { via: 'slurm' };
  const c = await controllerState(cfg);
  if (c.state === 'up') return { via: 'slurm' };
  if (canFallback) return { via: 'ssh', note: `controller ${c.state} (${c.detail.split('\n')[0]}): started over SSH` };
  return { via: 'slurm', note: `controller ${c.state}; direct fallback not allowed (swarm.allow_direct_fallback, direct_host, command)` };
}

export async function submit(cfg: ResolvedConfig, store: Store, req: SubmitRequest): Promise<SubmitOutcome[]> {
  validateRequest(cfg, req);
  const chosen = await chooseVia(cfg, req);
  const env = { ...cfg.swarm.env, ...req.env };
  const out: SubmitOutcome[] = [];

  // One squeue and one check of our direct-SSH jobs for idempotence and the cap, whichever
  // way the job goes: a SLURM job keeps running while the controller is down, and an SSH
  // job is invisible to squeue (skipped on dry runs: nothing may run).
  let queue: QueueJob[] = [];
  let queueError: string | undefined;
  let sshJobs: QueueJob[] = [];
  if (!req.dryRun) {
    const [q, ssh] = await Promise.all([runSqueue(cfg, ownerFilter(cfg)), readSshJobs(cfg, store)]);
    if (q.ok) queue = selectJobs(q.jobs, { namePrefix: jobNamePrefix(cfg), activeOnly: true });
    else queueError = q.error;
    sshJobs = ssh.jobs;
  }
  let active = queue.length;
  let chainCounted = false;
  let prev: string | undefined;

  for (const issueId of req.issues) {
    const name = (renderJobName(issueId, cfg.swarm.job_name_template, cfg.swarm.issue_id_pattern) as { ok: true; name: string }).name;
    const notes: string[] = chosen.note ? [chosen.note] : [];
    const result = (o: Omit<SubmitOutcome, 'issueId'>): SubmitOutcome => {
      const r: SubmitOutcome = { issueId, ...o, ...(notes.length ? { notes: [...notes] } : {}) };
      out.push(r);
      if (!req.dryRun) {
        recordAudit(store, {
          issueId,
          action: `submit:${r.via}`,
          argv: r.argv,
          outcome: r.status === 'submitted' ? 'ok' : r.status === 'dry-run' ? 'dry-run' : r.status,
          detail: r.jobId ? `job ${r.jobId}` : (r.reason ?? null),
        });
      }
      return r;
    };

    if (!req.dryRun && !req.force) {
      const existing = [...queue, ...sshJobs].find((j) => j.name === name && j.state !== 'UNKNOWN');
      if (existing) {
        result({ status: 'skipped', via: chosen.via, argv: [], jobId: existing.jobId, reason: `job ${existing.jobId} is ${existing.state} for this issue (--force submits another)` });
        if (req.sequential && chosen.via === 'slurm' && !existing.jobId.startsWith('ssh:')) prev = existing.jobId;
        continue;
      }
      const unchecked = sshJobs.find((j) => j.name === name);
      if (queueError !== undefined || unchecked) {
        const why = queueError !== undefined ? `cannot read the queue: ${queueError}` : `direct-SSH job ${unchecked?.jobId} could not be checked`;
        result({ status: 'failed', via: chosen.via, argv: [], reason: `a duplicate cannot be ruled out (use --force to submit anyway): ${why}` });
        continue;
      }
    }
    if (chosen.via === 'slurm' && !req.dryRun) {
      const counts = req.sequential ? !chainCounted : true;
      if (counts && active >= cfg.swarm.max_concurrent_jobs) {
        result({ status: 'skipped', via: 'slurm', argv: [], reason: `max_concurrent_jobs (${cfg.swarm.max_concurrent_jobs}) reached: ${active} active swarm jobs; submit later or use --sequential` });
        continue;
      }
    }

    const t = await issueTitle(cfg, issueId, req.title);
    if (t.note) notes.push(t.note);
    const jobEnv: Record<string, string> = { ...env };
    const command = cfg.swarm.command ? [...substituteIssue(cfg.swarm.command, issueId), ...(req.args ?? [])] : [];
    if (req.args?.length && !cfg.swarm.command) {
      result({ status: 'failed', via: chosen.via, argv: [], reason: `${req.args.join(' ')} needs swarm.command (the worker command the flag is appended to)` });
      continue;
    }

    if (chosen.via === 'ssh') {
      const host = directHost(cfg);
      if (!host || command.length === 0) {
        result({ status: 'failed', via: 'ssh', argv: [], reason: 'direct mode needs swarm.direct_host and swarm.command' });
        continue;
      }
      jobEnv['SWARM_ISSUE_ID'] = issueId;
      if (t.title) jobEnv['SWARM_ISSUE_OBJECTIVE_B64'] = base64Title(t.title);
      const argv = sshStartArgv(cfg.paths.logs_dir, issueId, command);
      const envNames = Object.keys(jobEnv).sort();
      if (req.dryRun) {
        result({ status: 'dry-run', via: 'ssh', argv: ['ssh', host.name, ...argv], envNames });
        continue;
      }
      const s = await startSshJob(cfg, host, argv, jobEnv);
      if (!s.ok) {
        result({ status: 'failed', via: 'ssh', argv, envNames, reason: s.error });
        continue;
      }
      const jobId = sshJobId(host.name, s.pid);
      recordJob(store, { job_id: jobId, via: 'ssh', issue_id: issueId, name, host: host.name, pid: s.pid, argv, env_names: envNames, log_path: s.log, submitted_at: s.startedAt, state: 'RUNNING' });
      result({ status: 'submitted', via: 'ssh', jobId, argv, envNames });
      continue;
    }

    const plan = planSbatch({
      jobName: name,
      issueId,
      logsDir: cfg.paths.logs_dir,
      script: cfg.swarm.sbatch_script ?? DEFAULT_SBATCH_SCRIPT,
      command,
      ...(cfg.slurm.partition ? { partition: cfg.slurm.partition } : {}),
      ...(req.sequential && (prev || req.dryRun) && out.length > 0 ? { dependsOn: prev ?? '<previous job id>' } : {}),
      ...(req.hold ? { hold: true } : {}),
      env: jobEnv,
      ...(t.title ? { titleB64: base64Title(t.title) } : {}),
      configPath: cfg.source,
      swarmctlBin: SWARMCTL_BIN,
    });
    if (req.dryRun) {
      result({ status: 'dry-run', via: 'slurm', argv: plan.argv, envNames: plan.envNames });
      continue;
    }
    const sub = await sbatchOnce(cfg, plan.argv, plan.env, name, queue);
    if (sub.ok) {
      recordJob(store, {
        job_id: sub.jobId,
        via: 'slurm',
        issue_id: issueId,
        name,
        host: null,
        pid: null,
        argv: plan.argv,
        env_names: plan.envNames,
        log_path: `${cfg.paths.logs_dir}/swarm-orch-${sub.jobId}.log`,
        submitted_at: Date.now(),
        state: 'PENDING',
      });
      if (sub.note) notes.push(sub.note);
      result({ status: 'submitted', via: 'slurm', jobId: sub.jobId, argv: plan.argv, envNames: plan.envNames });
      if (!req.sequential || !chainCounted) active++;
      chainCounted = true;
      prev = sub.jobId;
    } else {
      result({ status: 'failed', via: 'slurm', argv: plan.argv, envNames: plan.envNames, reason: sub.reason });
      if (req.sequential) prev = undefined;
    }
  }
  return out;
}

/**
 * sbatch with one retry after an ambiguous failure, and a `squeue --name` look-up
 * before that retry (and after it) so a job that was submitted anyway is found,
 * not duplicated.
 */
async function sbatchOnce(
  cfg: ResolvedConfig,
  argv: string[],
  env: Record<string, string>,
  name: string,
  before: QueueJob[],
): Promise<{ ok: true; jobId: string; note?: string } | { ok: false; reason: string }> {
  const known = new Set(before.filter((j) => j.name === name).map((j) => j.jobId));
  let lastReason = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const r = await runSbatch(cfg, argv, env);
    if (r.ok) return { ok: true, jobId: r.jobId, ...(attempt ? { note: 'submitted on the retry after an ambiguous failure' } : {}) };
    lastReason = `${r.failure.kind}: ${r.failure.message}`;
    if (r.failure.kind !== 'ambiguous') return { ok: false, reason: lastReason };
    const q = await runSqueue(cfg, { ...ownerFilter(cfg), names: [name] });
    if (!q.ok) return { ok: false, reason: `${lastReason}; and squeue could not check whether it was submitted: ${q.error}` };
    const found = q.jobs.find((j) => j.name === name && j.active && !known.has(j.jobId));
    if (found) return { ok: true, jobId: found.jobId, note: `sbatch reported ${lastReason}, but squeue shows the job` };
  }
  return { ok: false, reason: `${lastReason} (after one retry; squeue shows no job)` };
}
