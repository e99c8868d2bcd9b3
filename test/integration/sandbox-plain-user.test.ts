// Acceptance: "the README's first command opens the console on the sandbox with live data within
// 60 s after the install, as a plain user without SLURM or sshd". A real system user (created
// once, idempotently), a PATH with neither, `sandbox up --tui` in tmux; then `down` leaves nothing
// it started alive (pid + /proc start time) and nothing outside the sandbox folder changed.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cluster.js';
import { pathWithout, SLURM_PROGRAMS } from '../support/path-without.js';
import { startTime } from '../support/proc.js';

const USER = 'swarmctl-sbx';
if (process.getuid?.() !== 0) throw new Error('sandbox-plain-user.test.ts creates a system user: run it as root (CI does)');
if (spawnSync('id', ['-u', USER]).status !== 0) {
  const r = spawnSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
  // 9: created meanwhile by a concurrent run.
  if (r.status !== 0 && r.status !== 9) throw new Error(`useradd ${USER}: ${r.stderr.trim()}`);
}
const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());

const root = mkdtempSync(join(tmpdir(), 'swarmctl-sbx-user-'));
chmodSync(root, 0o755);
const home = join(root, 'home');
const work = join(root, 'work');
for (const d of [home, work]) {
  mkdirSync(d);
  chownSync(d, uid, gid);
}
const dir = join(work, 'sbx');
const dir2 = join(work, 'sbx-sshd');
const PATH = pathWithout(join(root, 'path'), [...SLURM_PROGRAMS, 'sshd']);
const ENV = { HOME: home, PATH, TERM: 'xterm-256color', LANG: 'C.UTF-8' };

/** The built repo as the user can read it: this checkout, else a copy (node_modules linked). */
function repoForUser(): string {
  const can = spawnSync('runuser', ['-u', USER, '--', 'env', '-i', `PATH=${PATH}`, process.execPath, join(REPO_ROOT, 'bin', 'swarmctl'), '--version']);
  if (can.status === 0) return REPO_ROOT;
  const copy = join(root, 'repo');
  mkdirSync(copy);
  for (const f of ['bin', 'dist', 'fixtures', 'slurm', 'package.json']) cpSync(join(REPO_ROOT, f), join(copy, f), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}
const BIN = join(repoForUser(), 'bin', 'swarmctl');
const asUser = (...argv: string[]) => ['runuser', '-u', USER, '--', 'env', '-i', ...Object.entries(ENV).map(([k, v]) => `${k}=${v}`), process.execPath, BIN, ...argv];
const run = (...argv: string[]) => {
  const [cmd, ...rest] = asUser(...argv) as [string, ...string[]];
  return spawnSync(cmd, rest, { encoding: 'utf8', timeout: 90_000 });
};
const session = `sbx-user-${process.pid}`;
const tmux = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });

afterAll(() => {
  spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  run('sandbox', 'down', '--dir', dir);
  run('sandbox', 'down', '--dir', dir2);
  rmSync(root, { recursive: true, force: true });
});

const ownerOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const listing = (d: string) => readdirSync(d, { recursive: true }).map(String).sort();

describe('the README first command as a plain user without SLURM or sshd', () => {
  it('`sandbox up --tui` shows live data within 60 s; down leaves nothing running and nothing changed outside its folder', async () => {
    const homeBefore = listing(home);
    const t0 = Date.now();
    tmux('new-session', '-d', '-x', '120', '-y', '36', '-s', session, ...asUser('sandbox', 'up', '--dir', dir, '--tui'));
    let screen = '';
    const end = t0 + 60_000;
    while (!(/✓ up\s+fast\b/.test(screen) && /sbx-stuck-loop/.test(screen.split('Issues')[1] ?? ''))) {
      if (Date.now() > end) throw new Error(`no live data within 60 s; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 250));
      screen = tmux('capture-pane', '-p', '-t', session);
    }
    const seconds = (Date.now() - t0) / 1000;
    console.log(`plain user ${USER}, no SLURM, no sshd: sandbox up start to the console showing live data: ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(60);
    expect(screen).toMatch(/swarmctl\s+sandbox/);

    const s = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as { jobs: { mode: string; reason: string }; processes: Array<{ name: string; pid: number; startTime: string }> };
    expect(s.jobs.mode).toBe('local');
    expect(s.jobs.reason).toBe('no SLURM: squeue/sbatch not found on PATH; no direct mode: no sshd on PATH; so plain local processes');
    for (const p of s.processes.filter((q) => startTime(q.pid) === q.startTime)) expect(ownerOf(p.pid), p.name).toBe(uid);

    tmux('send-keys', '-t', session, 'q');
    const down = run('sandbox', 'down', '--dir', dir, '--json');
    expect(down.status, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).survivors).toEqual([]);
    for (const p of s.processes) expect(startTime(p.pid) === p.startTime, `${p.name} pid ${p.pid} still runs`).toBe(false);
    // A tmux server keeps the argv of the `tmux new-session` that started it (this test's, when it was the first): not ours.
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(dir) && !l.startsWith('tmux '));
    expect(left).toEqual([]);
    expect(listing(home)).toEqual(homeBefore);
    expect(readdirSync(work)).toEqual(['sbx']);
  }, 120_000);

  it('with sshd on PATH but a nologin shell, auto tries its own sshd, finds it cannot log in, and runs local processes saying why', () => {
    const withSshd = pathWithout(join(root, 'path-sshd'), SLURM_PROGRAMS);
    const [cmd, ...rest] = asUser('sandbox', 'up', '--dir', dir2, '--json').map((a) => (a === `PATH=${PATH}` ? `PATH=${withSshd}` : a)) as [string, ...string[]];
    const up = spawnSync(cmd, rest, { encoding: 'utf8', timeout: 90_000 });
    expect(up.status, up.stderr).toBe(0);
    const jobs = JSON.parse(up.stdout).jobs as { mode: string; reason: string };
    expect(jobs.mode).toBe('local');
    expect(jobs.reason).toMatch(/direct mode over its own sshd did not work \(a test login \(ssh swarmctl-sbx@127\.0\.0\.1 true\) failed with exit 1: This account is currently not available\.\)/);
    const down = run('sandbox', 'down', '--dir', dir2, '--json');
    expect(down.status, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).alreadyGone).toContain('sshd');
  }, 120_000);
});
