// python-worker runs in the console (issue 17 point 4): with the python-worker
// profile, the Issues panel lists the issues of the run summary (the samples in
// fixtures/pyworker/summary.jsonl, dated today) with each run's status, and the
// detail view (Enter) shows status, wall time, files modified, verifier gates and
// merged/closed. Real binary in tmux at 80x24, screen-exact against the app's frame.
// The beefcake profile has no run-summary source: the same file is not read there.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { REPO_ROOT, requireCluster, slurmEnv } from '../support/cluster.js';
import { BIN } from '../support/bin.js';

const session = `swarmctl-pyruns${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, pred: (s: string) => boolean, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const s = screen();
    if (pred(s)) return s;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
}

async function exact(frameFile: string, rows: number): Promise<string[]> {
  const fit = (l: string[]) => {
    const out = l.map((x) => x.trimEnd());
    while (out.length < rows) out.push('');
    return out.slice(0, rows);
  };
  const end = Date.now() + 8_000;
  let last = '';
  while (Date.now() < end) {
    const read = () => (existsSync(frameFile) ? readFileSync(frameFile, 'utf8') : '');
    const before = read();
    await sleep(150);
    const got = fit(screen().replace(/\n$/, '').split('\n'));
    const after = read();
    if (before && before === after) {
      const want = fit(stripVTControlCharacters(after.slice(after.indexOf('\n') + 1)).split('\n'));
      last = want.map((w, i) => (w === got[i] ? `  ${w}` : `- ${w}\n+ ${got[i]}`)).join('\n');
      if (JSON.stringify(want) === JSON.stringify(got)) return got;
    }
    await sleep(100);
  }
  throw new Error(`the terminal does not show the app's frame:\n${last}`);
}

function site(profile: string): { cfg: string; db: string; frame: string } {
  const root = mkdtempSync(join(tmpdir(), 'swarmctl-pyruns-'));
  const repo = join(root, 'share', 'code', 'repo');
  mkdirSync(join(repo, 'logs', 'mini-swarm'), { recursive: true });
  const today = new Date().toISOString().slice(0, 10);
  const sample = readFileSync(join(REPO_ROOT, 'fixtures', 'pyworker', 'summary.jsonl'), 'utf8');
  writeFileSync(join(repo, 'logs', 'mini-swarm', 'summary.jsonl'), sample.replaceAll('"2026-04-20T', `"${today}T`));
  const cfg = join(root, 'swarmctl.yaml');
  writeFileSync(
    cfg,
    `version: 1\ncluster_name: pyruns\npaths:\n  shared_root: ${join(root, 'share')}\n  repo: ${repo}\nslurm:\n  conf: ${requireCluster().slurmConf}\nswarm:\n  profile: ${profile}\n`,
  );
  return { cfg, db: join(root, 'db.sqlite'), frame: join(root, 'frame.txt') };
}

function open(s: { cfg: string; db: string; frame: string }): void {
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '80',
    '-y',
    '24',
    '-e',
    `SLURM_CONF=${slurmEnv()['SLURM_CONF']}`,
    '-e',
    `SWARMCTL_TUI_FRAME_FILE=${s.frame}`,
    process.execPath,
    BIN,
    '--config',
    s.cfg,
    '--db',
    s.db,
    'tui',
  );
}

afterEach(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    /* gone */
  }
});

describe('python-worker runs in the Issues panel (80x24, tmux)', () => {
  it('lists the summary issues with their run status; Enter shows wall time, files, verifier gates, merged/closed', async () => {
    const s = site('python-worker');
    open(s);
    keys('3');
    let shown = await until('the summary issues', (x) => /3 Issues \(11\)/.test(x) && x.includes('beefcake-h81vn'));
    const lines = await exact(s.frame, 24);
    expect(lines.find((l) => l.includes('beefcake-q7m2d'))).toMatch(/beefcake-q7m2d\s+resolved/);
    expect(lines.find((l) => l.includes('beefcake-3xkfa'))).toMatch(/beefcake-3xkfa\s+no_change/);
    // The third row: a run whose check gate failed.
    keys('g', 'j', 'j', 'Enter');
    shown = await until('the detail of beefcake-h81vn', (x) => x.includes('issue beefcake-h81vn') && x.includes('verifier'));
    await exact(s.frame, 24);
    expect(shown).toMatch(/last run {4}changes_failed_verifier \(started \d{4}-\d\d-\d\dT09:12:05/);
    expect(shown).toContain('wall time   15m03s');
    expect(shown).toMatch(/files {7}2 modified: /);
    expect(shown).toContain('verifier    FAILED: check');
    expect(shown).toContain('merged      -   closed -');
    keys('G'); // the rest of the detail: why it is listed
    await until('the end of the detail', (x) => x.includes('listed from summary'));
    await exact(s.frame, 24);
    keys('Escape');
    await sleep(300); // ESC then g at once would read as Alt-g
    keys('g', 'Enter');
    shown = await until('the detail of beefcake-q7m2d', (x) => x.includes('issue beefcake-q7m2d') && x.includes('verifier'));
    await exact(s.frame, 24);
    expect(shown).toContain('verifier    all gates green');
    expect(shown).toContain('merged      yes   closed yes');
    expect(shown).toMatch(/files {7}1 modified: coordination\/src\/harness\/types\.rs/);
  }, 90_000);

  it('the beefcake profile (no run-summary source) does not read the summary: no issues listed', async () => {
    const s = site('beefcake');
    open(s);
    keys('3');
    await until('the issues loaded', (x) => /3 Issues \(0\)/.test(x) && x.includes('nothing here'));
    const lines = await exact(s.frame, 24);
    expect(lines.join('\n')).not.toContain('beefcake-h81vn');
  }, 60_000);
});
