// `swarmctl cancel ISSUE|JOBID|ssh:<host>:<pid>`: stop swarm jobs. planCancel
// works out the exact commands (the console shows them in a y/N prompt) and runs
// nothing but look-ups; cancel runs them, updates the jobs table and audits.
// SLURM jobs go through `scancel`; direct-SSH jobs get SIGTERM to their whole
// process group (they were started with setsid, so pid = pgid).
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { UsageError } from '../core/usage-error.js';
import { updateJobStates } from '../store/jobs.js';
import { findIssueJobs } from './queue.js';
import { jobControlArgv, runJobControl } from './client.js';
import { runSlurm } from './run.js';
import { killSshJob, parseSshCancelTarget, parseSshJobId, sshKillArgv } from './ssh-jobs.js';
import { validateIssueId } from '../config/validate.js';

export interface CancelPlan {
  target: string;
  kind: 'issue' | 'slurm' | 'ssh';
  issueId?: string;
  slurmJobIds: string[];
  sshJobs: { id: string; host: string; pid: number }[];
  /** Exact argv that cancel would run (ssh ones shown as `ssh <host> ...`). */
  argv: string[][];
  error?: string;
  /** Why nothing may be cancelled (the target cannot be told for sure). */
  refused?: string;
}

export interface CancelResult {
  target: string;
  cancelled: string[];
  argv: string[][];
  error?: string;
  /** Nothing was (or would be) run: the target could not be confirmed. */
  refused?: boolean;
}

const SLURM_ID = /^\d+(?:_\d+)?$/;

export async function planCancel(cfg: ResolvedConfig, store: Store, target: string): Promise<CancelPlan> {
  const ssh = parseSshCancelTarget(target);
  if (ssh && !ssh.ok) throw new UsageError(`${ssh.reason}: name a direct-SSH job as swarmctl queue lists it (ssh:HOST:PID)`);
  if (ssh) {
    if (!cfg.hosts[ssh.host]) throw new UsageError(`host ${ssh.host} is not in the config`);
    return withArgv(cfg, { target, kind: 'ssh', slurmJobIds: [], sshJobs: [{ id: target, host: ssh.host, pid: ssh.pid }], argv: [] });
  }
  if (SLURM_ID.test(target)) return withArgv(cfg, { target, kind: 'slurm', slurmJobIds: [target], sshJobs: [], argv: [] });
  const v = validateIssueId(target, cfg.swarm.issue_id_pattern);
  if (!v.ok) throw new UsageError(`${JSON.stringify(target)} is neither a job id nor a valid issue id: ${v.reason}`);
  const found = await findIssueJobs(cfg, store, target);
  // Which SLURM jobs are the issue's is exactly what an unread queue cannot say: cancel
  // nothing rather than a partial or wrong set.
  if (found.slurmUnknown) {
    return {
      target,
      kind: 'issue',
      issueId: target,
      slurmJobIds: [],
      sshJobs: [],
      argv: [],
      refused: `refusing to cancel ${target}: the queue could not be read, so its jobs are not known (${found.error}); cancel by job id (swarmctl cancel JOBID) or retry when squeue answers`,
    };
  }
  const plan: CancelPlan = { target, kind: 'issue', issueId: target, slurmJobIds: [], sshJobs: [], argv: [], ...(found.error ? { error: found.error } : {}) };
  for (const j of found.jobs) {
    const s = parseSshJobId(j.jobId);
    if (s) plan.sshJobs.push({ id: j.jobId, ...s });
    else plan.slurmJobIds.push(j.jobId);
  }
  return withArgv(cfg, plan);
}

function withArgv(cfg: ResolvedConfig, plan: CancelPlan): CancelPlan {
  const argv: string[][] = [];
  if (plan.slurmJobIds.length) argv.push(jobControlArgv('cancel', plan.slurmJobIds));
  for (const s of plan.sshJobs) argv.push(['ssh', s.host, ...sshKillArgv(cfg.paths.logs_dir, s.pid)]);
  return { ...plan, argv };
}

