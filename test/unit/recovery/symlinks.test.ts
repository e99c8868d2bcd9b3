// Path safety with symlinks: safe-path.ts checks paths lexically (pure); where files are
// really moved or handed to git (resume clear, worktree archive/cleanup, the worktree
// check of diagnose) the real path must stay under its root too. Real temp dirs, real
// symlinks, real git, and the real binary for `resume clear`.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realPathOf, realPathUnder, moveToArchive } from '../../../src/io/archive.js';
import { runDiagnose } from '../../../src/recovery/diagnose-run.js';
import { planRecovery } from '../../../src/recovery/plan.js';
import { applyPlan, type SubmitFn } from '../../../src/recovery/apply.js';
import { clearResume } from '../../../src/issues/resume-clear.js';
import { listAudit } from '../../../src/store/audit.js';
import { runBin } from '../../support/bin.js';
import { LOGS, git, initRepo, makeRecoveryShare, planContext, place } from '../../support/recovery-fixtures.js';

const resumeOf = (issue: string): string => `${JSON.stringify({ issue: { id: issue, title: 't' }, iteration: 2, saved_at: '2026-04-16T14:14:21Z' }, null, 2)}\n`;
const runbookResumeOf = (issue: string): string => `${JSON.stringify({ issue_id: issue, phase: 'implementing', iteration: 3 })}\n`;

/** A share on disk plus a config file for the binary, and a place outside it. */
function binShare(profile: 'beefcake' | 'runbook', opts: { sharedRootVia?: 'symlink' } = {}): { root: string; outside: string; config: string; db: string; shared: string } {
  const top = mkdtempSync(join(tmpdir(), 'swarmctl-symlink-'));
  const root = join(top, 'share');
  const outside = join(top, 'outside');
  for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive']) mkdirSync(join(root, d), { recursive: true });
  mkdirSync(outside);
  let shared = root;
  if (opts.sharedRootVia === 'symlink') {
    shared = join(top, 'share-link');
    symlinkSync(root, shared);
  }
  const config = join(top, 'swarmctl.yaml');
  writeFileSync(config, `version: 1\npaths:\n  shared_root: ${shared}\nswarm:\n  profile: ${profile}\n`);
  return { root, outside, config, db: join(top, 'state.db'), shared };
}

interface AuditDoc {
  rows: Array<{ at: number; actor: string; issue_id: string; action: string; outcome: string; detail: string; archived: unknown }>;
}

async function auditRows(config: string, db: string, issue: string): Promise<AuditDoc['rows']> {
  const r = await runBin(['--config', config, '--db', db, 'audit', '--issue', issue, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as AuditDoc).rows;
}

const listTree = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).sort();

describe('realPathUnder / realPathOf (real symlinks)', () => {
  it('follows symlinks, missing tails and dangling links; refuses what leads out of the root', async () => {
    const top = mkdtempSync(join(tmpdir(), 'swarmctl-real-'));
    const root = join(top, 'root');
    const out = join(top, 'out');
    mkdirSync(join(root, 'a'), { recursive: true });
    mkdirSync(out);
    symlinkSync(out, join(root, 'escape'));
    symlinkSync(join(root, 'a'), join(root, 'inside'));
    symlinkSync(join(top, 'nowhere', 'x'), join(root, 'dangling-out'));
    symlinkSync(join(root, 'a', 'later'), join(root, 'dangling-in'));
    symlinkSync(join(root, 'loop2'), join(root, 'loop1'));
    symlinkSync(join(root, 'loop1'), join(root, 'loop2'));
    symlinkSync(root, join(top, 'root-link'));

    expect(await realPathUnder(root, join(root, 'a', 'f.json'))).toMatchObject({ ok: true, path: join(root, 'a', 'f.json') });
    expect((await realPathUnder(root, join(root, 'not', 'yet', 'there'))).ok).toBe(true);
    expect((await realPathUnder(root, join(root, 'inside', 'f'))).ok).toBe(true);
    expect((await realPathUnder(root, join(root, 'dangling-in'))).ok).toBe(true);
    // A root that is itself reached through a symlink is fine.
    expect((await realPathUnder(join(top, 'root-link'), join(top, 'root-link', 'a'))).ok).toBe(true);

    const esc = await realPathUnder(root, join(root, 'escape', 'f.json'));
    expect(esc).toEqual({ ok: false, reason: `${join(root, 'escape', 'f.json')} resolves through a symlink to ${join(out, 'f.json')}, outside ${root}` });
    expect((await realPathUnder(root, join(root, 'escape'))).ok).toBe(false);
    const dangling = await realPathUnder(root, join(root, 'dangling-out'));
    expect(dangling.ok).toBe(false);
    if (!dangling.ok) expect(dangling.reason).toContain(join(top, 'nowhere', 'x'));
    expect((await realPathUnder(root, join(root, 'loop1'))).ok).toBe(false);
    // Lexical refusals still come first.
    expect((await realPathUnder(root, join(root, '..', 'out'))).ok).toBe(false);
    expect(await realPathOf(join(root, 'inside', 'x', 'y'))).toEqual({ ok: true, path: join(root, 'a', 'x', 'y') });
  });

  it('moveToArchive with a guard refuses a source or destination that leads out, and moves nothing', async () => {
    const top = mkdtempSync(join(tmpdir(), 'swarmctl-guard-'));
    const src = join(top, 'src');
    const arch = join(top, 'arch');
    const out = join(top, 'out');
    for (const d of [src, arch, out]) mkdirSync(d);
    writeFileSync(join(out, 'victim'), 'v\n');
    symlinkSync(join(out, 'victim'), join(src, 'link'));
    const m = await moveToArchive(join(src, 'link'), join(arch, 'x', 'f'), { fromRoot: src, toRoot: arch });
    expect(m).toMatchObject({ ok: false, refused: true });
    expect(m.error).toMatch(/^refused: .*resolves through a symlink to .*victim, outside/);
    expect(lstatSync(join(src, 'link')).isSymbolicLink()).toBe(true);
    expect(listTree(arch)).toEqual([]);

    writeFileSync(join(src, 'plain'), 'p\n');
    symlinkSync(out, join(arch, 'b-1'));
    const d = await moveToArchive(join(src, 'plain'), join(arch, 'b-1', 'f'), { fromRoot: src, toRoot: arch });
    expect(d).toMatchObject({ ok: false, refused: true });
    expect(readFileSync(join(src, 'plain'), 'utf8')).toBe('p\n');
    expect(listTree(out)).toEqual(['victim']);
  });
});

