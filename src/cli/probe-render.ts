// Pure renderers for `swarmctl probe`: the text table (symbol AND colour, so it
// reads without colour), the JSON document, the Prometheus text exposition
// (node_exporter textfile collector) and the exit code. No I/O; colour is a
// function passed in so tests and NO_COLOR get plain text.
import type { ServiceStatus, SweepSnapshot } from '../probes/probe-all.js';
import { STATUS_SEVERITY, STATUS_SYMBOL, type ProbeStatus } from '../core/probe.js';
import { exitCodeFor } from './output.js';

export const ALL_STATUSES: readonly ProbeStatus[] = ['up', 'loading', 'degraded', 'down', 'unknown'];

export type Paint = (status: ProbeStatus, text: string) => string;
const plain: Paint = (_s, t) => t;

export function summary(snap: SweepSnapshot): Record<ProbeStatus, number> & { total: number } {
  const out = { up: 0, loading: 0, degraded: 0, down: 0, unknown: 0, total: snap.services.length };
  for (const s of snap.services) out[s.status]++;
  return out;
}

function ago(sinceIso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(sinceIso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/**
 * The human table: a head line (cluster, check time, timeout), the problems
 * worst first, the healthy ones summed in one line (each listed with `all`),
 * then the counts. SINCE of a first observation says "first seen": swarmctl has
 * no idea how long it has been so, and the status is not debounced yet.
 */
export function renderTable(snap: SweepSnapshot, paint: Paint = plain, now = Date.now(), opts: { all?: boolean } = {}): string {
  const sorted = [...snap.services].sort((a, b) => STATUS_SEVERITY[b.status] - STATUS_SEVERITY[a.status] || a.name.localeCompare(b.name));
  const rows = opts.all ? sorted : sorted.filter((r) => r.status !== 'up');
  const healthy = sorted.length - sorted.filter((r) => r.status !== 'up').length;
  const w = Math.max(7, ...rows.map((r) => r.name.length));
  const k = Math.max(4, ...rows.map((r) => r.kind.length));
  const a = Math.max(7, ...rows.map((r) => r.address.length));
  const since = (r: ServiceStatus) => (r.first_seen ? 'first seen' : ago(r.since, now));
  const lines = [`cluster ${snap.cluster} · checked ${snap.checkedAt.replace(/\.\d+Z$/, 'Z')} · timeout ${snap.timeoutS} s`];
  if (rows.length) lines.push(`   ${'SERVICE'.padEnd(w)}  ${'KIND'.padEnd(k)}  ${'STATUS'.padEnd(8)}  ${'LATENCY'.padStart(8)}  ${'SINCE'.padStart(10)}  ${'ADDRESS'.padEnd(a)}  REASON`);
  for (const r of rows) {
    const lat = r.latency_ms === null ? '-' : `${Math.round(r.latency_ms)} ms`;
    lines.push(
      `${paint(r.status, `${STATUS_SYMBOL[r.status]}  ${r.name.padEnd(w)}  ${r.kind.padEnd(k)}  ${r.status.padEnd(8)}`)}  ${lat.padStart(8)}  ${since(r).padStart(10)}  ${r.address.padEnd(a)}  ${r.reason}`,
    );
  }
  if (!opts.all && healthy > 0) lines.push(paint('up', `${STATUS_SYMBOL.up}  ${healthy} more up (--all lists them)`));
  const s = summary(snap);
  lines.push(`${s.up} up, ${s.loading} loading, ${s.degraded} degraded, ${s.down} down, ${s.unknown} unknown`);
  return lines.join('\n');
}

export function jsonDocument(snap: SweepSnapshot): { checked_at: string; services: ServiceStatus[]; summary: ReturnType<typeof summary> & { exit_code: number } } {
  return { checked_at: snap.checkedAt, services: snap.services, summary: { ...summary(snap), exit_code: exitCodeFor(snap.services.map((s) => s.status)) } };
}

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderProm(snap: SweepSnapshot): string {
  const c = `cluster_name="${label(snap.cluster)}"`;
  const id = (s: ServiceStatus) => `${c},service="${label(s.name)}",kind="${label(s.kind)}"`;
  const out: string[] = ['# HELP swarmctl_service_up 1 when the service is up (debounced), else 0.', '# TYPE swarmctl_service_up gauge'];
  for (const s of snap.services) out.push(`swarmctl_service_up{${id(s)}} ${s.status === 'up' ? 1 : 0}`);
  out.push('# HELP swarmctl_probe_latency_seconds Latency of the last probe.', '# TYPE swarmctl_probe_latency_seconds gauge');
  for (const s of snap.services) {
    if (s.latency_ms !== null) out.push(`swarmctl_probe_latency_seconds{${id(s)}} ${(s.latency_ms / 1000).toFixed(4)}`);
  }
  out.push('# HELP swarmctl_service_status 1 for the status the service is in (debounced).', '# TYPE swarmctl_service_status gauge');
  for (const s of snap.services) {
    for (const st of ALL_STATUSES) out.push(`swarmctl_service_status{${id(s)},status="${st}"} ${s.status === st ? 1 : 0}`);
  }
  // A stale textfile (cron stopped) keeps its old values: alert on this age.
  out.push('# HELP swarmctl_probe_sweep_timestamp_seconds When this sweep started (unix seconds).', '# TYPE swarmctl_probe_sweep_timestamp_seconds gauge');
  out.push(`swarmctl_probe_sweep_timestamp_seconds{${c}} ${(Date.parse(snap.checkedAt) / 1000).toFixed(3)}`);
  return `${out.join('\n')}\n`;
}
