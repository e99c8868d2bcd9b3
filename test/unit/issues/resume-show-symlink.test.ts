// `resume show` must not print a file from outside the share just because the resume
// path is a symlink to it: the real path (symlinks followed) must stay under the root,
// as `resume clear` requires before it moves anything. A symlink that stays inside the
// root, and a plain file, are still shown. Real temp dirs, real symlinks, the real binary.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileOf } from '../../../src/config/profile.js';
import { readResume } from '../../../src/issues/state.js';
import { runBin } from '../../support/bin.js';
import { makeShare } from '../../support/recovery-fixtures.js';

const resumeOf = (issue: string): string => `${JSON.stringify({ issue: { id: issue, title: 'secret title' }, iteration: 2, saved_at: '2026-04-16T14:14:21Z' }, null, 2)}\n`;
const runbookResumeOf = (issue: string): string => `${JSON.stringify({ issue_id: issue, phase: 'implementing', iteration: 3 })}\n`;

/** A share plus a config file for the binary, and a folder outside the share. */
function binShare(profile: 'beefcake' | 'runbook'): { root: string; outside: string; config: string; db: string } {
  const top = mkdtempSync(join(tmpdir(), 'swarmctl-resume-show-'));
  const root = join(top, 'share');
  const outside = join(top, 'outside');
  for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive']) mkdirSync(join(root, d), { recursive: true });
  mkdirSync(outside);
  const config = join(top, 'swarmctl.yaml');
  writeFileSync(config, `version: 1\npaths:\n  shared_root: ${root}\nswarm:\n  profile: ${profile}\n`);
  return { root, outside, config, db: join(top, 'state.db') };
}

interface ShowDoc {
  issue: string;
  status: string;
  path?: string;
  error?: string;
  value?: { issueId: string; issueTitle?: string };
  exit_code: number;
}

const show = async (s: { config: string; db: string }, issue: string, json: boolean) => runBin(['--config', s.config, '--db', s.db, 'resume', 'show', issue, ...(json ? ['--json'] : [])]);

describe('readResume (in process)', () => {
  it('refuses an outward symlink with the reason and the path; shows an inward symlink and a plain file', async () => {
    const { cfg } = makeShare();
    const p = profileOf(cfg);
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-resume-out-'));
    const link = join(cfg.paths.repo, '.swarm-resume.json');

    writeFileSync(join(outside, 'r.json'), resumeOf('beefcake-rs1'));
    symlinkSync(join(outside, 'r.json'), link);
    const out = await readResume(cfg, p, 'beefcake-rs1');
    expect(out).toMatchObject({ status: 'refused', path: link, shared: true });
    expect(out.value).toBeUndefined();
    expect(out.error).toBe(`${link} resolves through a symlink to ${join(outside, 'r.json')}, outside ${cfg.paths.repo}; nothing read`);
  });

  it('a dangling symlink that would lead out is refused too (nothing there yet, still outside)', async () => {
    const { cfg } = makeShare();
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-resume-out-'));
    symlinkSync(join(outside, 'not-yet.json'), join(cfg.paths.repo, '.swarm-resume.json'));
    const r = await readResume(cfg, profileOf(cfg), 'beefcake-rs2');
    expect(r.status).toBe('refused');
    expect(r.error).toContain(join(outside, 'not-yet.json'));
  });

  it('a symlink to a file inside the same root is read as before', async () => {
    const { cfg } = makeShare();
    mkdirSync(join(cfg.paths.repo, 'state'));
    writeFileSync(join(cfg.paths.repo, 'state', 'r.json'), resumeOf('beefcake-rs3'));
    symlinkSync(join(cfg.paths.repo, 'state', 'r.json'), join(cfg.paths.repo, '.swarm-resume.json'));
    const r = await readResume(cfg, profileOf(cfg), 'beefcake-rs3');
    expect(r).toMatchObject({ status: 'ok', path: join(cfg.paths.repo, '.swarm-resume.json'), value: { issueId: 'beefcake-rs3' } });
  });
});

describe('swarmctl resume show refuses symlinks that lead out of the root (real binary)', () => {
  it('beefcake: the shared resume file links to a file outside the repo → exit 2, the reason in text and JSON, nothing of it printed', async () => {
    const s = binShare('beefcake');
    const issue = 'beefcake-show1';
    const target = join(s.outside, 'elsewhere.json');
    writeFileSync(target, resumeOf(issue));
    const link = join(s.root, 'code/repo/.swarm-resume.json');
    symlinkSync(target, link);
    const reason = `${link} resolves through a symlink to ${target}, outside ${join(s.root, 'code/repo')}; nothing read`;

    const text = await show(s, issue, false);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stdout).toBe(`refused: ${reason}\n`);
    expect(text.stdout).not.toContain('secret title');

    const json = await show(s, issue, true);
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout) as ShowDoc;
    expect(doc).toMatchObject({ issue, status: 'refused', path: link, error: reason, exit_code: 2 });
    expect(doc.value).toBeUndefined();
    expect(json.stdout).not.toContain('secret title');
    // Nothing was touched either.
    expect(readFileSync(target, 'utf8')).toBe(resumeOf(issue));
  });

  it('runbook: the worktree is a symlink to a directory outside the worktrees root → refused, exit 2', async () => {
    const s = binShare('runbook');
    const issue = 'beefcake-show2';
    const outWt = join(s.outside, 'wt-elsewhere');
    mkdirSync(outWt);
    writeFileSync(join(outWt, '.swarm-resume.json'), runbookResumeOf(issue));
    symlinkSync(outWt, join(s.root, 'wt', issue));
    const r = await show(s, issue, true);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as ShowDoc;
    expect(doc.status).toBe('refused');
    expect(doc.error).toMatch(/\/wt\/beefcake-show2\/\.swarm-resume\.json resolves through a symlink to .*\/outside\/wt-elsewhere\/\.swarm-resume\.json, outside .*\/share\/wt; nothing read$/);
  });

  it('a symlink that stays inside the root is still shown (exit 0)', async () => {
    const s = binShare('beefcake');
    const issue = 'beefcake-show3';
    mkdirSync(join(s.root, 'code/repo/state'));
    writeFileSync(join(s.root, 'code/repo/state/r.json'), resumeOf(issue));
    symlinkSync(join(s.root, 'code/repo/state/r.json'), join(s.root, 'code/repo/.swarm-resume.json'));
    const r = await show(s, issue, true);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ issue, status: 'ok', value: { issueId: issue, issueTitle: 'secret title' }, exit_code: 0 });
  });

  it('a plain resume file is shown (exit 0), in text and JSON', async () => {
    const s = binShare('beefcake');
    const issue = 'beefcake-show4';
    const file = join(s.root, 'code/repo/.swarm-resume.json');
    writeFileSync(file, resumeOf(issue));
    const text = await show(s, issue, false);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${file} (shared file at the repo root)`);
    expect(text.stdout).toContain(`issue ${issue} — secret title`);
    const json = await show(s, issue, true);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ issue, status: 'ok', path: file, exit_code: 0 });
  });
});
