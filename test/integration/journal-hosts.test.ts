// The journal on the share across several hosts: swarmctl runs with two different
// hostnames (test hosts h1, h2: their own UTS namespace; SLURM reachable) write
// <shared>/ai/swarmctl/journal/<host>.jsonl; a third reads them as one audit and one
// recovery budget. And a writer SIGKILLed mid-append (a large entry) leaves nothing
// that costs a reader a whole entry.
import { describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, requireHosts, REPO_ROOT, type TestHost } from '../support/cluster.js';
import { BIN } from '../support/bin.js';

const cluster = requireCluster();
const th = requireHosts();
const [h1, h2, h3] = th.hosts as [TestHost, TestHost, TestHost];

/** swarmctl as if on host h: its hostname (UTS namespace), this machine's network (SLURM answers on loopback). */
function binAs(h: TestHost, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'nsenter',
      [`--uts=/run/swarmctl-hosts/${h.name}.uts`, '--', process.execPath, BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 2) : 0, stdout, stderr }),
    );
  });
}

describe('the journal across hosts', () => {
  it('recover on h1 and on h2 (two hostnames, two local DBs) are one audit and one recovery budget on h3', async () => {
    const root = mkdtempSync(join(tmpdir(), 'swarmctl-journal-hosts-'));
    for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive']) mkdirSync(join(root, d), { recursive: true });
    chmodSync(root, 0o755);
    const script = join(root, 'job.sbatch');
    writeFileSync(script, '#!/bin/sh\nsleep 30\n');
    chmodSync(script, 0o755);
    const issue = `beefcake-jh${process.pid}`;
    copyFileSync(join(REPO_ROOT, 'fixtures/beefcake/swarm-orch-2317.stuck-loop.log'), join(root, 'ai/logs/swarm-orch-2317.log'));
    const config = join(root, 'swarmctl.yaml');
    writeFileSync(
      config,
      `version: 1\npaths:\n  shared_root: ${root}\nslurm:\n  conf: ${cluster.slurmConf}\n  command_timeout_s: 10\nswarm:\n  profile: beefcake\n  sbatch_script: ${script}\nprofile:\n  wrapper_forwards_env: true\nrecovery:\n  max_attempts: 2\n`,
    );
    const on = (h: TestHost, ...args: string[]) => binAs(h, ['--config', config, '--db', join(root, `${h.name}-local.db`), ...args]);
    const slurm = { ...process.env, SLURM_CONF: cluster.slurmConf };
    const jobs: string[] = [];
    // the resubmitted job must be gone from squeue, or the next recover refuses (it is running)
    const cancelJob = async (recoverStdout: string) => {
      const id = /submitted job (\d+)/.exec(recoverStdout)?.[1];
      expect(id, recoverStdout).toMatch(/^\d+$/);
      jobs.push(id!);
      execFileSync('scancel', [id!], { env: slurm });
      for (let i = 0; i < 100 && execFileSync('squeue', ['-h', '-j', id!, '-t', 'PENDING,RUNNING,COMPLETING', '-o', '%i'], { env: slurm, encoding: 'utf8' }).trim(); i++)
        await new Promise((r) => setTimeout(r, 200));
    };
    const cancelAll = async () => {
      for (const id of jobs) execFileSync('scancel', [id], { env: slurm });
    };
    try {
      const a = await on(h1, 'recover', issue, '--job', '2317', '--yes', '--json');
      expect(a.code, a.stderr).toBe(0);
      await cancelJob(a.stdout);
      const b = await on(h2, 'recover', issue, '--job', '2317', '--yes', '--json');
      expect(b.code, b.stderr).toBe(0);
      await cancelJob(b.stdout);
      const journal = join(root, 'ai', 'swarmctl', 'journal');
      expect(existsSync(join(journal, `${h1.hostname}.jsonl`))).toBe(true);
      expect(existsSync(join(journal, `${h2.hostname}.jsonl`))).toBe(true);
      // h3 has done nothing itself: its audit is the other two hosts' actions
      const audit = JSON.parse((await on(h3, 'audit', '--issue', issue, '--json')).stdout).rows;
      const attempts = audit.filter((r: any) => r.action === 'recover.attempt').map((r: any) => r.host);
      expect(attempts.sort()).toEqual([h1.hostname, h2.hostname]);
      // one budget: each host made one attempt, 2 of 2 are used, on any host
      const diag = JSON.parse((await on(h1, 'diagnose', issue, '--job', '2317', '--json')).stdout).diagnoses;
      expect(diag.find((d: any) => d.kind === 'budget_exhausted')?.summary).toMatch(/^2 recovery attempts recorded \(budget 2\)/);
      // h1's own DB holds one attempt: without h2's journal it would try again
      const third = await on(h1, 'recover', issue, '--job', '2317', '--auto', '--json');
      expect(third.stdout + third.stderr).toMatch(/budget/);
      const after = JSON.parse((await on(h3, 'audit', '--issue', issue, '--json')).stdout).rows.filter((r: any) => r.action === 'recover.attempt');
      expect(after.length).toBe(2);
    } finally {
      await cancelAll().catch(() => undefined);
    }
  }, 180_000);

  it('a writer SIGKILLed during large appends leaves no entry a reader cannot read; the next append after a torn line keeps its own line', async () => {
    const root = mkdtempSync(join(tmpdir(), 'swarmctl-journal-kill-'));
    mkdirSync(join(root, 'code', 'repo'), { recursive: true });
    const config = join(root, 'swarmctl.yaml');
    writeFileSync(config, `version: 1\npaths:\n  shared_root: ${root}\nslurm:\n  conf: ${cluster.slurmConf}\n`);
    const file = join(root, 'ai', 'swarmctl', 'journal', 'writer-01.jsonl');
    const writer = join(REPO_ROOT, 'test', 'support', 'journal-writer.mjs');
    const mod = join(REPO_ROOT, 'dist', 'journal', 'journal.js');
    // kill writers until one kill tore a line (the file does not end with a newline) AND a later writer appended after it
    const tears: number[] = [];
    let appendedAfterTear = false;
    // A few ms after its first write the writer is killed: about a MB a round, so the journal stays far under its read limit.
    for (let round = 0; round < 200 && !appendedAfterTear; round++) {
      const sizeNow = () => (existsSync(file) ? statSync(file).size : 0);
      const before = sizeNow();
      const c = spawn(process.execPath, [writer, root, 'writer-01', mod], { stdio: 'ignore' });
      // kill it while it appends: once it has written, after a random few ms
      for (let i = 0; i < 500 && sizeNow() === before; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 8)));
      c.kill('SIGKILL');
      await new Promise((r) => c.on('close', r));
      if (!existsSync(file)) continue;
      const size = statSync(file).size;
      appendedAfterTear = tears.some((t) => size > t);
      const fd = openSync(file, 'r');
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      closeSync(fd);
      if (last[0] !== 0x0a) tears.push(size);
    }
    expect(appendedAfterTear, `no kill tore a line that a later writer appended after (tears at ${tears.join(', ') || 'none'})`).toBe(true);
    const text = readFileSync(file, 'utf8');
    // every entry a writer finished ends with its host and a newline (host is the last key)
    const whole = text.split('"host":"writer-01"}\n').length - 1;
    // Tens of MB of JSON: stdout goes to a file, not through a pipe buffer.
    const out = join(root, 'audit.json');
    const fd = openSync(out, 'w');
    const r = spawnSync(process.execPath, [BIN, '--config', config, '--db', join(root, 'local.db'), 'audit', '--json', '--limit', '1000000'], {
      stdio: ['ignore', fd, 'pipe'],
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    closeSync(fd);
    expect(r.status, String(r.stderr)).toBe(0);
    const rows = JSON.parse(readFileSync(out, 'utf8')).rows.filter((x: any) => x.host === 'writer-01');
    expect(rows.length).toBe(whole);
    expect(rows.every((x: any) => x.action === 'bulk.append')).toBe(true);
    rmSync(root, { recursive: true, force: true }); // tens of MB of journal
  }, 180_000);
});
