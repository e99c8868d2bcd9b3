// jobWorker on real processes: a stand-in batch shell (a file named slurm_script, as slurmd names
// its copy) that forks a subshell and starts the worker after unsetting a variable. The worker
// is the one found, with the environment it really got, never the shell's fork.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobProcesses, jobWorker } from '../../../src/drill/job-process.js';

const dir = mkdtempSync(join(tmpdir(), 'drill-job-process-'));
const jobId = `drilltest-${process.pid}`;
let shell: ChildProcess | undefined;

afterAll(() => {
  if (shell?.pid) process.kill(-shell.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('jobWorker', () => {
  it("finds the worker under the batch shell, with the environment it got, not the shell's subshell", async () => {
    const script = join(dir, 'slurm_script');
    // The subshell runs two commands, so bash keeps it a fork of itself (same argv and environ as started).
    writeFileSync(script, '#!/bin/bash\n( sleep 30; true ) &\nunset REMEDY\n"$@" &\nwait\n', { mode: 0o755 });
    shell = spawn('/bin/bash', [script, process.execPath, '-e', 'setTimeout(() => {}, 30000)', '--', '--issue', 'iss-1'], {
      env: { ...process.env, SLURM_JOB_ID: jobId, REMEDY: 'from-the-shell' },
      detached: true,
      stdio: 'ignore',
    });
    const end = Date.now() + 10_000;
    let worker = jobWorker(jobId, 'iss-1');
    while (!worker && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      worker = jobWorker(jobId, 'iss-1');
    }
    expect(worker).not.toBeNull();
    expect(worker!.argv[0]).toBe(process.execPath);
    expect(worker!.env['REMEDY']).toBeUndefined(); // what the worker really got
    // The shell and its subshell are there too, with the variable, and were passed over.
    const copies = jobProcesses(jobId).filter((p) => p.argv.includes(script));
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(copies.every((p) => p.env['REMEDY'] === 'from-the-shell')).toBe(true);
  });
});
