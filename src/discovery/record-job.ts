// Whether the job behind a discovery record still runs. A SLURM job id is looked up in the
// queue; `local:PID` (an endpoint started as a plain process, as `swarmctl sandbox` does
// when it has no SLURM job to run it in) is a process on the record's host, alive while
// that pid exists. Pure: the queue's ids and a pid check come in.
import type { DiscoveryRecord } from './parse.js';

export type RecordJob = { state: 'active' | 'gone'; reason: string } | { state: 'unknown'; reason: string };

/** `local:PID` → PID, else null. */
export function localPid(jobId: string): number | null {
  const m = /^local:(\d{1,10})$/.exec(jobId);
  const pid = m ? Number(m[1]) : 0;
  return pid > 1 && pid <= 0x3fffffff ? pid : null;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

export function recordJob(rec: Pick<DiscoveryRecord, 'jobId' | 'host'>, env: { activeIds: ReadonlySet<string> | null; hostName: string; pidAlive: (pid: number) => boolean }): RecordJob {
  const pid = localPid(rec.jobId);
  if (pid !== null) {
    // Only a process on this machine can be looked at; another host's pid says nothing here.
    if (!LOOPBACK.has(rec.host) && rec.host !== env.hostName) return { state: 'unknown', reason: `process ${pid} runs on ${rec.host}, not here` };
    return env.pidAlive(pid) ? { state: 'active', reason: `process ${pid} is running` } : { state: 'gone', reason: `process ${pid} is gone` };
  }
  if (env.activeIds === null) return { state: 'unknown', reason: 'the queue is unknown' };
  return env.activeIds.has(rec.jobId) ? { state: 'active', reason: `job ${rec.jobId} in queue` } : { state: 'gone', reason: `job ${rec.jobId} is not in the queue` };
}
