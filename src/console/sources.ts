// The console's sources: what each panel loads, and how often. The monitor
// owns the clocks; these only say how to load. ONE queue load per interval
// serves every panel: the issues source reads the jobs from the monitor's
// latest snapshot instead of running squeue again.
import type { AlertRow, EndpointRow, IssueRow, JobRow, RestartView, TelemetryRow } from './view-model.js';
import type { NodeState } from './node-rows.js';
import { Monitor, type Clock, realClock, type SourceSpec } from './monitor.js';

/** The backend calls the console needs (real ones in backends.ts; fakes in tests). */
export interface Backends {
  endpoints(signal: AbortSignal): Promise<EndpointRow[]>;
  /** Throws when the queue cannot be read (controller down): the monitor keeps the last good jobs, marked stale. */
  queue(signal: AbortSignal): Promise<JobRow[]>;
  issues(jobs: readonly JobRow[], signal: AbortSignal): Promise<IssueRow[]>;
  telemetry(signal: AbortSignal): Promise<TelemetryRow[]>;
  alerts(signal: AbortSignal): Promise<AlertRow[]>;
  /** The operator lock and the newest restart run (read-only). Optional: older fakes have none. */
  restart?(signal: AbortSignal): Promise<RestartView>;
  /** SLURM nodes (sinfo) for the endpoints view's nodes section. Optional, as restart. */
  nodes?(signal: AbortSignal): Promise<NodeState[]>;
}

export interface Intervals {
  endpointsMs: number;
  queueMs: number;
  issuesMs: number;
  telemetryMs: number;
  alertsMs: number;
  restartMs?: number;
  nodesMs?: number;
  /** Longest wait between sinfo runs while no node changes (default nodesMs: no stretching). */
  nodesIdleMs?: number;
  timeoutMs: number;
  queueTimeoutMs: number;
}

/** What the issues join reads of the queue: job, issue, state, reason (not the elapsed time, which changes every poll). */
export function queueFollowKey(jobs: unknown): string {
  return Array.isArray(jobs) ? (jobs as JobRow[]).map((j) => `${j.jobId} ${j.issueId ?? ''} ${j.state} ${j.reason}`).join('\n') : '';
}

export function consoleSources(b: Backends, iv: Intervals, latestJobs: () => readonly JobRow[]): SourceSpec<unknown>[] {
  return [
    { name: 'endpoints', intervalMs: iv.endpointsMs, timeoutMs: iv.timeoutMs, load: (s) => b.endpoints(s) },
    { name: 'queue', intervalMs: iv.queueMs, timeoutMs: iv.queueTimeoutMs, followKey: queueFollowKey, load: (s) => b.queue(s) } as SourceSpec<unknown>,
    { name: 'issues', intervalMs: iv.issuesMs, timeoutMs: iv.timeoutMs, follows: 'queue', load: (s) => b.issues(latestJobs(), s) },
    { name: 'telemetry', intervalMs: iv.telemetryMs, timeoutMs: iv.timeoutMs, load: (s) => b.telemetry(s) },
    // The shared-folder alert comes from the endpoints sweep: shown with it, not up to 15 s later.
    { name: 'alerts', intervalMs: iv.alertsMs, timeoutMs: iv.timeoutMs, follows: 'endpoints', load: (s) => b.alerts(s) },
    ...(b.restart ? [{ name: 'restart', intervalMs: iv.restartMs ?? 2_000, timeoutMs: iv.timeoutMs, load: (s: AbortSignal) => b.restart!(s) }] : []),
    ...(b.nodes ? [{ name: 'nodes', intervalMs: iv.nodesMs ?? 15_000, maxIdleMs: iv.nodesIdleMs ?? iv.nodesMs ?? 15_000, timeoutMs: iv.queueTimeoutMs, load: (s: AbortSignal) => b.nodes!(s) }] : []),
  ];
}

export function createConsoleMonitor(b: Backends, iv: Intervals, clock: Clock = realClock): Monitor {
  let monitor: Monitor | null = null;
  const latestJobs = (): readonly JobRow[] => {
    const data = monitor?.getSnapshot().sources['queue']?.data;
    return Array.isArray(data) ? (data as JobRow[]) : [];
  };
  monitor = new Monitor(consoleSources(b, iv, latestJobs), clock);
  return monitor;
}
