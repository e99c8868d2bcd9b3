// The console shows the operator lock and a running restart as a read-only
// banner (issue 16 points 3/5), from the same sources `swarmctl lock status` and
// `restart --resume` read: a real lock file on the share, a real run in the
// SQLite store the console opens. In tmux, screen-exact against the app's frame;
// the banner goes when the lock is released and the run finishes.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { BIN } from '../support/bin.js';
import { acquireLock } from '../../src/lock/operator-lock.js';
import { openStore } from '../../src/store/db.js';
import { createRun, finishRun, updateStep } from '../../src/store/restart-runs.js';

const session = `swarmctl-banner${process.pid}`;
const root = mkdtempSync(join(tmpdir(), 'swarmctl-tui-banner-'));
const frameFile = join(root, 'frame.txt');
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
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

/** The terminal shows exactly the app's frame (one row short of the terminal). */
async function exact(rows: number): Promise<void> {
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
      if (JSON.stringify(want) === JSON.stringify(got)) return;
    }
    await sleep(100);
  }
  throw new Error(`the terminal does not show the app's frame:\n${last}`);
}

afterAll(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    /* gone */
  }
});

describe('lock and restart banner in the console (tmux)', () => {
  it('shows who holds the lock and the running restart step, read-only, and clears when they end', async () => {
    const cluster = requireCluster();
    mkdirSync(join(root, 'ai'), { recursive: true });
    const cfg = join(root, 'swarmctl.yaml');
    writeFileSync(cfg, `version: 1\ncluster_name: banner\npaths:\n  shared_root: ${root}\nslurm:\n  conf: ${cluster.slurmConf}\n`);
    const dbPath = join(root, 'db.sqlite');
    const store = openStore(dbPath);
    const lock = acquireLock(root, 'swarmctl restart --from hydracoder');
    const run = createRun(store, { actor: 'ops', options: {}, plan: [], steps: [{ service: 'nfs' }, { service: 'hydracoder', host: 'vasp-02' }, { service: 'ai-proxy' }] });
    updateStep(store, run, 0, { status: 'done', verified: true, started: true });
    updateStep(store, run, 1, { status: 'running', started: true });

    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', 'bash', '--norc', '--noprofile');
    tmux('send-keys', '-t', session, `SWARMCTL_TUI_FRAME_FILE=${frameFile} SLURM_CONF=${slurmEnv()['SLURM_CONF']} node ${BIN} --config ${cfg} --db ${dbPath} tui`, 'Enter');
    const s = await until('the banner', (x) => x.includes('LOCK held by') && x.includes(`RESTART run ${run}`));
    expect(s).toContain(`@`);
    expect(s).toContain('(swarmctl restart --from hydracoder)');
    expect(s).toMatch(/step 2\/3 hydracoder restart \(running\)/);
    expect(s).toContain('[nfs:done hydracoder:running ai-proxy:pending]');
    await exact(30);

    lock.release();
    updateStep(store, run, 1, { status: 'done', verified: true });
    finishRun(store, run, 'done');
    await until('the banner gone', (x) => !x.includes('LOCK held by') && !x.includes('RESTART run'));
    await exact(30);
    store.close();
  }, 90_000);
});
