// The local test cluster itself: real sbatch/squeue/scancel against the
// single-node SLURM, a real command over the loopback sshd, and a controller
// outage (slurmctld killed and restarted from its state).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireCluster, slurmEnv, sshArgs, startController, stopController } from '../support/cluster.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run an argv (no shell); resolves with exit code and output, never rejects on exit != 0. */
function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<Result> {
  return new Promise((resolveRun, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
        return;
      }
      resolveRun({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const outDir = mkdtempSync(join(tmpdir(), 'swarmctl-cluster-test-'));
const submitted: string[] = [];
let seq = 0;
const uniqueName = (what: string) => `swarmctl-it-${what}-${process.pid}-${Date.now()}-${seq++}`;

/** sbatch --parsable; returns the job id. Output goes to a temp dir, not the cwd. */
async function submit(name: string, wrap: string, extra: string[] = []): Promise<string> {
  const r = await run('sbatch', ['--parsable', `--job-name=${name}`, `--output=${join(outDir, '%x-%j.out')}`, ...extra, `--wrap=${wrap}`], slurmEnv());
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const id = r.stdout.trim().split(';')[0] ?? '';
  expect(id).toMatch(/^\d+$/);
  submitted.push(id);
  return id;
}

/** squeue rows (id, name, state) for a job name; states of finished jobs included. */
async function queueByName(name: string): Promise<Array<{ id: string; name: string; state: string }>> {
  const r = await run('squeue', ['-h', '--states=all', `--name=${name}`, '-o', '%i|%j|%T'], slurmEnv());
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [id = '', jobName = '', state = ''] = l.split('|');
      return { id, name: jobName, state };
    });
}

afterAll(async () => {
  // Never leave test jobs behind on the shared cluster.
  if (submitted.length > 0) {
    await run('scancel', submitted, slurmEnv()).catch(() => undefined);
  }
  rmSync(outDir, { recursive: true, force: true });
});

describe('local test cluster', () => {
  it('requireCluster() returns the coordinates from /tmp/swarmctl-cluster/env', () => {
    const c = requireCluster();
    expect(c.dir).toBe('/tmp/swarmctl-cluster');
    expect(c.slurmConf).toBe('/tmp/swarmctl-cluster/slurm/slurm.conf');
    expect(c.sshPort).toBe(12222);
    expect(c.shared).toBe('/tmp/swarmctl-cluster/shared');
    expect(c.node).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  });

  it('the controller answers scontrol ping and the node is usable', async () => {
    const c = requireCluster();
    const ping = await run('scontrol', ['ping'], slurmEnv(c));
    expect(ping.code).toBe(0);
    expect(ping.stdout).toMatch(/is UP/);
    const sinfo = await run('sinfo', ['-h', '-n', c.node, '-o', '%t'], slurmEnv(c));
    expect(sinfo.code).toBe(0);
    expect(sinfo.stdout.trim()).toMatch(/^(idle|mix|alloc)$/);
  });

  it('sbatch submits a job that squeue --name shows and scancel cancels', async () => {
    requireCluster();
    const name = uniqueName('sbatch');
    const id = await submit(name, 'sleep 120');

    const rows = await queueByName(name);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id, name });
    expect(['PENDING', 'CONFIGURING', 'RUNNING']).toContain(rows[0]?.state);

    const cancel = await run('scancel', [id], slurmEnv());
    expect(cancel.code).toBe(0);
    const state = await waitFor('job to be cancelled', async () => {
      const s = (await queueByName(name))[0]?.state;
      return s === 'CANCELLED' ? s : undefined;
    });
    expect(state).toBe('CANCELLED');
  });

  it('a job runs to completion on the node and writes into the shared dir', async () => {
    const c = requireCluster();
    const name = uniqueName('run');
    const marker = join(outDir, `${name}.marker`);
    const id = await submit(name, `hostname -s > ${marker}; echo "shared=$(test -d ${c.shared}/ai/logs && echo yes)"`);
    const state = await waitFor('job to complete', async () => {
      const s = (await queueByName(name))[0]?.state;
      return s === 'COMPLETED' || s === 'FAILED' ? s : undefined;
    });
    expect(state).toBe('COMPLETED');
    expect(readFileSync(marker, 'utf8').trim()).toBe(c.node);
    expect(readFileSync(join(outDir, `${name}-${id}.out`), 'utf8')).toContain('shared=yes');
  });

  it('ssh root@127.0.0.1 runs a command over the test sshd', async () => {
    const c = requireCluster();
    const r = await run('ssh', [...sshArgs(c), 'echo', 'hi']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hi\n');
  });

  it('slurm commands run over ssh find the test cluster (sshd sets SLURM_CONF)', async () => {
    const c = requireCluster();
    const r = await run('ssh', [...sshArgs(c), 'scontrol', 'ping']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is UP/);
  });

  it('with slurmctld down squeue fails; restarted, it still knows the queued job', async () => {
    requireCluster();
    const name = uniqueName('outage');
    const id = await submit(name, 'sleep 300');
    await waitFor('job to be known', async () => ((await queueByName(name)).length === 1 ? true : undefined));

    await stopController();
    try {
      const down = await run('squeue', ['-h'], slurmEnv(), 60_000);
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('Unable to contact slurm controller');
      const ping = await run('scontrol', ['ping'], slurmEnv());
      expect(ping.code).not.toBe(0);
      expect(ping.stdout).toMatch(/is DOWN/);
    } finally {
      await startController();
    }

    const rows = await queueByName(name);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).toBe(id);
    expect(['PENDING', 'CONFIGURING', 'RUNNING']).toContain(rows[0]?.state);

    const cancel = await run('scancel', [id], slurmEnv());
    expect(cancel.code).toBe(0);
    await waitFor('job to be cancelled', async () => ((await queueByName(name))[0]?.state === 'CANCELLED' ? true : undefined));
  }, 120_000);
});
