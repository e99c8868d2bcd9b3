// Probe history in SQLite: every result (probe_results), the debounced state per
// service (probe_state) and every visible-status change (transitions), plus the
// reads `swarmctl history` needs and pruning by history_retention_days. Results
// arrive already scrubbed of secrets (the classifiers do it); nothing here adds any.
import type { Db, Store } from './db.js';
import type { DebounceState, ProbeResult, ProbeStatus, Transition } from '../core/probe.js';

/** One probe's outcome, before it is debounced against the stored state. */
export interface Observation {
  service: string;
  kind: string;
  result: ProbeResult;
  checkedAt: number;
}

export interface SweepRecord extends Observation {
  state: DebounceState;
  transition?: Transition;
  /** No state was stored before this observation: shown raw, not debounced. */
  firstSeen: boolean;
}

/** Turns an observation and the stored state into the new state (probes/debounce.ts). */
export type StepFn = (prev: DebounceState | undefined, obs: Observation) => { state: DebounceState; transition?: Transition };

export function loadProbeStates(db: Db): Map<string, DebounceState> {
  const rows = db.prepare('SELECT service, status, since, reason, consecutive_failures, consecutive_successes, last_checked FROM probe_state').all() as Array<{
    service: string;
    status: ProbeStatus;
    since: number;
    reason: string;
    consecutive_failures: number;
    consecutive_successes: number;
    last_checked: number;
  }>;
  return new Map(
    rows.map((r) => [
      r.service,
      { status: r.status, since: r.since, reason: r.reason, consecutiveFailures: r.consecutive_failures, consecutiveSuccesses: r.consecutive_successes, lastChecked: r.last_checked },
    ]),
  );
}

/**
 * One IMMEDIATE transaction per sweep: read the stored states under the write
 * lock, debounce each observation against them (`step`) and record results,
 * states and transitions. Reading before the lock let two writers (a console
 * and a cron probe) both turn loading into up, or build on a state the other
 * had already replaced: duplicate transitions and webhooks.
 */
export function recordSweep(store: Store, observations: readonly Observation[], step: StepFn): SweepRecord[] {
  if (observations.length === 0) return [];
  return store.write((db) => {
    const states = loadProbeStates(db);
    const ins = db.prepare('INSERT INTO probe_results (service, kind, status, latency_ms, reason, details_json, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const up = db.prepare(
      `INSERT INTO probe_state (service, status, since, reason, consecutive_failures, consecutive_successes, last_checked) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(service) DO UPDATE SET status=excluded.status, since=excluded.since, reason=excluded.reason,
         consecutive_failures=excluded.consecutive_failures, consecutive_successes=excluded.consecutive_successes, last_checked=excluded.last_checked`,
    );
    const tr = db.prepare('INSERT INTO transitions (service, from_status, to_status, reason, at) VALUES (?, ?, ?, ?, ?)');
    return observations.map((o): SweepRecord => {
      const prev = states.get(o.service);
      const { state, transition } = step(prev, o);
      states.set(o.service, state); // a service listed twice builds on its own first result
      ins.run(o.service, o.kind, o.result.status, o.result.latencyMs, o.result.reason, o.result.details ? JSON.stringify(o.result.details) : null, o.checkedAt);
      if (state !== prev) up.run(o.service, state.status, state.since, state.reason, state.consecutiveFailures, state.consecutiveSuccesses, state.lastChecked);
      if (transition) tr.run(o.service, transition.from, transition.to, transition.reason, transition.at);
      return { ...o, state, firstSeen: prev === undefined, ...(transition ? { transition } : {}) };
    });
  });
}

export interface ResultRow {
  service: string;
  kind: string;
  status: ProbeStatus;
  latency_ms: number | null;
  reason: string;
  checked_at: number;
}
export interface TransitionRow {
  service: string;
  from_status: ProbeStatus | null;
  to_status: ProbeStatus;
  reason: string;
  at: number;
}

export function readResults(db: Db, sinceMs: number, service?: string): ResultRow[] {
  const sql = `SELECT service, kind, status, latency_ms, reason, checked_at FROM probe_results WHERE checked_at >= ?${service ? ' AND service = ?' : ''} ORDER BY checked_at`;
  return db.prepare(sql).all(...(service ? [sinceMs, service] : [sinceMs])) as ResultRow[];
}

export function readTransitions(db: Db, sinceMs: number, service?: string): TransitionRow[] {
  const sql = `SELECT service, from_status, to_status, reason, at FROM transitions WHERE at >= ?${service ? ' AND service = ?' : ''} ORDER BY id`; // commit order: writers' clocks and probe end times need not agree
  return db.prepare(sql).all(...(service ? [sinceMs, service] : [sinceMs])) as TransitionRow[];
}

/** Delete results and transitions older than `retentionDays`; returns rows removed. */
export function pruneProbeHistory(store: Store, retentionDays: number, now = Date.now()): number {
  const cutoff = now - retentionDays * 86_400_000;
  return store.write((db) => {
    const a = db.prepare('DELETE FROM probe_results WHERE checked_at < ?').run(cutoff).changes;
    const b = db.prepare('DELETE FROM transitions WHERE at < ?').run(cutoff).changes;
    return a + b;
  });
}