export async function cancel(cfg: ResolvedConfig, store: Store, target: string, opts: { dryRun?: boolean } = {}): Promise<CancelResult> {
  const plan = await planCancel(cfg, store, target);
  if (plan.refused) {
    if (!opts.dryRun) recordAudit(store, { issueId: plan.issueId ?? null, action: 'cancel', argv: [], outcome: 'failed', detail: plan.refused });
    return { target, cancelled: [], argv: [], error: plan.refused, refused: true };
  }
  if (opts.dryRun) {
    // The dry run asks the host the same question the kill would (state file, start time), killing nothing.
    const errors: string[] = plan.error ? [plan.error] : [];
    let refused = false;
    for (const s of plan.sshJobs) {
      const r = await killSshJob(cfg, cfg.hosts[s.host]!, s.pid, 'check');
      if (!r.ok) {
        errors.push(r.error);
        if (r.refused) refused = true;
      }
    }
    return { target, cancelled: [], argv: plan.argv, ...(errors.length ? { error: errors.join('; ') } : {}), ...(refused ? { refused: true } : {}) };
  }
  const cancelled: string[] = [];
  const errors: string[] = plan.error ? [plan.error] : [];
  if (plan.kind === 'slurm') {
    // scancel exits 0 for a job id it does not know: ask squeue first, so "cancelled" is never said of nothing.
    const gone = await slurmJobMissing(cfg, plan.target);
    if (gone) {
      recordAudit(store, { issueId: null, action: 'cancel', argv: [], outcome: 'failed', detail: gone });
      return { target, cancelled: [], argv: [], error: gone };
    }
  }
  if (plan.slurmJobIds.length) {
    const argv = jobControlArgv('cancel', plan.slurmJobIds);
    const r = await runJobControl(cfg, argv);
    if (r.ok) cancelled.push(...plan.slurmJobIds);
    else errors.push(r.error ?? 'scancel failed');
  }
  let refused = false;
  for (const s of plan.sshJobs) {
    const r = await killSshJob(cfg, cfg.hosts[s.host]!, s.pid);
    if (r.ok) {
      cancelled.push(s.id);
      updateJobStates(store, 'ssh', new Map(), [s.id]);
    } else {
      errors.push(`${s.id}: ${r.error}`);
      if (r.refused) refused = true;
      if (r.gone) updateJobStates(store, 'ssh', new Map(), [s.id]);
    }
  }
  if (plan.argv.length === 0 && errors.length === 0) errors.push(`no active job found for ${target}`);
  recordAudit(store, {
    issueId: plan.issueId ?? null,
    action: 'cancel',
    argv: plan.argv,
    outcome: errors.length && !cancelled.length ? 'failed' : 'ok',
    detail: [cancelled.length ? `cancelled ${cancelled.join(' ')}` : '', ...errors].filter(Boolean).join('; ') || null,
  });
  return { target, cancelled, argv: plan.argv, ...(errors.length ? { error: errors.join('; ') } : {}), ...(refused ? { refused: true } : {}) };
}

/** Why job `id` cannot be cancelled (unknown to squeue, or already ended), or null when it is live or squeue could not tell. */
async function slurmJobMissing(cfg: ResolvedConfig, id: string): Promise<string | null> {
  const r = await runSlurm(cfg, ['squeue', '-h', '-j', id, '-o', '%T']);
  if (!r.ok && /Invalid job id specified/.test(r.stderr)) return `no job ${id} in the queue (squeue: Invalid job id specified); nothing cancelled`;
  const state = r.stdout.trim().split('\n')[0]?.trim() ?? '';
  if (r.ok && state !== '' && !/^(PENDING|RUNNING|SUSPENDED|CONFIGURING|COMPLETING|REQUEUED|RESIZING|SIGNALING|STAGE_OUT|STOPPED)/.test(state))
    return `job ${id} already ended (${state}); nothing cancelled`;
  if (r.ok && state === '') return `no job ${id} in the queue; nothing cancelled`;
  return null;
}

/** hold / release / requeue one SLURM job (scontrol), audited. */
export async function jobControl(
  cfg: ResolvedConfig,
  store: Store,
  action: 'hold' | 'release' | 'requeue',
  jobId: string,
  opts: { dryRun?: boolean } = {},
): Promise<{ ok: boolean; argv: string[]; error?: string }> {
  if (!SLURM_ID.test(jobId)) throw new UsageError(`${JSON.stringify(jobId)} is not a SLURM job id`);
  const argv = jobControlArgv(action, [jobId]);
  if (opts.dryRun) return { ok: true, argv };
  const r = await runJobControl(cfg, argv);
  recordAudit(store, { action: `job:${action}`, argv, outcome: r.ok ? 'ok' : 'failed', detail: r.error ?? `job ${jobId}` });
  return { ok: r.ok, argv, ...(r.error ? { error: r.error } : {}) };
}
