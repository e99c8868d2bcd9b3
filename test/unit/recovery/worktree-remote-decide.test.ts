// The pure decision behind archiving a run-host worktree (issue 17): which host owns it, and
// from the host's answers whether to move it, skip it or refuse. Unknown state refuses.
import { describe, expect, it } from 'vitest';
import { decideArchive, nodeFromJobLog, parseStatus, verifyMove, worktreeOwner, type RemoteWorktreeCheck } from '../../../src/recovery/worktree-remote-decide.js';
import { buildProfile } from '../../../src/config/profile-schema.js';
import { planRecovery, type PlanContext } from '../../../src/recovery/plan.js';
import type { Diagnosis } from '../../../src/recovery/diagnose.js';

const hosts = { vm: { address: '10.0.0.5' }, proxy: { address: 'ai-proxy.lan' } };
const ok = (stdout: string) => ({ exitCode: 0, stdout, stderr: '' });
const base: RemoteWorktreeCheck = { host: 'vm', root: '/tmp/beefcake-wt', path: '/tmp/beefcake-wt/bc-1', archiveRoot: '/tmp/beefcake-wt-archive' };
const realpaths = ok('/tmp/beefcake-wt\n/tmp/beefcake-wt/bc-1\n/tmp/beefcake-wt-archive\n');
const full: RemoteWorktreeCheck = {
  ...base,
  stat: ok('directory\n'),
  realpaths,
  toplevel: ok('/tmp/beefcake-wt/bc-1\n'),
  status: ok('## swarm/bc-1\n M src/lib.rs\n?? notes.txt\n'),
};

describe('worktreeOwner', () => {
  it('a SLURM job: its node, matched to a host by name (short name too) or by address', () => {
    expect(worktreeOwner({ job: { via: 'slurm', jobId: '7', host: null, node: 'vm' }, loopHost: null, hosts })).toMatchObject({ ok: true, host: 'vm' });
    expect(worktreeOwner({ job: { via: 'slurm', jobId: '7', host: null, node: 'vm.cluster.lan' }, loopHost: null, hosts })).toMatchObject({ ok: true, host: 'vm' });
    expect(worktreeOwner({ job: { via: 'slurm', jobId: '7', host: null, node: '10.0.0.5' }, loopHost: null, hosts })).toMatchObject({ ok: true, host: 'vm' });
  });
  it('a SLURM node that is no configured host, or an unknown node, is refused (never guessed)', () => {
    expect(worktreeOwner({ job: { via: 'slurm', jobId: '7', host: null, node: 'node9' }, loopHost: 'proxy', hosts })).toEqual({
      ok: false,
      reason: 'SLURM job 7 ran on node node9, which is not in hosts: (add a host named node9)',
    });
    expect(worktreeOwner({ job: { via: 'slurm', jobId: '7', host: null, node: null, nodeError: 'sacct failed' }, loopHost: null, hosts })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('sacct failed'),
    });
  });
  it('a direct-SSH job: its host; no job: the loop host; neither: refused', () => {
    expect(worktreeOwner({ job: { via: 'ssh', jobId: 'vm:42', host: 'vm', node: null }, loopHost: 'proxy', hosts })).toMatchObject({ ok: true, host: 'vm' });
    expect(worktreeOwner({ job: null, loopHost: 'proxy', hosts })).toMatchObject({ ok: true, host: 'proxy' });
    expect(worktreeOwner({ job: null, loopHost: 'gone', hosts })).toMatchObject({ ok: false });
    expect(worktreeOwner({ job: null, loopHost: null, hosts })).toMatchObject({ ok: false });
  });
});

describe('nodeFromJobLog', () => {
  it("reads the node from the job wrapper's first line, for that job only", () => {
    const head = 'swarm-job: issue bc-1 job 812 on vm at 2026-12-04T18:00:00+00:00: run-swarm.sh --issue bc-1\n[18:00:01Z] process_issue: id=bc-1\n';
    expect(nodeFromJobLog(head, '812')).toBe('vm');
    expect(nodeFromJobLog(head, '813')).toBeNull();
    expect(nodeFromJobLog('swarm-job: issue bc-1 job 812 on $(rm -rf /) at x\n', '812')).toBeNull();
  });
});

