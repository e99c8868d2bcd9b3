// The restart run's last step on real SLURM: the issues that had PENDING/RUNNING
// jobs in the last good queue (SQLite) and have none now are resubmitted through
// the idempotent submit; `submit --sequential` takes the operator lock.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCluster } from '../support/cluster.js';
import { BIN, runBin } from '../support/bin.js';
import { makeBatchConfig } from '../support/batch-config.js';

const cluster = requireCluster();
const env = makeBatchConfig({ command: ['sleep', '300'], jobNameTemplate: 'rsttest-{issue}' });
const bin = (...args: string[]) => runBin(['--config', env.config, '--db', env.db, ...args], { timeoutMs: 60_000 });
const scancelName = (i = issue) => execFileSync('scancel', ['--name', `rsttest-${i}`], { env: { ...process.env, SLURM_CONF: cluster.slurmConf } });
const issue = `rst${Date.now().toString(36)}`;
const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
afterAll(() => {
  scancelName();
  scancelName(`${issue}r`);
});

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

  it('--resume takes the swarm-jobs list from the run record, not from the queue read since (killed mid-submit, then the queue no longer shows the job)', async () => {
    const i = `${issue}r`;
    rmSync(join(env.dir, 'ai', 'swarmctl', 'operator.lock'), { force: true }); // the test above left login-02's
    expect((await bin('submit', i, '--via', 'slurm', '--json')).code).toBe(0);
    expect((await bin('queue', '--json')).code).toBe(0); // the last good queue, with the job
    scancelName(i); // the outage took the job
    // the first run's controller is unreachable: its squeue fails, its sbatch hangs, and it is killed there
    const dead = join(env.dir, 'dead-slurm.conf');
    writeFileSync(dead, readFileSync(cluster.slurmConf, 'utf8').replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=16999') + 'MessageTimeout=3\n');
    const deadConfig = join(env.dir, 'dead.yaml');
    writeFileSync(deadConfig, readFileSync(env.config, 'utf8').replace(`conf: ${cluster.slurmConf}`, `conf: ${dead}`).replace('allow_direct_fallback: true', 'allow_direct_fallback: false'));
    const child = spawn(process.execPath, [BIN, '--config', deadConfig, '--db', env.db, 'restart', '--yes', '--json', '--only', 'swarm-jobs'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no swarm-jobs check: ${out}`)), 40_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (/"event":"check","run_id":\d+,"step":"swarm-jobs","status":"down"/.test(out)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(events(out).some((x) => x.event === 'action')).toBe(false);
    // a later queue read (the console, cron) replaces the last good queue: the cancelled job is not in it
    expect((await bin('queue', '--json')).code).toBe(0);
    const r = await bin('restart', '--resume', '--yes', '--json');
    const ev = events(r.stdout);
    expect(ev.find((x) => x.event === 'check')).toMatchObject({ step: 'swarm-jobs', status: 'down' });
    // the record holds what the killed run decided (with squeue down: every issue of the last good queue)
    expect(ev.find((x) => x.event === 'check')!.reason).toMatch(/from run \d+'s record: \d+ issue/);
    const act = ev.find((x) => x.event === 'action');
    expect(act).toMatchObject({ step: 'swarm-jobs', ok: true });
    expect(act!.argv).toContain(i);
    expect(r.code).toBe(0);
    const q = JSON.parse((await bin('queue', '--json')).stdout);
    expect(q.jobs.filter((j: any) => j.name === `rsttest-${i}` && j.active).length).toBe(1);
  }, 120_000);
});
