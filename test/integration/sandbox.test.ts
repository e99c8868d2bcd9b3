// `swarmctl sandbox up|status|down|reset` on real processes: the endpoints answer like
// llama-server / the proxy, the simulated workers write what the profile's orchestrator writes,
// jobs go through the real test SLURM when it answers, and `down` leaves no recorded process
// (checked in /proc by pid + start time) and nothing changed outside the sandbox folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from '../support/bin.js';
import { REPO_ROOT, requireCluster } from '../support/cluster.js';
import { startTime } from '../support/proc.js';

const cluster = requireCluster();
const root = mkdtempSync(join(tmpdir(), 'swarmctl-sandbox-'));
const outside = join(root, 'outside');
const ENV = { XDG_STATE_HOME: `${outside}/state`, XDG_CACHE_HOME: `${outside}/cache`, XDG_CONFIG_HOME: `${outside}/config`, SWARMCTL_NO_CONFIG_CACHE: '1' };
// "No SLURM" for real: a copy of the test cluster's slurm.conf naming a dead controller port.
const deadConf = join(root, 'dead-slurm.conf');
writeFileSync(
  deadConf,
  readFileSync(cluster.slurmConf, 'utf8')
    .replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=16999')
    .replace(/^MessageTimeout=.*$/m, '')
    .concat('\nMessageTimeout=2\n'),
);
const LOCAL_ENV = { ...ENV, SLURM_CONF: deadConf };
const SLURM_ENV = { ...ENV, SLURM_CONF: cluster.slurmConf };
const dirs: Array<[string, Record<string, string>]> = [];
const sb = (dir: string, env: Record<string, string>, ...args: string[]) => runBin(['sandbox', ...args, '--dir', dir], { env, timeoutMs: 90_000 });

afterAll(async () => {
  for (const [d, env] of dirs) await sb(d, env, 'down');
  rmSync(root, { recursive: true, force: true });
});

const state = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as {
    processes: Array<{ name: string; pid: number; startTime: string; pgid: number }>;
    slurmJobs: Array<{ jobId: string }>;
    endpoints: Record<string, { url: string }>;
  };
const waitFor = async (what: string, ok: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};
const filesUnder = (d: string): string[] => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String) : []);

