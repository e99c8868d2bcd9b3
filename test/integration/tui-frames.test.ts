// Exact frames: the real binary in a real terminal (tmux) at 80x24, 120x36 and
// 200x50. After live updates, after opening and closing every overlay and after
// resizes both ways, the WHOLE visible screen must equal the frame the app
// meant to draw (the same components rendered to a string at that size, which
// the binary writes to SWARMCTL_TUI_FRAME_FILE): no line of an earlier frame,
// no row twice, the header exactly once. Ink 6.8's incremental log-update drew
// every frame after the first one row low (patches/ink+6.8.0.patch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { LOOPBACK_CONFIG } from '../support/bin.js';
import { killConsoles, sleep, startConsole, type TmuxConsole } from '../support/tmux-console.js';

const tag = `fr${process.pid}`;
const session = `swarmctl-${tag}`;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-frames-'));
const jobs: string[] = [];

/**
 * Waits until the terminal shows exactly the app's current frame (tmux-console's
 * exact, within 6 s), and no other line than the header carries ' swarmctl '.
 */
async function expectExactScreen(c: TmuxConsole, label: string): Promise<void> {
  const got = await c.exact(label, 6_000);
  expect(got.filter((l) => l.includes(' swarmctl ')).length, `${label}: header once`).toBe(1);
}

/** Every overlay opened and closed, with the screen checked in each state. */
async function overlays(c: TmuxConsole, size: string): Promise<void> {
  const steps: [string, string[]][] = [
    ['help open', ['?']],
    ['help closed', ['Escape']],
    ['detail open', ['2', 'Enter']],
    ['detail closed', ['Escape']],
    ['command log open', ['L']],
    ['command log closed', ['Escape']],
    ['filter typing', ['/', 's', 'w']],
    ['filter cleared', ['Escape']],
    ['cancel confirm open', ['2', 'g', 'c']],
    ['cancel confirm closed', ['n']],
    ['moved down', ['j', 'j']],
  ];
  for (const [label, k] of steps) {
    c.press(...k);
    await sleep(200);
    await expectExactScreen(c, `${size} ${label}`);
  }
}

beforeAll(() => {
  requireCluster();
  const cfg = readFileSync(LOOPBACK_CONFIG, 'utf8');
  // Probes every second: a stream of live frames (latencies and ages change).
  writeFileSync(join(dir, 'swarmctl.yaml'), `${cfg}\nthresholds:\n  probe_interval_s: 1\n`);
  for (let i = 0; i < 3; i++) {
    const id = execFileSync('sbatch', ['--parsable', '--job-name', `swarm-${tag}-${i}`, '--output', '/dev/null', '--wrap', 'sleep 300'], { env: slurmEnv(), encoding: 'utf8' })
      .trim()
      .split(';')[0]!;
    jobs.push(id);
  }
});

afterAll(() => {
  killConsoles();
  for (const id of jobs) execFileSync('scancel', [id], { env: slurmEnv() });
});

describe('the console screen in tmux is exactly the frame the app drew', () => {
  it('at 80x24, 120x36 and 200x50: after 30 live frames, every overlay, and resizes both ways', async () => {
    const c = startConsole({ session, dir, config: join(dir, 'swarmctl.yaml'), db: join(dir, 'db'), columns: 80, rows: 24 });
    const end = Date.now() + 90_000;
    while ((c.frame()?.seq ?? 0) < 30 && Date.now() < end) await sleep(250);
    expect(c.frame()?.seq ?? 0).toBeGreaterThanOrEqual(30);
    await expectExactScreen(c, '80x24 after 30 live frames');
    c.press('2'); // 80x24 shows one panel: the queue, with the live jobs
    await sleep(200);
    await expectExactScreen(c, '80x24 queue panel');
    expect(c.screen()).toContain(jobs[0]!);
    await overlays(c, '80x24');

    for (const [w, h] of [
      [120, 36],
      [200, 50],
      [120, 36],
      [80, 24],
      [200, 50],
    ] as const) {
      await c.resize(w, h);
      await expectExactScreen(c, `resized to ${w}x${h}`);
    }
    await overlays(c, '200x50');
    await c.resize(120, 36);
    await overlays(c, '120x36');
    await c.resize(80, 24);
    await expectExactScreen(c, 'back to 80x24');
    // Live updates after all that still land on the right rows.
    const seq = c.frame()!.seq;
    while (c.frame()!.seq < seq + 5 && Date.now() < end + 60_000) await sleep(250);
    await expectExactScreen(c, '80x24, live frames after resizes');
  }, 240_000);
});
