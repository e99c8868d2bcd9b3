// `sandbox down` and `sandbox status`: only what sandbox.json recorded, and only while pid + start
// time still match (a reused pid is someone else's process). Files are left as they are.
import { procIdentity, stillSame } from '../io/proc.js';
import { existsSync } from 'node:fs';
import { withDirLock } from './dir-lock.js';
import { readState, stateFile, writeState, type ProcRecord, type SandboxState } from './records.js';
import { scancelOwn, slurmJobAlive } from './jobs.js';

export interface ProcStatus {
  name: string;
  pid: number;
  running: boolean;
  argv: string[];
  jobId?: string;
}

export interface DownResult {
  stopped: string[];
  alreadyGone: string[];
  /** Still there after SIGKILL (should never happen; reported, not hidden). */
  survivors: string[];
  cancelledJobs: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signal(rec: ProcRecord, sig: NodeJS.Signals): void {
  // Our processes lead their own group: signal the group (children too), else the pid alone.
  const id = procIdentity(rec.pid);
  if (!id || id.startTime !== rec.startTime) return;
  try {
    process.kill(id.pgid === rec.pid ? -rec.pid : rec.pid, sig);
  } catch {
    /* exited meanwhile */
  }
}

export async function sandboxDown(dir: string, env: NodeJS.ProcessEnv): Promise<{ state: SandboxState | null; result: DownResult }> {
  if (!existsSync(stateFile(dir))) return { state: null, result: { stopped: [], alreadyGone: [], survivors: [], cancelledJobs: [] } };
  return withDirLock(dir, () => downLocked(dir, env));
}

export async function downLocked(dir: string, env: NodeJS.ProcessEnv): Promise<{ state: SandboxState | null; result: DownResult }> {
  const state = readState(dir);
  if (!state) return { state, result: { stopped: [], alreadyGone: [], survivors: [], cancelledJobs: [] } };
  const result: DownResult = { stopped: [], alreadyGone: [], survivors: [], cancelledJobs: [] };
  const live = state.processes.filter((p) => stillSame(p.pid, p.startTime));
  for (const p of state.processes) if (!live.includes(p)) result.alreadyGone.push(p.name);
  for (const p of live) signal(p, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && live.some((p) => stillSame(p.pid, p.startTime))) await sleep(50);
  for (const p of live.filter((q) => stillSame(q.pid, q.startTime))) signal(p, 'SIGKILL');
  await sleep(100);
  for (const p of live) (stillSame(p.pid, p.startTime) ? result.survivors : result.stopped).push(p.name);
  const slurmEnv = state.slurmConf ? { ...env, SLURM_CONF: state.slurmConf } : env;
  for (const j of state.slurmJobs) {
    const alive = await slurmJobAlive(j.jobId, slurmEnv);
    if (alive === false) continue;
    if (await scancelOwn(j.jobId, j.jobName, slurmEnv)) result.cancelledJobs.push(`${j.name} (job ${j.jobId})`);
  }
  state.downAt = new Date().toISOString();
  await writeState(state);
  return { state, result };
}

export async function sandboxStatus(
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ state: SandboxState | null; processes: ProcStatus[]; jobs: Array<{ name: string; jobId: string; running: boolean | null }> }> {
  const state = readState(dir);
  if (!state) return { state, processes: [], jobs: [] };
  const processes = state.processes.map((p) => ({ name: p.name, pid: p.pid, running: stillSame(p.pid, p.startTime), argv: p.argv, ...(p.jobId ? { jobId: p.jobId } : {}) }));
  const slurmEnv = state.slurmConf ? { ...env, SLURM_CONF: state.slurmConf } : env;
  const jobs = [];
  for (const j of state.slurmJobs) jobs.push({ name: j.name, jobId: j.jobId, running: await slurmJobAlive(j.jobId, slurmEnv) });
  return { state, processes, jobs };
}
