// Pure renderers for `swarmctl probe`: the text table (symbol AND colour, so it
// reads without colour), the JSON document, the Prometheus text exposition
// (node_exporter textfile collector) and the exit code. No I/O; colour is a
// function passed in so tests and NO_COLOR get plain text.
import type { ServiceStatus, SweepSnapshot } from './probe-all.js';
import { STATUS_SEVERITY, type ProbeStatus } from './types.js';

export const SYMBOL: Record<ProbeStatus, string> = { up: '✓', loading: '◐', degraded: '!', down: '✗', unknown: '?' };
export const ALL_STATUSES: readonly ProbeStatus[] = ['up', 'loading', 'degraded', 'down', 'unknown'];

export type Paint = (status: ProbeStatus, text: string) => string;
const plain: Paint = (_s, t) => t;

export function summary(snap: SweepSnapshot): Record<ProbeStatus, number> & { total: number } {
  const out = { up: 0, loading: 0, degraded: 0, down: 0, unknown: 0, total: snap.services.length };
  for (const s of snap.services) out[s.status]++;
  return out;
}

/** 0 all up, 1 any loading/degraded/unknown, 2 any down. */
export function exitCodeFor(statuses: readonly ProbeStatus[]): 0 | 1 | 2 {
  if (statuses.includes('down')) return 2;
  return statuses.some((s) => s !== 'up') ? 1 : 0;
}

function ago(sinceIso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(sinceIso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

export function renderTable(snap: SweepSnapshot, paint: Paint = plain, now = Date.now()): string {
  const rows = [...snap.services].sort((a, b) => STATUS_SEVERITY[b.status] - STATUS_SEVERITY[a.status] || a.name.localeCompare(b.name));
  const w = Math.max(7, ...rows.map((r) => r.name.length));
  const k = Math.max(4, ...rows.map((r) => r.kind.length));
  const lines = [`   ${'SERVICE'.padEnd(w)}  ${'KIND'.padEnd(k)}  ${'STATUS'.padEnd(8)}  ${'LATENCY'.padStart(8)}  ${'SINCE'.padStart(5)}  REASON`];
  for (const r of rows) {
    const lat = r.latency_ms === null ? '-' : `${Math.round(r.latency_ms)} ms`;
    lines.push(`${paint(r.status, `${SYMBOL[r.status]}  ${r.name.padEnd(w)}  ${r.kind.padEnd(k)}  ${r.status.padEnd(8)}`)}  ${lat.padStart(8)}  ${ago(r.since, now).padStart(5)}  ${r.reason}`);
  }
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
  const out: string[] = [
    '# HELP swarmctl_service_up 1 when the service is up (debounced), else 0.',
    '# TYPE swarmctl_service_up gauge',
  ];
  for (const s of snap.services) out.push(`swarmctl_service_up{service="${label(s.name)}",kind="${label(s.kind)}"} ${s.status === 'up' ? 1 : 0}`);
  out.push('# HELP swarmctl_probe_latency_seconds Latency of the last probe.', '# TYPE swarmctl_probe_latency_seconds gauge');
  for (const s of snap.services) {
    if (s.latency_ms !== null) out.push(`swarmctl_probe_latency_seconds{service="${label(s.name)}",kind="${label(s.kind)}"} ${(s.latency_ms / 1000).toFixed(4)}`);
  }
  out.push('# HELP swarmctl_service_status 1 for the status the service is in (debounced).', '# TYPE swarmctl_service_status gauge');
  for (const s of snap.services) {
    for (const st of ALL_STATUSES) out.push(`swarmctl_service_status{service="${label(s.name)}",status="${st}"} ${s.status === st ? 1 : 0}`);
  }
  return `${out.join('\n')}\n`;
}
