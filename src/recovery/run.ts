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