describe('resume clear refuses symlinks that lead out of their root (real binary)', () => {
  it('beefcake: the shared resume file is a symlink to a file outside the repo → exit 2, nothing moved, audit says refused and why', async () => {
    const s = binShare('beefcake');
    const issue = 'beefcake-sym1';
    const target = join(s.outside, 'elsewhere.json');
    writeFileSync(target, resumeOf(issue));
    const link = join(s.root, 'code/repo/.swarm-resume.json');
    symlinkSync(target, link);

    const r = await runBin(['--config', s.config, '--db', s.db, 'resume', 'clear', issue]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`refused: ${link} resolves through a symlink to ${target}, outside ${join(s.root, 'code/repo')}; nothing moved`);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe(resumeOf(issue));
    expect(listTree(join(s.root, 'ai/archive'))).toEqual([]);

    const rows = await auditRows(s.config, s.db, issue);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'resume.clear', outcome: 'failed', issue_id: issue, archived: null });
    expect(rows[0]?.detail).toMatch(/^refused: .* resolves through a symlink to .*elsewhere\.json, outside .*; nothing moved$/);

    const json = await runBin(['--config', s.config, '--db', s.db, 'resume', 'clear', issue, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'failed', exit_code: 2, from: link });
    expect(existsSync(link)).toBe(true);
  });

  it('runbook: the worktree is a symlink to a directory outside the worktrees root → refused before the file is read', async () => {
    const s = binShare('runbook');
    const issue = 'beefcake-sym2';
    const outWt = join(s.outside, 'wt-elsewhere');
    mkdirSync(outWt);
    writeFileSync(join(outWt, '.swarm-resume.json'), runbookResumeOf(issue));
    symlinkSync(outWt, join(s.root, 'wt', issue));

    const r = await runBin(['--config', s.config, '--db', s.db, 'resume', 'clear', issue]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^refused: .*\/wt\/beefcake-sym2\/\.swarm-resume\.json resolves through a symlink to .*\/outside\/wt-elsewhere\/\.swarm-resume\.json, outside .*\/share\/wt; nothing moved$/m,
    );
    expect(readFileSync(join(outWt, '.swarm-resume.json'), 'utf8')).toBe(runbookResumeOf(issue));
    expect(listTree(join(s.root, 'ai/archive'))).toEqual([]);
    const rows = await auditRows(s.config, s.db, issue);
    expect(rows.map((x) => `${x.action}:${x.outcome}`)).toEqual(['resume.clear:failed']);
    expect(rows[0]?.detail).toMatch(/^refused: /);
  });

  it('the archive folder of the issue is a symlink leading out → refused, the resume file stays', async () => {
    const s = binShare('beefcake');
    const issue = 'beefcake-sym3';
    const resume = join(s.root, 'code/repo/.swarm-resume.json');
    writeFileSync(resume, resumeOf(issue));
    symlinkSync(s.outside, join(s.root, 'ai/archive', issue));
    const r = await runBin(['--config', s.config, '--db', s.db, 'resume', 'clear', issue]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^refused: .*\/ai\/archive\/beefcake-sym3\/\S+\.swarm-resume\.json resolves through a symlink to .*\/outside\/\S+, outside .*\/ai\/archive; nothing moved$/m);
    expect(readFileSync(resume, 'utf8')).toBe(resumeOf(issue));
    expect(listTree(s.outside)).toEqual([]);
    expect((await auditRows(s.config, s.db, issue))[0]).toMatchObject({ action: 'resume.clear', outcome: 'failed' });
  });

  it('a share reached through a symlink (shared_root is a link) still works: moved, exit 0', async () => {
    const s = binShare('beefcake', { sharedRootVia: 'symlink' });
    const issue = 'beefcake-sym4';
    writeFileSync(join(s.root, 'code/repo/.swarm-resume.json'), resumeOf(issue));
    // No SLURM here, so the queue cannot be read: the operator vouches that no job runs.
    const r = await runBin(['--config', s.config, '--db', s.db, 'resume', 'clear', issue, '--json', '--assume-not-running']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { outcome: string; archivedTo: string };
    expect(doc.outcome).toBe('ok');
    expect(doc.archivedTo.startsWith(join(s.shared, 'ai/archive', issue))).toBe(true);
    expect(readFileSync(doc.archivedTo, 'utf8')).toBe(resumeOf(issue));
    expect(existsSync(join(s.root, 'code/repo/.swarm-resume.json'))).toBe(false);
  });
});

