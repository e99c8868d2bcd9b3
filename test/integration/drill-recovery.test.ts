// The recovery drills (`swarmctl drill stuck-loop parse-failure cloud-failure stale-claim`) from
// the built binary, on a real sandbox whose jobs go through the real test SLURM, for both
// profiles: each PASSes with the diagnosis, its evidence line, the new job and the remedy read
// from that job's /proc; stale-claim reopens the claim in the tracker stand-in's store. And a
// remedy that does not reach the process (a job script that drops it) is a FAIL, not a PASS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it, type ExpectStatic } from 'vitest';
import { runBin } from '../support/bin.js';
import { REPO_ROOT, requireCluster } from '../support/cluster.js';

const cluster = requireCluster();
const root = mkdtempSync(join(tmpdir(), 'swarmctl-drill-recovery-'));
const outside = join(root, 'outside');
const ENV = {
  XDG_STATE_HOME: `${outside}/state`,
  XDG_CACHE_HOME: `${outside}/cache`,
  XDG_CONFIG_HOME: `${outside}/config`,
  SWARMCTL_NO_CONFIG_CACHE: '1',
  SLURM_CONF: cluster.slurmConf,
};
const up: string[] = [];
const sb = (dir: string, ...args: string[]) => runBin(['sandbox', ...args, '--dir', dir], { env: ENV, timeoutMs: 90_000 });
const drill = (dir: string, ...names: string[]) => runBin(['drill', ...names, '--json', '--dir', dir], { env: ENV, timeoutMs: 280_000 });

afterAll(async () => {
  for (const d of up) await sb(d, 'down');
  rmSync(root, { recursive: true, force: true });
});

interface DrillDoc {
  passed: boolean;
  drills: Array<{ name: string; status: string; observed: string[] }>;
}
const jobActive = (id: string) => /RUNNING|PENDING|CONFIGURING/.test(execFileSync('squeue', ['-h', '-j', id, '-o', '%T'], { env: { ...process.env, SLURM_CONF: cluster.slurmConf } }).toString());
const newJobOf = (observed: string[]) => Number(/new job (\d+)/.exec(observed.join('\n'))?.[1]);

