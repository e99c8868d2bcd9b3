// The slurm probe with slurmctld stopped: `scontrol ping` answers at once, so the
// probe reports down "... is DOWN" well within its timeout (every other SLURM call
// would take ~9 s). Runs in the serial pass (it calls stopController).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, startController, stopController } from '../support/cluster.js';
import { LOOPBACK_CONFIG, runBin } from '../support/bin.js';

const db = join(mkdtempSync(join(tmpdir(), 'swarmctl-probe-slurm-')), 'state.db');

beforeAll(() => {
  requireCluster();
});
afterAll(async () => {
  await startController();
});

describe('slurm probe with the controller down', () => {
  it('is down with the ping line, fast, and up again after restart', async () => {
    await stopController();
    const t0 = performance.now();
    const r = await runBin(['--config', LOOPBACK_CONFIG, '--db', db, 'probe', 'slurm', '--json']);
    const wall = performance.now() - t0;
    const s = JSON.parse(r.stdout).services[0];
    expect(s.status).toBe('down');
    expect(s.reason).toMatch(/Slurmctld\(primary\) at \S+ is DOWN/);
    expect(r.code).toBe(2);
    expect(wall).toBeLessThan(6000);
    await startController();
    const again = await runBin(['--config', LOOPBACK_CONFIG, '--db', db, 'probe', 'slurm', '--json']);
    // one success after a down: still down ("recovering") until success_threshold
    expect(JSON.parse(again.stdout).services[0].reason).toMatch(/^recovering \(1\/2 ok\)/);
  }, 120_000);
});
