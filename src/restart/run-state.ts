// What the console shows of restart runs: the newest run, its steps and the
// current one, plus the operator lock. A read only (no writes, no probes), so the
// console's monitor can call it on its own clock.
import type { Store } from '../store/db.js';
import { latestRun, runSteps, type RunRow, type StepRow } from '../store/restart-runs.js';
import { readLock, type LockState } from '../lock/operator-lock.js';

export interface RestartState {
  run: RunRow | null;
  steps: StepRow[];
  /** The step running now (or where an unfinished run stopped). */
  current: StepRow | null;
  /** Marked running but its process is gone from this host: resumable with `swarmctl restart --resume`. */
  orphaned: boolean;
}

export function readRestartState(store: Store): RestartState {
  const run = latestRun(store);
  if (!run) return { run: null, steps: [], current: null, orphaned: false };
  const steps = runSteps(store, run.id);
  const current = steps.find((s) => s.status === 'running') ?? (run.status === 'running' ? (steps.find((s) => s.status === 'pending') ?? null) : null);
  let orphaned = false;
  if (run.status === 'running' && run.pid) {
    try {
      process.kill(run.pid, 0);
    } catch (e) {
      orphaned = (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return { run, steps, current, orphaned };
}

/** The operator lock for the console's banner (null when the share cannot be read). */
export function readLockState(sharedRoot: string): LockState | null {
  try {
    return readLock(sharedRoot);
  } catch {
    return null;
  }
}
