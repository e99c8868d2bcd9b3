// The sandbox's state file, `<dir>/sandbox.json`: what `up` started and how jobs run. `down`
// trusts nothing else, so it is written atomically after every start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';

export type JobsMode = 'slurm' | 'ssh' | 'local';

export interface ProcRecord {
  /** What it is: `endpoint:fast`, `worker:sbx-stuck-loop`, ... */
  name: string;
  pid: number;
  /** /proc/<pid>/stat field 22 at start. */
  startTime: string;
  pgid: number;
  argv: string[];
  startedAt: string;
  /** A worker started by the direct submit: its `ssh:HOST:PID` job id. */
  jobId?: string;
}

export interface SlurmJobRecord {
  name: string;
  jobId: string;
  jobName: string;
  issue: string;
}

export interface SandboxState {
  version: 1;
  dir: string;
  profile: 'beefcake' | 'python-worker' | 'runbook';
  jobs: { mode: JobsMode; reason: string };
  createdAt: string;
  endpoints: Record<string, { url: string; port: number }>;
  processes: ProcRecord[];
  slurmJobs: SlurmJobRecord[];
  /** SLURM_CONF the jobs were submitted with (down cancels with the same). */
  slurmConf: string | null;
  /** Set by `down`; records stay so what was stopped can be checked. */
  downAt?: string;
}

export const stateFile = (dir: string) => join(dir, 'sandbox.json');

export function readState(dir: string): SandboxState | null {
  let text: string;
  try {
    text = readFileSync(stateFile(dir), 'utf8');
  } catch {
    return null;
  }
  const s = JSON.parse(text) as SandboxState;
  if (s.version !== 1 || !Array.isArray(s.processes)) throw new Error(`${stateFile(dir)} is not a sandbox state file (version 1)`);
  return s;
}

export async function writeState(s: SandboxState): Promise<void> {
  await writeFileAtomic(stateFile(s.dir), `${JSON.stringify(s, null, 2)}\n`);
}
