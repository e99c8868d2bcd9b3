import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileOf } from '../../../src/config/profile.js';
import { diagnose, primaryDiagnosis, type DiagnoseInput } from '../../../src/recovery/diagnose.js';
import { runDiagnose } from '../../../src/recovery/diagnose-run.js';
import { splitLogRecords } from '../../../src/recovery/log-records.js';
import { readJobLogTail } from '../../../src/recovery/job-log.js';
import { planRecovery, type PlanContext } from '../../../src/recovery/plan.js';
import { applyPlan, type SubmitFn } from '../../../src/recovery/apply.js';
import { listAudit } from '../../../src/store/audit.js';
import { BEEF, LOGS, STATE, git, initRepo, makeRecoveryShare, makeShare, planContext, place } from '../../support/recovery-fixtures.js';
import { REPO_ROOT } from '../../support/cluster.js';

const bc = profileOf({ swarm: { profile: 'beefcake' } });
const rb = profileOf({ swarm: { profile: 'runbook' } });
const noQueue = { ok: true, jobs: [] };
const base = (file: string, profile = bc, extra: Partial<DiagnoseInput> = {}): DiagnoseInput => ({
  issueId: 'x',
  catalogue: profile.catalogue,
  log: file ? { path: file, records: splitLogRecords(readFileSync(file, 'utf8')) } : null,
  resume: { status: 'missing' },
  session: { status: 'missing' },
  queue: noQueue,
  attempts: 0,
  maxAttempts: 3,
  ...extra,
});
const kinds = (i: DiagnoseInput) => diagnose(i).diagnoses.map((d) => d.kind);

