// The recovery ladder (seed 001 §3, every number and name from the profile/config):
// a diagnosis in, a plan out — each action with the exact argv, environment and files
// it touches, and whether `recover --auto` may take it. Pure: no I/O.
import type { SwarmProfile } from '../config/profile.js';
import { trackerArgv } from '../config/profile.js';
import type { Diagnosis, ProxyCheck } from './diagnose.js';
import type { Owner } from './worktree-remote-decide.js';

export type ActionType = 'resubmit' | 'resubmit_with_env' | 'archive_resume' | 'clean_worktree' | 'archive_worktree' | 'tracker_return' | 'advise';

export interface PlanAction {
  type: ActionType;
  description: string;
  /** Commands run in order (argv arrays). */
  argv?: string[][];
  env?: Record<string, string>;
  /** Flags appended to the swarm command on resubmit (a remedy that is a flag, not a variable). */
  args?: string[];
  /** Files/dirs moved: from → to (the archive path is decided at apply time). */
  files?: Array<{ from: string; to: string }>;
  /** archive_worktree: the host that owns the worktree (it runs there, over SSH), and the archive folder on it. */
  host?: string;
  archiveRoot?: string;
  /** Set when the action cannot be taken as planned (e.g. the owning host is unknown): applying it fails with this, audited. */
  refused?: string;
  /** May `recover --auto` take it (config recovery.auto_actions)? */
  safe: boolean;
}

export interface RecoveryPlan {
  issueId: string;
  kind: string | null;
  actions: PlanAction[];
  /** Why nothing is planned (no diagnosis, active job, budget…). */
  refusal?: string;
  warnings: string[];
}

export interface PlanContext {
  issueId: string;
  profile: SwarmProfile;
  recovery: { temperature: number; max_turns: number; auto_actions: readonly string[]; worker_model?: string | undefined };
  worktreePath?: string;
  repo: string;
  archiveDir: string;
  resumePath?: string;
  /** The resume file is present for this issue. */
  resumePresent: boolean;
  /** The same kind was already recovered before (from the audit): the ladder's next rung. */
  recurrence: boolean;
  activeJob?: { jobId: string; state: string } | null;
  trackerCommand: string;
  /** Worktrees on the run host (profile worktrees.location run_host): who owns this one, and the archive folder there. */
  worktreeOwner?: Owner;
  worktreeArchiveDir?: string;
}

