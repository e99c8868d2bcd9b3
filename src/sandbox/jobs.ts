// How the simulated swarm jobs run: through the local SLURM when squeue answers, else direct
// mode (`submit --via ssh`) over an sshd the sandbox starts itself, else plain local processes. Says which and why.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { repoRoot, sandboxChildEnv } from './paths.js';
import type { JobsMode } from './records.js';
import { onPath, sshdMissing } from './sshd.js';

export type JobsChoice = 'auto' | 'slurm' | 'ssh' | 'local';

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

/** mode ssh is a plan: up.ts starts the sshd, and under auto falls back to local if it cannot. */
export async function chooseJobsMode(choice: JobsChoice, env: NodeJS.ProcessEnv): Promise<{ mode: JobsMode; reason: string }> {
  if (choice === 'local') return { mode: 'local', reason: 'asked for (--jobs local)' };
  const noSsh = sshdMissing(env);
  const sshWhy = () => `the sandbox starts its own sshd (${onPath('sshd', env)}) on 127.0.0.1 and submits with \`swarmctl submit --via ssh\``;
  if (choice === 'ssh') {
    if (noSsh) throw new Error(`--jobs ssh, but ${noSsh}`);
    return { mode: 'ssh', reason: `asked for (--jobs ssh): ${sshWhy()}` };
  }
  const q = await run(['squeue', '-h', '-o', '%i'], env, 8000);
  if (q.code === 0) return { mode: 'slurm', reason: `sbatch is here and the SLURM controller answers (squeue exit 0${env['SLURM_CONF'] ? `, SLURM_CONF=${env['SLURM_CONF']}` : ''})` };
  const why = q.code === -1 ? 'squeue/sbatch not found on PATH' : q.code === -2 ? 'squeue did not answer within 8 s' : `squeue failed (exit ${q.code}): ${q.stderr.trim().split('\n').pop() ?? ''}`;
  if (choice === 'slurm') throw new Error(`--jobs slurm, but ${why}`);
  if (!noSsh) return { mode: 'ssh', reason: `no SLURM: ${why}; direct mode: ${sshWhy()}` };
  return { mode: 'local', reason: `no SLURM: ${why}; no direct mode: ${noSsh}; so plain local processes` };
}

/** `swarmctl --config C submit ISSUE --via slurm|ssh --env K=V… --json`; returns the job id (`ssh:HOST:PID` over ssh). */
export async function submitThroughSwarmctl(config: string, issue: string, jobEnv: Record<string, string>, env: NodeJS.ProcessEnv, via: 'slurm' | 'ssh' = 'slurm'): Promise<string> {
  const argv = [
    process.execPath,
    join(repoRoot(), 'bin', 'swarmctl'),
    '--config',
    config,
    'submit',
    issue,
    '--via',
    via,
    '--force',
    ...Object.entries(jobEnv).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    '--json',
  ];
  const r = await run(argv, sandboxChildEnv(dirname(config), env), 30_000);
  // --force: another sandbox's job for the same issue id is not ours (a "skipped" answer would
  // name that job, and `down` would then cancel it); only a job this call submitted is recorded.
  let out: { status?: unknown; jobId?: unknown; reason?: unknown } | undefined;
  try {
    out = (JSON.parse(r.stdout) as { outcomes?: Array<{ status?: unknown; jobId?: unknown; reason?: unknown }> }).outcomes?.[0];
  } catch {
    /* not JSON: reported below */
  }
  const jobId = out?.jobId;
  if (out?.status !== 'submitted') throw new Error(`swarmctl submit ${issue}: ${String(out?.status ?? `exit ${r.code}`)}: ${String(out?.reason ?? r.stderr.trim().split('\n').pop() ?? '')}`);
  if (typeof jobId !== 'string' && typeof jobId !== 'number') throw new Error(`swarmctl submit ${issue} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return String(jobId);
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
