// The words every probe, the scheduler, the store and the console share.
// Pure types: no imports with side effects.

export type ProbeStatus = 'up' | 'loading' | 'degraded' | 'down' | 'unknown';

/** Worst-first order, used for summaries and exit codes. */
export const STATUS_SEVERITY: Record<ProbeStatus, number> = {
  up: 0,
  unknown: 1,
  loading: 2,
  degraded: 3,
  down: 4,
};

/** One character per status, so text output reads without colour. */
export const STATUS_SYMBOL: Record<ProbeStatus, string> = { up: '✓', loading: '◐', degraded: '!', down: '✗', unknown: '?' };

/** One observation of one service. `details` holds kind-specific facts
 *  (n_ctx, total_slots, model count, reset_seconds, ...); never a secret. */
export interface ProbeResult {
  status: ProbeStatus;
  /** One line an operator can act on: "connection refused", "Loading model". */
  reason: string;
  latencyMs: number | null;
  details?: Record<string, unknown>;
}

/** What a classifier sees of an HTTP exchange (a pure value). */
export interface HttpObservation {
  /** null when no response arrived; then `error` says why. */
  status: number | null;
  body: string;
  /** true when the body was cut at the read limit. */
  truncated?: boolean;
  error?: { code: string; message: string };
  latencyMs: number | null;
}

/** What debounce (probes/debounce.ts) keeps per service; the store persists it. */
export interface DebounceState {
  status: ProbeStatus;
  reason: string;
  /** ms: when the visible status last changed. */
  since: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastChecked: number;
}

export interface Transition {
  from: ProbeStatus | null;
  to: ProbeStatus;
  reason: string;
  at: number;
}
