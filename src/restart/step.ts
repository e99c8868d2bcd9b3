// One restart step: check (the service's probe) → act (its start argvs, on its host)
// → verify (the probe again until the deadline, with backoff). `loading` during verify
// is progress: the model is still being read, so wait, never restart it.
import type { ProbeResult } from '../core/probe.js';
import type { RunResult } from '../io/run.js';

export interface StepDeps {
  probe: () => Promise<ProbeResult>;
  /** Run one argv where the step runs (locally or over SSH). */
  run: (argv: string[]) => Promise<RunResult>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 250, maxMs: 5000 };

/** Healthy enough not to touch: up, or degraded (busy slots, a warning) — restarting a busy server loses work. */
export function isHealthy(status: string): boolean {
  return status === 'up' || status === 'degraded';
}

export type VerifyOutcome = { ok: true; last: ProbeResult; attempts: number; waitedMs: number } | { ok: false; last: ProbeResult; attempts: number; waitedMs: number };

/** Probe until healthy or the deadline; each wait doubles up to maxMs, never past the deadline. */
export async function verifyUntil(
  deps: Pick<StepDeps, 'probe' | 'sleep' | 'now'>,
  timeoutMs: number,
  backoff: Backoff,
  onAttempt: (r: ProbeResult, attempt: number, elapsedMs: number) => void,
): Promise<VerifyOutcome> {
  const start = deps.now();
  let wait = backoff.firstMs;
  for (let attempt = 1; ; attempt++) {
    const r = await deps.probe();
    const elapsed = deps.now() - start;
    onAttempt(r, attempt, elapsed);
    if (isHealthy(r.status)) return { ok: true, last: r, attempts: attempt, waitedMs: elapsed };
    const left = timeoutMs - (deps.now() - start);
    if (left <= 0) return { ok: false, last: r, attempts: attempt, waitedMs: elapsed };
    await deps.sleep(Math.min(wait, left));
    wait = Math.min(wait * 2, backoff.maxMs);
  }
}

/** The last lines of a command's output, cut to `max` characters, for the run record. */
export function outputTail(r: RunResult, max = 2000): string {
  const text = `${r.stdout}${r.stderr ? `${r.stdout ? '\n' : ''}${r.stderr}` : ''}${r.spawnError ? `\n${r.spawnError}` : ''}${r.timedOut ? '\n(timed out, killed)' : ''}`.trim();
  return text.length > max ? text.slice(text.length - max) : text;
}