export function planRecovery(d: Diagnosis | null, ctx: PlanContext): RecoveryPlan {
  const { profile, issueId } = ctx;
  const auto = new Set(ctx.recovery.auto_actions);
  const plan: RecoveryPlan = { issueId, kind: d?.kind ?? null, actions: [], warnings: [] };
  if (ctx.activeJob) {
    plan.refusal = `job ${ctx.activeJob.jobId} is ${ctx.activeJob.state}: refusing to act on an issue that is queued or running (scancel it first)`;
    return plan;
  }
  if (!d) {
    plan.refusal = 'nothing to recover: no diagnosis';
    return plan;
  }
  const add = (a: Omit<PlanAction, 'safe'>): void => {
    plan.actions.push({ ...a, safe: auto.has(a.type) });
  };
  let worktreeKept = false;
  /** The python worker deletes a kept worktree when it runs the issue again: move it into the archive on its host first. */
  const archiveRunHostWorktree = (): void => {
    if (profile.worktrees.location !== 'run_host' || worktreeKept) return;
    worktreeKept = true;
    const owner = ctx.worktreeOwner ?? { ok: false as const, reason: 'the host that ran the issue was not looked up' };
    const to = `${ctx.worktreeArchiveDir ?? '(archive folder)'}/${issueId}/<timestamp>.worktree`;
    add({
      type: 'archive_worktree',
      description: `move the worktree ${ctx.worktreePath ?? ''} on ${owner.ok ? `${owner.host} (${owner.why})` : 'its run host'} into ${to} there, kept, not deleted (the worker's next run deletes it)`,
      files: [{ from: ctx.worktreePath ?? '(worktree)', to }],
      ...(ctx.worktreeArchiveDir !== undefined ? { archiveRoot: ctx.worktreeArchiveDir } : {}),
      ...(owner.ok ? { host: owner.host } : { refused: `refused: ${owner.reason}; nothing moved` }),
    });
  };
  const resubmit = (env: Record<string, string> = {}, why = '', args: string[] = []): void => {
    archiveRunHostWorktree();
    const withEnv = Object.keys(env).length > 0 || args.length > 0;
    const what = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...args].join(' ');
    add({
      type: withEnv ? 'resubmit_with_env' : 'resubmit',
      description: `resubmit ${issueId}${what ? ` with ${what}` : ''}${why ? ` (${why})` : ''}`,
      ...(Object.keys(env).length > 0 ? { env } : {}),
      ...(args.length > 0 ? { args } : {}),
    });
    if (Object.keys(env).length > 0 && !profile.wrapper_forwards_env) {
      plan.warnings.push(`a site sbatch script is used: ${Object.keys(env).join(', ')} only reach the containerised process if that script forwards them (or sets APPTAINERENV_<NAME>)`);
    }
  };
  /** Resubmit with recovery.worker_model in the profile's model variable; false when either is unset. */
  function modelRemedy(why: string): boolean {
    if (profile.vars.model === null || ctx.recovery.worker_model === undefined) return false;
    resubmit(withVar(profile.vars.model, ctx.recovery.worker_model), why);
    return true;
  }
  /** Stuck without a temperature knob (python worker): another model, else architect mode, else plain. */
  function stuckWithoutTemperature(): void {
    if (ctx.recurrence && profile.flags.architect !== null) resubmit({}, 'recurred: architect mode', profile.flags.architect);
    else if (!modelRemedy('a different model or variant')) {
      if (profile.flags.architect !== null) resubmit({}, 'architect mode', profile.flags.architect);
      else resubmit({}, 'retry as is (this orchestrator has no temperature variable)');
    }
  }
  const archiveResume = (): void => {
    add({
      type: 'archive_resume',
      description: `move the resume file to ${ctx.archiveDir}/${issueId}/<timestamp>.swarm-resume.json`,
      files: [{ from: ctx.resumePath ?? '(resume file)', to: `${ctx.archiveDir}/${issueId}/<timestamp>.swarm-resume.json` }],
    });
  };
  // A remedy variable the orchestrator does not read is never set (profile vars are null then).
  const withVar = (name: string | null, value: string): Record<string, string> => (name === null ? {} : { [name]: value });
  const wt = ctx.worktreePath ?? '';
  const branch = profile.branch_template.replaceAll('{issue}', issueId);
  switch (d.kind) {
    case 'stuck_text_mode':
    case 'stuck_loop':
      if (profile.vars.temperature !== null) resubmit(withVar(profile.vars.temperature, String(ctx.recovery.temperature)), 'raise the worker temperature');
      else stuckWithoutTemperature();
      break;
    case 'stuck_wrong_branch':
      add({
        type: 'clean_worktree',
        description: `remove the worktree ${wt} (moved to the archive, not deleted), delete ${branch}, prune`,
        argv: [
          ['git', '-C', ctx.repo, 'worktree', 'remove', '--force', wt],
          ['git', '-C', ctx.repo, 'branch', '-D', branch],
          ['git', '-C', ctx.repo, 'worktree', 'prune'],
        ],
        files: [{ from: wt, to: `${ctx.archiveDir}/${issueId}/<timestamp>.worktree` }],
      });
      resubmit({}, 'fresh worktree');
      break;
    case 'output_parse_failure':
    case 'context_overflow':
      if (profile.vars.max_turns === null) {
        if (!modelRemedy('a different model or variant')) resubmit({}, 'retry as is (this orchestrator has no max-turns variable)');
      } else if (ctx.recurrence && ctx.resumePresent) {
        archiveResume();
        resubmit(withVar(profile.vars.max_turns, String(ctx.recovery.max_turns)), 'recurred: fresh start without the resume file');
      } else resubmit(withVar(profile.vars.max_turns, String(ctx.recovery.max_turns)), 'lower the max turns');
      break;
    case 'cloud_escalation_failed':
      // The python worker's SWARM_USE_CLOUD=0 is a no-op: local only means a local model name.
      if (profile.vars.model !== null) {
        if (!modelRemedy('local models only')) resubmit({}, 'retry as is; set recovery.worker_model to a local variant to switch');
      } else if (profile.vars.use_cloud !== null) resubmit(withVar(profile.vars.use_cloud, '0'), 'local models only');
      add({ type: 'advise', description: cloudAdvice(d) });
      break;
    case 'job_died':
    case 'dependency_never_satisfied':
      if (!d.retryable) {
        plan.refusal = `${d.kind} is not retryable as is: ${d.summary}`;
        return plan;
      }
      resubmit({}, d.kind === 'job_died' ? 'the job died' : 'dependency can never be satisfied');
      break;
    case 'out_of_memory':
      add({ type: 'advise', description: 'the job ran out of memory: resubmit with more memory (sbatch --mem) or a smaller model; not retried automatically' });
      break;
    case 'budget_exhausted': {
      const reason = `swarmctl: ${d.summary}`;
      trackerReturn(reason);
      break;
    }
    case 'stale_claim':
      // The python worker claims an issue and never reopens it: `bd ready` stops offering it.
      // A killed run leaves its worktree, which the next run (after the reopen) deletes.
      archiveRunHostWorktree();
      trackerReturn(`swarmctl: ${d.summary}`);
      break;
    case 'verifier_failed':
      add({ type: 'advise', description: `the change failed the verifier; its commit stays on ${branch} for review (git log ${branch})` });
      stuckWithoutTemperature();
      break;
    case 'merge_failed':
      add({
        type: 'advise',
        description: `the merge of ${branch} failed and the branch is kept: merge it by hand (git merge --no-ff ${branch}) or resubmit after the conflicting change lands; not retried automatically`,
      });
      break;
    case 'worktree_failed':
      add({ type: 'advise', description: `the worktree could not be created: check git worktree prune and the worktrees folder on the host that ran it` });
      resubmit({}, 'the worker recreates its worktree');
      break;
    case 'worker_crash':
      // The worker dies in cost tracking without MSWEA_COST_TRACKING=ignore_errors (its shim sets it).
      if (d.details['cost_tracking'] === true) resubmit({ MSWEA_COST_TRACKING: 'ignore_errors' }, 'the worker died in cost tracking');
      else resubmit({}, 'the worker crashed');
      break;
  }
  return plan;

  function trackerReturn(reason: string): void {
    add({
      type: 'tracker_return',
      description: `return ${issueId} to the tracker (status open, with a note)`,
      argv: [trackerArgv(profile.tracker.reopen, issueId, reason), trackerArgv(profile.tracker.note, issueId, reason)].map((a) => (a[0] === 'bd' ? [ctx.trackerCommand, ...a.slice(1)] : a)),
    });
  }
}