describe('diagnose (pure)', () => {
  it.each([
    ['parse-failure.beefcake.txt', 'output_parse_failure'],
    ['peg-native.beefcake.txt', 'output_parse_failure'],
    ['context-overflow.beefcake.txt', 'context_overflow'],
    ['cloud-failure.beefcake.txt', 'cloud_escalation_failed'],
    ['budget.beefcake.txt', 'budget_exhausted'],
    ['stuck.runbook.txt', 'stuck_text_mode'],
    ['http500.runbook.txt', 'output_parse_failure'],
    ['cloud-preflight.runbook.txt', 'cloud_escalation_failed'],
  ])('%s → %s, with file:line evidence', (f, kind) => {
    const r = diagnose(base(join(LOGS, f), f.includes('.runbook.') ? rb : bc));
    expect(r.diagnoses.map((d) => d.kind)).toContain(kind);
    const d = r.diagnoses.find((x) => x.kind === kind);
    expect(d?.evidence[0]?.file).toBe(join(LOGS, f));
    expect(d?.evidence[0]?.line).toBeGreaterThan(0);
  });

  it('splits the real stuck-loop sample into text mode (no writes)', () => {
    const r = diagnose(base(join(BEEF, 'swarm-orch-2317.stuck-loop.log')));
    expect(r.diagnoses.map((d) => d.kind)).toEqual(['stuck_text_mode']);
  });

  it('stuck with writes: wrong branch or empty diff → stuck_wrong_branch; fine worktree → stuck_loop', () => {
    const f = join(LOGS, 'stuck-with-writes.beefcake.txt');
    const wt = { path: '/s/wt/x', exists: true, expectedBranch: 'swarm/x' };
    expect(kinds(base(f, bc, { worktree: { ...wt, branch: 'main', diffStatEmpty: false } }))).toEqual(['stuck_wrong_branch']);
    expect(kinds(base(f, bc, { worktree: { ...wt, branch: 'swarm/x', diffStatEmpty: true } }))).toEqual(['stuck_wrong_branch']);
    expect(kinds(base(f, bc, { worktree: { ...wt, branch: 'swarm/x', diffStatEmpty: false } }))).toEqual(['stuck_loop']);
  });

  // The run is still going (its job RUNNING): these logs end mid-session. The same log
  // of a job gone from the queue is job_died (cause unknown), never "nothing wrong".
  it.each(['neg-context-words.beefcake.txt', 'neg-parse-then-success.beefcake.txt', 'neg-quoted-tool-output.beefcake.txt', 'neg-resolved-after.beefcake.txt', 'neg-single-no-change.beefcake.txt'])(
    'negative %s fires nothing',
    (f) => {
      const r = diagnose(base(join(LOGS, f), bc, { queue: { ok: true, jobs: [{ jobId: '7', state: 'RUNNING', active: true }] } }));
      expect(r.diagnoses).toEqual([]);
      expect(r.status).toBe('ok');
    },
  );

  it('job_died: unfinished session, nothing queued; end states decide retryable/OOM; active jobs and dependency holds', () => {
    const session = {
      status: 'ok',
      path: '/s/wt/x/.swarm/session.jsonl',
      value: { events: [{ type: 'state_transition', line: 4, kind: {} }], badLines: 0, badLineNumbers: [], partialLastLine: false, completed: false, state: 'implementing' },
    };
    const noLog = { log: null, logError: 'no job' };
    const died = diagnose(base('', bc, { ...noLog, session, endState: { jobId: '7', state: 'NODE_FAIL' } }));
    expect(died.diagnoses[0]).toMatchObject({ kind: 'job_died', retryable: true });
    expect(died.diagnoses[0]?.evidence[0]).toMatchObject({ file: session.path, line: 4 });
    expect(kinds(base('', bc, { ...noLog, session, endState: { jobId: '7', state: 'OUT_OF_MEMORY' } }))).toEqual(['out_of_memory']);
    expect(kinds(base('', bc, { ...noLog, session, queue: { ok: true, jobs: [{ jobId: '8', state: 'RUNNING', active: true }] } }))).toEqual([]);
    expect(kinds(base('', bc, { ...noLog, session, queue: { ok: true, jobs: [{ jobId: '8', state: 'PENDING', active: true, reason: 'DependencyNeverSatisfied' }] } }))).toEqual([
      'dependency_never_satisfied',
    ]);
    const cannot = diagnose(base('', bc, { ...noLog, session, queue: { ok: false, error: 'slurm down', jobs: [] } }));
    expect(cannot.status).toBe('unknown');
    expect(kinds(base('', bc, { ...noLog, resume: { status: 'ok', path: '/r' }, attempts: 3 }))).toEqual(['job_died', 'budget_exhausted']);
  });
});

