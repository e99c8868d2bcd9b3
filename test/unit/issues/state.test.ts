import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileOf } from '../../../src/config/profile.js';
import { readIssueState, readResume } from '../../../src/issues/state.js';
import { clearResume } from '../../../src/issues/resume-clear.js';
import { openStore } from '../../../src/store/db.js';
import { listAudit } from '../../../src/store/audit.js';
import { BEEF, STATE, makeShare, place } from '../../support/recovery-fixtures.js';

describe('per-issue state readers', () => {
  it('reads the real shared resume file only for the issue it names', async () => {
    const { root, cfg } = makeShare();
    const p = profileOf(cfg);
    place(join(BEEF, '.swarm-resume.json'), join(root, 'code/repo/.swarm-resume.json'));
    const mine = await readResume(cfg, p, 'beefcake-7xjmj');
    expect(mine.status).toBe('ok');
    expect(mine.shared).toBe(true);
    expect(mine.value?.iteration).toBe(4);
    const other = await readResume(cfg, p, 'beefcake-zzz');
    expect(other.status).toBe('other_issue');
    expect(other.ownerIssueId).toBe('beefcake-7xjmj');
    expect(other.value).toBeUndefined();
  });

  it('reads session log, checkpoint and metrics from the worktree; corrupt files are reported, not thrown', async () => {
    const { root, cfg } = makeShare();
    const wt = join(root, 'wt/beefcake-ng03');
    place(join(STATE, 'session.running.jsonl'), join(wt, '.swarm/session.jsonl'));
    place(join(STATE, 'checkpoint.truncated.json'), join(wt, '.swarm/checkpoint.json'));
    place(join(BEEF, '.swarm-metrics.json'), join(wt, '.swarm-metrics.json'));
    const s = await readIssueState(cfg, profileOf(cfg), 'beefcake-ng03');
    expect(s.session.status).toBe('ok');
    expect(s.session.value?.completed).toBe(false);
    expect(s.session.value?.issueId).toBe('beefcake-ng03');
    expect(s.checkpoint.status).toBe('corrupt');
    expect(s.checkpoint.error).toBeTruthy();
    expect(s.metrics.status).toBe('ok');
    expect(s.resume.status).toBe('missing');
    expect(s.worktree.path).toBe(wt);
  });

  it('reads the runbook resume file in the worktree and refuses bad ids', async () => {
    const { root, cfg } = makeShare({}, 'runbook');
    place(join(STATE, 'resume.runbook.json'), join(root, 'wt/beefcake-rb01/.swarm-resume.json'));
    const p = profileOf(cfg);
    const r = await readResume(cfg, p, 'beefcake-rb01');
    expect(r.status).toBe('ok');
    expect(r.value?.phase).toBe('implementing');
    expect((await readResume(cfg, p, '')).status).toBe('refused');
    expect((await readIssueState(cfg, p, '../x')).session.status).toBe('refused');
  });
});

describe('resume clear', () => {
  it('moves the file into the archive with an audit row, and never touches another issue’s shared file', async () => {
    const { root, cfg } = makeShare();
    const store = openStore(join(root, 'db.sqlite'));
    const p = profileOf(cfg);
    const file = place(join(BEEF, '.swarm-resume.json'), join(root, 'code/repo/.swarm-resume.json'));
    const original = readFileSync(file, 'utf8');

    const wrong = await clearResume(cfg, p, store, 'beefcake-other');
    expect(wrong.outcome).toBe('skipped');
    expect(existsSync(file)).toBe(true);

    const r = await clearResume(cfg, p, store, 'beefcake-7xjmj', { now: new Date('2026-04-16T15:00:00Z') });
    expect(r.outcome).toBe('ok');
    expect(existsSync(file)).toBe(false);
    expect(r.archivedTo).toBe(join(root, 'ai/archive/beefcake-7xjmj/20260416T150000.000Z.swarm-resume.json'));
    expect(readFileSync(r.archivedTo as string, 'utf8')).toBe(original);

    const again = await clearResume(cfg, p, store, 'beefcake-7xjmj');
    expect(again.outcome).toBe('skipped');
    const rows = listAudit(store, { issueId: 'beefcake-7xjmj' });
    expect(rows.map((x) => x.outcome)).toEqual(['skipped', 'ok']);
    expect(rows[1]?.archived).toEqual({ from: file, to: r.archivedTo });
    store.close();
  });

  it('leaves a corrupt shared file alone (whose it is cannot be told)', async () => {
    const { root, cfg } = makeShare();
    mkdirSync(join(root, 'code/repo'), { recursive: true });
    writeFileSync(join(root, 'code/repo/.swarm-resume.json'), '{"issue":{"id":"beef');
    const r = await clearResume(cfg, profileOf(cfg), null, 'beefcake-7xjmj');
    expect(r.outcome).toBe('skipped');
    expect(existsSync(join(root, 'code/repo/.swarm-resume.json'))).toBe(true);
  });
});
