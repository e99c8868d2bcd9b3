// The python-worker profile as data: files it does not write are n/a, remedies use only what
// the worker reads (SWARM_WORKER_MODEL, --architect-coder), the reopen clears the claim.
import { describe, expect, it } from 'vitest';
import { profileOf, trackerArgv, type SwarmProfile } from '../../../src/config/profile.js';
import { buildProfile } from '../../../src/config/profile-schema.js';
import { planRecovery, type PlanContext } from '../../../src/recovery/plan.js';
import { DEFAULT_CATALOGUES } from '../../../src/config/signature-catalogue.js';

const py = (override?: unknown): SwarmProfile => {
  const r = buildProfile('python-worker', override);
  if (!r.ok) throw new Error(r.error);
  return r.profile;
};
const ctx = (profile: SwarmProfile, over: Partial<PlanContext> = {}): PlanContext => ({
  issueId: 'beefcake-aa',
  profile,
  recovery: { temperature: 0.1, max_turns: 4, auto_actions: ['resubmit', 'resubmit_with_env'] },
  repo: '/s/repo',
  archiveDir: '/s/arch',
  worktreePath: '/tmp/beefcake-wt/beefcake-aa',
  resumePresent: false,
  recurrence: false,
  trackerCommand: 'bd',
  ...over,
});
const d = (kind: string) => ({ kind, summary: kind, evidence: [], retryable: true, details: {} }) as never;
const allEnv = (p: ReturnType<typeof planRecovery>) => p.actions.flatMap((a) => Object.keys(a.env ?? {}));

describe('python-worker profile', () => {
  it('has no resume, checkpoint, metrics or session file, and two run summaries', () => {
    const p = py();
    expect(p.paths).toMatchObject({ resume: null, checkpoint: null, metrics: null, session_log: null });
    expect(p.paths.run_summary).toEqual(['{repo}/logs/mini-swarm/summary.jsonl', '{repo}/logs/dogfood/dogfood-summary.jsonl']);
    expect(p.catalogue).toBe(DEFAULT_CATALOGUES['python-worker']);
    expect(p.catalogue.job_end?.length).toBeGreaterThan(0);
    expect(p.silent_worker_s).toBeGreaterThan(1800);
  });

  it('reopen clears the claim (the worker never reopens and --claim stays)', () => {
    expect(trackerArgv(py().tracker.reopen, 'beefcake-aa')).toEqual(['bd', 'update', 'beefcake-aa', '--status', 'open', '--assignee', '']);
  });

  it('is selected by swarm.profile and a site can override a path back on', () => {
    expect(profileOf({ swarm: { profile: 'python-worker' } }).name).toBe('python-worker');
    expect(py({ paths: { resume: '{repo}/.resume.json' } }).paths.resume).toBe('{repo}/.resume.json');
    expect(py({ paths: { run_summary: ['{repo}/x.jsonl'] } }).paths.run_summary).toEqual(['{repo}/x.jsonl']);
    expect(buildProfile('beefcake', { paths: { resume: null } })).toMatchObject({ ok: true, profile: { paths: { resume: null } } });
  });

  it('stuck: never sets a temperature variable; architect mode as a flag, or the configured model', () => {
    const plain = planRecovery(d('stuck_loop'), ctx(py()));
    expect(allEnv(plain)).toEqual([]);
    // The worktree the run left on its host is archived first (the next run deletes it).
    expect(plain.actions.map((a) => a.type)).toEqual(['archive_worktree', 'resubmit_with_env']);
    expect(plain.actions[1]).toMatchObject({ type: 'resubmit_with_env', args: ['--architect-coder'] });
    const model = planRecovery(
      d('stuck_loop'),
      ctx(py(), { recovery: { temperature: 0.1, max_turns: 4, auto_actions: [], worker_model: 'tensorzero::function_name::worker_code_edit::variant_name::qwen36_a3b' } }),
    );
    expect(model.actions[1]).toMatchObject({ env: { SWARM_WORKER_MODEL: 'tensorzero::function_name::worker_code_edit::variant_name::qwen36_a3b' } });
    expect(model.actions[1]?.args).toBeUndefined();
  });

  it('parse failure and context overflow: no max-turns variable is set', () => {
    for (const kind of ['output_parse_failure', 'context_overflow']) {
      const p = planRecovery(d(kind), ctx(py()));
      expect(allEnv(p)).toEqual([]);
      expect(p.actions.map((a) => a.type)).toEqual(['archive_worktree', 'resubmit']);
    }
  });

  it('cloud failure: SWARM_USE_CLOUD=0 (a no-op for this worker) is never set', () => {
    const p = planRecovery(d('cloud_escalation_failed'), ctx(py()));
    expect(allEnv(p)).not.toContain('SWARM_USE_CLOUD');
  });

  it('the beefcake profile keeps its variable remedies', () => {
    const r = buildProfile('beefcake');
    if (!r.ok) throw new Error(r.error);
    expect(planRecovery(d('stuck_loop'), ctx(r.profile)).actions[0]?.env).toEqual({ SWARM_WORKER_TEMPERATURE: '0.1' });
    expect(planRecovery(d('cloud_escalation_failed'), ctx(r.profile)).actions[0]?.env).toEqual({ SWARM_USE_CLOUD: '0' });
  });
});
