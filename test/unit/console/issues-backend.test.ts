// The console's issues source on real files and a real SQLite store: issues come
// from the jobs table (not only the queue), each diagnosed from its job log with
// issue 19's fields (kind, SLURM cause, node). A time limit and a node failure
// raise alerts with since-when; a plain scancel is listed but raises nothing;
// an issue past the horizon is not listed; recovery attempts count toward the budget.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../../src/config/load.js';
import { openStore } from '../../../src/store/db.js';
import { recordJob } from '../../../src/store/jobs.js';
import { recordAudit } from '../../../src/store/audit.js';
import { realBackends } from '../../../src/console/backends.js';
import { stateAlerts } from '../../../src/console/view-model.js';

describe('console issues source (real files, real SQLite)', () => {
  it('lists submitted issues whose jobs left the queue, diagnosed with kind/cause/node; scancel not alerted; horizon; budget', async () => {
    const root = mkdtempSync(join(tmpdir(), 'swarmctl-console-issues-'));
    const logs = join(root, 'ai/logs');
    mkdirSync(logs, { recursive: true });
    const cfgPath = join(root, 'swarmctl.yaml');
    // No accounting is needed: the end state comes from slurmstepd's notices in the job log (issue 19).
    writeFileSync(cfgPath, `version: 1\npaths:\n  shared_root: ${root}\nslurm:\n  command_timeout_s: 2\nswarm:\n  profile: beefcake\nrecovery:\n  max_attempts: 2\n`);
    const parsed = loadConfigFile(cfgPath);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const cfg = parsed.config;
    const store = openStore(join(root, 'db.sqlite'));
    const now = Date.now();
    const start = '2026-12-04T14:40:00.000000Z  INFO swarm_agents: Swarm orchestrator starting';
    const jobs: Array<[string, string, string]> = [
      ['beefcake-tl', '700001', `slurmstepd-vm: error: *** JOB 700001 ON vm CANCELLED AT 2026-12-04T14:48:14 DUE TO TIME LIMIT ***`],
      ['beefcake-nf', '700002', `slurmstepd: error: *** JOB 700002 ON node7 CANCELLED AT 2026-12-04T15:10:00 DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***`],
      ['beefcake-sc', '700003', `slurmstepd: error: *** JOB 700003 ON vm CANCELLED AT 2026-12-04T15:11:00 ***`],
      ['beefcake-old', '700004', `slurmstepd: error: *** JOB 700004 ON vm CANCELLED AT 2026-12-01T15:11:00 DUE TO TIME LIMIT ***`],
    ];
    for (const [issue, id, notice] of jobs) {
      const old = issue === 'beefcake-old';
      const at = old ? now - 48 * 3_600_000 : now - 60_000;
      recordJob(store, {
        job_id: id,
        via: 'slurm',
        issue_id: issue,
        name: `swarm-${issue}`,
        host: null,
        pid: null,
        argv: ['sbatch'],
        env_names: [],
        log_path: null,
        submitted_at: at,
        state: 'PENDING',
      });
      store.db.prepare("UPDATE jobs SET state = 'gone', ended_at = ? WHERE job_id = ?").run(at + 1000, id);
      const log = join(logs, `swarm-orch-${id}.log`);
      writeFileSync(log, `${start}\n${notice}\n`);
      utimesSync(log, new Date(now - 120_000), new Date(now - 120_000));
    }
    recordAudit(store, { issueId: 'beefcake-tl', action: 'recover.attempt', outcome: 'ok', detail: 'job_died: resubmit' });
    recordAudit(store, { issueId: 'beefcake-tl', action: 'recover.attempt', outcome: 'failed', detail: 'job_died: resubmit' });

    mkdirSync(join(root, 'wt/beefcake-files'), { recursive: true }); // state on disk only (a worktree folder)
    const rows = await realBackends(cfg, store).issues([], new AbortController().signal);
    const by = Object.fromEntries(rows.map((r) => [r.issueId, r]));
    expect(Object.keys(by).sort()).toEqual(['beefcake-files', 'beefcake-nf', 'beefcake-sc', 'beefcake-tl']); // beefcake-old is past 24 h
    expect(by['beefcake-files']).toMatchObject({ origin: 'files', jobId: null, diagnosis: null });
    expect(by['beefcake-tl']).toMatchObject({ diagnosis: 'job_died TIMEOUT vm', jobId: '700001', jobState: 'gone', origin: 'submitted', attempts: 2, maxAttempts: 2 });
    expect(by['beefcake-tl']!.diag).toMatchObject({ kind: 'job_died', cause: 'TIMEOUT', node: 'vm' });
    expect(by['beefcake-nf']!.diag).toMatchObject({ kind: 'job_died', cause: 'NODE_FAIL', node: 'node7' });
    expect(by['beefcake-sc']!.diag).toBeNull(); // a plain scancel: not an incident
    expect(Math.abs(by['beefcake-tl']!.diag!.since! - (now - 120_000))).toBeLessThan(2000); // since the log's last write

    const alerts = stateAlerts([], rows, now).map((a) => [a.source, a.message]);
    expect(alerts).toEqual([
      ['recovery', 'issue beefcake-tl: recovery budget exhausted (2/2 attempts) for 2m00s: a human must look (Enter, d)'],
      ['issues', 'issue beefcake-tl: job_died TIMEOUT vm for 2m00s (Enter, R: recover plan)'],
      ['issues', 'issue beefcake-nf: job_died NODE_FAIL node7 for 2m00s (Enter, R: recover plan)'],
    ]);
    store.close();
  }, 60_000);
});
