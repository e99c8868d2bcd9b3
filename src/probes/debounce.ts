// Debounce (pure): turns one raw probe result into the status operators see, so
// one blip while the GPU is busy doesn't page anyone.
//   - raw down: the first failure_threshold-1 in a row show as degraded
//     "suspect: <reason>"; the failure_threshold-th shows down.
//   - raw up after a visible down: success_threshold ups in a row before up
//     (meanwhile still down, "recovering (k/n ok): <last down reason>"). After any
//     other visible status an up shows at once.
//   - loading, degraded, unknown: shown as they are; counters reset.
//   - no previous state (first observation ever): shown raw — there is nothing to
//     debounce against, and a first `swarmctl probe` must not hide a dead service.
//   - an observation older than the stored state (another writer recorded a later
//     one meanwhile) changes nothing: the state stays as it is.
// Returns the new state and a transition when the visible status changed.
import type { DebounceState, ProbeResult, ProbeStatus, Transition } from '../core/probe.js';

export interface Thresholds {
  failure_threshold: number;
  success_threshold: number;
}

export function debounce(prev: DebounceState | undefined, raw: Pick<ProbeResult, 'status' | 'reason'>, th: Thresholds, now: number): { state: DebounceState; transition?: Transition } {
  if (prev !== undefined && now < prev.lastChecked) return { state: prev };
  const failures = raw.status === 'down' ? (prev?.consecutiveFailures ?? 0) + 1 : 0;
  const successes = raw.status === 'up' ? (prev?.consecutiveSuccesses ?? 0) + 1 : 0;
  let status: ProbeStatus = raw.status;
  let reason = raw.reason;
  if (prev !== undefined) {
    if (raw.status === 'down' && failures < th.failure_threshold && prev.status !== 'down') {
      status = 'degraded';
      reason = `suspect (${failures}/${th.failure_threshold}): ${raw.reason}`;
    } else if (raw.status === 'up' && prev.status === 'down' && successes < th.success_threshold) {
      status = 'down';
      const last = prev.reason.replace(/^recovering \(\d+\/\d+ ok\): /, '');
      reason = `recovering (${successes}/${th.success_threshold} ok): ${last}`;
    }
  }
  const changed = prev === undefined || prev.status !== status;
  const state: DebounceState = {
    status,
    reason,
    since: changed ? now : prev.since,
    consecutiveFailures: failures,
    consecutiveSuccesses: successes,
    lastChecked: now,
  };
  if (!changed) return { state };
  return { state, transition: { from: prev?.status ?? null, to: status, reason, at: now } };
}
