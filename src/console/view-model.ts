// What the console shows, as plain rows. The monitor's sources produce these
// (src/console/sources.ts adapts probes and batch results); panels render
// them. Keeping the panels on these small shapes means a backend change never
// reaches a component. Pure types + derivations.
import type { ProbeStatus } from '../core/probe.js';
import type { Snapshot, SourceState } from './monitor.js';
import { nodeAlerts, withNodes, type NodeState } from './node-rows.js';

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
  /** A discovered server that is also this configured service: the service's alert covers it. */
  sameAs?: string;
  /** A SLURM node (the nodes section, from sinfo): its state and drain reason. */
  node?: NodeState;
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

/** A diagnosis as the console shows it (issue 19's fields: kind, SLURM cause, node). */
export interface IssueDiagnosis {
  kind: string;
  /** How the job ended (TIMEOUT, NODE_FAIL, PREEMPTED, OUT_OF_MEMORY, unknown, …); null for log-based kinds. */
  cause: string | null;
  node?: string;
  summary: string;
  retryable: boolean;
  /** First seen (the job log's last write, else when this console first saw it). */
  since: number | null;
}

export interface IssueRow {
  issueId: string;
  state: string | null;
  iteration: number | null;
  lastReason: string | null;
  lastResult: string | null;
  /** mtimeMs, not an age: a row stays equal (no redraw) while the file is unchanged. */
  resume: { present: boolean; mtimeMs: number | null; corrupt: boolean } | null;
  silent: boolean;
  /** Short text: kind and cause (`job_died TIMEOUT`, `job_died NODE_FAIL n3`, `stuck_text_mode`). */
  diagnosis: string | null;
  jobId: string | null;
  diag?: IssueDiagnosis | null;
  /** When the worker's session log was last written (a silent worker's since-when). */
  silentSince?: number | null;
  /** Recovery attempts (this host's audit + the other hosts' journals) and the budget. */
  attempts?: number;
  maxAttempts?: number;
  /** The job's last known state (queue, else our jobs table: 'gone' once it left the queue). */
  jobState?: string | null;
  /** Why the console lists it: queue, submitted (jobs table), files (state on disk), summary (python-worker run summary). */
  origin?: string;
  /** The newest python-worker run of the issue (profiles with a run-summary source only). */
  run?: IssueRunView | null;
}

/** One python-worker run as the console shows it (from the run summary, FORMATS.md §2.1). */
export interface IssueRunView {
  status: string;
  startedAt: string | null;
  wallS: number | null;
  filesModified: string[];
  verifierGreen: boolean | null;
  failedGates: string[];
  merged: boolean | null;
  closed: boolean | null;
  model?: string;
  exitStatus?: string;
  reason?: string;
  /** Runs of the issue in the summary's tail. */
  runs: number;
  file: string;
}

/** One-line text of a diagnosis: kind, then cause and node when SLURM ended the job. */
export function diagnosisText(d: Pick<IssueDiagnosis, 'kind' | 'cause' | 'node'>): string {
  return [d.kind, d.cause && d.cause !== d.kind.toUpperCase() ? d.cause : null, d.node ?? null].filter(Boolean).join(' ');
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
  /** When the condition began (null: not known). */
  since?: number | null;
  /** Where Enter goes: the row (by key) in that panel. */
  target?: { panel: 'endpoints' | 'issues'; key: string };
}

/** One step of a restart run; `action` is the running step's phase (check, act, verify). */
export interface RestartStepView {
  seq: number;
  service: string;
  action: string;
  status: string;
  host?: string | null;
  startedAt?: number | null;
  finishedAt?: number | null;
  detail?: string | null;
}

