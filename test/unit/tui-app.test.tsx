import { afterEach, describe, expect, it } from 'vitest';
import React from 'react';
import { App } from '../../src/tui/components/App.js';
import { Monitor, type SourceSpec } from '../../src/monitor/monitor.js';
import type { ActionPlan, ConsoleActions } from '../../src/tui/actions.js';
import type { EndpointRow, IssueRow, JobRow } from '../../src/tui/view-model.js';
import { KEYS, renderIn, tick } from '../support/ink-harness.js';

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
const issues: IssueRow[] = [{ issueId: 'beefcake-7xjmj', state: 'implementing', iteration: 4, lastReason: 'no changes, tier → Worker', lastResult: 'failed', resume: { present: true, ageMs: 60_000, corrupt: false }, silent: true, diagnosis: 'stuck_text_mode', jobId: '2317' }];

function monitorWith(queueFails = false): Monitor {
  const src = (name: string, data: unknown, fail = false): SourceSpec<unknown> => ({ name, intervalMs: 60_000, timeoutMs: 1000, load: async () => { if (fail) throw new Error('slurm_load_jobs error: Unable to contact slurm controller (connect failure)'); return data; } });
  const m = new Monitor([src('endpoints', endpoints), src('queue', jobs, queueFails), src('issues', issues), src('telemetry', []), src('alerts', [])]);
  m.start();
  return m;
}

function fakeActions(log: string[]): ConsoleActions {
  const plan = (title: string, argv: string[]): ActionPlan => ({ id: title, title, commands: [argv], run: async () => { log.push(argv.join(' ')); return { ok: true, detail: 'done' }; } });
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

async function mount(columns: number, rows: number, opts: { readOnly?: boolean; queueFails?: boolean } = {}) {
  const log: string[] = [];
  const monitor = monitorWith(opts.queueFails);
  const r = renderIn(<App monitor={monitor} actions={fakeActions(log)} readOnly={opts.readOnly ?? false} clusterName="beefcake" size={{ columns, rows }} />, columns, rows);
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

  it('a failed queue source shows a LOAD FAILED banner and an alert, never an empty healthy table', async () => {
    const { screen } = await mount(200, 60, { queueFails: true });
    const s = screen();
    expect(s).toContain('LOAD FAILED');
    expect(s).toContain('LOAD FAILED: slurm_load_jobs error: Unable to contact');
    expect(s).toContain('✗ crit');
    expect(s).toContain('queue: slurm_load_jobs error');
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
