// submit must never start a second job for an issue that already has one, whichever way
// it goes: a live direct-SSH job blocks another SSH or SLURM submit, and a dead
// controller (squeue unreadable, SLURM jobs may still run on the nodes) blocks the SSH
// fallback unless --force. Real SLURM, real sshd, a dead-port copy of slurm.conf.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCluster } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { makeBatchConfig, type BatchTestEnv } from '../support/batch-config.js';

let env: BatchTestEnv;
let dead: BatchTestEnv;
const created: string[] = [];
const tag = `d${process.pid}`;
const json = (s: string) => JSON.parse(s) as Record<string, any>;
const run = (e: BatchTestEnv, args: string[]) => runBin(['--config', e.config, '--db', env.db, ...args]);

beforeAll(() => {
  requireCluster();
  env = makeBatchConfig({ command: ['sleep', '300'] });
  const conf = join(env.dir, 'dead-slurm.conf');
  const live = readFileSync('/tmp/swarmctl-cluster/slurm/slurm.conf', 'utf8');
  writeFileSync(conf, live.replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=16999') + '\nMessageTimeout=2\n');
  dead = makeBatchConfig({ command: ['sleep', '300'], slurmConf: conf });
});

afterAll(async () => {
  for (const id of created) await run(env, ['cancel', id]);
});

describe('submit refuses duplicates across SLURM and direct SSH', () => {
  it('an issue with a live SSH job is skipped by a second --via ssh and by --via slurm', async () => {
    const issue = `${tag}-ssh`;
    const first = await run(env, ['submit', issue, '--via', 'ssh', '--title', 't', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const o = json(first.stdout).outcomes[0];
    expect(o.status).toBe('submitted');
    created.push(o.jobId);
    for (const via of ['ssh', 'slurm']) {
      const again = await run(env, ['submit', issue, '--via', via, '--title', 't', '--json']);
      expect(again.code, again.stderr).toBe(0);
      expect(json(again.stdout).outcomes[0]).toMatchObject({ status: 'skipped', jobId: o.jobId });
    }
  });

  it('with the controller unreachable, --via ssh and the --via auto fallback refuse (exit 2) unless --force', async () => {
    for (const via of ['ssh', 'auto']) {
      const r = await run(dead, ['submit', `${tag}-down-${via}`, '--via', via, '--title', 't', '--json']);
      expect(r.code, r.stderr).toBe(2);
      const o = json(r.stdout).outcomes[0];
      expect(o).toMatchObject({ status: 'failed', via: 'ssh' });
      expect(o.reason).toMatch(/duplicate cannot be ruled out.*--force/);
    }
    const forced = await run(dead, ['submit', `${tag}-down-forced`, '--via', 'ssh', '--title', 't', '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    const f = json(forced.stdout).outcomes[0];
    expect(f.status).toBe('submitted');
    created.push(f.jobId);
  }, 60_000);
});
