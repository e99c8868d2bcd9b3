// `sandbox up` on a machine without SLURM but with sshd: it starts its OWN sshd (loopback, keys in
// its folder) and submits the workers with swarmctl's direct submit (`ssh:` job ids); queue,
// status, diagnose and the console see them; `down` stops the workers and the sshd, by pid + start time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from '../support/bin.js';
import { pathWithout, SLURM_PROGRAMS } from '../support/path-without.js';
import { startTime } from '../support/proc.js';

const root = mkdtempSync(join(tmpdir(), 'swarmctl-sbx-ssh-'));
const outside = join(root, 'outside');
const dir = join(root, 'sbx');
mkdirSync(join(outside, 'home'), { recursive: true });
// No SLURM on PATH (sshd is there); every home swarmctl might write to is under `outside`.
const ENV = {
  PATH: pathWithout(join(root, 'path'), SLURM_PROGRAMS),
  HOME: join(outside, 'home'),
  XDG_STATE_HOME: join(outside, 'state'),
  XDG_CACHE_HOME: join(outside, 'cache'),
  XDG_CONFIG_HOME: join(outside, 'config'),
  XDG_RUNTIME_DIR: join(outside, 'run'),
  SLURM_CONF: '',
};
// swarmctl run by the operator on the sandbox config would cache it in XDG_CACHE_HOME: not the sandbox's doing.
const OP_ENV = { ...ENV, SWARMCTL_NO_CONFIG_CACHE: '1' };
const sb = (...args: string[]) => runBin(['sandbox', ...args, '--dir', dir], { env: ENV, timeoutMs: 90_000 });
const session = `sbx-ssh-${process.pid}`;
const tmux = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });

afterAll(async () => {
  try {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
  await sb('down');
  rmSync(root, { recursive: true, force: true });
});

const filesUnder = (d: string): string[] => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String).sort() : []);
const listening = (port: number) => execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim();

describe('sandbox in direct mode over its own sshd (root, no SLURM on PATH)', () => {
  it('auto picks ssh and says why; workers run as ssh: jobs the queue, status, diagnose and console see; down leaves nothing', async () => {
    const before = filesUnder(outside);
    const t0 = Date.now();
    const up = await sb('up', '--json');
    expect(up.code, up.stderr).toBe(0);
    const doc = JSON.parse(up.stdout);
    expect(doc.jobs.mode).toBe('ssh');
    expect(doc.jobs.reason).toMatch(/^no SLURM: squeue\/sbatch not found on PATH; direct mode: the sandbox starts its own sshd \(.*\/sshd\) on 127\.0\.0\.1/);

    const s = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as { processes: Array<{ name: string; pid: number; startTime: string; pgid: number; jobId?: string }> };
    const sshd = s.processes.find((p) => p.name === 'sshd')!;
    expect(startTime(sshd.pid)).toBe(sshd.startTime);
    expect(sshd.pgid).toBe(sshd.pid);
    const workers = s.processes.filter((p) => p.name.startsWith('worker:'));
    expect(workers).toHaveLength(4);
    for (const w of workers) expect(w.jobId).toBe(`ssh:sandbox:${w.pid}`);
    const stuck = workers.find((w) => w.name === 'worker:sbx-stuck-loop')!;
    expect(startTime(stuck.pid)).toBe(stuck.startTime);
    // The worker got the job environment through the direct submit, not the sandbox's own.
    expect(readFileSync(`/proc/${stuck.pid}/environ`, 'utf8').split('\0')).toContain('SWARM_ISSUE_ID=sbx-stuck-loop');

    // Its sshd: loopback only, keys 0600 in the folder, this user's key only.
    const conf = readFileSync(join(dir, 'ssh', 'sshd_config'), 'utf8');
    const port = Number(/^ListenAddress 127\.0\.0\.1:(\d+)$/m.exec(conf)![1]);
    expect(listening(port)).toMatch(new RegExp(`^LISTEN\\s+\\d+\\s+\\d+\\s+127\\.0\\.0\\.1:${port}\\s`));
    for (const f of ['host_ed25519', 'client_ed25519', 'authorized_keys', 'known_hosts']) expect(statSync(join(dir, 'ssh', f)).mode & 0o777, f).toBe(0o600);
    const cfg = join(dir, 'swarmctl.yaml');
    expect(readFileSync(cfg, 'utf8')).toMatch(/direct_host: sandbox/);

    const queue = JSON.parse((await runBin(['--config', cfg, 'queue', '--json'], { env: OP_ENV })).stdout) as { jobs: Array<{ jobId: string; state: string; issueId?: string }> };
    expect(queue.jobs).toContainEqual(expect.objectContaining({ jobId: stuck.jobId, state: 'RUNNING', issueId: 'sbx-stuck-loop' }));
    const status = JSON.parse((await sb('status', '--json')).stdout) as { processes: Array<{ name: string; job_id?: string; running: boolean }> };
    expect(status.processes).toContainEqual(expect.objectContaining({ name: 'worker:sbx-stuck-loop', job_id: stuck.jobId, running: true }));
    const diag = await runBin(['--config', cfg, 'diagnose', 'sbx-stuck-loop'], { env: OP_ENV });
    expect(diag.stdout + diag.stderr).toContain(`job ${stuck.jobId} is RUNNING`);
    // Its log is the one the direct start named (swarm-ssh-<issue>-<ts>.log), read for evidence.
    expect(diag.stdout).toMatch(/swarm-ssh-sbx-stuck-loop-\d+\.log:\d+ .*No file changes \(state driver\)/);
    expect(diag.stdout + diag.stderr).not.toContain('job log not read');

    // The console: the endpoints and the direct jobs in its queue.
    tmux(
      'new-session',
      '-d',
      '-x',
      '120',
      '-y',
      '36',
      '-s',
      session,
      'env',
      '-i',
      ...Object.entries({ ...OP_ENV, TERM: 'xterm-256color' }).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      BIN,
      '--config',
      cfg,
      'tui',
    );
    let screen = '';
    const end = Date.now() + 60_000;
    while (!(/✓ up\s+fast\b/.test(screen) && /ssh:san\S*\s+sbx-stuck-loop\s+RUNNING/.test(screen))) {
      if (Date.now() > end) throw new Error(`console never showed the direct job:\n${screen}`);
      await new Promise((r) => setTimeout(r, 250));
      screen = tmux('capture-pane', '-p', '-t', session);
    }
    console.log(`root, no SLURM, direct mode: sandbox up start to the console showing live data: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    tmux('kill-session', '-t', session);

    const down = await sb('down', '--json');
    expect(down.code, down.stderr).toBe(0);
    const d = JSON.parse(down.stdout);
    expect(d.survivors).toEqual([]);
    expect(d.stopped).toEqual(expect.arrayContaining(['sshd', 'worker:sbx-stuck-loop']));
    for (const p of s.processes) expect(startTime(p.pid) === p.startTime, `${p.name} pid ${p.pid} still runs`).toBe(false);
    expect(listening(port)).toBe('');
    // A tmux server keeps the argv of the `tmux new-session` that started it (this test's, when it was the first): not ours.
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(dir) && !l.startsWith('tmux '));
    expect(left).toEqual([]); // no ssh master, no session left
    expect(filesUnder(outside)).toEqual(before);
  }, 150_000);
});
