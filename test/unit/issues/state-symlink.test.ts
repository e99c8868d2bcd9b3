// Every per-issue reader refuses a file whose real path (symlinks followed) leaves its
// root, not just `resume show` and `resume clear`: diagnose, recover and the console
// read the resume file, the session log, the checkpoint, the metrics file and the job
// log through readIssueState / runDiagnose, and must not parse or act on a file from
// outside the share. Real temp dirs, real symlinks.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIssueState, readResume } from '../../../src/issues/state.js';
import { runDiagnose } from '../../../src/recovery/diagnose-run.js';
import { LOGS, makeRecoveryShare, place } from '../../support/recovery-fixtures.js';

const SESSION = `${JSON.stringify({ ts: '2026-04-16T14:00:00Z', event: 'session_started', issue_id: 'x' })}\n`;
const CHECKPOINT = `${JSON.stringify({ state: 'implementing', iteration: 4 })}\n`;
const METRICS = `${JSON.stringify({ session_id: 's', issue_id: 'x', success: false, total_iterations: 4 })}\n`;

/** A worktree folder holding the three per-worktree state files. */
function stateFiles(dir: string): void {
  mkdirSync(join(dir, '.swarm'), { recursive: true });
  writeFileSync(join(dir, '.swarm', 'session.jsonl'), SESSION);
  writeFileSync(join(dir, '.swarm', 'checkpoint.json'), CHECKPOINT);
  writeFileSync(join(dir, '.swarm-metrics.json'), METRICS);
}

describe('readIssueState with symlinks', () => {
  it('reads the state files of a plain worktree (the control)', async () => {
    const { cfg, p, store } = makeRecoveryShare();
    stateFiles(join(cfg.paths.worktrees_dir, 'beefcake-plain'));
    const st = await readIssueState(cfg, p, 'beefcake-plain');
    expect([st.session.status, st.checkpoint.status, st.metrics.status]).toEqual(['ok', 'ok', 'ok']);
    expect(st.worktree).toEqual({ path: join(cfg.paths.worktrees_dir, 'beefcake-plain') });
    store.close();
  });

  it('a worktree that is a symlink out of the worktrees dir: every file in it refused, nothing parsed, the worktree marked refused', async () => {
    const { cfg, p, store } = makeRecoveryShare();
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-state-out-'));
    stateFiles(outside);
    const wt = join(cfg.paths.worktrees_dir, 'beefcake-away');
    symlinkSync(outside, wt);
    const st = await readIssueState(cfg, p, 'beefcake-away');
    for (const [name, r] of [
      ['session', st.session],
      ['checkpoint', st.checkpoint],
      ['metrics', st.metrics],
    ] as const) {
      expect(r.status, name).toBe('refused');
      expect(r.value, name).toBeUndefined();
      expect(r.error, name).toMatch(new RegExp(`resolves through a symlink to ${outside}/\\S+, outside ${cfg.paths.worktrees_dir}; nothing read$`));
    }
    expect(st.worktree.path).toBe(wt);
    expect(st.worktree.error).toBe(`refused: ${wt} resolves through a symlink to ${outside}, outside ${cfg.paths.worktrees_dir}`);
    store.close();
  });

  it('one state file that is a symlink out, in a plain worktree: only that file refused', async () => {
    const { cfg, p, store } = makeRecoveryShare();
    const wt = join(cfg.paths.worktrees_dir, 'beefcake-onefile');
    stateFiles(wt);
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-state-out-'));
    writeFileSync(join(outside, 'cp.json'), CHECKPOINT);
    const cp = join(wt, '.swarm', 'checkpoint.json');
    rmSync(cp);
    symlinkSync(join(outside, 'cp.json'), cp);
    const st = await readIssueState(cfg, p, 'beefcake-onefile');
    expect([st.session.status, st.checkpoint.status, st.metrics.status]).toEqual(['ok', 'refused', 'ok']);
    expect(st.worktree).toEqual({ path: wt });
    store.close();
  });

  it('the shared resume file as a symlink out of the repo is refused for every reader, an inward one is read', async () => {
    const { cfg, p, store } = makeRecoveryShare();
    const issue = 'beefcake-rsym';
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-state-out-'));
    const body = `${JSON.stringify({ issue: { id: issue, title: 't' }, iteration: 2 })}\n`;
    writeFileSync(join(outside, 'r.json'), body);
    const link = join(cfg.paths.repo, '.swarm-resume.json');
    symlinkSync(join(outside, 'r.json'), link);
    const st = await readIssueState(cfg, p, issue);
    expect(st.resume).toMatchObject({ status: 'refused', path: link });
    expect(st.resume.value).toBeUndefined();
    expect(st.resume.ownerIssueId).toBeUndefined();

    const { cfg: cfg2, p: p2, store: store2 } = makeRecoveryShare();
    writeFileSync(join(cfg2.paths.repo, 'kept.json'), body);
    symlinkSync(join(cfg2.paths.repo, 'kept.json'), join(cfg2.paths.repo, '.swarm-resume.json'));
    expect((await readResume(cfg2, p2, issue)).status).toBe('ok');
    store.close();
    store2.close();
  });
});

describe('runDiagnose with a job log that is a symlink out of the logs dir', () => {
  it('does not read it: no records, the log error says refused and why, no diagnosis from its text', async () => {
    const { cfg, p, store } = makeRecoveryShare();
    const issue = 'beefcake-logsym';
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-log-out-'));
    // Outside: a log that would diagnose as a stuck loop if it were read.
    const real = place(join(LOGS, 'stuck-with-writes.beefcake.txt'), join(outside, 'x.log'));
    symlinkSync(real, join(cfg.paths.logs_dir, 'swarm-orch-4301.log'));
    const d = await runDiagnose(cfg, p, store, issue, { jobId: '4301', queue: { ok: true, jobs: [] } });
    expect(d.diagnoses.map((x) => x.kind)).not.toContain('stuck_loop');
    const link = join(cfg.paths.logs_dir, 'swarm-orch-4301.log');
    expect(d.notes).toContain(`job log not read: refused: ${link} resolves through a symlink to ${real}, outside ${cfg.paths.logs_dir}; nothing read`);

    // The same log as a plain file in the logs dir is read and diagnosed (the control).
    place(join(LOGS, 'stuck-with-writes.beefcake.txt'), join(cfg.paths.logs_dir, 'swarm-orch-4302.log'));
    const ok = await runDiagnose(cfg, p, store, issue, { jobId: '4302', queue: { ok: true, jobs: [] } });
    expect(ok.diagnoses.map((x) => x.kind)).toContain('stuck_loop');
    store.close();
  });
});