describe('sandbox (beefcake, plain local processes)', () => {
  const dir = join(root, 'sbx-local');
  dirs.push([dir, LOCAL_ENV]);

  it('up starts and records the endpoints, workers and tracker; a second up reuses it; down stops exactly them', async () => {
    // --jobs local: with sshd on PATH, auto would choose direct mode (sandbox-ssh.test.ts).
    const up = await sb(dir, LOCAL_ENV, 'up', '--jobs', 'local', '--json');
    expect(up.code, up.stderr).toBe(0);
    const doc = JSON.parse(up.stdout);
    expect(doc.reused).toBe(false);
    expect(doc.jobs).toEqual({ mode: 'local', reason: 'asked for (--jobs local)' });
    const s = state(dir);
    expect(s.processes.map((p) => p.name)).toEqual([
      'endpoint:fast',
      'endpoint:reasoning',
      'endpoint:dead-host',
      'endpoint:cloud',
      'worker:sbx-stuck-loop',
      'worker:sbx-parse-500',
      'worker:sbx-cloud-fail',
      'worker:sbx-resolved',
    ]);
    // Recorded identity is /proc's: start time field 22, each a process-group leader.
    for (const p of s.processes.slice(0, 5)) {
      expect(startTime(p.pid)).toBe(p.startTime);
      expect(p.pgid).toBe(p.pid);
    }

    // The endpoints answer as the real servers would.
    expect((await fetch(`${s.endpoints['fast']!.url}/health`)).status).toBe(200);
    expect((await fetch(`${s.endpoints['reasoning']!.url}/health`)).status).toBe(503);
    const keyFile = join(dir, 'secrets', 'cloud.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect((await fetch(`${s.endpoints['cloud']!.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${s.endpoints['cloud']!.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const hung = await fetch(`${s.endpoints['dead-host']!.url}/health`, { signal: AbortSignal.timeout(1000) }).then(
      () => 'answered',
      () => 'hung',
    );
    expect(hung).toBe('hung');
    expect(readFileSync(join(dir, 'sandbox.json'), 'utf8')).not.toContain(key); // the key is not recorded
    expect(readdirSync(join(dir, 'shared', 'endpoints')).filter((f) => f.endsWith('.json'))).toHaveLength(3);

    // swarmctl itself, on the generated config, sees it: the probe and the tracker stand-in.
    const cfg = join(dir, 'swarmctl.yaml');
    const probe = await runBin(['--config', cfg, 'probe', '--json'], { env: LOCAL_ENV });
    const statuses = Object.fromEntries((JSON.parse(probe.stdout).services as Array<{ name: string; status: string }>).map((r) => [r.name, r.status]));
    expect(statuses).toMatchObject({ fast: 'up', reasoning: 'loading', 'dead-host': 'down', cloud: 'up', shared: 'up' });
    const bd = execFileSync(join(dir, 'bin', 'bd'), ['show', 'sbx-resolved', '--json']).toString();
    expect(JSON.parse(bd)[0]).toMatchObject({ id: 'sbx-resolved', status: 'in_progress' });

    // The simulated workers wrote what beefcake writes.
    const repo = join(dir, 'shared', 'code', 'repo');
    await waitFor(
      'three finished sessions in the telemetry',
      () => existsSync(join(repo, '.swarm-telemetry.jsonl')) && readFileSync(join(repo, '.swarm-telemetry.jsonl'), 'utf8').trim().split('\n').length >= 3,
    );
    const telemetry = readFileSync(join(repo, '.swarm-telemetry.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(telemetry.find((t) => t.issue_id === 'sbx-resolved')).toMatchObject({ success: true });
    expect(telemetry.find((t) => t.issue_id === 'sbx-parse-500')).toMatchObject({ success: false });
    const branches = execFileSync('git', ['-C', repo, 'branch', '--list', 'swarm/*']).toString();
    expect(branches).toContain('swarm/sbx-resolved');
    expect(existsSync(join(dir, 'shared', 'worktrees', 'sbx-stuck-loop', '.swarm', 'checkpoint.json'))).toBe(true);
    await waitFor(
      'the stuck loop repeating',
      () => (readFileSync(join(dir, 'shared', 'logs', 'swarm-orch-local-sbx-stuck-loop.log'), 'utf8').match(/No file changes \(state driver\)/g) ?? []).length >= 2,
    );
    expect(readFileSync(join(dir, 'shared', 'logs', 'swarm-orch-local-sbx-parse-500.log'), 'utf8')).toMatch(/\x1b\[33m WARN\x1b\[0m.*Failed to parse input at pos 311/);

    const again = await sb(dir, LOCAL_ENV, 'up', '--json');
    expect(JSON.parse(again.stdout).reused).toBe(true);
    expect(state(dir).processes.map((p) => p.pid)).toEqual(s.processes.map((p) => p.pid));
    expect((await sb(dir, LOCAL_ENV, 'status')).code).toBe(0);

    const down = await sb(dir, LOCAL_ENV, 'down', '--json');
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).survivors).toEqual([]);
    for (const p of s.processes) expect(startTime(p.pid) === p.startTime, `${p.name} pid ${p.pid} still runs`).toBe(false);
    const ps = execFileSync('ps', ['-eo', 'args']).toString();
    expect(ps).not.toContain(dir); // nothing of this sandbox runs, recorded or not
    expect((await sb(dir, LOCAL_ENV, 'status')).code).toBe(2);
    // Nothing was written outside the sandbox folder (state, cache and config homes untouched).
    expect(filesUnder(outside)).toEqual([]);
    expect(readdirSync(root).sort()).toEqual(['dead-slurm.conf', 'sbx-local']);
  }, 120_000);

  it('reset moves the old story aside and starts again; a folder that is not a sandbox is refused', async () => {
    const r = await sb(dir, LOCAL_ENV, 'reset', '--jobs', 'local', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, '.archive'))).toHaveLength(1);
    expect(existsSync(join(dir, '.archive', readdirSync(join(dir, '.archive'))[0]!, 'shared', 'code', 'repo', '.swarm-telemetry.jsonl'))).toBe(true);
    expect(state(dir).processes.every((p) => startTime(p.pid) === p.startTime)).toBe(true);
    expect((await sb(dir, LOCAL_ENV, 'down')).code).toBe(0);

    // --jobs slurm where the controller does not answer: refused, saying why.
    const noSlurm = await sb(join(root, 'sbx-no-slurm'), LOCAL_ENV, 'up', '--jobs', 'slurm');
    expect(noSlurm.code).toBe(2);
    expect(noSlurm.stderr).toMatch(/--jobs slurm, but squeue failed \(exit 1\): .*Unable to contact slurm controller/);

    const notSandbox = join(root, 'not-a-sandbox');
    mkdirSync(notSandbox);
    writeFileSync(join(notSandbox, 'precious.txt'), 'keep');
    const refused = await sb(notSandbox, LOCAL_ENV, 'up');
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/not empty and holds no sandbox\.json/);
    expect(readdirSync(notSandbox)).toEqual(['precious.txt']);
  }, 120_000);
});

