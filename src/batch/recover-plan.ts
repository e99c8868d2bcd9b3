// The recovery ladder (seed 001 §3, every number and name from the profile/config):
// a diagnosis in, a plan out — each action with the exact argv, environment and files
// it touches, and whether `recover --auto` may take it. Pure: no I/O.
import type { SwarmProfile } from '../config/profile.js';
import { trackerArgv } from '../config/profile.js';
import type { Diagnosis } from './diagnose.js';

export type ActionType = 'resubmit' | 'resubmit_with_env' | 'archive_resume' | 'clean_worktree' | 'tracker_return' | 'advise';

export interface PlanAction {
  type: ActionType;
  description: string;
  /** Commands run in order (argv arrays). */
  argv?: string[][];
  env?: Record<string, string>;
  /** Files/dirs moved: from → to (the archive path is decided at apply time). */
  files?: Array<{ from: string; to: string }>;
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
  recovery: { temperature: number; max_turns: number; auto_actions: readonly string[] };
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
  const resubmit = (env: Record<string, string> = {}, why = ''): void => {
    const withEnv = Object.keys(env).length > 0;
    add({
      type: withEnv ? 'resubmit_with_env' : 'resubmit',
      description: `resubmit ${issueId}${withEnv ? ` with ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}${why ? ` (${why})` : ''}`,
      ...(withEnv ? { env } : {}),
    });
    if (withEnv && !profile.wrapper_forwards_env) {
      plan.warnings.push(`a site sbatch script is used: ${Object.keys(env).join(', ')} only reach the containerised process if that script forwards them (or sets APPTAINERENV_<NAME>)`);
    }
  };
  const archiveResume = (): void => {
    add({ type: 'archive_resume', description: `move the resume file to ${ctx.archiveDir}/${issueId}/<timestamp>.swarm-resume.json`, files: [{ from: ctx.resumePath ?? '(resume file)', to: `${ctx.archiveDir}/${issueId}/<timestamp>.swarm-resume.json` }] });
  };
  const wt = ctx.worktreePath ?? '';
  const branch = profile.branch_template.replaceAll('{issue}', issueId);
  switch (d.kind) {
    case 'stuck_text_mode':
    case 'stuck_loop':
      resubmit({ [profile.vars.temperature]: String(ctx.recovery.temperature) }, 'raise the worker temperature');
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
      if (ctx.recurrence && ctx.resumePresent) {
        archiveResume();
        resubmit({ [profile.vars.max_turns]: String(ctx.recovery.max_turns) }, 'recurred: fresh start without the resume file');
      } else resubmit({ [profile.vars.max_turns]: String(ctx.recovery.max_turns) }, 'lower the max turns');
      break;
    case 'cloud_escalation_failed':
      resubmit({ [profile.vars.use_cloud]: '0' }, 'local models only');
      add({ type: 'advise', description: 'rotate the cloud key: swarmctl cloud-key set --stdin < new-key-file (writes the key file with mode 0600; never echoed or logged)' });
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
      add({
        type: 'tracker_return',
        description: `return ${issueId} to the tracker (status open, with a note)`,
        argv: [trackerArgv(profile.tracker.reopen, issueId, reason), trackerArgv(profile.tracker.note, issueId, reason)].map((a) => (a[0] === 'bd' ? [ctx.trackerCommand, ...a.slice(1)] : a)),
      });
      break;
    }
  }
  return plan;
}