describe('recovery plan (pure)', () => {
  const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
    issueId: 'b-1',
    profile: bc,
    recovery: { temperature: 0.1, max_turns: 4, auto_actions: ['resubmit', 'resubmit_with_env'] },
    repo: '/s/repo',
    archiveDir: '/s/arch',
    worktreePath: '/s/wt/b-1',
    resumePresent: false,
    recurrence: false,
    trackerCommand: 'bd',
    ...over,
  });
  const d = (kind: string, retryable = true) => ({ kind, summary: kind, evidence: [], retryable, details: {} }) as never;
  it('maps each kind to the ladder with the profile’s variable names', () => {
    expect(planRecovery(d('stuck_text_mode'), ctx()).actions[0]).toMatchObject({ type: 'resubmit_with_env', env: { SWARM_WORKER_TEMPERATURE: '0.1' }, safe: true });
    expect(planRecovery(d('stuck_text_mode'), ctx({ profile: rb })).actions[0]?.env).toEqual({ SWARM_WORKER_TEMP: '0.1' });
    const wb = planRecovery(d('stuck_wrong_branch'), ctx());
    expect(wb.actions.map((a) => a.type)).toEqual(['clean_worktree', 'resubmit']);
    expect(wb.actions[0]?.argv).toEqual([
      ['git', '-C', '/s/repo', 'worktree', 'remove', '--force', '/s/wt/b-1'],
      ['git', '-C', '/s/repo', 'branch', '-D', 'swarm/b-1'],
      ['git', '-C', '/s/repo', 'worktree', 'prune'],
    ]);
    expect(wb.actions[0]?.safe).toBe(false);
    expect(planRecovery(d('output_parse_failure'), ctx()).actions[0]?.env).toEqual({ SWARM_WORKER_MAX_TURNS: '4' });
    expect(planRecovery(d('context_overflow'), ctx({ recurrence: true, resumePresent: true })).actions.map((a) => a.type)).toEqual(['archive_resume', 'resubmit_with_env']);
    const cloud = planRecovery(d('cloud_escalation_failed'), ctx());
    expect(cloud.actions[0]?.env).toEqual({ SWARM_USE_CLOUD: '0' });
    expect(cloud.actions[1]?.description).toMatch(/cloud-key set --stdin/);
    expect(planRecovery(d('job_died'), ctx()).actions.map((a) => a.type)).toEqual(['resubmit']);
    expect(planRecovery(d('budget_exhausted', false), ctx()).actions[0]?.argv).toEqual([
      ['bd', 'update', 'b-1', '--status', 'open'],
      ['bd', 'note', 'b-1', 'swarmctl: budget_exhausted'],
    ]);
  });
  it('refuses while the job is queued or running, and without a diagnosis', () => {
    expect(planRecovery(d('job_died'), ctx({ activeJob: { jobId: '5', state: 'RUNNING' } })).refusal).toMatch(/RUNNING/);
    expect(planRecovery(null, ctx()).refusal).toMatch(/nothing to recover/);
  });
  it('warns when a site script may not forward the remedy variable', () => {
    const site = profileOf({ swarm: { profile: 'beefcake', sbatch_script: '/x.sbatch' } });
    expect(planRecovery(d('stuck_text_mode'), ctx({ profile: site })).warnings[0]).toMatch(/APPTAINERENV_/);
  });
});

