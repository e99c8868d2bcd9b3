// The sandbox with `--profile runbook` (seed 001's own shapes), jobs through the real test SLURM:
// the discovery records are the runbook's (`-fast.json` with health_url) named by the servers'
// `local:PID` and listed live while those processes run, stale once `sandbox down` stopped them;
// the simulated workers write the runbook's resume file in the worktree and its telemetry events;
// the three recovery drills PASS with the runbook's remedy variables in the new jobs' /proc environ.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from '../support/bin.js';
import { requireCluster } from '../support/cluster.js';

const cluster = requireCluster();
const root = mkdtempSync(join(tmpdir(), 'swarmctl-sbx-runbook-'));
const outside = join(root, 'outside');
const ENV = { XDG_STATE_HOME: `${outside}/state`, XDG_CACHE_HOME: `${outside}/cache`, XDG_CONFIG_HOME: `${outside}/config`, SWARMCTL_NO_CONFIG_CACHE: '1', SLURM_CONF: cluster.slurmConf };
const dir = join(root, 'sbx');

afterAll(async () => {
  await runBin(['sandbox', 'down', '--dir', dir], { env: ENV, timeoutMs: 90_000 });
  rmSync(root, { recursive: true, force: true });
});

describe('sandbox --profile runbook (jobs through the test SLURM)', () => {
  it('runbook discovery records live by process, runbook resume and telemetry, and the recovery drills PASS with the runbook remedies', { timeout: 300_000 }, async () => {
    const up = await runBin(['sandbox', 'up', '--dir', dir, '--profile', 'runbook', '--json'], { env: ENV, timeoutMs: 120_000 });
    expect(up.code, up.stderr).toBe(0);
    const state = JSON.parse(up.stdout) as { profile: string; jobs: { mode: string }; processes: Array<{ name: string; pid: number }> };
    expect(state.profile).toBe('runbook');
    expect(state.jobs.mode).toBe('slurm');
    const cfg = ['--config', join(dir, 'swarmctl.yaml')];

    // The runbook's discovery shape, one per endpoint, named by the server's pid.
    const fastPid = state.processes.find((p) => p.name === 'endpoint:fast')!.pid;
    const rec = JSON.parse(readFileSync(join(dir, 'shared', 'endpoints', `local:${fastPid}-fast.json`), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(rec).sort()).toEqual(['health_url', 'host', 'job_id', 'model', 'port', 'started_at']);
    expect(rec['health_url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/health$/);
    const list = await runBin([...cfg, 'endpoints', 'list', '--json'], { env: ENV, timeoutMs: 60_000 });
    const entries = (JSON.parse(list.stdout) as { entries: Array<{ file: string; status: string; reason: string }> }).entries;
    expect(entries.find((e) => e.file === `local:${fastPid}-fast.json`)).toMatchObject({ status: 'live', reason: expect.stringContaining(`process ${fastPid} is running`) });
    expect(entries.filter((e) => e.status === 'stale')).toEqual([]);

    // The workers' files: a resume file in the worktree (top-level issue_id), telemetry events with phase and outcome.
    const resumeFile = join(dir, 'shared', 'worktrees', 'sbx-parse-500', '.swarm-resume.json');
    for (let i = 0; i < 60 && !existsSync(resumeFile); i++) await new Promise((r) => setTimeout(r, 500));
    expect(JSON.parse(readFileSync(resumeFile, 'utf8'))).toMatchObject({ issue_id: 'sbx-parse-500', phase: expect.any(String), iteration: expect.any(Number) });
    const events = readFileSync(join(dir, 'shared', 'code', 'repo', '.swarm-telemetry.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.some((e) => e['issue_id'] === 'sbx-stuck-loop' && e['phase'] === 'implementing' && e['outcome'] === 'no_change')).toBe(true);

    const r = await runBin(['drill', 'stuck-loop', 'parse-failure', 'cloud-failure', '--dir', dir, '--json'], { env: ENV, timeoutMs: 240_000 });
    const doc = JSON.parse(r.stdout) as { passed: boolean; drills: Array<{ name: string; status: string; observed: string[] }> };
    const want: Record<string, RegExp> = {
      'stuck-loop': /No file changes after agent response[\s\S]*received SWARM_WORKER_TEMP=0\.1 in \/proc\/\d+\/environ/,
      'parse-failure': /HTTP 500 Failed to parse input at pos \d+[\s\S]*received SWARM_WORKER_MAX_TURNS=4 in \/proc\/\d+\/environ/,
      'cloud-failure': /Cloud preflight failed[\s\S]*received SWARM_USE_CLOUD=0 in \/proc\/\d+\/environ/,
    };
    for (const d of doc.drills) {
      expect(d.status, `${d.name}:\n${d.observed.join('\n')}`).toBe('pass');
      expect(d.observed.join('\n')).toMatch(want[d.name]!);
    }
    expect(doc.drills.map((d) => d.name)).toEqual(['stuck-loop', 'parse-failure', 'cloud-failure']);
    expect(r.code).toBe(0);

    // Down: the servers are gone, so their records are stale now (by process, not by queue).
    const down = await runBin(['sandbox', 'down', '--dir', dir], { env: ENV, timeoutMs: 90_000 });
    expect(down.code, down.stderr).toBe(0);
    const after = await runBin([...cfg, 'endpoints', 'list', '--json'], { env: ENV, timeoutMs: 60_000 });
    const gone = (JSON.parse(after.stdout) as { entries: Array<{ file: string; status: string; reason: string }> }).entries;
    const names = readdirSync(join(dir, 'shared', 'endpoints')).filter((n) => n.startsWith('local:'));
    expect(names.length).toBe(3);
    for (const n of names) expect(gone.find((e) => e.file === n)).toMatchObject({ status: 'stale', reason: expect.stringMatching(/^process \d+ is gone$/) });
  });
});
