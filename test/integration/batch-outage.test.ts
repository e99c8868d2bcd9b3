// Controller outage: with slurmctld stopped, `swarmctl queue` reports UNKNOWN with
// the controller's error and the last known jobs marked stale (exit 2), never "no
// jobs"; after a restart the jobs are back. Runs in the serial pass (stopController).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCluster, startController, stopController } from '../support/cluster.js';
import { BIN, runBin } from '../support/bin.js';
import { makeBatchConfig, type BatchTestEnv } from '../support/batch-config.js';

let env: BatchTestEnv;
let jobId = '';
const session = `swarmctl-outage${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);

async function until(what: string, pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
}
const run = (args: string[]) => runBin(['--config', env.config, '--db', env.db, ...args]);

beforeAll(() => {
  requireCluster();
  env = makeBatchConfig({ command: ['sleep', '300'] });
});

afterAll(async () => {
  await startController();
  if (jobId) execFileSync('scancel', [jobId], { env: { ...process.env, SLURM_CONF: '/tmp/swarmctl-cluster/slurm/slurm.conf' } });
});

describe('queue during a controller outage', () => {
  it('UNKNOWN + stale last-known jobs, exit 2; back after restart', async () => {
    const s = await run(['submit', `outage${process.pid}`, '--json']);
    expect(s.code, s.stderr).toBe(0);
    jobId = JSON.parse(s.stdout).outcomes[0].jobId;
    const before = await run(['queue', '--json']);
    const known = JSON.parse(before.stdout).jobs.find((j: any) => j.jobId === jobId);
    expect(known).toMatchObject({ via: 'slurm' });

    await stopController();
    try {
      const q = await run(['queue', '--json']);
      expect(q.code).toBe(2);
      const d = JSON.parse(q.stdout);
      expect(d).toMatchObject({ ok: false, state: 'unknown' });
      expect(d.error).toMatch(/squeue/);
      expect(d.error).toMatch(/controller|timed out|timeout|connect/i);
      expect(d.stale.ageMs).toBeGreaterThanOrEqual(0);
      // Served from squeue's output as the last good read stored it: the same job, field for field.
      expect(d.jobs.find((j: any) => j.jobId === jobId)).toEqual(known);
      // a submit without --force refuses: a duplicate cannot be ruled out
      const sub = await run(['submit', `outage${process.pid}`, '--json']);
      expect(JSON.parse(sub.stdout).outcomes[0].status).toBe('failed');

      // The console opened now shows the same last known job, marked STALE, not an empty queue.
      tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '40', 'bash', '--norc', '--noprofile');
      tmux('send-keys', '-t', session, `SLURM_CONF=/tmp/swarmctl-cluster/slurm/slurm.conf node ${BIN} --config ${env.config} --db ${env.db} tui`, 'Enter');
      await until(
        'the stale queue in the console',
        () => {
          const s = screen();
          return s.includes(jobId) && s.includes('STALE');
        },
        60_000,
      );
      tmux('send-keys', '-t', session, 'q');
    } finally {
      try {
        tmux('kill-session', '-t', session);
      } catch {
        /* not started, or already gone */
      }
      await startController();
    }
    const after = await run(['queue', '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).jobs.map((j: any) => j.jobId)).toContain(jobId);
  }, 120_000);
});
