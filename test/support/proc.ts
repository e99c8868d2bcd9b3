// A process's start time (/proc/PID/stat field 22), or null when it is gone or a zombie: with the
// pid, what a sandbox records, so a test can tell "still the process it started" from a reused pid.
import { procIdentity } from '../../src/io/proc.js';

export function startTime(pid: number): string | null {
  return procIdentity(pid)?.startTime ?? null;
}
