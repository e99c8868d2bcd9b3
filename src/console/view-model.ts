// What the console shows, as plain rows. The monitor's sources produce these
// (src/console/sources.ts adapts probes and batch results); panels render
// them. Keeping the panels on these small shapes means a backend change never
// reaches a component. Pure types + derivations.
import type { ProbeStatus } from '../core/probe.js';
import type { Snapshot, SourceState } from './monitor.js';

/** The console's panels, in tab order. */
export const PANELS = ['endpoints', 'queue', 'issues', 'telemetry', 'alerts'] as const;
export type PanelId = (typeof PANELS)[number];

export interface EndpointRow {
  name: string;
  kind: string;
  status: ProbeStatus;
  latencyMs: number | null;
  since: number | null;
  reason: string;
  /** Discovered endpoints: the job that announced it and its liveness. */
  jobId?: string;
  tier?: string;
  discovery?: 'live' | 'stale' | 'unhealthy' | 'unknown' | 'invalid';
}

export interface JobRow {
  jobId: string;
  issueId: string | null;
  name: string;
  state: string;
  reason: string;
  elapsed: string;
  node: string;
  via: 'slurm' | 'ssh';
}

export interface IssueRow {
  issueId: string;
  state: string | null;
  iteration: number | null;
  lastReason: string | null;
  lastResult: string | null;
  resume: { present: boolean; ageMs: number | null; corrupt: boolean } | null;
  silent: boolean;
  diagnosis: string | null;
  jobId: string | null;
}

export interface TelemetryRow {
  at: string;
  issueId: string;
  summary: string;
}

export interface AlertRow {
  severity: 'warn' | 'crit';
  source: string;
  message: string;
  evidence?: string[];
}

export interface SourceHealth {
  error: string | null;
  stale: boolean;
  ageMs: number | null;
  loading: boolean;
  loaded: boolean;
}

export interface PanelView<T> {
  rows: T[];
  health: SourceHealth;
}

export interface ConsoleView {
  endpoints: PanelView<EndpointRow>;
  queue: PanelView<JobRow>;
  issues: PanelView<IssueRow>;
  telemetry: PanelView<TelemetryRow>;
  alerts: PanelView<AlertRow>;
}

/** Source names the monitor uses for each panel. */
export const PANEL_SOURCES: Record<PanelId, string> = {
  endpoints: 'endpoints',
  queue: 'queue',
  issues: 'issues',
  telemetry: 'telemetry',
  alerts: 'alerts',
};

function health(s: Readonly<SourceState<unknown>> | undefined, now: number): SourceHealth {
  if (!s) return { error: 'no such source', stale: false, ageMs: null, loading: false, loaded: false };
  return { error: s.error, stale: s.stale, ageMs: s.updatedAt === null ? null : now - s.updatedAt, loading: s.loading, loaded: s.updatedAt !== null };
}

function rowsOf<T>(s: Readonly<SourceState<unknown>> | undefined): T[] {
  return Array.isArray(s?.data) ? (s!.data as T[]) : [];
}

/** Snapshot -> what each panel shows, with source failures turned into alerts. */
export function deriveView(snap: Snapshot, now: number): ConsoleView {
  const src = snap.sources;
  const view = (id: PanelId) => ({ rows: rowsOf<never>(src[PANEL_SOURCES[id]]), health: health(src[PANEL_SOURCES[id]], now) });
  const alerts: AlertRow[] = [];
  for (const [name, s] of Object.entries(src)) {
    if (name === 'alerts' || !s.error) continue;
    const age = s.updatedAt === null ? 'no data yet' : `showing data from ${formatAge(now - s.updatedAt)} ago`;
    alerts.push({ severity: name === 'queue' || name === 'endpoints' ? 'crit' : 'warn', source: name, message: `${name}: ${s.error} (${age})` });
  }
  alerts.push(...stateAlerts(rowsOf<EndpointRow>(src['endpoints']), rowsOf<IssueRow>(src['issues']), now));
  const v = view('alerts');
  return {
    endpoints: view('endpoints'),
    queue: view('queue'),
    issues: view('issues'),
    telemetry: view('telemetry'),
    // The source's own array when no source failed: same identity, no re-render.
    alerts: { rows: alerts.length ? [...alerts, ...(v.rows as AlertRow[])] : (v.rows as AlertRow[]), health: v.health },
  };
}

/** An endpoint still loading its model after this long is an alert, not a phase. */
export const LOADING_ALERT_MS = 10 * 60_000;

/**
 * Alerts from what the panels show (pure): a down endpoint (the probe's
 * verdict, already debounced by its backoff), one loading past
 * LOADING_ALERT_MS, a silent worker, a diagnosed issue. Each says since when
 * and the key that acts on it.
 */
export function stateAlerts(endpoints: readonly EndpointRow[], issues: readonly IssueRow[], now: number): AlertRow[] {
  const out: AlertRow[] = [];
  const since = (t: number | null) => (t === null ? '' : ` for ${formatAge(now - t)}`);
  for (const e of endpoints) {
    if (e.status === 'down') out.push({ severity: 'crit', source: 'endpoints', message: `endpoint ${e.name} down${since(e.since)}: ${e.reason} (1, Enter: details)` });
    else if (e.status === 'loading' && e.since !== null && now - e.since > LOADING_ALERT_MS) {
      out.push({ severity: 'warn', source: 'endpoints', message: `endpoint ${e.name} loading${since(e.since)}: ${e.reason} (1, Enter: details)` });
    }
  }
  for (const i of issues) {
    if (i.diagnosis) out.push({ severity: 'crit', source: 'issues', message: `issue ${i.issueId}: ${i.diagnosis} (3, R: recover plan)` });
    else if (i.silent) out.push({ severity: 'warn', source: 'issues', message: `issue ${i.issueId}: worker silent (3, d: diagnose)` });
  }
  return out;
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
