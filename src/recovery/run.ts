// `recover` end to end: diagnose the issue, plan the ladder's next rung (recurrence
// from the audit), refuse while its job is PENDING/RUNNING or past the budget, and
// apply (after the caller's confirmation). `--auto` takes only safe actions and is
// idempotent: right after a resubmit the job is queued, so a second run refuses and
// says why.
import type { ResolvedConfig } from '../config/resolve.js';
import type { SwarmProfile } from '../config/profile.js';
import type { Store } from '../store/db.js';
import { listAudit, recordAudit } from '../store/audit.js';
import { primaryDiagnosis, type DiagnoseResult } from './diagnose.js';
import { runDiagnose, ATTEMPT_ACTION, type DiagnoseOptions } from './diagnose-run.js';
import { planRecovery, type RecoveryPlan } from './plan.js';
import { applyPlan, type ApplyResult, type SubmitFn } from './apply.js';
import { readResume } from '../issues/state.js';
import { livenessRefusal, type Liveness } from '../slurm/job-liveness.js';
import { readIssueLiveness } from '../slurm/job-liveness-read.js';
import { newestJob } from '../store/jobs.js';
import { runSlurm } from '../slurm/run.js';
import { renderTemplate } from '../config/profile.js';
import { nodeFromJobLog, worktreeOwner, type Owner, type OwnerJob } from './worktree-remote-decide.js';
import { realPathUnder } from '../io/archive.js';
import { openRegularFile } from '../core/safe-read.js';

/**
 * The node a SLURM job ran on: squeue while the controller remembers the job, else sacct, else
 * the job log's first line (slurm/swarm-job.sbatch prints `… job N on HOST at …`); or why not.
 */
async function slurmNode(cfg: ResolvedConfig, profile: SwarmProfile, jobId: string): Promise<{ node: string | null; error?: string }> {
  const errors: string[] = [];
  for (const argv of [
    ['squeue', '-h', '-j', jobId, '-t', 'all', '-o', '%N'],
    ['sacct', '-j', jobId, '-n', '-X', '-P', '-o', 'NodeList'],
  ]) {
    const r = await runSlurm(cfg, argv);
    const node = nodeName(r.ok ? r.stdout : '');
    if (node) return { node };
    errors.push(`${argv[0]}: ${r.ok ? 'no node' : ((r.spawnError ?? r.stderr.trim()) || `exit ${r.exitCode}`).slice(0, 200)}`);
  }
  const log = renderTemplate(profile.paths.job_log, { logs: cfg.paths.logs_dir, jobid: jobId });
  const safe = log.ok ? await realPathUnder(cfg.paths.logs_dir, log.value) : null;
  if (safe?.ok) {
    try {
      // Its first 64 KiB: the wrapper's line comes first, and a job log can be gigabytes.
      const { fh } = await openRegularFile(safe.path, { what: 'job log' });
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0).finally(() => void fh.close().catch(() => undefined));
      const head = buf.subarray(0, bytesRead).toString('utf8');
      const node = nodeFromJobLog(head, jobId);
      if (node) return { node };
      errors.push('the job log names no node');
    } catch (e) {
      errors.push(`job log: ${(e as Error).message}`);
    }
  }
  return { node: null, error: errors.join('; ') };
}

/** One node name (the python worker runs on one node); a list, `(null)` or "None assigned" is none. */
function nodeName(out: string): string | null {
  const node = out.trim().split('\n')[0]?.trim() ?? '';
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(node) ? node : null;
}

/** Who owns a run-host worktree (the host the issue's newest run ran on) and where its archive folder is. */
async function runHostWorktree(cfg: ResolvedConfig, profile: SwarmProfile, store: Store, issue: string, jobId: string | null): Promise<{ owner: Owner; archiveDir?: string }> {
  const rec = newestJob(store, issue);
  let job: OwnerJob | null = null;
  if (rec?.via === 'ssh' && (jobId === null || jobId === rec.job_id || !/^\d+$/.test(jobId))) job = { via: 'ssh', jobId: rec.job_id, host: rec.host, node: null };
  else {
    // The diagnosed job, else our newest SLURM job of the issue.
    const id = jobId !== null && /^\d+$/.test(jobId) ? jobId : rec?.via === 'slurm' ? rec.job_id : null;
    if (id !== null) job = { via: 'slurm', jobId: id, host: null, ...(await slurmNode(cfg, profile, id)) };
  }
  const owner = worktreeOwner({ job, loopHost: profile.job_log_command?.host ?? null, hosts: cfg.hosts });
  const tpl = profile.worktrees.archive_dir;
  const a = tpl === null ? null : renderTemplate(tpl, { worktrees: cfg.paths.worktrees_dir });
  return { owner, ...(a?.ok ? { archiveDir: a.value } : {}) };
}

