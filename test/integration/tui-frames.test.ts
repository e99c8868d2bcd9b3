// Exact frames: the real binary in a real terminal (tmux) at 80x24, 120x36 and
// 200x50. After live updates, after opening and closing every overlay and after
// resizes both ways, the WHOLE visible screen must equal the frame the app
// meant to draw (the same components rendered to a string at that size, which
// the binary writes to SWARMCTL_TUI_FRAME_FILE): no line of an earlier frame,
// no row twice, the header exactly once. Ink 6.8's incremental log-update drew
// every frame after the first one row low (patches/ink+6.8.0.patch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { BIN, LOOPBACK_CONFIG } from '../support/bin.js';

const tag = `fr${process.pid}`;
const session = `swarmctl-${tag}`;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-frames-'));
const frameFile = join(dir, 'frame.txt');
const jobs: string[] = [];

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const capture = () => tmux('capture-pane', '-p', '-t', session);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The dumped frame: its sequence number and its text lines (colours stripped). */
function readFrame(): { seq: number; lines: string[] } | null {
  if (!existsSync(frameFile)) return null;
  const text = readFileSync(frameFile, 'utf8');
  const nl = text.indexOf('\n');
  return { seq: Number(text.slice(0, nl)), lines: stripVTControlCharacters(text.slice(nl + 1)).split('\n') };
}

/** The screen the app meant: its frame (one row short of the terminal), then the empty row the cursor parks on. */
function expectedScreen(frame: string[], rows: number): string[] {
  const out = frame.map((l) => l.trimEnd());
  while (out.length < rows) out.push('');
  return out.slice(0, rows);
}

const screenLines = (rows: number) => expectedScreen(capture().replace(/\n$/, '').split('\n'), rows);

/**
 * Waits until the terminal shows exactly the app's current frame (the frame
 * must be the same before and after the capture, as the app keeps drawing).
 * A wrong screen stays wrong, so a timeout is a failure with both shown.
 */
async function expectExactScreen(label: string, rows: number): Promise<void> {
  let last = { want: [] as string[], got: [] as string[] };
  const end = Date.now() + 6_000;
  while (Date.now() < end) {
    const before = readFrame();
    await sleep(150); // Ink draws at most 10 frames a second: let the last commit reach the terminal.
    const got = screenLines(rows);
    const after = readFrame();
    if (before && after && before.seq === after.seq) {
      const want = expectedScreen(after.lines, rows);
      last = { want, got };
      if (JSON.stringify(want) === JSON.stringify(got)) {
        expect(got.filter((l) => l.includes(' swarmctl ')).length, `${label}: header once`).toBe(1);
        return;
      }
    }
    await sleep(100);
  }
  const diff = last.want.map((w, i) => (w === last.got[i] ? `  ${w}` : `- ${w}\n+ ${last.got[i] ?? ''}`)).join('\n');
  throw new Error(`${label}: the terminal does not show the app's frame (- meant, + shown):\n${diff}`);
}

async function resize(columns: number, rows: number): Promise<void> {
  tmux('resize-window', '-t', session, '-x', String(columns), '-y', String(rows));
  await sleep(300);
}

/** Every overlay opened and closed, with the screen checked in each state. */
async function overlays(rows: number, size: string): Promise<void> {
  const steps: [string, string[]][] = [
    ['help open', ['?']],
    ['help closed', ['Escape']],
    ['detail open', ['2', 'Enter']],
    ['detail closed', ['Escape']],
    ['command log open', ['L']],
    ['command log closed', ['Escape']],
    ['filter typing', ['/', '-l', 'sw']],
    ['filter cleared', ['Escape']],
    ['cancel confirm open', ['2', 'g', 'c']],
    ['cancel confirm closed', ['n']],
    ['moved down', ['j', 'j']],
  ];
  for (const [label, k] of steps) {
    keys(...k);
    await sleep(200);
    await expectExactScreen(`${size} ${label}`, rows);
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
  try {
    tmux('kill-session', '-t', session);
  } catch {
    /* already gone */
  }
  for (const id of jobs) execFileSync('scancel', [id], { env: slurmEnv() });
});

describe('the console screen in tmux is exactly the frame the app drew', () => {
  it('at 80x24, 120x36 and 200x50: after 30 live frames, every overlay, and resizes both ways', async () => {
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
      '-e',
      'TERM=xterm-256color',
      process.execPath,
      BIN,
      '--config',
      join(dir, 'swarmctl.yaml'),
      '--db',
      join(dir, 'db'),
      'tui',
    );
    const end = Date.now() + 90_000;
    while ((readFrame()?.seq ?? 0) < 30 && Date.now() < end) await sleep(250);
    expect(readFrame()?.seq ?? 0).toBeGreaterThanOrEqual(30);
    await expectExactScreen('80x24 after 30 live frames', 24);
    keys('2'); // 80x24 shows one panel: the queue, with the live jobs
    await sleep(200);
    await expectExactScreen('80x24 queue panel', 24);
    expect(capture()).toContain(jobs[0]!);
    await overlays(24, '80x24');

    for (const [c, r] of [
      [120, 36],
      [200, 50],
      [120, 36],
      [80, 24],
      [200, 50],
    ] as const) {
      await resize(c, r);
      await expectExactScreen(`resized to ${c}x${r}`, r);
    }
    await overlays(50, '200x50');
    await resize(120, 36);
    await overlays(36, '120x36');
    await resize(80, 24);
    await expectExactScreen('back to 80x24', 24);
    // Live updates after all that still land on the right rows.
    const seq = readFrame()!.seq;
    while (readFrame()!.seq < seq + 5 && Date.now() < end + 60_000) await sleep(250);
    await expectExactScreen('80x24, live frames after resizes', 24);
  }, 240_000);
});
