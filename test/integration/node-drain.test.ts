// `swarmctl node drain|resume` on the test cluster's one node, audited. The node
// is resumed in `finally` whatever happens: other tests' jobs need it.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { requireCluster } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { makeBatchConfig } from '../support/batch-config.js';

const cluster = requireCluster();
const env = makeBatchConfig();
const bin = (...args: string[]) => runBin(['--config', env.config, '--db', env.db, ...args]);
const nodeLine = () => execFileSync('sinfo', ['-h', '-N', '-n', cluster.node, '-o', '%t|%E'], { encoding: 'utf8', env: { ...process.env, SLURM_CONF: cluster.slurmConf } }).trim();

describe('swarmctl node', () => {
  it('drains the node with its reason and resumes it, both audited; no reason is a usage error', async () => {
    expect((await bin('node', 'drain', cluster.node, '--reason', ' ')).code).toBe(64);
    expect((await bin('node', 'drain', '-x', '--reason', 'r')).code).not.toBe(0);
    try {
      const d = await bin('node', 'drain', cluster.node, '--reason', 'swarmctl test: GPU ECC');
      expect(d.code).toBe(0);
      expect(nodeLine()).toMatch(/^(drain|drng)\|swarmctl test: GPU ECC$/);
    } finally {
      const r = await bin('node', 'resume', cluster.node);
      expect(r.code).toBe(0);
    }
    expect(nodeLine()).toMatch(/^(idle|mix|alloc)\*?\|none$/);
    const audit = JSON.parse((await bin('audit', '--json')).stdout).rows.map((x: any) => [x.action, x.outcome, x.argv]);
    expect(audit).toEqual([
      ['node.resume', 'ok', ['scontrol', 'update', `nodename=${cluster.node}`, 'state=resume']],
      ['node.drain', 'ok', ['scontrol', 'update', `nodename=${cluster.node}`, 'state=drain', 'reason=swarmctl test: GPU ECC']],
    ]);
  }, 60_000);
});