export interface PreparedRecovery {
  diagnosis: DiagnoseResult;
  plan: RecoveryPlan;
  /** Is the issue's job (maybe) running: every action moves its files, branch or tracker state. */
  liveness: Liveness;
  /** The plan was refused only because the queue could not be read (exit 2: cannot tell). */
  livenessUnknown: boolean;
  /** --assume-not-running let an unknown liveness through; audited when applied. */
  assumedNotRunning: boolean;
}

export async function prepareRecovery(cfg: ResolvedConfig, profile: SwarmProfile, store: Store, issue: string, opts: DiagnoseOptions & { assumeNotRunning?: boolean } = {}): Promise<PreparedRecovery> {
  // The liveness read runs beside the diagnosis: both wait on SLURM.
  const [diagnosis, liveness] = await Promise.all([runDiagnose(cfg, profile, store, issue, opts), readIssueLiveness(cfg, store, issue, { jobIds: [opts.jobId] })]);
  const d = primaryDiagnosis(diagnosis);
  const previous = listAudit(store, { issueId: issue, limit: 50 }).filter((r) => r.action === ATTEMPT_ACTION);
  const recurrence = d !== null && previous.some((r) => (r.detail ?? '').startsWith(`${d.kind}:`));
  const resume = await readResume(cfg, profile, issue);
  const runHost = profile.worktrees.location === 'run_host' ? await runHostWorktree(cfg, profile, store, issue, diagnosis.jobId) : null;
  const plan = planRecovery(d, {
    issueId: issue,
    profile,
    recovery: cfg.recovery,
    ...(resume.path ? { resumePath: resume.path } : {}),
    resumePresent: resume.status === 'ok',
    recurrence,
    activeJob: diagnosis.activeJob,
    repo: cfg.paths.repo,
    archiveDir: cfg.paths.archive_dir,
    worktreePath: `${cfg.paths.worktrees_dir}/${issue}`,
    trackerCommand: cfg.swarm.tracker?.command ?? 'bd',
    ...(runHost ? { worktreeOwner: runHost.owner, ...(runHost.archiveDir !== undefined ? { worktreeArchiveDir: runHost.archiveDir } : {}) } : {}),
  });
  // Before the plan's own checks: an unreadable queue must not read as "no active job".
  const refusal = livenessRefusal(liveness, `recover ${issue}`, opts.assumeNotRunning ? { assumeNotRunning: true } : {});
  const livenessUnknown = refusal !== null && liveness.verdict === 'unknown';
  if (refusal) plan.refusal = refusal;
  const assumedNotRunning = liveness.verdict === 'unknown' && Boolean(opts.assumeNotRunning);
  if (assumedNotRunning) plan.warnings.push(`--assume-not-running: acting although ${liveness.reason}`);
  if (diagnosis.status === 'unknown' && !plan.refusal) plan.refusal = `cannot tell what is wrong: ${diagnosis.notes.join('; ')}`;
  return { diagnosis, plan, liveness, livenessUnknown, assumedNotRunning };
}

export async function executeRecovery(
  cfg: ResolvedConfig,
  profile: SwarmProfile,
  store: Store,
  prepared: PreparedRecovery,
  opts: { submit: SubmitFn; auto?: boolean; dryRun?: boolean },
): Promise<ApplyResult> {
  const { plan } = prepared;
  if (plan.refusal) {
    if (!opts.dryRun) recordAudit(store, { issueId: plan.issueId, action: opts.auto ? 'recover.auto' : 'recover', outcome: 'skipped', detail: plan.refusal });
    return { issueId: plan.issueId, kind: plan.kind, outcome: 'skipped', actions: [] };
  }
  if (prepared.assumedNotRunning && !opts.dryRun && plan.actions.length) {
    recordAudit(store, { issueId: plan.issueId, action: 'recover.assume-not-running', outcome: 'ok', detail: `operator override: ${prepared.liveness.reason}` });
  }
  return applyPlan(cfg, profile, store, plan, { submit: opts.submit, ...(opts.auto ? { safeOnly: true } : {}), ...(opts.dryRun ? { dryRun: true } : {}) });
}