describe('decideArchive', () => {
  it('asks stat, realpath, git toplevel, git status in that order, then moves a dirty worktree, saying what it keeps', () => {
    expect(decideArchive(base)).toEqual({ action: 'ask', next: 'stat' });
    expect(decideArchive({ ...base, stat: full.stat })).toEqual({ action: 'ask', next: 'realpaths' });
    expect(decideArchive({ ...base, stat: full.stat, realpaths })).toEqual({ action: 'ask', next: 'toplevel' });
    expect(decideArchive({ ...full, status: undefined })).toEqual({ action: 'ask', next: 'status' });
    expect(decideArchive(full)).toEqual({
      action: 'move',
      facts: { kind: 'worktree', branch: 'swarm/bc-1', changes: 2 },
      detail: '/tmp/beefcake-wt/bc-1 on vm: a git worktree on swarm/bc-1, 2 uncommitted changes kept',
    });
  });
  it('SSH failing is unknown state: refused, nothing moved', () => {
    const d = decideArchive({ ...full, transport: 'ssh: connect to host 127.0.0.1 port 1: Connection refused' });
    expect(d).toEqual({ action: 'refuse', detail: expect.stringMatching(/^refused: cannot reach vm over SSH \(ssh: connect .*\): the state of .* is unknown; nothing moved$/) });
  });
  it('nothing there: skipped', () => {
    expect(decideArchive({ ...base, stat: { exitCode: 1, stdout: '', stderr: "stat: cannot statx '/tmp/beefcake-wt/bc-1': No such file or directory\n" } })).toMatchObject({ action: 'skip' });
  });
  it('a symlink, a FIFO, a file, garbage from stat, a stat error: refused', () => {
    for (const [out, why] of [
      ['symbolic link', /is a symlink/],
      ['fifo', /is a FIFO/],
      ['regular file', /is a regular file, not a worktree directory/],
      ['\u001b[31m<<garbage>>\u0000', /something stat could not name/],
    ] as const) {
      expect(decideArchive({ ...base, stat: ok(`${out}\n`) })).toEqual({ action: 'refuse', detail: expect.stringMatching(why) });
    }
    expect(decideArchive({ ...base, stat: { exitCode: 1, stdout: '', stderr: 'stat: Permission denied' } })).toMatchObject({ action: 'refuse' });
  });
  it('a parent that is a symlink out of the root, or an archive inside the root, is refused', () => {
    expect(decideArchive({ ...full, realpaths: ok('/tmp/beefcake-wt\n/etc/bc-1\n/tmp/beefcake-wt-archive\n') })).toMatchObject({
      action: 'refuse',
      detail: expect.stringContaining('resolves through a symlink'),
    });
    expect(decideArchive({ ...full, realpaths: ok('/tmp/beefcake-wt\n/tmp/beefcake-wt/bc-1\n/tmp/beefcake-wt/x\n') })).toMatchObject({
      action: 'refuse',
      detail: expect.stringContaining('inside the worktrees root'),
    });
    expect(decideArchive({ ...base, archiveRoot: '/tmp/beefcake-wt/arch' })).toMatchObject({ action: 'refuse' });
    expect(decideArchive({ ...base, path: '/tmp/beefcake-wt/../etc' })).toMatchObject({ action: 'refuse' });
    expect(decideArchive({ ...full, realpaths: ok('garbage') })).toMatchObject({ action: 'refuse', detail: expect.stringContaining('no usable answer') });
  });
  it('git: not a repository is a plain directory (moved); git missing or failing is unknown (refused)', () => {
    expect(decideArchive({ ...full, toplevel: { exitCode: 128, stdout: '', stderr: 'fatal: not a git repository (or any of the parent directories): .git' } })).toMatchObject({
      action: 'move',
      facts: { kind: 'plain' },
    });
    expect(decideArchive({ ...full, toplevel: { exitCode: 127, stdout: '', stderr: 'env: git: No such file or directory' } })).toMatchObject({ action: 'refuse' });
    expect(decideArchive({ ...full, status: { exitCode: 128, stdout: '', stderr: 'fatal: index file corrupt' } })).toMatchObject({ action: 'refuse' });
    expect(decideArchive({ ...full, status: ok('what is this\n') })).toMatchObject({ action: 'refuse', detail: expect.stringContaining('unexpected') });
  });
});

