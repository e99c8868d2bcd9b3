// `swarmctl doctor` against the real test cluster, then with slurmctld down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, startController, stopController } from '../support/cluster.js';
import { LOOPBACK_CONFIG, runBin } from '../support/bin.js';

const db = join(mkdtempSync(join(tmpdir(), 'swarmctl-doctor-')), 'state.db');
const doctor = () => runBin(['--config', LOOPBACK_CONFIG, '--db', db, 'doctor', '--json']);

beforeAll(() => {
  requireCluster();
});
afterAll(async () => {
  await startController();
});

describe('swarmctl doctor', () => {
  it('reports every check ok against the test cluster', async () => {
    const r = await doctor();
    const doc = JSON.parse(r.stdout);
    expect(doc.checks.filter((c: { status: string }) => c.status !== 'ok')).toEqual([]);
    expect(doc.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['config', 'db', 'binary:sbatch', 'slurm:controller', 'ssh:local', 'dir:shared_root', 'dir:archive_dir']));
    expect(r.code).toBe(0);
  });

  it('fails the controller check with the controller error and a fix, exit 2, when slurmctld is down', async () => {
    await stopController();
    const r = await doctor();
    const doc = JSON.parse(r.stdout);
    const ctl = doc.checks.find((c: { name: string }) => c.name === 'slurm:controller');
    expect(ctl.status).toBe('fail');
    expect(ctl.message).toMatch(/Slurmctld\(primary\) at \S+ is DOWN/);
    expect(ctl.fix).toMatch(/slurmctld/);
    expect(r.code).toBe(2);
    // stdout is exactly one JSON document; the human table went to stderr
    expect(r.stderr).toContain('slurm:controller');
    await startController();
    expect((await doctor()).code).toBe(0);
  }, 120_000);

  it('exits 64 with positioned errors on a bad config, and nothing else runs', async () => {
    const r = await runBin(['--config', 'fixtures/config/bad/typo-and-type.yaml', '--db', db, 'doctor', '--json']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('typo-and-type.yaml:9:5: services.vasp-02.helth_url: unknown key');
    expect(JSON.parse(r.stdout).error.exit_code).toBe(64);
  });
});
