// After a cancel from the console, the Queue panel lists exactly the jobs squeue
// lists: once "5 rows for 3 jobs" was seen at 80x24 (issue 15 point 5). Real
// binary in tmux at 80x24, real SLURM; the jobs carry a name prefix of their own
// (job_name_template) so other tests' jobs on the shared cluster do not count.
// The whole screen must also equal the app's frame (no row left from an earlier frame).
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { BIN, LOOPBACK_CONFIG } from '../support/bin.js';

const prefix = `cr${process.pid}`;
const session = `swarmctl-${prefix}`;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-cancel-rows-'));
const frameFile = join(dir, 'frame.txt');
const jobs: string[] = [];
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Our jobs as squeue lists them (its default states, as the console asks). */
const squeueIds = () =>
  execFileSync('squeue', ['-h', '-o', '%i %j'], { env: slurmEnv(), encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.split(' ')[1]?.startsWith(`${prefix}-`))
    .map((l) => l.split(' ')[0]!)
    .sort();

async function until(what: string, pred: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
}

/** The visible screen when it equals the app's current frame. */
async function exactScreen(): Promise<string[]> {
  const fit = (l: string[]) => {
    const out = l.map((x) => x.trimEnd());
    while (out.length < 24) out.push('');
    return out.slice(0, 24);
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

/** Job ids in the Queue panel's rows, and the count in its title. */
function queuePanel(lines: string[]): { count: number; ids: string[] } {
  const title = lines.find((l) => /2 Queue \(\d+\)/.test(l))!;
  const count = Number(/2 Queue \((\d+)\)/.exec(title)![1]);
  const ids = lines
    .filter((l) => !l.includes('2 Queue ('))
    .map((l) => /^[│║](\d+)\s/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined);
  return { count, ids: ids.sort() };
}

afterAll(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    /* gone */
  }
  for (const id of jobs) execFileSync('scancel', [id], { env: slurmEnv() });
});

describe('queue rows after a cancel (80x24, tmux, real SLURM)', () => {
  it('lists as many rows as squeue has jobs, and the same ids, after cancelling one with c + y', async () => {
    requireCluster();
    const cfg = join(dir, 'swarmctl.yaml');
    writeFileSync(cfg, readFileSync(LOOPBACK_CONFIG, 'utf8').replace('  profile: beefcake\n', `  profile: beefcake\n  job_name_template: "${prefix}-{issue}"\n`));
    for (const n of ['a', 'b', 'c']) {
      jobs.push(
        execFileSync('sbatch', ['--parsable', '--job-name', `${prefix}-${n}`, '--output', '/dev/null', '--wrap', 'sleep 300'], { env: slurmEnv(), encoding: 'utf8' })
          .trim()
          .split(';')[0]!,
      );
    }
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
      `SWARMCTL_TUI_FRAME_FILE=${frameFile}`,
      process.execPath,
      BIN,
      '--config',
      cfg,
      '--db',
      join(dir, 'db'),
      'tui',
    );
    keys('2');
    await until('three jobs in the queue panel', () => screen().includes('2 Queue (3)'));
    let panel = queuePanel(await exactScreen());
    expect(panel).toEqual({ count: 3, ids: squeueIds() });

    // Cancel the second row from the console.
    keys('g', 'j', 'c');
    await until('the cancel confirmation', () => screen().includes('y/N'));
    const victim = /scancel (\d+)/.exec(screen())![1]!;
    keys('y');
    await until('squeue without the victim', () => !squeueIds().includes(victim), 30_000);
    // Rows = squeue's jobs, as soon as the next poll shows it (5 s), and for a few polls after.
    await until('the panel to follow squeue', () => queuePanel(screen().split('\n')).count === squeueIds().length, 20_000);
    for (let i = 0; i < 3; i++) {
      const want = squeueIds();
      panel = queuePanel(await exactScreen());
      expect(panel.count).toBe(want.length);
      expect(panel.ids).toEqual(want);
      expect(panel.ids).not.toContain(victim);
      await sleep(5_000);
    }
  }, 150_000);
});
