// How the simulated swarm jobs run: through the local SLURM when sbatch answers, else plain
// local processes (direct mode over a sandbox-owned sshd is not built yet). Says which and why.
import { execFile } from 'node:child_process';
import type { JobsMode } from './records.js';

export type JobsChoice = 'auto' | 'slurm' | 'local';

function run(argv: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(argv[0] as string, argv.slice(1), { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      // -1: not found on PATH; -2: killed at the time limit; else the exit code.
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : e.code === 'ENOENT' ? -1 : -2;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function chooseJobsMode(choice: JobsChoice, env: NodeJS.ProcessEnv): Promise<{ mode: JobsMode; reason: string }> {
  if (choice === 'local') return { mode: 'local', reason: 'asked for (--jobs local)' };
  const q = await run(['squeue', '-h', '-o', '%i'], env, 8000);
  if (q.code === 0) return { mode: 'slurm', reason: `sbatch is here and the SLURM controller answers (squeue exit 0${env['SLURM_CONF'] ? `, SLURM_CONF=${env['SLURM_CONF']}` : ''})` };
  const why = q.code === -1 ? 'squeue/sbatch not found on PATH' : q.code === -2 ? 'squeue did not answer within 8 s' : `squeue failed (exit ${q.code}): ${q.stderr.trim().split('\n').pop() ?? ''}`;
  if (choice === 'slurm') throw new Error(`--jobs slurm, but ${why}`);
  return { mode: 'local', reason: `no SLURM: ${why}; direct mode needs an sshd the sandbox starts itself (not built yet), so plain local processes` };
}

/** Submits one simulated job; returns the SLURM job id. */
export async function sbatchSim(opts: { script: string; args: string[]; jobName: string; logs: string; cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  const r = await run(
    ['sbatch', '--parsable', '--job-name', opts.jobName, '--output', `${opts.logs}/swarm-orch-%j.log`, '--chdir', opts.cwd, '--ntasks', '1', '--cpus-per-task', '1', opts.script, ...opts.args],
    opts.env,
    15_000,
  );
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (r.code !== 0 || !/^\d+$/.test(id)) throw new Error(`sbatch ${opts.jobName} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return id;
}

/** Cancels exactly this job, and only if it still carries our job name. */
export async function scancelOwn(jobId: string, jobName: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await run(['scancel', `--name=${jobName}`, jobId], env, 15_000);
  return r.code === 0;
}

export async function slurmJobAlive(jobId: string, env: NodeJS.ProcessEnv): Promise<boolean | null> {
  const r = await run(['squeue', '-h', '-j', jobId, '-o', '%T'], env, 8000);
  if (r.code !== 0) return /Invalid job id/i.test(r.stderr) ? false : null;
  return r.stdout.trim() !== '';
}
