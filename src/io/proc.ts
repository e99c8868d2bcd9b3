// What /proc says about a process: its start time (field 22 of /proc/<pid>/stat, clock ticks
// since boot) and process group. A pid alone is reused by the kernel; pid + start time is not.
import { readFileSync } from 'node:fs';

export interface ProcIdentity {
  pid: number;
  /** /proc/<pid>/stat field 22 (starttime), as a decimal string. */
  startTime: string;
  pgid: number;
}

/** The process's identity now, or null when it is gone (or a zombie). */
export function procIdentity(pid: number): ProcIdentity | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm (field 2) may hold spaces and parentheses: split after its LAST ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  if (rest[0] === 'Z' || rest[0] === 'X') return null;
  const pgid = Number(rest[5 - 3]);
  const startTime = rest[22 - 3];
  if (!startTime || !Number.isInteger(pgid)) return null;
  return { pid, startTime, pgid };
}

/** True when `pid` is still the very process that was recorded (same start time). */
export function stillSame(pid: number, startTime: string): boolean {
  return procIdentity(pid)?.startTime === startTime;
}

/** The pid runs on this machine (a zombie, killed but not yet reaped, does not); /proc answers for other users' processes too. */
export function pidAlive(pid: number): boolean {
  return procIdentity(pid) !== null;
}