/** The operator lock and a restart run, for the console's banner and restart view (issue 16). */
export interface RestartView {
  lock: { holder: string; command: string; ageMs: number; expired: boolean } | null;
  run: {
    id: number;
    status: string;
    startedAt: number;
    finishedAt?: number | null;
    actor?: string;
    orphaned: boolean;
    /** seq counts from 0 (the store's); shown from 1. */
    steps: RestartStepView[];
    current: RestartStepView | null;
  } | null;
  /** Set while a run is going: each poll is then a change, so its elapsed times tick on the restart source's clock. */
  polledAt?: number;
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
  /** Read-only banner lines (operator lock, a running restart); empty when there is nothing to say. */
  banner: string[];
  /** The restart source's data (the restart view, O); null before its first load. */
  restart: RestartView | null;
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
export function deriveView(snap: Snapshot, now: number, opts: { readOnly?: boolean } = {}): ConsoleView {
  const src = snap.sources;
  const view = (id: PanelId) => ({ rows: rowsOf<never>(src[PANEL_SOURCES[id]]), health: health(src[PANEL_SOURCES[id]], now) });
  const alerts: AlertRow[] = [];
  for (const [name, s] of Object.entries(src)) {
    if (name === 'alerts' || name === 'restart' || !s.error) continue;
    const age = s.updatedAt === null ? 'no data yet' : `showing data from ${formatAge(now - s.updatedAt)} ago`;
    const since = s.failingSince ?? null;
    const forAge = since === null ? '' : ` for ${formatAge(now - since)}`;
    // A queue that cannot be read is SLURM's state unknown: nothing it shows may be acted on as current.
    // Since-when and the key before the error text: at 80 columns the end of the line is cut.
    const message = name === 'queue' ? `SLURM UNKNOWN${forAge} (r: retry): ${s.error} (${age})` : `${name}: ${s.error}${forAge} (${age})`;
    alerts.push({ severity: name === 'queue' || name === 'endpoints' ? 'crit' : 'warn', source: name === 'queue' ? 'slurm' : name, message, since });
  }
  alerts.push(...stateAlerts(rowsOf<EndpointRow>(src['endpoints']), rowsOf<IssueRow>(src['issues']), now, opts));
  alerts.push(...nodeAlerts(src['nodes']?.data, opts.readOnly));
  const v = view('alerts');
  const ep = view('endpoints');
  return {
    // The nodes section (sinfo) sits under the services, in the same panel.
    endpoints: { ...ep, rows: withNodes(ep.rows as EndpointRow[], src['nodes']?.data) },
    queue: view('queue'),
    issues: view('issues'),
    telemetry: view('telemetry'),
    // The source's own array when no source failed: same identity, no re-render.
    alerts: { rows: alerts.length ? [...alerts, ...(v.rows as AlertRow[])] : (v.rows as AlertRow[]), health: v.health },
    banner: bannerLines(src['restart']?.data as RestartView | null | undefined, now),
    restart: (src['restart']?.data as RestartView | null | undefined) ?? null,
  };
}

/** The lock and restart banner (read-only): who holds the lock, and a running restart's step n of m. */
export function bannerLines(r: RestartView | null | undefined, now: number): string[] {
  if (!r) return [];
  const out: string[] = [];
  if (r.lock) out.push(`LOCK held by ${r.lock.holder} (${r.lock.command}) for ${formatAge(r.lock.ageMs)}${r.lock.expired ? ', EXPIRED: the next taker takes it over' : ''}`);
  const run = r.run;
  if (run && (run.status === 'running' || run.orphaned)) {
    const n = run.steps.length;
    const cur = run.current;
    const done = run.steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
    const steps = run.steps.map((s) => `${s.service}:${s.status}`).join(' ');
    if (run.orphaned) out.push(`RESTART run ${run.id} stopped at ${cur ? `step ${cur.seq + 1} ${cur.service}` : 'a step'} (its process is gone): swarmctl restart --resume  [${steps}]`);
    else out.push(`RESTART run ${run.id} ${formatAge(now - run.startedAt)}: step ${cur ? `${cur.seq + 1}/${n} ${cur.service} ${cur.action} (${cur.status})` : `${done}/${n}`}  [${steps}]`);
  }
  return out;
}

/** An endpoint still loading its model after this long is an alert, not a phase. */
export const LOADING_ALERT_MS = 10 * 60_000;

/**
 * Alerts from what the panels show (pure): a down endpoint (the probe's
 * verdict, already debounced by its backoff), one loading past
 * LOADING_ALERT_MS, a stale discovery record, a diagnosed issue (an incident:
 * a plain scancel is not), an exhausted recovery budget, a silent worker. Each
 * says since when and the key that acts on it; Enter goes to its row.
 */
export function stateAlerts(endpoints: readonly EndpointRow[], issues: readonly IssueRow[], now: number, opts: { readOnly?: boolean } = {}): AlertRow[] {
  const out: AlertRow[] = [];
  // --read-only: no alert names a key that changes the cluster.
  const recoverKey = opts.readOnly ? 'Enter, d: diagnose' : 'Enter, R: recover plan';
  const since = (t: number | null | undefined) => (t === null || t === undefined ? '' : ` for ${formatAge(now - t)}`);
  for (const e of endpoints) {
    const target = { panel: 'endpoints' as const, key: e.name };
    if (e.discovery === 'stale') {
      out.push({ severity: 'warn', source: 'discovery', message: `discovery record ${e.name} stale${since(e.since)}: ${e.reason} (Enter; swarmctl endpoints gc)`, since: e.since, target });
    } else if (e.sameAs !== undefined) continue;
    else if (e.status === 'down') out.push({ severity: 'crit', source: 'endpoints', message: `endpoint ${e.name} down${since(e.since)}: ${e.reason} (Enter: details)`, since: e.since, target });
    else if (e.status === 'loading' && e.since !== null && now - e.since > LOADING_ALERT_MS) {
      out.push({ severity: 'warn', source: 'endpoints', message: `endpoint ${e.name} loading${since(e.since)}: ${e.reason} (Enter: details)`, since: e.since, target });
    }
  }
  for (const i of issues) {
    const target = { panel: 'issues' as const, key: i.issueId };
    const exhausted = i.attempts !== undefined && i.maxAttempts !== undefined && i.attempts >= i.maxAttempts;
    if (exhausted) {
      out.push({
        severity: 'crit',
        source: 'recovery',
        message: `issue ${i.issueId}: recovery budget exhausted (${i.attempts}/${i.maxAttempts} attempts)${since(i.diag?.since)}: a human must look (Enter, d)`,
        since: i.diag?.since ?? null,
        target,
      });
    }
    if (i.diag) {
      const d = i.diag;
      const evidence = [d.summary];
      out.push({ severity: 'crit', source: 'issues', message: `issue ${i.issueId}: ${diagnosisText(d)}${since(d.since)} (${recoverKey})`, since: d.since, target, evidence });
    } else if (i.diagnosis) out.push({ severity: 'crit', source: 'issues', message: `issue ${i.issueId}: ${i.diagnosis} (${recoverKey})`, since: null, target });
    else if (i.silent) out.push({ severity: 'warn', source: 'issues', message: `issue ${i.issueId}: worker silent${since(i.silentSince)} (Enter, d: diagnose)`, since: i.silentSince ?? null, target });
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