describe('parseStatus and verifyMove', () => {
  it('reads the branch (detached is null) and counts changes', () => {
    expect(parseStatus('## swarm/x...origin/swarm/x [ahead 1]\n')).toEqual({ kind: 'worktree', branch: 'swarm/x', changes: 0 });
    expect(parseStatus('## HEAD (no branch)\nUU a\n')).toEqual({ kind: 'worktree', branch: null, changes: 1 });
    expect(parseStatus('')).toBeNull();
  });
  it('a move counts only when the copy landed and the source is gone', () => {
    const gone = { exitCode: 1, stdout: '', stderr: 'No such file or directory' };
    expect(verifyMove(ok('directory\n'), gone).ok).toBe(true);
    expect(verifyMove(ok('directory\n'), ok('directory\n')).ok).toBe(false);
    expect(verifyMove(gone, gone).ok).toBe(false);
  });
});

describe('the plan for run-host worktrees', () => {
  const d = (kind: string): Diagnosis => ({ kind, summary: kind, evidence: [], retryable: true, details: {} }) as unknown as Diagnosis;
  const profile = (() => {
    const r = buildProfile('python-worker');
    if (!r.ok) throw new Error(r.error);
    return r.profile;
  })();
  const ctx = (extra: Partial<PlanContext> = {}): PlanContext => ({
    issueId: 'bc-1',
    profile,
    recovery: { temperature: 0.1, max_turns: 4, auto_actions: ['resubmit'] },
    repo: '/repo',
    archiveDir: '/share/archive',
    resumePresent: false,
    recurrence: false,
    trackerCommand: 'bd',
    worktreePath: '/tmp/beefcake-wt/bc-1',
    worktreeArchiveDir: '/tmp/beefcake-wt-archive',
    worktreeOwner: { ok: true, host: 'vm', why: 'SLURM job 7 ran on node vm' },
    ...extra,
  });
  it('archives the worktree on its host before a resubmit and before a stale claim is reopened', () => {
    const p = planRecovery(d('worktree_failed'), ctx());
    expect(p.actions.map((a) => a.type)).toEqual(['advise', 'archive_worktree', 'resubmit']);
    expect(p.actions[1]).toMatchObject({ host: 'vm', archiveRoot: '/tmp/beefcake-wt-archive', files: [{ from: '/tmp/beefcake-wt/bc-1', to: '/tmp/beefcake-wt-archive/bc-1/<timestamp>.worktree' }] });
    expect(planRecovery(d('stale_claim'), ctx()).actions.map((a) => a.type)).toEqual(['archive_worktree', 'tracker_return']);
  });
  it('an unknown owner makes the step a refusal (applied: failed, audited), not a guess', () => {
    const p = planRecovery(d('stuck_loop'), ctx({ worktreeOwner: { ok: false, reason: 'SLURM job 7 ran on node n9, which is not in hosts:' } }));
    expect(p.actions[0]).toMatchObject({ type: 'archive_worktree', refused: 'refused: SLURM job 7 ran on node n9, which is not in hosts:; nothing moved' });
    expect(p.actions[0]?.host).toBeUndefined();
  });
  it('a shared-worktree profile plans no such step', () => {
    const r = buildProfile('beefcake');
    if (!r.ok) throw new Error(r.error);
    expect(planRecovery(d('stuck_loop'), ctx({ profile: r.profile })).actions.map((a) => a.type)).toEqual(['resubmit_with_env']);
    const shared = buildProfile('python-worker', { worktrees: { location: 'shared' } });
    if (!shared.ok) throw new Error(shared.error);
    expect(planRecovery(d('stuck_loop'), ctx({ profile: shared.profile })).actions.map((a) => a.type)).not.toContain('archive_worktree');
  });
});