const REMEDY: Record<string, Record<string, RegExp>> = {
  beefcake: {
    'stuck-loop': /received SWARM_WORKER_TEMPERATURE=0\.1 in \/proc\/\d+\/environ/,
    'parse-failure': /received SWARM_WORKER_MAX_TURNS=4 in \/proc\/\d+\/environ/,
    'cloud-failure': /received SWARM_USE_CLOUD=0 in \/proc\/\d+\/environ/,
  },
  // The python worker reads no temperature or max-turns variable: a model variant (or a flag).
  'python-worker': {
    'stuck-loop': /received SWARM_WORKER_MODEL=tensorzero::\S+ in \/proc\/\d+\/environ/,
    'parse-failure': /received SWARM_WORKER_MODEL=tensorzero::\S+ in \/proc\/\d+\/environ/,
    'cloud-failure': /received SWARM_WORKER_MODEL=tensorzero::\S+ in \/proc\/\d+\/environ/,
  },
};
const KIND: Record<string, Record<string, RegExp>> = {
  beefcake: { 'stuck-loop': /: stuck_text_mode \(/, 'parse-failure': /: output_parse_failure \(/, 'cloud-failure': /: cloud_escalation_failed \(/ },
  'python-worker': { 'stuck-loop': /: stuck_loop \(/, 'parse-failure': /: output_parse_failure \(/, 'cloud-failure': /: cloud_escalation_failed \(/ },
};

/** What a drill run must show for the three recovery drills (and stale-claim) on `profile`. */
async function checkRecoveryRun(expect: ExpectStatic, profile: 'beefcake' | 'python-worker', dir: string, r: { code: number; stdout: string; stderr: string }): Promise<void> {
  const doc = JSON.parse(r.stdout) as DrillDoc;
  const by = Object.fromEntries(doc.drills.map((d) => [d.name, d]));
  for (const name of ['stuck-loop', 'parse-failure', 'cloud-failure']) {
    const d = by[name]!;
    expect(d.status, `${name}:\n${d.observed.join('\n')}`).toBe('pass');
    const text = d.observed.join('\n');
    expect(text).toMatch(KIND[profile]![name]!); // the diagnosis
    expect(text).toMatch(/^evidence \/\S+:\d+: \S/m); // file:line text
    expect(text).toMatch(REMEDY[profile]![name]!); // what the new process really got
    expect(text).toMatch(/^audit #\d+ recover\.resubmit_with_env ok: submitted job \d+/m);
    expect(jobActive(String(newJobOf(d.observed)))).toBe(false); // the drill cancelled the job it caused
  }
  // The swarmctl audit, read apart from the drill, has each resubmit.
  const audit = JSON.parse((await runBin(['--config', join(dir, 'swarmctl.yaml'), 'audit', '--json', '--limit', '200'], { env: ENV })).stdout) as {
    rows: Array<{ action: string; outcome: string; detail: string | null }>;
  };
  for (const name of ['stuck-loop', 'parse-failure', 'cloud-failure'])
    expect(audit.rows.some((row) => row.action === 'recover.resubmit_with_env' && row.outcome === 'ok' && row.detail?.includes(`job ${newJobOf(by[name]!.observed)} `))).toBe(true);

  const stale = by['stale-claim']!;
  if (profile === 'beefcake') expect(stale.status).toBe('not_applicable');
  else {
    expect(stale.status, stale.observed.join('\n')).toBe('pass');
    expect(stale.observed.join('\n')).toMatch(/stale_claim \(the tracker still has the issue in_progress/);
    // In the stand-in's own store: reopened with the assignee cleared and a note (then closed by the drill's cleanup).
    const id = /left (sbx-stale-claim-\S+) in_progress/.exec(stale.observed.join('\n'))?.[1] ?? '';
    const stored = (JSON.parse(readFileSync(join(dir, 'bd-sim.json'), 'utf8')) as { issues: Record<string, { status: string; assignee: string; notes?: Array<{ text: string }> }> }).issues[id];
    expect(stored).toMatchObject({ assignee: '', status: 'closed' });
    expect(stored?.notes?.some((n) => /^swarmctl: the tracker still has the issue in_progress/.test(n.text))).toBe(true);
  }
  expect(doc.passed).toBe(true);
  expect(r.code).toBe(0);
}

/** `sandbox down`, then none of its recorded processes is still that process. */
async function downLeavesNothing(expect: ExpectStatic, dir: string): Promise<void> {
  const d = await sb(dir, 'down', '--json');
  expect(d.code, d.stderr).toBe(0);
  up.splice(up.indexOf(dir), 1);
  const s = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as { processes: Array<{ pid: number; startTime: string }> };
  for (const p of s.processes) {
    let same = false;
    try {
      const rest = readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
      same = rest[0] !== 'Z' && rest[19] === p.startTime; // a zombie has stopped
    } catch {
      /* gone */
    }
    expect(same).toBe(false);
  }
}

async function sandboxUp(expect: ExpectStatic, dir: string, profile: string): Promise<void> {
  const u = await sb(dir, 'up', '--profile', profile, '--json');
  up.push(dir);
  expect(u.code, u.stderr).toBe(0);
  expect(JSON.parse(u.stdout).jobs.mode).toBe('slurm');
}

// The two profiles side by side (their job names differ, so they do not see each other's jobs).
describe.concurrent('recovery drills on sandboxes whose jobs go through the real test SLURM', () => {
  it("beefcake: stuck-loop, parse-failure, cloud-failure PASS (remedy variables in the new job's /proc environ) beside a neighbour sandbox; a dropped remedy is a FAIL", async ({ expect }) => {
    const dir = join(root, 'sbx-beefcake');
    await sandboxUp(expect, dir, 'beefcake');
    // A neighbour on the same SLURM with the same issue ids, its stuck loop running: its jobs
    // must neither block this sandbox's recover nor be taken for this sandbox's.
    const neighbour = join(root, 'neighbour-beefcake');
    await sandboxUp(expect, neighbour, 'beefcake');

    const r = await drill(dir, 'stuck-loop', 'parse-failure', 'cloud-failure', 'stale-claim');
    const stuck = (JSON.parse(readFileSync(join(neighbour, 'sandbox.json'), 'utf8')) as { slurmJobs: Array<{ jobId: string; issue: string }> }).slurmJobs.find((j) => j.issue === 'sbx-stuck-loop')!;
    expect(jobActive(stuck.jobId)).toBe(true); // untouched by the drills
    await downLeavesNothing(expect, neighbour);
    await checkRecoveryRun(expect, 'beefcake', dir, r);

    // A site job script that forgets the variable: recover still says it resubmitted with it,
    // and the drill, looking at the process, says FAIL.
    const script = join(dir, 'drops-remedy.sbatch');
    const original = readFileSync(join(REPO_ROOT, 'slurm', 'swarm-job.sbatch'), 'utf8');
    writeFileSync(script, original.replace(/^cmd=\("\$@"\)$/m, 'unset SWARM_WORKER_MAX_TURNS\ncmd=("$@")'), { mode: 0o755 });
    const config = join(dir, 'swarmctl.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^swarm:\n/m, `swarm:\n  sbatch_script: ${script}\n`));
    const bad = await drill(dir, 'parse-failure');
    const d = (JSON.parse(bad.stdout) as DrillDoc).drills[0]!;
    expect(d.status, d.observed.join('\n')).toBe('fail');
    expect(d.observed.join('\n')).toMatch(/did not receive the remedy: missing SWARM_WORKER_MAX_TURNS=4 \(has nothing\)/);
    expect(bad.code).toBe(1);
    expect(jobActive(String(newJobOf(d.observed)))).toBe(false); // cleaned up all the same

    await downLeavesNothing(expect, dir);
  }, 300_000);

  it("python-worker: stuck-loop, parse-failure, cloud-failure PASS (SWARM_WORKER_MODEL in the new job's /proc environ); stale-claim reopens the claim in the tracker store", async ({ expect }) => {
    const dir = join(root, 'sbx-python-worker');
    await sandboxUp(expect, dir, 'python-worker');
    await checkRecoveryRun(expect, 'python-worker', dir, await drill(dir, 'stuck-loop', 'parse-failure', 'cloud-failure', 'stale-claim'));
    await downLeavesNothing(expect, dir);
  }, 300_000);
});
