// The restart run's last step on real SLURM: the issues that had PENDING/RUNNING
// jobs in the last good queue (SQLite) and have none now are resubmitted through
// the idempotent submit; `submit --sequential` takes the operator lock.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCluster } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { makeBatchConfig } from '../support/batch-config.js';

const cluster = requireCluster();
const env = makeBatchConfig({ command: ['sleep', '300'], jobNameTemplate: 'rsttest-{issue}' });
const bin = (...args: string[]) => runBin(['--config', env.config, '--db', env.db, ...args], { timeoutMs: 60_000 });
const scancelName = () => execFileSync('scancel', ['--name', `rsttest-${issue}`], { env: { ...process.env, SLURM_CONF: cluster.slurmConf } });
const issue = `rst${Date.now().toString(36)}`;
const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
afterAll(() => scancelName());

describe('restart: the swarm-jobs step', () => {
  it('resubmits an issue whose job was in the last good queue and is gone now; nothing when it is active', async () => {
    const s = await bin('submit', issue, '--via', 'slurm', '--json');
    expect(s.code).toBe(0);
    expect((await bin('queue', '--json')).code).toBe(0); // the last good queue, with the job, in SQLite
    scancelName(); // the outage took the job
    const r = await bin('restart', '--yes', '--json');
    const ev = events(r.stdout);
    expect(ev.find((x) => x.event === 'check')).toMatchObject({ step: 'swarm-jobs', status: 'down' });
    expect(ev.find((x) => x.event === 'action')).toMatchObject({ step: 'swarm-jobs', argv: ['swarmctl', 'submit', issue], ok: true });
    expect(ev.find((x) => x.event === 'step_done')).toMatchObject({ step: 'swarm-jobs', outcome: 'started' });
    expect(r.code).toBe(0);
    const q = JSON.parse((await bin('queue', '--json')).stdout);
    expect(q.jobs.filter((j: any) => j.name === `rsttest-${issue}` && j.active).length).toBe(1);
    // its job is active now: nothing to resubmit
    const again = events((await bin('restart', '--yes', '--json')).stdout);
    expect(again.filter((x) => x.event === 'action')).toEqual([]);
    expect(again.find((x) => x.event === 'step_done')).toMatchObject({ step: 'swarm-jobs', outcome: 'healthy' });
  }, 90_000);

  it('submit --sequential is refused while another holder has the operator lock; nothing submitted', async () => {
    const dir = join(env.dir, 'ai', 'swarmctl');
    mkdirSync(dir, { recursive: true });
    const now = Date.now();
    writeFileSync(
      join(dir, 'operator.lock'),
      JSON.stringify({ user: 'ops', host: 'login-02', pid: 77, command: 'swarmctl restart', started_at: now - 30_000, renewed_at: now, ttl_s: 600, token: 'cccc' }),
    );
    const r = await bin('submit', `${issue}x`, `${issue}y`, '--sequential', '--via', 'slurm');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/operator lock is held by ops@login-02 \(pid 77, "swarmctl restart"\) for 3\d s/);
    const q = JSON.parse((await bin('queue', '--json')).stdout);
    expect(q.jobs.filter((j: any) => j.name.startsWith(`rsttest-${issue}x`))).toEqual([]);
  }, 60_000);
});
