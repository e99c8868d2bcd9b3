// After a cancel from the console, the Queue panel lists exactly the jobs squeue
// lists: once "5 rows for 3 jobs" was seen at 80x24 (issue 15 point 5). Real
// binary in tmux at 80x24, real SLURM; the jobs carry a name prefix of their own
// (job_name_template) so other tests' jobs on the shared cluster do not count.
// The whole screen must also equal the app's frame (no row left from an earlier frame).
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { LOOPBACK_CONFIG } from '../support/bin.js';
import { killConsoles, sleep, startConsole } from '../support/tmux-console.js';

const prefix = `cr${process.pid}`;
const session = `swarmctl-${prefix}`;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-cancel-rows-'));
const jobs: string[] = [];

/** Our jobs as squeue lists them (its default states, as the console asks). */
const squeueIds = () =>
  execFileSync('squeue', ['-h', '-o', '%i %j'], { env: slurmEnv(), encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.split(' ')[1]?.startsWith(`${prefix}-`))
    .map((l) => l.split(' ')[0]!)
    .sort();

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
  killConsoles();
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
    const c = startConsole({ session, dir, config: cfg, db: join(dir, 'db'), columns: 80, rows: 24 });
    c.press('2');
    await c.until('three jobs in the queue panel', (s) => s.includes('2 Queue (3)'));
    let panel = queuePanel(await c.exact('80x24 the queue panel'));
    expect(panel).toEqual({ count: 3, ids: squeueIds() });

    // Cancel the second row from the console.
    c.press('g', 'j', 'c');
    await c.until('the cancel confirmation', (s) => s.includes('y/N'));
    const victim = /scancel (\d+)/.exec(c.screen())![1]!;
    c.press('y');
    await c.until('squeue without the victim', () => !squeueIds().includes(victim), 30_000);
    // Rows = squeue's jobs, as soon as the next poll shows it (5 s), and for a few polls after.
    await c.until('the panel to follow squeue', (s) => queuePanel(s.split('\n')).count === squeueIds().length, 20_000);
    for (let i = 0; i < 3; i++) {
      const want = squeueIds();
      panel = queuePanel(await c.exact(`80x24 the queue panel after the cancel, poll ${i + 1}`));
      expect(panel.count).toBe(want.length);
      expect(panel.ids).toEqual(want);
      expect(panel.ids).not.toContain(victim);
      await sleep(5_000);
    }
  }, 150_000);
});
