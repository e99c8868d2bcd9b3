// `swarmctl doctor` tells which profile a site's files look like (issue 17): a run summary and
// no telemetry file under a beefcake config → warn with the fix; the same files under
// python-worker → ok. Real bin, real test cluster (the controller check runs too).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireCluster } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-doctor-profile-'));
const shared = join(dir, 'shared');
function config(profile: string): string {
  const path = join(dir, `${profile}.yaml`);
  writeFileSync(path, ['version: 1', `paths:`, `  shared_root: ${shared}`, 'slurm:', '  conf: /tmp/swarmctl-cluster/slurm/slurm.conf', 'swarm:', `  profile: ${profile}`, ''].join('\n'));
  return path;
}
const profileCheck = async (profile: string) => {
  const r = await runBin(['--config', config(profile), '--db', join(dir, `${profile}.db`), 'doctor', '--json']);
  return (JSON.parse(r.stdout).checks as Array<{ name: string; status: string; message: string; fix?: string }>).find((c) => c.name === 'profile');
};

beforeAll(() => {
  requireCluster();
  for (const d of ['ai/endpoints', 'ai/logs', 'wt', 'archive', 'code/repo/logs/mini-swarm']) mkdirSync(join(shared, d), { recursive: true });
  writeFileSync(join(shared, 'code/repo/logs/mini-swarm/summary.jsonl'), '{"issue_id": "beefcake-aa", "status": "no_change"}\n');
});

describe('doctor: which profile the files look like', () => {
  it('a run summary without a telemetry file under swarm.profile beefcake: warn, set python-worker', async () => {
    const c = await profileCheck('beefcake');
    expect(c).toMatchObject({ status: 'warn', fix: 'set swarm.profile: python-worker in the config' });
    expect(c?.message).toContain('these files look like the python worker');
  });

  it('the same files under swarm.profile python-worker: ok', async () => {
    expect(await profileCheck('python-worker')).toMatchObject({ status: 'ok' });
  });
});
