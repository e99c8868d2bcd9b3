// A worker the direct submit started over the sandbox's sshd, recorded like any process the
// sandbox starts: pid from its `ssh:HOST:PID` job id, start time from the submit's own state file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { procIdentity } from '../io/proc.js';
import type { ProcRecord } from './records.js';

// The direct submit's state folder under logs_dir (slurm/ssh-jobs.ts, a layer this one may not import).
const SSH_STATE_DIR = '.swarmctl-ssh-jobs';

export function sshWorkerRecord(name: string, jobId: string, logsDir: string): ProcRecord {
  const m = /^ssh:([A-Za-z0-9._-]+):(\d{1,10})$/.exec(jobId);
  const id = m ? { host: m[1]!, pid: Number(m[2]) } : null;
  if (!id) throw new Error(`${name}: the direct submit answered ${JSON.stringify(jobId)}, not an ssh:HOST:PID job id`);
  // The submit's start script wrote /proc/PID/stat field 22 right after starting the job.
  const file = join(logsDir, SSH_STATE_DIR, `${id.pid}.json`);
  const st = JSON.parse(readFileSync(file, 'utf8')) as { proc_start?: unknown; started_at?: unknown };
  // A worker that already ended is still recorded (no start time: down finds it gone); setsid made it its group's leader.
  const now = procIdentity(id.pid);
  const startTime = typeof st.proc_start === 'number' ? String(st.proc_start) : '';
  const pgid = now && now.startTime === startTime ? now.pgid : id.pid;
  const startedAt = typeof st.started_at === 'number' ? new Date(st.started_at * 1000).toISOString() : new Date().toISOString();
  return { name, pid: id.pid, startTime, pgid, argv: ['ssh', id.host, name], startedAt, jobId };
}
