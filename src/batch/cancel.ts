// `swarmctl cancel ISSUE|JOBID|ssh:<host>:<pid>`: stop swarm jobs. planCancel
// works out the exact commands (the console shows them in a y/N prompt) and runs
// nothing but look-ups; cancel runs them, updates the jobs table and audits.
// SLURM jobs go through `scancel`; direct-SSH jobs get SIGTERM to their whole
// process group (they were started with setsid, so pid = pgid).
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { UsageError } from './errors.js';
import { updateJobStates } from './jobs-store.js';
import { findIssueJobs } from './queue.js';
import { jobControlArgv, runJobControl } from './slurm-client.js';
import { killSshJob, parseSshJobId, sshKillArgv } from './ssh-jobs.js';
import { validateIssueId } from './validate.js';

export interface CancelPlan {
  target: string;
  kind: 'issue' | 'slurm' | 'ssh';
  issueId?: string;
  slurmJobIds: string[];
  sshJobs: { id: string; host: string; pid: number }[];
  /** Exact argv that cancel would run (ssh ones shown as `ssh <host> ...`). */
  argv: string[][];
  error?: string;
}

export interface CancelResult {
  target: string;
  cancelled: string[];
  argv: string[][];
  error?: string;
}

const SLURM_ID = /^\d+(?:_\d+)?$/;

export async function planCancel(cfg: ResolvedConfig, store: Store, target: string): Promise<CancelPlan> {
  const ssh = parseSshJobId(target);
  if (ssh) {
    if (!cfg.hosts[ssh.host]) throw new UsageError(`host ${ssh.host} is not in the config`);
    return withArgv(cfg, { target, kind: 'ssh', slurmJobIds: [], sshJobs: [{ id: target, ...ssh }], argv: [] });
  }
  if (SLURM_ID.test(target)) return withArgv(cfg, { target, kind: 'slurm', slurmJobIds: [target], sshJobs: [], argv: [] });
  const v = validateIssueId(target, cfg.swarm.issue_id_pattern);
  if (!v.ok) throw new UsageError(`${JSON.stringify(target)} is neither a job id nor a valid issue id: ${v.reason}`);
  const found = await findIssueJobs(cfg, store, target);
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
  if (opts.dryRun) return { target, cancelled: [], argv: plan.argv, ...(plan.error ? { error: plan.error } : {}) };
  const cancelled: string[] = [];
  const errors: string[] = plan.error ? [plan.error] : [];
  if (plan.slurmJobIds.length) {
    const argv = jobControlArgv('cancel', plan.slurmJobIds);
    const r = await runJobControl(cfg, argv);
    if (r.ok) cancelled.push(...plan.slurmJobIds);
    else errors.push(r.error ?? 'scancel failed');
  }
  for (const s of plan.sshJobs) {
    const r = await killSshJob(cfg, cfg.hosts[s.host]!, s.pid);
    if (r.ok) {
      cancelled.push(s.id);
      updateJobStates(store, 'ssh', new Map(), [s.id]);
    } else errors.push(r.error ?? `kill on ${s.host} failed`);
  }
  if (plan.argv.length === 0 && errors.length === 0) errors.push(`no active job found for ${target}`);
  recordAudit(store, { issueId: plan.issueId ?? null, action: 'cancel', argv: plan.argv, outcome: errors.length && !cancelled.length ? 'failed' : 'ok', detail: [cancelled.length ? `cancelled ${cancelled.join(' ')}` : '', ...errors].filter(Boolean).join('; ') || null });
  return { target, cancelled, argv: plan.argv, ...(errors.length ? { error: errors.join('; ') } : {}) };
}

/** hold / release / requeue one SLURM job (scontrol), audited. */
export async function jobControl(cfg: ResolvedConfig, store: Store, action: 'hold' | 'release' | 'requeue', jobId: string, opts: { dryRun?: boolean } = {}): Promise<{ ok: boolean; argv: string[]; error?: string }> {
  if (!SLURM_ID.test(jobId)) throw new UsageError(`${JSON.stringify(jobId)} is not a SLURM job id`);
  const argv = jobControlArgv(action, [jobId]);
  if (opts.dryRun) return { ok: true, argv };
  const r = await runJobControl(cfg, argv);
  recordAudit(store, { action: `job:${action}`, argv, outcome: r.ok ? 'ok' : 'failed', detail: r.error ?? `job ${jobId}` });
  return { ok: r.ok, argv, ...(r.error ? { error: r.error } : {}) };
}
