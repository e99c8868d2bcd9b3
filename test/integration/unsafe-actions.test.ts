// Issue 13, points 1 and 2, on the real test cluster: mutating commands treat an
// unreadable queue as "maybe running" (squeue made to fail FOR REAL with a copy of
// slurm.conf pointing at a dead controller port), and `cancel ssh:HOST:PID` kills only
// a process group swarmctl started (real sshd on 127.0.0.1:12222).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { makeBatchConfig, type BatchTestEnv } from '../support/batch-config.js';

const json = (s: string) => JSON.parse(s) as Record<string, any>;

/** slurm.conf with a controller port nobody listens on: squeue exits 1 "Unable to contact slurm controller". */
function deadConf(dir: string, slurmConf: string): string {
  const p = join(dir, 'dead.conf');
  writeFileSync(p, `${readFileSync(slurmConf, 'utf8').replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=16999')}\nMessageTimeout=2\n`);
  return p;
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A share with a stuck_wrong_branch issue: log with a successful edit, worktree on the wrong branch. */
function wrongBranchShare(slurmConf: string): { root: string; cfg: string; db: string; issue: string; wt: string; repo: string } {
  const root = mkdtempSync(join(tmpdir(), 'swarmctl-unsafe-'));
  for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive']) mkdirSync(join(root, d), { recursive: true });
  const issue = `beefcake-wb${process.pid}`;
  const repo = join(root, 'code/repo');
  const wt = join(root, 'wt', issue);
  git(['-C', repo, 'init', '-q', '-b', 'main']);
  git(['-C', repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init']);
  git(['-C', repo, 'worktree', 'add', '-q', '-b', `swarm/${issue}`, wt]);
  git(['-C', wt, 'checkout', '-q', '-b', `other-${process.pid}`]);
  const lines = readFileSync(join(REPO_ROOT, 'fixtures/beefcake/swarm-orch-2317.stuck-loop.log'), 'utf8').split('\n');
  // Line 37 is a successful read_file call; the same call as edit_file makes it "stuck with writes".
  lines.splice(37, 0, lines[36]!.replaceAll('read_file', 'edit_file'));
  writeFileSync(join(root, 'ai/logs/swarm-orch-2317.log'), lines.join('\n'));
  const cfg = join(root, 'swarmctl.yaml');
  writeFileSync(cfg, `version: 1\npaths:\n  shared_root: ${root}\nslurm:\n  conf: ${slurmConf}\n  command_timeout_s: 10\nswarm:\n  profile: beefcake\n`);
  return { root, cfg, db: join(root, 'db.sqlite'), issue, wt, repo };
}

async function auditOf(cfg: string, db: string, issue: string): Promise<string[]> {
  const a = await runBin(['--config', cfg, '--db', db, 'audit', '--issue', issue, '--json']);
  return (json(a.stdout).rows as Array<{ action: string; outcome: string }>).map((r) => `${r.action}:${r.outcome}`);
}

describe('mutating commands refuse when the queue cannot be read (real SLURM, dead controller port)', () => {
  it('recover --yes refuses (exit 2, nothing moved, branch kept); --assume-not-running proceeds and is audited', async () => {
    const cluster = requireCluster();
    const probe = wrongBranchShare(cluster.slurmConf);
    const dead = deadConf(probe.root, cluster.slurmConf);
    writeFileSync(probe.cfg, readFileSync(probe.cfg, 'utf8').replace(cluster.slurmConf, dead));
    const base = ['--config', probe.cfg, '--db', probe.db];
    const r = await runBin([...base, 'recover', probe.issue, '--job', '2317', '--yes', '--json']);
    const doc = json(r.stdout);
    expect(doc.plan.kind).toBe('stuck_wrong_branch');
    expect(r.code, r.stderr).toBe(2);
    expect(doc.liveness.verdict).toBe('unknown');
    expect(r.stderr).toMatch(/refused: refusing to recover .*the queue could not be read.*Unable to contact slurm controller.*--assume-not-running/);
    expect(existsSync(probe.wt)).toBe(true);
    expect(git(['-C', probe.repo, 'branch', '--list', `swarm/${probe.issue}`])).toContain(`swarm/${probe.issue}`);
    expect(readdirSync(join(probe.root, 'ai/archive'))).toEqual([]);
    expect(await auditOf(probe.cfg, probe.db, probe.issue)).toEqual(['recover:skipped']);

    const o = await runBin([...base, 'recover', probe.issue, '--job', '2317', '--yes', '--assume-not-running', '--json']);
    const od = json(o.stdout);
    expect(od.result.actions.find((a: any) => a.type === 'clean_worktree').outcome).toBe('ok');
    // The resubmit after it is refused by submit itself (it cannot check for a duplicate): exit 2.
    expect(od.result.actions.find((a: any) => a.type === 'resubmit').outcome).toBe('failed');
    expect(o.code).toBe(2);
    expect(existsSync(probe.wt)).toBe(false);
    expect(git(['-C', probe.repo, 'branch', '--list', `swarm/${probe.issue}`])).toBe('');
    const rows = await auditOf(probe.cfg, probe.db, probe.issue);
    expect(rows).toContain('recover.assume-not-running:ok');
    expect(rows).toContain('recover.clean_worktree:ok');
  }, 60_000);

  it('recover refuses when sacct says RUNNING although squeue does not list the job (fake sacct: accounting is off on the test cluster)', async () => {
    const cluster = requireCluster();
    const s = wrongBranchShare(cluster.slurmConf);
    const bin = join(s.root, 'fakebin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'sacct'), '#!/bin/sh\necho RUNNING\n');
    chmodSync(join(bin, 'sacct'), 0o755);
    const r = await runBin(['--config', s.cfg, '--db', s.db, 'recover', s.issue, '--job', '2317', '--yes', '--json'], { env: { PATH: `${bin}:${process.env['PATH']}` } });
    expect(r.code, r.stderr).toBe(1);
    expect(json(r.stdout).liveness).toMatchObject({ verdict: 'running' });
    expect(r.stderr).toMatch(/job 2317 is RUNNING \(sacct\)/);
    expect(existsSync(s.wt)).toBe(true);
    expect(git(['-C', s.repo, 'branch', '--list', `swarm/${s.issue}`])).toContain(`swarm/${s.issue}`);
  }, 60_000);

  it('resume clear and cancel ISSUE refuse with exit 2; the resume file stays', async () => {
    const cluster = requireCluster();
    const s = wrongBranchShare(cluster.slurmConf);
    const dead = deadConf(s.root, cluster.slurmConf);
    writeFileSync(s.cfg, readFileSync(s.cfg, 'utf8').replace(cluster.slurmConf, dead));
    const resume = join(s.repo, '.swarm-resume.json');
    writeFileSync(resume, JSON.stringify({ issue: { id: s.issue, title: 't' }, iteration: 3 }));
    const base = ['--config', s.cfg, '--db', s.db];
    const c = await runBin([...base, 'resume', 'clear', s.issue, '--json']);
    expect(c.code, c.stderr).toBe(2);
    expect(json(c.stdout).reason).toMatch(/queue could not be read/);
    expect(existsSync(resume)).toBe(true);
    const k = await runBin([...base, 'cancel', s.issue, '--json']);
    expect(k.code).toBe(2);
    expect(json(k.stdout)).toMatchObject({ cancelled: [], argv: [], refused: true });
    expect(json(k.stdout).error).toMatch(/refusing to cancel .*the queue could not be read/);
    const ok = await runBin([...base, 'resume', 'clear', s.issue, '--assume-not-running', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(resume)).toBe(false);
    expect(await auditOf(s.cfg, s.db, s.issue)).toEqual(expect.arrayContaining(['resume.clear:failed', 'resume.clear.assume-not-running:ok', 'resume.clear:ok', 'cancel:failed']));
  }, 60_000);
});

describe('cancel ssh:HOST:PID kills only a process group swarmctl started (real sshd)', () => {
  let env: BatchTestEnv;
  const children: ChildProcess[] = [];
  const run = (args: string[]) => runBin(['--config', env.config, '--db', env.db, ...args]);
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  /** A process in its own group (as setsid would make it), not started by swarmctl. */
  const sleeper = (): number => {
    const c = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    children.push(c);
    return c.pid!;
  };
  beforeAll(() => {
    requireCluster();
    env = makeBatchConfig({ command: ['sleep', '300'] });
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('PID 0, 1, negative, not a number: exit 64 with the reason, also with --dry-run', async () => {
    for (const t of ['ssh:local:1', 'ssh:local:0', 'ssh:local:-1', 'ssh:local:1x', 'ssh:local:']) {
      for (const extra of [[], ['--dry-run']]) {
        const r = await run(['cancel', t, ...extra]);
        expect(r.code, `${t} ${extra.join(' ')}: ${r.stderr}`).toBe(64);
        expect(r.stderr).toMatch(/PID/);
        expect(r.stderr).not.toMatch(/kill -TERM/);
      }
    }
  });

  it('a PID without a state file is refused (exit 2) and keeps running', async () => {
    const pid = sleeper();
    for (const extra of [['--dry-run'], []]) {
      const r = await run(['cancel', `ssh:local:${pid}`, '--json', ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(json(r.stdout).error).toMatch(/no state file .*not a job swarmctl started/);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(pid)).toBe(true);
  });

  it('a recycled PID (state file with another start time) is refused (exit 2) and keeps running', async () => {
    const pid = sleeper();
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[19]);
    const stateDir = join(env.logs, '.swarmctl-ssh-jobs');
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, `${pid}.json`), JSON.stringify({ pid, issue_id: 'x', started_at: 1, host: 'h', proc_start: start - 1000 }));
    for (const extra of [['--dry-run'], []]) {
      const r = await run(['cancel', `ssh:local:${pid}`, '--json', ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(json(r.stdout).error).toMatch(/not the job swarmctl started .*pid was reused; nothing killed/);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(pid)).toBe(true);
    expect(existsSync(join(stateDir, `${pid}.json`))).toBe(true);
  });

  it('a genuine swarmctl ssh job: --dry-run says it would kill, cancel kills its group', async () => {
    const s = await run(['submit', `unsafe${process.pid}`, '--via', 'ssh', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const o = json(s.stdout).outcomes[0];
    const pid = Number(o.jobId.split(':')[2]);
    const state = json(readFileSync(join(env.logs, '.swarmctl-ssh-jobs', `${pid}.json`), 'utf8'));
    expect(state.proc_start).toEqual(expect.any(Number));
    const d = await run(['cancel', o.jobId, '--dry-run', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.stringify(json(d.stdout).argv)).toMatch(/proc_start/); // the check is in the argv shown
    expect(alive(pid)).toBe(true);
    const c = await run(['cancel', o.jobId, '--json']);
    expect(c.code, c.stderr).toBe(0);
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = !alive(pid);
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);
  });
});
