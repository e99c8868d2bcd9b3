// recover against the real local SLURM: a stuck (text mode) issue is resubmitted with
// the profile's temperature variable, which reaches the job; a second --auto run right
// after refuses because the job is queued/running (idempotent), and the audit says so.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

describe('recover (real SLURM)', () => {
  it('resubmits a stuck issue with SWARM_WORKER_TEMPERATURE, then --auto refuses while the job is active', async () => {
    const cluster = requireCluster();
    const root = mkdtempSync(join(tmpdir(), 'swarmctl-recover-'));
    for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive']) mkdirSync(join(root, d), { recursive: true });
    chmodSync(root, 0o755);
    const script = join(root, 'job.sbatch');
    writeFileSync(script, '#!/bin/sh\necho "issue=$SWARM_ISSUE_ID temp=$SWARM_WORKER_TEMPERATURE"\nsleep 20\n');
    chmodSync(script, 0o755);
    const issue = `beefcake-rc${process.pid}`;
    copyFileSync(join(REPO_ROOT, 'fixtures/beefcake/swarm-orch-2317.stuck-loop.log'), join(root, 'ai/logs/swarm-orch-2317.log'));
    const cfgPath = join(root, 'swarmctl.yaml');
    writeFileSync(
      cfgPath,
      `version: 1\npaths:\n  shared_root: ${root}\nslurm:\n  conf: ${cluster.slurmConf}\n  command_timeout_s: 10\nswarm:\n  profile: beefcake\n  sbatch_script: ${script}\nprofile:\n  wrapper_forwards_env: true\n`,
    );
    const db = join(root, 'db.sqlite');
    const first = await runBin(['--config', cfgPath, '--db', db, 'recover', issue, '--job', '2317', '--yes', '--json']);
    expect(first.stderr).toContain('SWARM_WORKER_TEMPERATURE=0.1');
    const doc = JSON.parse(first.stdout) as { plan: { kind: string }; result: { outcome: string; actions: Array<{ type: string; outcome: string; jobId?: string; detail: string }> } };
    expect(doc.plan.kind).toBe('stuck_text_mode');
    expect(doc.result.outcome).toBe('ok');
    const sub = doc.result.actions.find((a) => a.type === 'resubmit_with_env');
    expect(sub?.outcome).toBe('ok');
    const jobId = /submitted job (\d+)/.exec(sub?.detail ?? '')?.[1];
    expect(jobId).toMatch(/^\d+$/);
    expect(first.code).toBe(0);

    const second = await runBin(['--config', cfgPath, '--db', db, 'recover', '--auto', issue, '--json']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/refusing to act on an issue that is queued or running/);

    const log = join(root, `ai/logs/swarm-orch-${jobId}.log`);
    for (let i = 0; i < 100 && !(existsSync(log) && readFileSync(log, 'utf8').includes('temp=')); i++) await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(log, 'utf8')).toContain(`issue=${issue} temp=0.1`);

    const audit = await runBin(['--config', cfgPath, '--db', db, 'audit', '--issue', issue, '--json']);
    const rows = (JSON.parse(audit.stdout) as { rows: Array<{ action: string; outcome: string }> }).rows.map((r) => `${r.action}:${r.outcome}`);
    expect(rows).toEqual(['recover.auto:skipped', 'recover.attempt:ok', 'recover.resubmit_with_env:ok', 'submit:slurm:ok']);
  });
});
