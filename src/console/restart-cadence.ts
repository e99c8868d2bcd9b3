// When the console reads the restart run and the operator lock again (pure). The
// restart source ticks every 2 s, but a tick reads only while a run is going or the
// lock is held (elapsed times and the lock's age tick), when the store or the lock
// file changed (a restart started by the CLI shows within a tick), or once per idle
// interval; otherwise the tick costs a stat and a pragma.

/** The longest an idle console goes without reading the run and the lock. */
export const RESTART_IDLE_READ_MS = 15_000;

export interface RestartRead {
  /** What the change check saw at that read (store data_version, lock file's stat). */
  key: string;
  at: number;
  /** A run was going or the lock was held. */
  active: boolean;
}

export function restartReadDue(last: RestartRead | null, key: string, now: number, idleMs = RESTART_IDLE_READ_MS): boolean {
  if (last === null || last.active || last.key !== key) return true;
  return now - last.at >= idleMs;
}
