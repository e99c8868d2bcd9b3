// The console's restart (issue 16 point 3) in tmux, screen-exact at 80x24 and
// 120x36, on real processes: X shows the plan `restart --dry-run` prints (scrolling
// at 80x24), y starts `swarmctl restart --yes --json` as its own process, and the
// restart view (O) follows the run's steps from SQLite while the test server it
// started loads, then verifies. A run started by someone else (the CLI) shows the
// same way. A lock held by someone else: no y, the holder named. --read-only: no
// X, D or U anywhere (footer, help) and the keys do nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { requireCluster } from '../support/cluster.js';
import { BIN, runBin } from '../support/bin.js';
import { killStarted, makeRestartEnv, serverStart, type RestartEnv } from '../support/restart-cluster.js';
import { sleep, startConsole, type TmuxConsole } from '../support/tmux-console.js';
import { acquireLock } from '../../src/lock/operator-lock.js';
import { openStore } from '../../src/store/db.js';
import { latestRun, runSteps } from '../../src/store/restart-runs.js';

requireCluster();
const tag = `rs${process.pid}`;
const consoles: TmuxConsole[] = [];
const envs: RestartEnv[] = [];
afterAll(() => {
  for (const c of consoles) c.kill();
  for (const e of envs) killStarted(e.logs, ['model']);
});

/** nfs (the share's own folder) then `model`, a test server that loads for `loadingMs` once started. */
async function env(loadingMs: number): Promise<RestartEnv> {
  const e = await makeRestartEnv(
    (p, { shared }) => ({
      nfs: { kind: 'nfs', mount: shared },
      model: { kind: 'llama-server', url: `http://127.0.0.1:${p['model']}`, depends_on: ['nfs'], start: serverStart(p['model']!, loadingMs, ''), verify_timeout_s: 60 },
    }),
    ['model'],
  );
  // No other test's swarm jobs are this run's to resubmit.
  appendFileSync(e.config, `swarm:\n  job_name_template: ${tag}-{issue}\n`);
  envs.push(e);
  return e;
}

function open(e: RestartEnv, name: string, columns: number, rows: number, extra: string[] = []): TmuxConsole {
  const c = startConsole({ session: `swarmctl-${tag}-${name}`, dir: e.dir, config: e.config, db: e.db, columns, rows, extra });
  consoles.push(c);
  return c;
}

/** Screen text without box borders and white space: wrapped lines read as one. */
const squeeze = (s: string) => s.replace(/[║│]/g, '').replace(/\s+/g, '');

const runsIn = (e: RestartEnv) => {
  const s = openStore(e.db);
  try {
    const run = latestRun(s);
    return run ? { run, steps: runSteps(s, run.id) } : null;
  } finally {
    s.close();
  }
};

