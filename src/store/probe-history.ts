// Probe history in SQLite: every result (probe_results), the debounced state per
// service (probe_state) and every visible-status change (transitions), plus the
// reads `swarmctl history` needs and pruning by history_retention_days. Results
// arrive already scrubbed of secrets (the classifiers do it); nothing here adds any.
import type { Db, Store } from './db.js';
import type { DebounceState, Transition } from '../probes/debounce.js';
import type { ProbeResult, ProbeStatus } from '../probes/types.js';

export interface SweepRecord {
  service: string;
  kind: string;
  result: ProbeResult;
  checkedAt: number;
  state: DebounceState;
  transition?: Transition;
}

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

/** One IMMEDIATE transaction per sweep: results, states, transitions. */
export function recordSweep(store: Store, records: readonly SweepRecord[]): void {
  if (records.length === 0) return;
  store.write((db) => {
    const ins = db.prepare('INSERT INTO probe_results (service, kind, status, latency_ms, reason, details_json, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const up = db.prepare(
      `INSERT INTO probe_state (service, status, since, reason, consecutive_failures, consecutive_successes, last_checked) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(service) DO UPDATE SET status=excluded.status, since=excluded.since, reason=excluded.reason,
         consecutive_failures=excluded.consecutive_failures, consecutive_successes=excluded.consecutive_successes, last_checked=excluded.last_checked`,
    );
    const tr = db.prepare('INSERT INTO transitions (service, from_status, to_status, reason, at) VALUES (?, ?, ?, ?, ?)');
    for (const r of records) {
      ins.run(r.service, r.kind, r.result.status, r.result.latencyMs, r.result.reason, r.result.details ? JSON.stringify(r.result.details) : null, r.checkedAt);
      const s = r.state;
      up.run(r.service, s.status, s.since, s.reason, s.consecutiveFailures, s.consecutiveSuccesses, s.lastChecked);
      if (r.transition) tr.run(r.service, r.transition.from, r.transition.to, r.transition.reason, r.transition.at);
    }
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
  const sql = `SELECT service, from_status, to_status, reason, at FROM transitions WHERE at >= ?${service ? ' AND service = ?' : ''} ORDER BY at, id`;
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