const ROTATE = 'swarmctl cloud-key set --stdin';
const ROTATE_NOTE = '(writes the key file with mode 0600; never echoed or logged)';

/**
 * What to tell the operator about a cloud failure, from the proxy probe taken while
 * diagnosing (`details.proxy_check`): rotate the key only when the proxy rejects it
 * (or our key file is missing); otherwise say what the proxy reports now.
 */
export function cloudAdvice(d: Diagnosis): string {
  const check = d.details['proxy_check'] as ProxyCheck | undefined;
  const logHttp = d.details['log_http_statuses'];
  if (!check) {
    const seen = Array.isArray(logHttp) && logHttp.length ? ` (the log shows HTTP ${logHttp.join(', ')})` : '';
    return `not confirmed with the proxy probe${seen}: check the proxy with swarmctl probe; only if it rejects the key (401/403), rotate it: ${ROTATE} < new-key-file ${ROTATE_NOTE}`;
  }
  const svc = check.service;
  const rotate = `${ROTATE} --service ${svc} < new-key-file ${ROTATE_NOTE}`;
  const reset = check.probes.find((p) => p.service === svc)?.reset_seconds;
  switch (check.verdict) {
    case 'key_rejected':
      return `the proxy probe confirms ${svc} rejects the key now: rotate it: ${rotate}`;
    case 'key_missing':
      return `${check.summary}: write the key: ${rotate}`;
    case 'quota':
      return `the proxy probe confirms a quota / rate limit on ${svc}${reset !== undefined ? ` (resets in ${reset} s)` : ''}: the key is fine, do not rotate it; local models until then, resubmit with cloud after the reset`;
    case 'no_upstream_auth':
      return `${svc} has no usable upstream credential: log the proxy's upstream account in again on the proxy host; our key is fine, do not rotate it`;
    case 'proxy_down':
      return `${check.summary}: bring the proxy back (swarmctl probe ${svc}); no key rotation until it answers and rejects the key`;
    case 'proxy_degraded':
      return `${check.summary}: check it with swarmctl probe ${svc}; no key rotation (the key was not rejected)`;
    case 'healthy_now':
      return `${check.summary}; no key rotation needed`;
    case 'not_checked':
      return `${check.summary}: check the proxy with swarmctl probe ${svc}; only if it rejects the key, rotate it: ${rotate}`;
  }
}