describe('worktree archive/cleanup refuses a symlinked worktree that leads out (real git)', () => {
  it('stuck_wrong_branch clean-up: nothing moved, no git command run, audit row refused; diagnose does not hand it to git', async () => {
    const { cfg, store, p } = makeRecoveryShare();
    const repo = cfg.paths.repo;
    initRepo(repo);
    const issue = 'beefcake-symwt';
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-outside-wt-'));
    const realWt = join(outside, 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', `swarm/${issue}`, realWt);
    writeFileSync(join(realWt, 'precious.txt'), 'keep\n');
    const wt = join(cfg.paths.worktrees_dir, issue);
    symlinkSync(realWt, wt);

    // diagnose: the worktree is not handed to git; the note says why.
    place(join(LOGS, 'stuck-with-writes.beefcake.txt'), join(cfg.paths.logs_dir, 'swarm-orch-4243.log'));
    const diag = await runDiagnose(cfg, p, store, issue, { jobId: '4243', queue: { ok: true, jobs: [] } });
    expect(diag.notes.join('\n')).toMatch(/worktree not checked with git: .* resolves through a symlink to .*, outside /);
    expect(diag.diagnoses.map((d) => d.kind)).toEqual(['stuck_loop']);
    expect(diag.diagnoses[0]?.summary).toMatch(/the worktree was not checked/);

    const plan = planRecovery({ kind: 'stuck_wrong_branch', summary: '', evidence: [], retryable: true, details: {} }, planContext(cfg, p, issue, { worktreePath: wt }));
    let submits = 0;
    const submit: SubmitFn = async () => {
      submits++;
      return [{ issueId: issue, status: 'submitted', jobId: '1', via: 'slurm', argv: [] }];
    };
    const res = await applyPlan(cfg, p, store, plan, { submit });
    expect(res.outcome).toBe('failed');
    expect(res.actions.map((a) => [a.type, a.outcome])).toEqual([
      ['clean_worktree', 'failed'],
      ['resubmit', 'skipped'],
    ]);
    expect(res.actions[0]?.detail).toMatch(/^refused: .* resolves through a symlink to .*, outside .*; nothing moved, no git command run$/);
    expect(submits).toBe(0);
    // Nothing moved, nothing deleted, git untouched.
    expect(lstatSync(wt).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(realWt, 'precious.txt'), 'utf8')).toBe('keep\n');
    expect(git(repo, 'branch', '--list', `swarm/${issue}`).trim()).toBe(`+ swarm/${issue}`);
    expect(git(repo, 'worktree', 'list')).toContain(realWt);
    expect(listTree(cfg.paths.archive_dir)).toEqual([]);
    const audit = listAudit(store, { issueId: issue });
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(['recover.attempt:failed', 'recover.clean_worktree:failed']);
    expect(audit[1]?.detail).toMatch(/^refused: /);
    expect(audit[1]?.archived).toBeNull();
    store.close();
  });

  it('archive_resume inside recover refuses a symlinked resume file too (audited as failed, refused)', async () => {
    const { cfg, store, p } = makeRecoveryShare();
    const issue = 'beefcake-symres';
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-outside-res-'));
    writeFileSync(join(outside, 'r.json'), resumeOf(issue));
    symlinkSync(join(outside, 'r.json'), join(cfg.paths.repo, '.swarm-resume.json'));
    const direct = await clearResume(cfg, p, store, issue);
    expect(direct.outcome).toBe('failed');
    expect(direct.reason).toMatch(/^refused: .*; nothing moved$/);
    const plan = planRecovery(
      { kind: 'context_overflow', summary: '', evidence: [], retryable: true, details: {} },
      planContext(cfg, p, issue, { resumePath: join(cfg.paths.repo, '.swarm-resume.json'), resumePresent: true, recurrence: true }),
    );
    const res = await applyPlan(cfg, p, store, plan, { submit: async () => [] });
    expect(res.actions.map((a) => [a.type, a.outcome])).toEqual([
      ['archive_resume', 'failed'],
      ['resubmit_with_env', 'skipped'],
    ]);
    expect(res.actions[0]?.detail).toMatch(/^refused: /);
    expect(readFileSync(join(outside, 'r.json'), 'utf8')).toBe(resumeOf(issue));
    expect(lstatSync(join(cfg.paths.repo, '.swarm-resume.json')).isSymbolicLink()).toBe(true);
    store.close();
  });
});