describe('sandbox (python-worker, jobs through the real test SLURM)', () => {
  const dir = join(root, 'sbx-slurm');
  dirs.push([dir, SLURM_ENV]);

  it('submits the simulated workers with sbatch, and down cancels exactly its jobs', async () => {
    const up = await sb(dir, SLURM_ENV, 'up', '--profile', 'python-worker', '--json');
    expect(up.code, up.stderr).toBe(0);
    const doc = JSON.parse(up.stdout);
    expect(doc.jobs.mode).toBe('slurm');
    const s = state(dir);
    expect(s.slurmJobs).toHaveLength(4);
    const summary = join(dir, 'shared', 'code', 'repo', 'logs', 'mini-swarm', 'summary.jsonl');
    await waitFor('three summary rows', () => existsSync(summary) && readFileSync(summary, 'utf8').trim().split('\n').length >= 3, 60_000);
    const rows = readFileSync(summary, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.status).sort()).toEqual(['failed', 'no_change', 'resolved']);
    const stuckLog = join(dir, 'shared', 'logs', `swarm-orch-${s.slurmJobs[0]!.jobId}.log`);
    expect(readFileSync(stuckLog, 'utf8')).toMatch(/^\[\d\d:\d\d:\d\dZ\] process_issue: id=sbx-stuck-loop/m);
    const squeue = (id: string) =>
      execFileSync('squeue', ['-h', '-j', id, '-o', '%T'], { env: { ...process.env, SLURM_CONF: cluster.slurmConf } })
        .toString()
        .trim();
    expect(squeue(s.slurmJobs[0]!.jobId)).toMatch(/RUNNING|PENDING/);

    // A second sandbox on the same SLURM, same issue ids: it gets its own jobs, and this
    // sandbox's down leaves them alone.
    const other = join(root, 'sbx-slurm-2');
    dirs.push([other, SLURM_ENV]);
    expect((await sb(other, SLURM_ENV, 'up', '--profile', 'python-worker')).code).toBe(0);
    const otherStuck = state(other).slurmJobs[0]!.jobId;
    expect(otherStuck).not.toBe(s.slurmJobs[0]!.jobId);

    const down = await sb(dir, SLURM_ENV, 'down', '--json');
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).cancelledJobs).toEqual([`worker:sbx-stuck-loop (job ${s.slurmJobs[0]!.jobId})`]);
    expect(squeue(otherStuck)).toMatch(/RUNNING|PENDING/);
    expect((await sb(other, SLURM_ENV, 'down')).code).toBe(0);
    await waitFor('the stuck job gone', () => !/RUNNING|PENDING/.test(squeue(s.slurmJobs[0]!.jobId)), 20_000);
    for (const p of s.processes) expect(startTime(p.pid) === p.startTime).toBe(false);
  }, 150_000);
});

describe('sandbox up --tui (the README first command, from the real binary in tmux at 120x36)', () => {
  const dir = join(root, 'sbx-tui');
  dirs.push([dir, SLURM_ENV]);
  const session = `sbx-tui-${process.pid}`;
  const tmux = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });
  afterAll(() => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      /* already gone */
    }
  });

  it('opens the console on the sandbox config with live data (fast endpoint up, the stuck issue listed) within 60 s', async () => {
    const t0 = Date.now();
    const envArgs = Object.entries(SLURM_ENV).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    tmux('new-session', '-d', '-x', '120', '-y', '36', '-s', session, ...envArgs, process.execPath, join(REPO_ROOT, 'bin', 'swarmctl'), 'sandbox', 'up', '--dir', dir, '--tui');
    let screen = '';
    await waitFor(
      'the console with live data',
      () => {
        screen = tmux('capture-pane', '-p', '-t', session);
        return /✓ up\s+fast\b/.test(screen) && /sbx-stuck-loop/.test(screen.split('Issues')[1] ?? '');
      },
      60_000,
    );
    const seconds = (Date.now() - t0) / 1000;
    console.log(`root with SLURM: sandbox up start to the console showing live data: ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(60);
    expect(screen).toMatch(/swarmctl\s+sandbox/); // the cluster name of the generated config
    expect(screen).toMatch(/✗ down\s+dead-host/);
  }, 90_000);
});
