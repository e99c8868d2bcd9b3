import { afterEach, describe, expect, it } from 'vitest';
import React from 'react';
import { App } from '../../../src/tui/components/App.js';
import { Monitor, type SourceSpec } from '../../../src/console/monitor.js';
import type { ActionPlan, ConsoleActions } from '../../../src/console/actions.js';
import type { EndpointRow, IssueRow, JobRow } from '../../../src/console/view-model.js';
import { FakeStdin, FakeStdout, KEYS, renderIn, tick } from '../../support/ink-harness.js';
import { render } from 'ink';
import { displayWidth } from '../../../src/tui/layout.js';

const endpoints: EndpointRow[] = [
  { name: 'vasp-02-hydracoder', kind: 'llama-server', status: 'up', latencyMs: 3, since: 0, reason: 'ok' },
  { name: 'vasp-01-qwen35', kind: 'llama-server', status: 'loading', latencyMs: 12, since: 0, reason: 'Loading model' },
  { name: 'ai-proxy', kind: 'openai-proxy', status: 'degraded', latencyMs: 40, since: 0, reason: 'key rejected' },
  { name: 'nfs', kind: 'nfs', status: 'down', latencyMs: null, since: 0, reason: 'no answer for 5 s' },
];
const jobs: JobRow[] = [
  { jobId: '2317', issueId: 'beefcake-7xjmj', name: 'swarm-beefcake-7xjmj', state: 'RUNNING', reason: 'None', elapsed: '12:04', node: 'vm', via: 'slurm' },
  { jobId: '2318', issueId: 'beefcake-a8m', name: 'swarm-beefcake-a8m', state: 'PENDING', reason: 'Dependency', elapsed: '0:00', node: '', via: 'slurm' },
  { jobId: 'ssh:local:4242', issueId: 'other-1', name: 'swarm-other-1', state: 'RUNNING', reason: '', elapsed: '1:00', node: 'local', via: 'ssh' },
];
const issues: IssueRow[] = [
  {
    issueId: 'beefcake-7xjmj',
    state: 'implementing',
    iteration: 4,
    lastReason: 'no changes, tier → Worker',
    lastResult: 'failed',
    resume: { present: true, mtimeMs: Date.now() - 60_000, corrupt: false },
    silent: true,
    diagnosis: 'stuck_text_mode',
    jobId: '2317',
  },
];

function monitorWith(queueFails = false): Monitor {
  const src = (name: string, data: unknown, fail = false): SourceSpec<unknown> => ({
    name,
    intervalMs: 60_000,
    timeoutMs: 1000,
    load: async () => {
      if (fail) throw new Error('slurm_load_jobs error: Unable to contact slurm controller (connect failure)');
      return data;
    },
  });
  const m = new Monitor([src('endpoints', endpoints), src('queue', jobs, queueFails), src('issues', issues), src('telemetry', []), src('alerts', [])]);
  m.start();
  return m;
}

function fakeActions(log: string[]): ConsoleActions {
  const plan = (title: string, argv: string[]): ActionPlan => ({
    id: title,
    title,
    commands: [argv],
    run: async () => {
      log.push(argv.join(' '));
      return { ok: true, detail: 'done' };
    },
  });
  return {
    planCancel: async (j) => plan(`cancel job ${j.jobId}`, ['scancel', j.jobId]),
    planSubmit: async (i) => plan(`submit ${i.issueId}`, ['sbatch', '--parsable', 'x']),
    planRecover: async (i) => plan(`recover ${i.issueId}`, ['sbatch', 'y']),
    diagnose: async (id) => [`stuck_text_mode for ${id}`, 'evidence: swarm-orch-2317.log:75'],
  };
}

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

async function mount(columns: number, rows: number, opts: { readOnly?: boolean; queueFails?: boolean; diagnosis?: string[] } = {}) {
  const log: string[] = [];
  const monitor = monitorWith(opts.queueFails);
  const actions = fakeActions(log);
  if (opts.diagnosis) actions.diagnose = async () => opts.diagnosis!;
  const r = renderIn(<App monitor={monitor} actions={actions} readOnly={opts.readOnly ?? false} clusterName="beefcake" size={{ columns, rows }} />, columns, rows);
  cleanup = () => {
    r.instance.unmount();
    monitor.stop();
  };
  await tick(60);
  return { ...r, log, monitor };
}