describe('the console starts and shows a restart run (tmux)', () => {
  it('120x36: X shows the dry-run plan, y starts the run as its own process, the restart view follows it to done', async () => {
    const e = await env(10_000);
    const c = open(e, 'start', 120, 36);
    await c.until('the console', (s) => s.includes('1 Endpoints'));
    c.press('X');
    const plan = await c.until('the plan', (s) => s.includes('Run it? y/N'));
    expect(plan).toContain('restart the cluster in depends_on order (3 steps)');
    expect(plan).toContain('1. nfs (nfs) on local');
    expect(plan).toContain('2. model (llama-server) on local, after nfs');
    expect(plan).toContain("if down: $ setsid -f sh -c 'log=$1; shift;");
    expect(plan).toContain('3. swarm-jobs (swarm-jobs) on local, after nfs, model');
    expect(squeeze(plan)).toContain(squeeze(`$ swarmctl --config ${e.config} --db ${e.db} restart --yes --json`));
    // The same lines `swarmctl restart --dry-run` prints.
    const dry = await runBin(['--config', e.config, '--db', e.db, 'restart', '--dry-run']);
    for (const line of dry.stderr.split('\n').filter((l) => /^\d\. /.test(l))) expect(plan).toContain(line);
    await c.exact('120x36 the restart plan');
    expect(runsIn(e)).toBeNull(); // nothing ran for the plan
    c.press('y');
    // The view opens on its own once run_start is written; the model loads, so its step is verifying.
    const going = await c.until('the model verifying', (s) => s.includes('restart run (O or Esc closes)') && /> 2 ▶ model\s+local\s+verifying/.test(s), 30_000);
    expect(going).toMatch(/ 1 ✓ nfs\s+local\s+done/);
    expect(going).toMatch(/ 3 · swarm-jobs\s+local\s+pending/);
    expect(going).toContain('now: step 2 model verifying');
    await c.exact('120x36 a running restart');
    // Elapsed ticks on the restart source's clock while the step waits.
    const t1 = /model\s+local\s+verifying\s+(\S+)/.exec(c.screen())?.[1];
    await sleep(2500);
    const t2 = /model\s+local\s+verifying\s+(\S+)/.exec(c.screen())?.[1];
    expect(t1).toBeDefined();
    expect(t2).toBeDefined();
    expect(t2).not.toBe(t1);
    const done = await c.until('the run done', (s) => /run \d+ done/.test(s), 60_000);
    expect(done).toMatch(/ 2 ✓ model\s+local\s+done/);
    expect(done).toContain('3 of 3 steps finished');
    await c.exact('120x36 the finished run');
    // It was the CLI: the run record, its process gone, the audit row.
    const r = runsIn(e)!;
    expect(r.run.status).toBe('done');
    expect(r.run.pid).not.toBe(null);
    expect(r.steps.map((s) => `${s.service}:${s.status}`)).toEqual(['nfs:done', 'model:done', 'swarm-jobs:done']);
    const audit = JSON.parse((await runBin(['--config', e.config, '--db', e.db, 'audit', '--json'])).stdout).rows.map((x: { action: string }) => x.action);
    expect(audit).toContain('restart.run');
    c.press('Escape', 'q');
  }, 150_000);

  it('80x24: the plan scrolls (commands and y/N stay), n runs nothing; a held lock is refused with its holder; a CLI run shows in O', async () => {
    const e = await env(8000);
    const c = open(e, 'small', 80, 24);
    await c.until('the console', (s) => s.includes('1 Endpoints'));
    c.press('X');
    const top = await c.until('the plan', (s) => s.includes('Run it? y/N'));
    expect(top).toMatch(/\(1-\d+ of \d+, j\/k scroll\)/);
    expect(squeeze(top)).toContain('restart--yes--json');
    await c.exact('80x24 the plan, top');
    c.press('G');
    const bottom = await c.until('the plan scrolled', (s) => s.includes('3. swarm-jobs'));
    expect(bottom).toContain('Run it? y/N');
    expect(squeeze(bottom)).toContain('restart--yes--json');
    await c.exact('80x24 the plan, end');
    c.press('n');
    await c.until('cancelled', (s) => s.includes('cancelled: nothing was run'));
    expect(runsIn(e)).toBeNull();

    const lock = acquireLock(e.shared, 'swarmctl restart --from model');
    try {
      c.press('X');
      const refused = await c.until('the refusal', (s) => s.includes('not offered: the operator lock is held by'));
      expect(refused).toContain(`@${hostname()} (pid ${process.pid}`);
      expect(refused).not.toContain('Run it? y/N');
      await c.exact('80x24 the lock refusal');
    } finally {
      lock.release();
    }

    // A run started elsewhere (the CLI, as cron would): O shows its steps from SQLite.
    const cli = spawn(process.execPath, [BIN, '--config', e.config, '--db', e.db, 'restart', '--yes', '--json'], { stdio: 'ignore' });
    const exited = new Promise((r) => cli.on('exit', r));
    c.press('O');
    const going = await c.until('the CLI run verifying', (s) => /> 2 ▶ model\s+local\s+verifying/.test(s), 30_000);
    expect(going).toMatch(/run \d+ running/);
    await c.exact('80x24 a running restart (started by the CLI)');
    await exited;
    await c.until('the run done', (s) => /run \d+ done/.test(s), 30_000);
    c.press('Escape', 'q');
  }, 150_000);

  it('--read-only at 80x24 and 120x36: O is there; X, D and U are not shown and do nothing', async () => {
    const e = await env(0);
    const c = open(e, 'ro', 80, 24, ['--read-only']);
    const s0 = await c.until('the node row', (s) => s.includes('slurm node'));
    const footer = s0.trimEnd().split('\n').at(-1)!;
    expect(footer).toContain('d diagnose');
    for (const k of ['s submit', 'c cancel', 'R recover']) expect(footer).not.toContain(k);
    for (const k of ['X', 'D', 'U']) c.press(k);
    await sleep(1500);
    expect(c.screen()).not.toMatch(/Run it\?|reason:|planning/);
    c.press('?');
    const help1 = await c.until('help', (s) => s.includes('read-only: mutating keys hidden'));
    c.press('G');
    await sleep(300);
    const help = help1 + c.screen();
    expect(help).toContain('restart run: its steps, the current one');
    for (const k of ['restart the cluster in order', 'drain selected node', 'resume selected node']) expect(help).not.toContain(k);
    await c.exact('80x24 read-only help (end)');
    await c.resize(120, 36);
    c.press('g');
    await c.exact('120x36 read-only help');
    expect(c.screen()).not.toMatch(/drain selected node|restart the cluster in order/);
    c.press('Escape');
    await sleep(300); // ESC then O at once reads as one escape sequence (SS3), as in any terminal
    c.press('O');
    const v = await c.until('the restart view', (s) => s.includes('no restart run recorded here'));
    expect(v).not.toContain('X plans one');
    await c.exact('120x36 read-only restart view');
    expect(runsIn(e)).toBeNull();
    c.press('Escape', 'q');
  }, 90_000);
});
