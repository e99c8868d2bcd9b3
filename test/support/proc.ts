// A process's start time (/proc/PID/stat field 22), or null when it is gone or a zombie: with the
// pid, what a sandbox records, so a test can tell "still the process it started" from a reused pid.
import { readFileSync } from 'node:fs';

export function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[0] === 'Z' ? null : (rest[19] ?? null);
  } catch {
    return null;
  }
}
