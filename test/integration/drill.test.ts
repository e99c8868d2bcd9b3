// `swarmctl drill` on a real sandbox, for both profiles, with jobs through the real test SLURM:
// every drill of this branch PASSes with the observations that prove it, and `sandbox down`
// afterwards leaves no recorded process (pid + start time) and no recorded SLURM job running.
// The two profiles run one after the other: restart resubmits by job name, and parallel
// sandboxes of the same story would see each other's jobs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from '../support/bin.js';
import { requireCluster } from '../support/cluster.js';
import { startTime } from '../support/proc.js';

const cluster = requireCluster();
const root = mkdtempSync(join(tmpdir(), 'swarmctl-drill-'));
const outside = join(root, 'outside');
const ENV = { XDG_STATE_HOME: `${outside}/state`, XDG_CACHE_HOME: `${outside}/cache`, XDG_CONFIG_HOME: `${outside}/config`, SWARMCTL_NO_CONFIG_CACHE: '1', SLURM_CONF: cluster.slurmConf };
const dirs: string[] = [];

afterAll(async () => {
  for (const d of dirs) await runBin(['sandbox', 'down', '--dir', d], { env: ENV, timeoutMs: 90_000 });
  rmSync(root, { recursive: true, force: true });
});

interface DrillDoc {
  passed: boolean;
  drills: Array<{ name: string; status: string; seconds: number; observed: string[] }>;
}

const NAMES = ['stale-discovery', 'two-operators', 'endpoint-down', 'controller-down', 'outage-restart'];

for (const profile of ['beefcake', 'python-worker'] as const) {
  describe(`swarmctl drill (${profile}, jobs through the test SLURM)`, () => {
    const dir = join(root, `sbx-${profile}`);
    dirs.push(dir);

    it('every drill passes with what it observed, and sandbox down then leaves nothing running', { timeout: 420_000 }, async () => {
      const up = await runBin(['sandbox', 'up', '--dir', dir, '--profile', profile, '--json'], { env: ENV, timeoutMs: 120_000 });
      expect(up.code, up.stderr).toBe(0);
      expect(JSON.parse(up.stdout).jobs.mode).toBe('slurm');

      const r = await runBin(['drill', ...NAMES, '--json', '--dir', dir], { env: ENV, timeoutMs: 400_000 });
      const doc = JSON.parse(r.stdout) as DrillDoc;
      const by = Object.fromEntries(doc.drills.map((d) => [d.name, d]));
      const text = (n: string) => by[n]!.observed.join('\n');
      // Every drill ran, in registry order, and passed (the observations are the failure message).
      expect(doc.drills.map((d) => d.name)).toEqual(NAMES);
      for (const d of doc.drills) expect(d.status, `${d.name}:\n${d.observed.join('\n')}`).toBe('pass');
      expect(r.code).toBe(0);
      expect(doc.passed).toBe(true);

      expect(text('stale-discovery')).toMatch(/SLURM job \d+ \(sbatch --wrap true\) ended/);
      expect(text('stale-discovery')).toMatch(/-drill\.json is stale \(job \d+ is not in the queue\)/);
      expect(text('stale-discovery')).toMatch(/-drill\.json -> .*\/shared\/archive\/endpoints\/.*-drill\.json \(same bytes\); gone from the endpoints folder/);

      expect(text('two-operators')).toMatch(/operator 2: swarmctl restart --yes -> exit 2 .*the operator lock is held by \S+@\S+ \(pid \d+/);
      expect(text('two-operators')).toMatch(/names pid \d+: yes; operator 1 still running then: yes/);
      expect(text('two-operators')).toMatch(/operator lock free/);

      expect(text('endpoint-down')).toMatch(/killed endpoint:fast pid \d+ \(process group \d+, start time \d+ checked\)/);
      expect(text('endpoint-down')).toMatch(/degraded -> degraded -> down; down at sweep 3 after/);
      expect(text('endpoint-down')).toMatch(/after: endpoints resolve --tier fast -> http:\/\/127\.0\.0\.1:\d+ \(\w[\w-]*\); its \/health answers 200/);
      expect(text('endpoint-down')).toMatch(/for fast: up->degraded, degraded->down; transitions to down: 1/);
      expect(text('endpoint-down')).toMatch(/undo: endpoint fast started again on port \d+/);

      expect(text('controller-down')).toMatch(/slurmctld is shared and not the sandbox's: left running/);
      expect(text('controller-down')).toMatch(/queue: exit 2 in .*state unknown, [1-9]\d* last known job\(s\) shown/);
      expect(text('controller-down')).toMatch(/status: exit 2, queue UNKNOWN with [1-9]\d* last known job\(s\)/);
      expect(text('controller-down')).toMatch(/recover \S+ --yes: exit 2: refused/);
      expect(text('controller-down')).toMatch(/submit \S+: exit 2, failed: a duplicate cannot be ruled out/);
      expect(text('controller-down')).toMatch(/0 new with logs in the sandbox/);

      const o = text('outage-restart');
      expect(o).toMatch(/before: [1-9]\d* running job\(s\) of the sandbox/);
      expect(o).toMatch(/restart --yes --json --skip dead-host: exit 0 .*steps in order: shared -> fast -> reasoning -> cloud -> slurm -> swarm-jobs/);
      expect(o).toMatch(/outcomes: shared healthy; fast started; reasoning started; cloud started; slurm healthy; swarm-jobs started/);
      expect(o).toMatch(/dependency order: kept/);
      expect(o).toMatch(/listening again: fast:\d+ yes, reasoning:\d+ yes, cloud:\d+ yes/);
      expect(o).toMatch(/swarm jobs resubmitted: \S+ -> \d+/);
      expect(o).not.toMatch(/NOT resubmitted/);

      // The resubmitted jobs were recorded, so `down` cancels them with the rest.
      const down = await runBin(['sandbox', 'down', '--dir', dir, '--json'], { env: ENV, timeoutMs: 90_000 });
      expect(down.code, down.stderr).toBe(0);
      const st = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as { processes: Array<{ name: string; pid: number; startTime: string }>; slurmJobs: Array<{ jobId: string }> };
      const left = st.processes.filter((p) => startTime(p.pid) === p.startTime);
      expect(left.map((p) => `${p.name} ${p.pid}`)).toEqual([]);
      const ids = st.slurmJobs.map((j) => j.jobId);
      const q = execFileSync('squeue', ['-h', '-o', '%i %T'], { env: { ...process.env, SLURM_CONF: cluster.slurmConf }, encoding: 'utf8' });
      expect(q.split('\n').filter((l) => ids.includes(l.split(' ')[0]!) && /PENDING|RUNNING/.test(l))).toEqual([]);
    });
  });
}

describe('swarmctl drill usage', () => {
  it('exit 2 with the fix when no sandbox is up; 64 naming the drills for an unknown one', async () => {
    const none = await runBin(['drill', '--dir', join(root, 'nothing-here')], { env: ENV });
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/no sandbox up: .*start one with `swarmctl sandbox up --dir /);
    const bad = await runBin(['drill', 'endpoint-dwn', '--dir', join(root, 'nothing-here')], { env: ENV });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/unknown drill endpoint-dwn: use one of .*stale-discovery.*endpoint-down.*outage-restart/);
  });
});
