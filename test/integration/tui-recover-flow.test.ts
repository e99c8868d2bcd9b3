// The console's main flow end to end, in tmux on the test cluster (issue 15):
// a real swarm job whose log shows a stuck orchestrator (the beefcake fixture's
// lines, printed by the job itself) -> its alert appears -> 5, Enter (goes to
// the issue) -> R (the whole plan, compared screen-exact with the app's frame)
// -> y -> the issue is resubmitted with the remedy variable, which the NEW
// job's own output prints from its environment, and the audit records it.
// The keystrokes from alert to remedy are counted (README, Console section).
// A second case: while the job still runs, R shows the refusal, never a y/N.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, REPO_ROOT, slurmEnv } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { killConsoles, sleep, startConsole, type TmuxConsole } from '../support/tmux-console.js';

const tag = `rf${process.pid}`;
const root = mkdtempSync(join(tmpdir(), 'swarmctl-tui-flow-'));
const jobs: string[] = [];
let cfgPath = '';
const db = join(root, 'db.sqlite');

const jobState = (id: string) => execFileSync('squeue', ['-h', '-j', id, '-o', '%T'], { env: slurmEnv(), encoding: 'utf8' }).trim();

/** A console at this size (until() waits up to 60 s: issues are joined on their own clock). */
const open = (name: string, columns: number, rows: number, extra: string[] = []) =>
  startConsole({ session: `swarmctl-${tag}-${name}`, dir: root, config: cfgPath, db, columns, rows, extra, untilMs: 60_000 });

/** 5 (the Alerts panel), j down to the line that has `alert`, Enter; returns how many j that took. */
async function enterAlert(c: TmuxConsole, alert: string): Promise<number> {
  c.press('5');
  const s5 = await c.until('alerts focused', (s) => s.includes('║5 Alerts'));
  const at = s5
    .split('\n')
    .filter((l) => /[✗!] (crit|warn) /.test(l))
    .findIndex((l) => l.includes(alert));
  expect(at).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < at; i++) c.press('j');
  c.press('Enter');
  return at;
}

async function submitIssue(issue: string): Promise<string> {
  const r = await runBin(['--config', cfgPath, '--db', db, 'submit', issue, '--json']);
  const id = /"jobId":\s*"(\d+)"/.exec(r.stdout)?.[1];
  if (!id) throw new Error(`submit ${issue} failed (${r.code}): ${r.stdout}${r.stderr}`);
  jobs.push(id);
  return id;
}

async function auditOf(issue: string): Promise<Array<{ action: string; outcome: string; detail: string | null }>> {
  const a = await runBin(['--config', cfgPath, '--db', db, 'audit', '--issue', issue, '--json']);
  return (JSON.parse(a.stdout) as { rows: Array<{ action: string; outcome: string; detail: string | null }> }).rows;
}

beforeAll(() => {
  const cluster = requireCluster();
  for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(root, 0o755);
  const fixture = join(REPO_ROOT, 'fixtures/beefcake/swarm-orch-2317.stuck-loop.log');
  const script = join(root, 'job.sbatch');
  // The job prints its remedy variables from its own environment. Without a
  // temperature it is the stuck orchestrator: it prints the stuck loop's log lines,
  // then stays (issues named *-running) or ends.
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'echo "env: issue=$SWARM_ISSUE_ID temp=${SWARM_WORKER_TEMPERATURE:-unset}"',
      'if [ -z "$SWARM_WORKER_TEMPERATURE" ]; then',
      `  cat ${fixture}`,
      '  case "$SWARM_ISSUE_ID" in *-running) sleep 300 ;; esac',
      'fi',
      'sleep 5',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  cfgPath = join(root, 'swarmctl.yaml');
  writeFileSync(
    cfgPath,
    `version: 1\ncluster_name: flow\npaths:\n  shared_root: ${root}\nslurm:\n  conf: ${cluster.slurmConf}\n  command_timeout_s: 10\nswarm:\n  profile: beefcake\n  sbatch_script: ${script}\nprofile:\n  wrapper_forwards_env: true\n`,
  );
});

afterAll(() => {
  killConsoles();
  for (const id of jobs) {
    try {
      execFileSync('scancel', [id], { env: slurmEnv() });
    } catch {
      /* ended */
    }
  }
});

