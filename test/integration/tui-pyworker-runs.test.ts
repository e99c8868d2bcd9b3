// python-worker runs in the console (issue 17 point 4): with the python-worker
// profile, the Issues panel lists the issues of the run summary (the samples in
// fixtures/pyworker/summary.jsonl, dated today) with each run's status, and the
// detail view (Enter) shows status, wall time, files modified, verifier gates and
// merged/closed. Real binary in tmux at 80x24, screen-exact against the app's frame.
// The beefcake profile has no run-summary source: the same file is not read there.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, requireCluster } from '../support/cluster.js';
import { killConsoles, sleep, startConsole } from '../support/tmux-console.js';

const session = `swarmctl-pyruns${process.pid}`;

function site(profile: string): { root: string; cfg: string; db: string } {
  const root = mkdtempSync(join(tmpdir(), 'swarmctl-pyruns-'));
  const repo = join(root, 'share', 'code', 'repo');
  mkdirSync(join(repo, 'logs', 'mini-swarm'), { recursive: true });
  const today = new Date().toISOString().slice(0, 10);
  const sample = readFileSync(join(REPO_ROOT, 'fixtures', 'pyworker', 'summary.jsonl'), 'utf8');
  writeFileSync(join(repo, 'logs', 'mini-swarm', 'summary.jsonl'), sample.replaceAll('"2026-04-20T', `"${today}T`));
  const cfg = join(root, 'swarmctl.yaml');
  // A job name prefix of its own: other files' jobs on the shared cluster are not this site's issues.
  writeFileSync(
    cfg,
    `version: 1\ncluster_name: pyruns\npaths:\n  shared_root: ${join(root, 'share')}\n  repo: ${repo}\nslurm:\n  conf: ${requireCluster().slurmConf}\nswarm:\n  profile: ${profile}\n  job_name_template: "py${process.pid}-{issue}"\n`,
  );
  return { root, cfg, db: join(root, 'db.sqlite') };
}

const open = (s: { root: string; cfg: string; db: string }) => startConsole({ session, dir: s.root, config: s.cfg, db: s.db, columns: 80, rows: 24 });

afterEach(killConsoles);

describe('python-worker runs in the Issues panel (80x24, tmux)', () => {
  it('lists the summary issues with their run status; Enter shows wall time, files, verifier gates, merged/closed', async () => {
    const s = site('python-worker');
    const c = open(s);
    c.press('3');
    let shown = await c.until('the summary issues', (x) => /3 Issues \(11\)/.test(x) && x.includes('beefcake-h81vn'));
    const lines = await c.exact('80x24 the summary issues');
    expect(lines.find((l) => l.includes('beefcake-q7m2d'))).toMatch(/beefcake-q7m2d\s+resolved/);
    expect(lines.find((l) => l.includes('beefcake-3xkfa'))).toMatch(/beefcake-3xkfa\s+no_change/);
    // The third row: a run whose check gate failed.
    c.press('g', 'j', 'j', 'Enter');
    shown = await c.until('the detail of beefcake-h81vn', (x) => x.includes('issue beefcake-h81vn') && x.includes('verifier'));
    await c.exact('80x24 the detail of beefcake-h81vn');
    expect(shown).toMatch(/last run {4}changes_failed_verifier \(started \d{4}-\d\d-\d\dT09:12:05/);
    expect(shown).toContain('wall time   15m03s');
    expect(shown).toMatch(/files {7}2 modified: /);
    expect(shown).toContain('verifier    FAILED: check');
    expect(shown).toContain('merged      -   closed -');
    c.press('G'); // the rest of the detail: why it is listed
    await c.until('the end of the detail', (x) => x.includes('listed from summary'));
    await c.exact('80x24 the end of the detail');
    c.press('Escape');
    await sleep(300); // ESC then g at once would read as Alt-g
    c.press('g', 'Enter');
    shown = await c.until('the detail of beefcake-q7m2d', (x) => x.includes('issue beefcake-q7m2d') && x.includes('verifier'));
    await c.exact('80x24 the detail of beefcake-q7m2d');
    expect(shown).toContain('verifier    all gates green');
    expect(shown).toContain('merged      yes   closed yes');
    expect(shown).toMatch(/files {7}1 modified: coordination\/src\/harness\/types\.rs/);
  }, 90_000);

  it('the beefcake profile (no run-summary source) does not read the summary: no issues listed', async () => {
    const s = site('beefcake');
    const c = open(s);
    c.press('3');
    await c.until('the issues loaded', (x) => /3 Issues \(0\)/.test(x) && x.includes('nothing here'));
    const lines = await c.exact('80x24 no issues');
    expect(lines.join('\n')).not.toContain('beefcake-h81vn');
  }, 60_000);
});