describe('console render', () => {
  it('80x24: one panel as a tab, status readable without colour, no line wider than 80', async () => {
    const { screen } = await mount(80, 24);
    const s = screen();
    expect(s).toContain('1 Endpoints');
    expect(s).toContain('✓ up');
    expect(s).toContain('◐ loading');
    expect(s).toContain('✗ down');
    expect(s).not.toContain('2 Queue');
    for (const line of s.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('120x40: panels side by side, queue with the Dependency reason', async () => {
    const { screen } = await mount(120, 40);
    const s = screen();
    for (const t of ['1 Endpoints', '2 Queue', '3 Issues', '5 Alerts']) expect(s).toContain(t);
    expect(s).toContain('Dependency');
    expect(s).toContain('beefcake-7xjmj');
    for (const line of s.split('\n')) expect([...line].length).toBeLessThanOrEqual(120);
  });

  it('200x60: all five panels, issue flags and diagnosis', async () => {
    const { screen } = await mount(200, 60);
    const s = screen();
    for (const t of ['1 Endpoints', '2 Queue', '3 Issues', '4 Telemetry', '5 Alerts']) expect(s).toContain(t);
    expect(s).toContain('SILENT');
    expect(s).toContain('stuck_text_mode');
  });

  it('the header shows the critical alert count at 80 columns (it comes before anything truncation cuts)', async () => {
    const { screen } = await mount(80, 24, { queueFails: true });
    const header = screen().split('\n')[0]!;
    expect(header).toMatch(/alerts [1-9]\d* crit/);
  });

  it('a down endpoint and a diagnosed issue are critical alerts: counted in the header, listed in the Alerts panel', async () => {
    const { stdin, screen } = await mount(200, 60);
    expect(screen().split('\n')[0]).toContain('alerts 2 crit');
    stdin.press('5');
    await tick();
    expect(screen()).toContain('endpoint nfs down');
    expect(screen()).toContain('issue beefcake-7xjmj: stuck_text_mode');
  });

  it('Enter on an issue alert goes to the issue: Issues panel focused, its row selected, its detail open', async () => {
    const { stdin, screen } = await mount(200, 60);
    stdin.press('5');
    await tick();
    stdin.press('G'); // the issue's alert is the last one
    await tick();
    stdin.press(KEYS.enter);
    await tick();
    const s = screen();
    expect(s).toContain('issue beefcake-7xjmj');
    expect(s).toContain('state       implementing (iteration 4)');
    expect(s).toContain('diagnosis   stuck_text_mode');
    stdin.press(KEYS.escape);
    await tick();
    // Back in the panels with the Issues panel focused (its border is the double one).
    expect(screen()).toContain('║3 Issues');
  });

  it('a failed queue source shows a LOAD FAILED banner and an alert, never an empty healthy table', async () => {
    const { screen } = await mount(200, 60, { queueFails: true });
    const s = screen();
    expect(s).toContain('LOAD FAILED');
    expect(s).toContain('LOAD FAILED: slurm_load_jobs error: Unable to contact');
    expect(s).toContain('✗ crit');
    expect(s).toContain('SLURM UNKNOWN for 0s (r: retry): slurm_load_jobs error');
  });
});

describe('table rows', () => {
  async function mountWith(sources: Record<string, () => unknown>, columns: number, rows: number) {
    const m = new Monitor(Object.entries(sources).map(([name, load]): SourceSpec<unknown> => ({ name, intervalMs: 60_000, timeoutMs: 1000, load: async () => load() })));
    m.start();
    const r = renderIn(<App monitor={m} actions={fakeActions([])} readOnly={false} clusterName="beefcake" size={{ columns, rows }} />, columns, rows);
    cleanup = () => {
      r.instance.unmount();
      m.stop();
    };
    await tick(60);
    return { ...r, monitor: m };
  }

  it('a value with a newline, an escape or wide characters stays on its own row, inside its column', async () => {
    const odd: EndpointRow[] = [
      { name: '日本語-endpoint-with-a-long-name', kind: 'llama-server', status: 'up', latencyMs: 7, since: 0, reason: 'first line\nsecond line' },
      { name: 'job-🚀-rocket', kind: 'llama-server', status: 'down', latencyMs: null, since: 0, reason: 'red \x1b[31malert' },
      { name: 'plain', kind: 'nfs', status: 'degraded', latencyMs: 1, since: 0, reason: 'slow' },
    ];
    const { screen } = await mountWith({ endpoints: () => odd, queue: () => [], issues: () => [], telemetry: () => [], alerts: () => [] }, 80, 24);
    const lines = screen().split('\n');
    const row = (needle: string) => lines.find((l) => l.includes(needle)) ?? '';
    expect(row('✓ up')).toContain('日本語');
    expect(row('✓ up')).toContain('first line second');
    expect(row('✗ down')).toContain('job-🚀');
    expect(row('✗ down')).toContain('red  [31malert'); // the escape byte became a space
    expect(row('! degraded')).toContain('plain');
    expect(lines.some((l) => l.includes('second line') && !l.includes('first line'))).toBe(false);
    // Columns line up on the terminal: the latency of every row starts under
    // the LATENCY title (counted in cells: a wide character takes two).
    const cells = (l: string) => [...l].flatMap((ch) => (displayWidth(ch) === 2 ? [ch, ''] : [ch]));
    const header = cells(row('LATENCY'));
    const at = header.findIndex((_, i) => header.slice(i, i + 7).join('') === 'LATENCY');
    expect(at).toBeGreaterThan(0);
    expect(
      cells(row('✓ up'))
        .slice(at, at + 3)
        .join(''),
    ).toBe('7ms');
    expect(
      cells(row('✗ down'))
        .slice(at, at + 1)
        .join(''),
    ).toBe('-');
    expect(
      cells(row('! degraded'))
        .slice(at, at + 3)
        .join(''),
    ).toBe('1ms');
  });

  it('a stale source keeps its rows and banner inside the panel border', async () => {
    let fail = false;
    const many: JobRow[] = Array.from({ length: 60 }, (_, i) => ({ ...jobs[0]!, jobId: String(3000 + i), issueId: `beefcake-${i}` }));
    const { screen, monitor } = await mountWith(
      {
        endpoints: () => endpoints,
        queue: () => {
          if (fail) throw new Error('slurm_load_jobs error: Unable to contact slurm controller');
          return many;
        },
        issues: () => [],
        telemetry: () => [],
        alerts: () => [],
      },
      120,
      40,
    );
    expect(screen().split('\n')[0]).not.toContain('STALE');
    fail = true;
    monitor.refresh('queue');
    await tick(60);
    const lines = screen().split('\n');
    // The header's job counts say they are the last known ones.
    expect(lines[0]).toMatch(/alerts \d+ crit {2}queue STALE \d+s .*jobs 60 running 0 pending/);
    // The queue panel is the right half (not focused: single border).
    const top = lines.findIndex((l) => l.includes('2 Queue (60)'));
    expect(top).toBeGreaterThan(0);
    expect(lines[top + 1]).toContain('STALE');
    expect(lines[top + 3]).toContain('3000');
    const bottom = lines.findIndex((l, i) => i > top && l.endsWith('┘'));
    expect(lines[bottom]).toMatch(/└─+┘$/);
    expect(lines.slice(top, bottom).every((l) => l.endsWith('│'))).toBe(true);
  });
});

describe('console keys', () => {
  it('/ filters the focused list by regex', async () => {
    const { stdin, screen } = await mount(120, 40);
    stdin.press('2');
    await tick();
    stdin.press('/');
    await tick();
    for (const ch of 'a8m') {
      stdin.press(ch);
      await tick(10);
    }
    stdin.press(KEYS.enter);
    await tick();
    const s = screen();
    expect(s).toContain('/a8m/');
    expect(s).toContain('beefcake-a8m');
    expect(s).not.toContain('2317 ');
  });

  it('c on a job asks y/N with the exact command; y runs it and logs it', async () => {
    const { stdin, screen, log } = await mount(120, 40);
    stdin.press('2');
    await tick();
    stdin.press('c');
    await tick();
    expect(screen()).toContain('$ scancel 2317');
    expect(screen()).toContain('y/N');
    stdin.press('y');
    await tick(60);
    expect(log).toEqual(['scancel 2317']);
    expect(screen()).toContain('✓ cancel job 2317');
    stdin.press('L');
    await tick();
    expect(screen()).toContain('command log');
    expect(screen()).toMatch(/ok\s+cancel job 2317/);
  });

  it('anything but y cancels the confirmation and nothing runs', async () => {
    const { stdin, screen, log } = await mount(120, 40);
    stdin.press('2');
    await tick();
    stdin.press('c');
    await tick();
    stdin.press('n');
    await tick();
    expect(log).toEqual([]);
    expect(screen()).toContain('nothing was run');
  });

  it('--read-only ignores mutating keys and hides them from help', async () => {
    const { stdin, screen, log } = await mount(120, 40, { readOnly: true });
    stdin.press('2');
    await tick();
    stdin.press('c');
    await tick();
    expect(screen()).not.toContain('y/N');
    stdin.press('?');
    await tick();
    expect(screen()).toContain('read-only');
    expect(screen()).not.toContain('cancel selected job');
    expect(log).toEqual([]);
  });

  it('d diagnoses the selected issue into the detail view; Esc returns', async () => {
    const { stdin, screen } = await mount(120, 40);
    stdin.press('3');
    await tick();
    stdin.press('d');
    await tick(60);
    expect(screen()).toContain('diagnosis of beefcake-7xjmj');
    expect(screen()).toContain('swarm-orch-2317.log:75');
    stdin.press(KEYS.escape);
    await tick();
    expect(screen()).toContain('3 Issues');
  });
});

describe('console keys arriving in one chunk', () => {
  it('splits "2/a8m\\r" into focus, filter prompt, text and Enter', async () => {
    const { stdin, screen } = await mount(120, 40);
    stdin.press('2/a8m\r');
    await tick(60);
    const s = screen();
    expect(s).toContain('/a8m/');
    expect(s).toContain('beefcake-a8m');
    expect(s).not.toContain('2317 ');
  });
});

describe('keys arriving before a re-render', () => {
  it('text sent right after "/" (no render in between) goes to the filter prompt', async () => {
    const { stdin, screen } = await mount(120, 40);
    stdin.press('2');
    stdin.press('/');
    stdin.press('a8m');
    stdin.press('\r');
    await tick(60);
    const s = screen();
    expect(s).toContain('/a8m/');
    expect(s).not.toContain('2317 ');
    expect(s).not.toContain('y/N'); // the "c" of a command never ran
  });
});

describe('filter editing keys', () => {
  it('two Backspaces in one chunk ("\\x7f\\x7f") delete two characters, never type DEL', async () => {
    const { stdin, screen } = await mount(120, 40);
    stdin.press('2/a8mxy');
    await tick(30);
    stdin.press('\x7f\x7f');
    await tick(30);
    expect(screen()).toContain('/a8m█');
    stdin.press('\r');
    await tick(60);
    const s = screen();
    expect(s).toContain('/a8m/');
    expect(s).toContain('beefcake-a8m');
    expect(s).not.toContain('2317 ');
  });

  it('Ctrl-U clears the draft and Ctrl-W deletes the last word', async () => {
    const { stdin, screen } = await mount(120, 40);
    stdin.press('2/zzz');
    await tick(30);
    stdin.press('\x15'); // Ctrl-U
    await tick(30);
    stdin.press('a8m qq');
    await tick(30);
    stdin.press('\x17'); // Ctrl-W
    await tick(30);
    expect(screen()).toContain('/a8m █');
    stdin.press('\x17');
    await tick(30);
    expect(screen()).toContain('/█');
    stdin.press('a8m\r');
    await tick(60);
    expect(screen()).toContain('/a8m/');
    expect(screen()).not.toContain('2317 ');
  });
});

describe('refresh', () => {
  it('r says "refreshing…" while the sources reload and clears it when they have', async () => {
    const { stdin, screen } = await mount(120, 40);
    stdin.press('r');
    await tick(100);
    expect(screen()).not.toContain('refreshing');
  });
});

describe('80x24', () => {
  const lines = (s: string) => s.replace(/\n$/, '').split('\n');
  it('help scrolls (every key reachable with j/G) and the footer stays on the last row', async () => {
    const { stdin, screen } = await mount(80, 24);
    stdin.press('?');
    await tick(30);
    let s = lines(screen());
    expect(s.length).toBe(24);
    expect(s[23]).toContain('q quit');
    expect(screen()).toContain('j/k scroll');
    expect(screen()).not.toContain('command log');
    stdin.press('G');
    await tick(30);
    s = lines(screen());
    expect(screen()).toContain('command log');
    expect(s[23]).toContain('q quit');
    stdin.press('g');
    await tick(30);
    expect(screen()).toContain('quit');
    expect(screen()).not.toContain('command log');
  });

  it('diagnosis evidence wraps instead of being cut at the timestamps, and scrolls; the footer stays', async () => {
    const evidence = Array.from(
      { length: 30 },
      (_, i) =>
        `2026-11-20T10:${String(i).padStart(2, '0')}:00Z swarm-orch-2317.log:${75 + i} NO_CHANGES tier Worker iteration ${i} loop detected, same diff hash 9f3c2e as iteration ${i - 1} END${i}`,
    );
    const { stdin, screen } = await mount(80, 24, { diagnosis: ['stuck_text_mode', ...evidence] });
    stdin.press('3');
    await tick();
    stdin.press('d');
    await tick(60);
    expect(screen()).toContain('END0');
    expect(lines(screen())[23]).toContain('q quit');
    stdin.press('G');
    await tick(30);
    expect(screen()).toContain('END29');
    expect(lines(screen())[23]).toContain('q quit');
  });
});

describe('confirm dialog', () => {
  it("shows the plan's notes and the whole command, wrapped, at 80 columns", async () => {
    const log: string[] = [];
    const monitor = monitorWith();
    const actions = fakeActions(log);
    const argv = [
      'sbatch',
      '--parsable',
      '--output=/tmp/swarmctl-cluster/shared/logs/swarm-orch-%j.log',
      '--open-mode=append',
      '--export=ALL,SWARM_REMEDY=loop_breaker',
      '/tmp/swarmctl-cluster/shared/code/repo/slurm/run-swarm.sh',
      'beefcake-7xjmj',
      'TAIL-OF-ARGV',
    ];
    actions.planRecover = async (i) => ({ id: 'r', title: `recover ${i.issueId}`, commands: [argv], notes: ['diagnosis: stuck_text_mode (NOTE-MARK)'], run: async () => ({ ok: true, detail: '' }) });
    const r = renderIn(<App monitor={monitor} actions={actions} readOnly={false} clusterName="beefcake" size={{ columns: 80, rows: 24 }} />, 80, 24);
    cleanup = () => {
      r.instance.unmount();
      monitor.stop();
    };
    await tick(60);
    r.stdin.press('3');
    await tick();
    r.stdin.press('R');
    await tick(60);
    const s = r.screen();
    expect(s).toContain('NOTE-MARK');
    expect(s).toContain('TAIL-OF-ARGV');
    expect(s).toContain('Run it? y/N');
    expect(s.replace(/[\s║│]+/g, '')).toContain(argv.join('').replace(/\s+/g, ''));
  });
});

describe('redraws over a slow link', () => {
  it('a live console one row short of the terminal never clears the screen: later frames rewrite only what changed', async () => {
    const m = monitorWith();
    const stdout = new FakeStdout(120, 40);
    const stdin = new FakeStdin();
    // As run.tsx renders it: no fixed size (the terminal's), not debug, incremental.
    const inst = render(<App monitor={m} actions={fakeActions([])} readOnly={false} clusterName="beefcake" />, {
      stdout: stdout as never,
      stdin: stdin as never,
      debug: false,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 1000,
      incrementalRendering: true,
    });
    cleanup = () => {
      m.stop();
      inst.unmount();
    };
    await tick(80);
    const full = stdout.frames.join('');
    expect(full).toContain('2 Queue');
    const before = stdout.frames.length;
    stdin.press(KEYS.tab); // focus the next panel: a change of a few lines
    await tick(80);
    const later = stdout.frames.slice(before).join('');
    expect(later.length).toBeGreaterThan(0);
    expect(stdout.frames.join('')).not.toContain('\x1b[2J'); // ansi-escapes clearTerminal
    expect(later.length).toBeLessThan(full.length / 2);
  });
});