describe('the console main flow in tmux (alert -> Enter -> R -> plan -> y -> remedy applied)', () => {
  it('an issue whose stuck job has ended: 5, Enter, R, y resubmits it with SWARM_WORKER_TEMPERATURE, seen in the new job and the audit', async () => {
    const issue = `beefcake-${tag}`;
    const first = await submitIssue(issue);
    const log = join(root, `ai/logs/swarm-orch-${first}.log`);
    for (let i = 0; i < 300 && !(existsSync(log) && readFileSync(log, 'utf8').includes('temp=unset') && jobState(first) === ''); i++) await sleep(200);
    expect(readFileSync(log, 'utf8')).toContain('temp=unset');
    expect(jobState(first)).toBe(''); // gone from the queue: the issue comes from the jobs table now

    const c = open('ended', 120, 36);
    const alert = `issue ${issue}: stuck_text_mode`;
    // The alert is on screen (the header's count; the Alerts panel at this size shows it too).
    await c.until('the stuck issue alert', (s) => s.includes(alert));
    // Alerts panel, then down to this alert (other issues on the shared cluster may alert first).
    const at = await enterAlert(c, alert);
    await c.until('the issue detail', (s) => s.includes(`issue ${issue}`) && s.includes('diagnosis   stuck_text_mode') && s.includes(`job         ${first}`));
    c.press('R');
    const plan = await c.until('the recovery plan', (s) => s.includes(`recover ${issue} (stuck_text_mode)`) && s.includes('SWARM_WORKER_TEMPERATURE=0.1') && s.includes('sbatch'));
    expect(plan).toContain('resubmit_with_env');
    expect(plan).toMatch(/y.*run it|\by\b/);
    await c.exact('the plan dialog');
    c.press('y');
    await c.until('the remedy applied', (s) => s.includes(`✓ recover ${issue}`), 60_000);
    const keystrokes = c.pressed;
    expect(keystrokes - at).toBe(4); // 5, Enter, R, y (plus one j per alert listed above this one)

    const rows = await auditOf(issue);
    const resub = rows.find((r) => r.action === 'recover.resubmit_with_env');
    expect(resub?.outcome).toBe('ok');
    expect(rows.some((r) => r.action === 'recover.attempt' && r.outcome === 'ok')).toBe(true);
    const second = /submitted job (\d+)/.exec(resub?.detail ?? '')?.[1];
    expect(second).toMatch(/^\d+$/);
    jobs.push(second!);
    expect(second).not.toBe(first);
    // The real job's environment: the new job prints its own variables.
    const log2 = join(root, `ai/logs/swarm-orch-${second}.log`);
    for (let i = 0; i < 150 && !(existsSync(log2) && readFileSync(log2, 'utf8').includes('temp=')); i++) await sleep(200);
    expect(readFileSync(log2, 'utf8')).toContain(`env: issue=${issue} temp=0.1`);
    c.press('q');
  }, 180_000);

  it('while the stuck job still runs, R shows the refusal instead of a y/N; nothing is submitted', async () => {
    const issue = `beefcake-${tag}-running`;
    const first = await submitIssue(issue);
    const log = join(root, `ai/logs/swarm-orch-${first}.log`);
    for (let i = 0; i < 300 && !(existsSync(log) && readFileSync(log, 'utf8').includes('Swarm orchestrator') && jobState(first) === 'RUNNING'); i++) await sleep(200);
    expect(jobState(first)).toBe('RUNNING');
    const c = open('running', 120, 36);
    const alert = `issue ${issue}: stuck`; // the longer name is cut at this width
    await c.until('the stuck issue alert', (s) => s.includes(alert));
    await enterAlert(c, alert);
    await c.until('the issue detail', (s) => s.includes('diagnosis   stuck_text_mode') && s.includes(`job         ${first} (`));
    c.press('R');
    const s = await c.until('the refusal', (x) => x.includes(`recover ${issue} refused: its job runs (c cancels it, then R)`));
    expect(s).not.toContain('run it');
    await c.exact('the refusal');
    // s (submit) on the same issue: the state is checked first, so the refusal again, no y/N.
    c.press('s');
    const s2 = await c.until('the submit refusal', (x) => x.includes(`submit ${issue}: refusing to act on an issue that is queued or running`));
    expect(s2).not.toContain('run it');
    const rows = await auditOf(issue);
    expect(rows.filter((r) => r.action.startsWith('recover.') && r.outcome === 'ok')).toEqual([]);
    c.press('q');
  }, 180_000);

  it('the job still runs: from its issue, c, y cancels it (the scancel argv shown first), then R, y resubmits with the remedy: 6 keystrokes from the alert', async () => {
    const issue = `beefcake-${tag}-cancel`;
    const first = await submitIssue(issue);
    const log = join(root, `ai/logs/swarm-orch-${first}.log`);
    for (let i = 0; i < 300 && !(existsSync(log) && readFileSync(log, 'utf8').includes('Swarm orchestrator') && jobState(first) === 'RUNNING'); i++) await sleep(200);
    expect(jobState(first)).toBe('RUNNING');
    const c = open('cancel', 120, 36);
    const alert = `issue ${issue}: stuck`;
    await c.until('the stuck issue alert', (s) => s.includes(alert));
    const at = await enterAlert(c, alert);
    await c.until('the issue detail', (s) => s.includes('diagnosis   stuck_text_mode') && s.includes(`job         ${first} (`));
    c.press('c');
    const dialog = await c.until('the cancel preview', (s) => s.includes(`cancel job ${first} (${issue})`) && s.includes(`$ scancel ${first}`));
    expect(dialog).toMatch(/y\/N/);
    await c.exact('the cancel preview');
    c.press('y');
    await c.until('the job cancelled', (s) => s.includes(`✓ cancel job ${first} (${issue})`), 60_000);
    for (let i = 0; i < 150 && jobState(first) !== ''; i++) await sleep(200);
    expect(jobState(first)).toBe('');
    c.press('R');
    await c.until('the recovery plan', (s) => s.includes(`recover ${issue} (stuck_text_mode)`) && s.includes('SWARM_WORKER_TEMPERATURE=0.1'), 60_000);
    c.press('y');
    await c.until('the remedy applied', (s) => s.includes(`✓ recover ${issue}`), 60_000);
    expect(c.pressed - at).toBe(6); // 5, Enter, c, y, R, y
    const rows = await auditOf(issue);
    const resub = rows.find((r) => r.action === 'recover.resubmit_with_env' && r.outcome === 'ok');
    const second = /submitted job (\d+)/.exec(resub?.detail ?? '')?.[1];
    expect(second).toMatch(/^\d+$/);
    jobs.push(second!);
    const log2 = join(root, `ai/logs/swarm-orch-${second}.log`);
    for (let i = 0; i < 150 && !(existsSync(log2) && readFileSync(log2, 'utf8').includes('temp=')); i++) await sleep(200);
    expect(readFileSync(log2, 'utf8')).toContain(`env: issue=${issue} temp=0.1`);
    c.press('q');
  }, 180_000);

  it('--read-only: the same alert, but no key that changes the cluster is shown or answers (footer, help, detail, alert text)', async () => {
    const issue = `beefcake-${tag}-ro`;
    const first = await submitIssue(issue);
    for (let i = 0; i < 300 && jobState(first) !== ''; i++) await sleep(200);
    const c = open('ro', 120, 36, ['--read-only']);
    const alert = `issue ${issue}: stuck`;
    const s0 = await c.until('the stuck issue alert', (s) => s.includes(alert));
    const footer = s0.trimEnd().split('\n').at(-1)!;
    expect(footer).toContain('d diagnose');
    for (const k of ['s submit', 'c cancel', 'R recover']) expect(footer).not.toContain(k);
    expect(s0).toContain('READ-ONLY');
    await enterAlert(c, alert);
    const det = await c.until('the issue detail', (s) => s.includes('diagnosis   stuck_text_mode'));
    expect(det).not.toMatch(/R recover|s submit/);
    for (const k of ['R', 's', 'c']) c.press(k);
    await sleep(3000);
    expect(c.screen()).not.toContain('run it');
    c.press('Escape'); // out of the detail view (? there closes it, as Esc does)
    c.press('?');
    const help = await c.until('help', (s) => s.includes('help') && s.includes('diagnose selected issue'));
    for (const k of ['submit selected issue', 'cancel selected job', 'recover selected issue']) expect(help).not.toContain(k);
    await c.exact('read-only help');
    const rows = await auditOf(issue);
    expect(rows.filter((r) => r.action.startsWith('recover') || r.action === 'cancel')).toEqual([]);
    c.press('q');
  }, 180_000);
});
