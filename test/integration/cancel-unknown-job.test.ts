// `cancel JOBID` of a job SLURM does not know: scancel exits 0 without a word, so swarmctl must
// ask squeue and say nothing was cancelled (exit 2), never "cancelled". Real SLURM, built binary.
import { describe, expect, it } from 'vitest';
import { requireCluster } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { makeBatchConfig } from '../support/batch-config.js';

describe('cancel of a job id nobody knows', () => {
  it('exits 2 with "no job … in the queue" and cancels nothing', async () => {
    requireCluster();
    const env = makeBatchConfig();
    const r = await runBin(['--config', env.config, '--db', env.db, 'cancel', '999999', '--json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.cancelled).toEqual([]);
    expect(doc.error).toMatch(/no job 999999 in the queue/);
    const text = await runBin(['--config', env.config, '--db', env.db, 'cancel', '999999']);
    expect(text.code).toBe(2);
    expect(`${text.stdout}${text.stderr}`).not.toMatch(/cancelled 999999/);
  });
});
