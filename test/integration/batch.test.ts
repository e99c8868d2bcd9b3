// The batch layer against the REAL local SLURM and sshd: submit → queue, a second
// submit is skipped, a sequential batch waits on Dependency, cancel, direct SSH
// jobs, the llama-server wrapper's discovery record, and invalid discovery files.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin, BIN } from '../support/bin.js';
import { makeBatchConfig, type BatchTestEnv } from '../support/batch-config.js';

let env: BatchTestEnv;
const created: string[] = [];
const tag = `t${process.pid}`;

const run = (args: string[]) => runBin(['--config', env.config, '--db', env.db, ...args]);
const json = (s: string) => JSON.parse(s) as Record<string, any>;

async function until<T>(fn: () => Promise<T | null> | T | null, ms: number): Promise<T | null> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(() => {
  requireCluster();
  env = makeBatchConfig({ command: ['sleep', '300'] });
});

afterAll(async () => {
  const slurm = created.filter((id) => /^\d+$/.test(id));
  if (slurm.length) execFileSync('scancel', slurm, { env: { ...process.env, SLURM_CONF: '/tmp/swarmctl-cluster/slurm/slurm.conf' } });
  for (const id of created.filter((i) => i.startsWith('ssh:'))) await run(['cancel', id]);
});

describe('submit, queue, cancel on real SLURM', () => {
  it('submits, shows the job in queue --json, skips a second submit, cancels', async () => {
    const issue = `${tag}-one`;
    const s = await run(['submit', issue, '--title', 'A title, with commas', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const o = json(s.stdout).outcomes[0];
    expect(o.status).toBe('submitted');
    created.push(o.jobId);
    const q = await run(['queue', '--json']);
    expect(q.code).toBe(0);
    const job = json(q.stdout).jobs.find((j: any) => j.jobId === o.jobId);
    expect(job).toMatchObject({ name: `swarmtest-${issue}`, via: 'slurm', active: true });

    const again = await run(['submit', issue, '--json']);
    expect(again.code).toBe(0);
    expect(json(again.stdout).outcomes[0]).toMatchObject({ status: 'skipped', jobId: o.jobId });

    const c = await run(['cancel', issue, '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(json(c.stdout).cancelled).toEqual([o.jobId]);
    const gone = await until(async () => {
      const r = json((await run(['queue', '--json'])).stdout);
      const j = r.jobs.find((x: any) => x.jobId === o.jobId);
      return !j || !j.active || j.state === 'CANCELLED' ? true : null;
    }, 20_000);
    expect(gone).toBe(true);
  });

  it('a sequential batch chains with afterany and the second job waits on Dependency', async () => {
    const ids = [`${tag}-s1`, `${tag}-s2`];
    const s = await run(['submit', ...ids, '--sequential', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const outs = json(s.stdout).outcomes;
    for (const o of outs) created.push(o.jobId);
    expect(outs[1].argv).toContain(`--dependency=afterany:${outs[0].jobId}`);
    const j2 = await until(async () => {
      const r = json((await run(['queue', '--json'])).stdout);
      const j = r.jobs.find((x: any) => x.jobId === outs[1].jobId);
      return j && j.reasonCode === 'Dependency' ? j : null;
    }, 20_000);
    expect(j2).toMatchObject({ state: 'PENDING', reasonKind: 'dependency' });
    const c = await run(['cancel', outs[1].jobId]);
    expect(c.code).toBe(0);
    await run(['cancel', outs[0].jobId]);
  });

  it('job hold / release on a real job', async () => {
    const s = json((await run(['submit', `${tag}-h`, '--hold', '--json'])).stdout).outcomes[0];
    created.push(s.jobId);
    const r = await run(['job', 'release', s.jobId, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).argv).toEqual(['scontrol', 'release', s.jobId]);
    expect((await run(['job', 'hold', 'x1'])).code).toBe(64);
    await run(['cancel', s.jobId]);
  });
});

describe('direct SSH mode', () => {
  it('--via ssh starts the job on the host, queue lists it, cancel stops the process group', async () => {
    const s = await run(['submit', `${tag}-ssh`, '--via', 'ssh', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const o = json(s.stdout).outcomes[0];
    expect(o).toMatchObject({ status: 'submitted', via: 'ssh' });
    created.push(o.jobId);
    const pid = Number(o.jobId.split(':')[2]);
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(existsSync(join(env.logs, '.swarmctl-ssh-jobs', `${pid}.json`))).toBe(true);
    const q = json((await run(['queue', '--json'])).stdout);
    expect(q.jobs.find((j: any) => j.jobId === o.jobId)).toMatchObject({ via: 'ssh', state: 'RUNNING' });
    const c = await run(['cancel', o.jobId, '--json']);
    expect(c.code, c.stderr).toBe(0);
    const dead = await until(() => {
      try {
        process.kill(pid, 0);
        return null;
      } catch {
        return true;
      }
    }, 5000);
    expect(dead).toBe(true);
    const q2 = json((await run(['queue', '--json'])).stdout);
    expect(q2.jobs.find((j: any) => j.jobId === o.jobId)).toBeUndefined();
  });
});

describe('endpoint discovery', () => {
  it('lists truncated / not-JSON / missing-field files as invalid and never resolves them', async () => {
    writeFileSync(join(env.endpoints, '900001-fast.json'), '{"host":"127.0.0.1","port":');
    writeFileSync(join(env.endpoints, '900002-fast.json'), 'not json at all');
    writeFileSync(join(env.endpoints, '900003-fast.json'), '{"host":"127.0.0.1","model":"m"}');
    const l = await run(['endpoints', 'list', '--json']);
    const entries = json(l.stdout).entries;
    for (const f of ['900001-fast.json', '900002-fast.json', '900003-fast.json']) {
      const e = entries.find((x: any) => x.file === f);
      expect(e.status, f).toBe('invalid');
      expect(e.reason.length).toBeGreaterThan(0);
    }
    const r = await run(['endpoints', 'resolve', '--tier', 'fast']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('gc moves a stale record (job gone) to the archive, never deletes', async () => {
    writeFileSync(join(env.endpoints, '999999-reasoning.json'), JSON.stringify({ job_id: '999999', host: '127.0.0.1', port: 9, model: 'm', tier: 'reasoning', started_at: '2026-01-01T00:00:00Z' }));
    const dry = json((await run(['endpoints', 'gc', '--dry-run', '--json'])).stdout);
    expect(dry.wouldMove).toEqual(['999999-reasoning.json']);
    expect(existsSync(join(env.endpoints, '999999-reasoning.json'))).toBe(true);
    const g = await run(['endpoints', 'gc', '--json']);
    expect(g.code, g.stdout).toBe(0);
    expect(existsSync(join(env.endpoints, '999999-reasoning.json'))).toBe(false);
    expect(readdirSync(join(env.archive, 'endpoints')).some((f) => f.endsWith('999999-reasoning.json'))).toBe(true);
  });

  it('llama-server.sbatch writes the record once healthy and removes it on scancel', async () => {
    const port = 20000 + (process.pid % 20000);
    const out = execFileSync(
      'sbatch',
      [
        '--parsable',
        `--output=${env.logs}/llama-%j.log`,
        `--chdir=${REPO_ROOT}`,
        join(REPO_ROOT, 'slurm/llama-server.sbatch'),
        'fast',
        String(port),
        'test-model',
        process.execPath,
        join(REPO_ROOT, 'dist/testserver/main.js'),
        '--port',
        String(port),
        '--mode',
        'healthy',
      ],
      {
        env: {
          ...process.env,
          SLURM_CONF: '/tmp/swarmctl-cluster/slurm/slurm.conf',
          SWARMCTL_CONFIG: env.config,
          SWARMCTL_DB: env.db,
          SWARMCTL_BIN: BIN,
          SWARM_ENDPOINT_HOST: '127.0.0.1',
          SWARM_HEALTH_WAIT_S: '30',
        },
        encoding: 'utf8',
      },
    );
    const jobId = out.trim().split(';')[0]!;
    created.push(jobId);
    const file = join(env.endpoints, `${jobId}-fast.json`);
    expect(await until(() => existsSync(file), 40_000)).toBe(true);
    const r = await run(['endpoints', 'resolve', '--tier', 'fast']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`http://127.0.0.1:${port}`);
    execFileSync('scancel', [jobId], { env: { ...process.env, SLURM_CONF: '/tmp/swarmctl-cluster/slurm/slurm.conf' } });
    expect(await until(() => !existsSync(file), 40_000)).toBe(true);
  });
});