describe('recovery apply with real git worktrees and a stand-in bd', () => {
  it('stuck_wrong_branch: diagnoses from the real worktree, moves it to the archive, deletes the branch, prunes, resubmits', async () => {
    const { root, cfg, store, p } = makeRecoveryShare();
    const repo = cfg.paths.repo;
    initRepo(repo);
    const wt = join(root, 'wt/beefcake-wb42');
    git(repo, 'worktree', 'add', '-q', '-b', 'swarm/beefcake-wb42', wt);
    git(wt, 'checkout', '-q', '-b', 'other'); // the agent's writes went to the wrong branch
    writeFileSync(join(wt, 'note.txt'), 'keep me\n');
    place(join(LOGS, 'stuck-with-writes.beefcake.txt'), join(cfg.paths.logs_dir, 'swarm-orch-4242.log'));
    const r = await runDiagnose(cfg, p, store, 'beefcake-wb42', { jobId: '4242', queue: { ok: true, jobs: [] } });
    const d = primaryDiagnosis(r);
    expect(d?.kind).toBe('stuck_wrong_branch');
    const plan = planRecovery(d, planContext(cfg, p, 'beefcake-wb42', { worktreePath: wt }));
    const calls: unknown[] = [];
    const submit: SubmitFn = async (_c, _s, req) => {
      calls.push(req);
      return [{ issueId: 'beefcake-wb42', status: 'submitted', jobId: '99', via: 'slurm', argv: ['sbatch', 'x'] }];
    };
    const res = await applyPlan(cfg, p, store, plan, { submit, now: new Date('2026-04-18T08:00:00Z') });
    expect(res.outcome).toBe('ok');
    expect(existsSync(wt)).toBe(false);
    const kept = join(cfg.paths.archive_dir, 'beefcake-wb42', '20260418T080000.000Z.worktree');
    expect(readFileSync(join(kept, 'note.txt'), 'utf8')).toBe('keep me\n');
    expect(git(repo, 'branch', '--list', 'swarm/beefcake-wb42').trim()).toBe('');
    expect(git(repo, 'worktree', 'list')).not.toContain('beefcake-wb42');
    expect(calls).toEqual([{ issues: ['beefcake-wb42'] }]);
    const audit = listAudit(store, { issueId: 'beefcake-wb42' });
    expect(audit.map((a) => a.action)).toEqual(['recover.attempt', 'recover.resubmit', 'recover.clean_worktree']);
    expect(audit[2]?.archived).toEqual([{ from: wt, to: kept }]);
    store.close();
  });

  it('budget_exhausted: returns the issue with bd update + bd note (stand-in bd records argv); missing bd says so and stops', async () => {
    const { root, cfg, store, p } = makeRecoveryShare();
    const d = { kind: 'budget_exhausted' as const, summary: 'out of budget', evidence: [], retryable: false, details: {} };
    const plan = planRecovery(d, planContext(cfg, p, 'b-9'));
    const submit: SubmitFn = async () => [];
    const bdLog = join(root, 'bd.log');
    const oldPath = process.env['PATH'];
    process.env['PATH'] = `${join(REPO_ROOT, 'test/support/bin')}:${oldPath}`;
    process.env['BD_LOG'] = bdLog;
    try {
      const res = await applyPlan(cfg, p, store, plan, { submit });
      expect(res.outcome).toBe('ok');
      expect(
        readFileSync(bdLog, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual([
        ['update', 'b-9', '--status', 'open'],
        ['note', 'b-9', 'swarmctl: out of budget'],
      ]);
    } finally {
      process.env['PATH'] = oldPath;
    }
    const missing = planRecovery(d, planContext(cfg, p, 'b-9', { trackerCommand: join(root, 'no-such-bd') }));
    const res2 = await applyPlan(cfg, p, store, missing, { submit });
    expect(res2.outcome).toBe('failed');
    expect(res2.actions[0]?.detail).toMatch(/not installed/);
    store.close();
  });

  it('--auto takes only safe actions', async () => {
    const { root, cfg, store, p } = makeRecoveryShare();
    mkdirSync(join(root, 'wt/b-2'), { recursive: true });
    const plan = planRecovery({ kind: 'stuck_wrong_branch', summary: '', evidence: [], retryable: true, details: {} }, planContext(cfg, p, 'b-2', { worktreePath: join(root, 'wt/b-2') }));
    let submitted = 0;
    const res = await applyPlan(cfg, p, store, plan, { safeOnly: true, submit: async () => [{ issueId: 'b-2', status: 'submitted', jobId: String(++submitted), via: 'slurm', argv: [] }] });
    expect(res.actions.map((a) => [a.type, a.outcome])).toEqual([
      ['clean_worktree', 'skipped'],
      ['resubmit', 'ok'],
    ]);
    expect(existsSync(join(root, 'wt/b-2'))).toBe(true);
    store.close();
  });
});

describe('job log tail window', () => {
  it('keeps exact line numbers when only the last window of a 50 MB log is read', async () => {
    const { root } = makeShare();
    const f = join(root, 'swarm-orch-1.log');
    const filler = '2026-04-18T07:00:00.000000Z  INFO swarm_agents::driver: filler line with some padding to make it longer ...............\n';
    const lines = Math.ceil((50 * 1024 * 1024) / filler.length);
    writeFileSync(f, filler.repeat(lines) + readFileSync(join(LOGS, 'parse-failure.beefcake.txt'), 'utf8'));
    const t0 = performance.now();
    const t = await readJobLogTail(f, 64 * 1024);
    const ms = performance.now() - t0;
    expect(t.truncated).toBe(true);
    const r = diagnose({ ...base(join(LOGS, 'parse-failure.beefcake.txt')), log: { path: f, records: t.records } });
    const ev = r.diagnoses.find((d) => d.kind === 'output_parse_failure')?.evidence[0];
    const whole = readFileSync(f, 'utf8').split('\n');
    expect(whole[(ev?.line as number) - 1]).toContain('Failed to parse input at pos');
    expect(ms).toBeLessThan(5000);
  });
});
