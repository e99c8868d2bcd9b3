// The console shows the operator lock and a running restart as a read-only
// banner (issue 16 points 3/5), from the same sources `swarmctl lock status` and
// `restart --resume` read: a real lock file on the share, a real run in the
// SQLite store the console opens. In tmux, screen-exact against the app's frame;
// the banner goes when the lock is released and the run finishes.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster } from '../support/cluster.js';
import { killConsoles, startConsole } from '../support/tmux-console.js';
import { acquireLock } from '../../src/lock/operator-lock.js';
import { openStore } from '../../src/store/db.js';
import { createRun, finishRun, updateStep } from '../../src/store/restart-runs.js';

const session = `swarmctl-banner${process.pid}`;
const root = mkdtempSync(join(tmpdir(), 'swarmctl-tui-banner-'));

afterAll(killConsoles);

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

    const c = startConsole({ session, dir: root, config: cfg, db: dbPath, columns: 120, rows: 30 });
    const s = await c.until('the banner', (x) => x.includes('LOCK held by') && x.includes(`RESTART run ${run}`));
    expect(s).toContain(`@`);
    expect(s).toContain('(swarmctl restart --from hydracoder)');
    expect(s).toMatch(/step 2\/3 hydracoder restart \(running\)/);
    expect(s).toContain('[nfs:done hydracoder:running ai-proxy:pending]');
    await c.exact('120x30 the banner');

    lock.release();
    updateStep(store, run, 1, { status: 'done', verified: true });
    finishRun(store, run, 'done');
    await c.until('the banner gone', (x) => !x.includes('LOCK held by') && !x.includes('RESTART run'));
    await c.exact('120x30 the banner gone');
    store.close();
  }, 90_000);
});
