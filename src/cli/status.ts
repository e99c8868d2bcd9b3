// `swarmctl status`: what the console would show, once, as text or JSON, for
// a non-TTY stdout (cron mail, a job wrapper's log, a pipe).
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { realBackends } from '../console/backends.js';
import { StaleData } from '../console/monitor.js';
import type { AlertRow, EndpointRow, JobRow } from '../console/view-model.js';
import { formatAge } from '../console/view-model.js';
import { STATUS_SYMBOL } from '../core/probe.js';
import { exitCodeFor } from './output.js';

export interface StatusDoc {
  cluster: string;
  checked_at: string;
  endpoints: EndpointRow[];
  /** When squeue failed: `jobs` are the last known ones from SQLite, if any, taken `stale.ageMs` ago. */
  queue: { ok: boolean; error: string | null; jobs: JobRow[]; stale?: { takenAt: number; ageMs: number } };
  alerts: AlertRow[];
  exit_code: number;
}

export async function collectStatus(cfg: ResolvedConfig, store: Store): Promise<StatusDoc> {
  const b = realBackends(cfg, store);
  const signal = new AbortController().signal;
  // Queue first: the endpoints join uses its jobs (no second squeue).
  const queue: StatusDoc['queue'] = await b.queue(signal).then(
    (jobs) => ({ ok: true, error: null, jobs }),
    (e: Error) =>
      e instanceof StaleData
        ? { ok: false, error: e.message, jobs: e.data as JobRow[], stale: { takenAt: e.takenAt, ageMs: Date.now() - e.takenAt } }
        : { ok: false, error: e.message, jobs: [] as JobRow[] },
  );
  const endpoints = await b.endpoints(signal);
  const alerts = await b.alerts(signal);
  if (!queue.ok) alerts.unshift({ severity: 'crit', source: 'queue', message: `queue unknown: ${queue.error}` });
  // Discovered endpoints come and go with their jobs: only configured ones count; an unknown queue counts as down.
  const counted = endpoints.filter((e) => e.discovery === undefined).map((e) => e.status);
  return { cluster: cfg.cluster_name, checked_at: new Date().toISOString(), endpoints, queue, alerts, exit_code: exitCodeFor(queue.ok ? counted : [...counted, 'down']) };
}

export function formatStatus(s: StatusDoc): string {
  const lines = [`swarmctl status: ${s.cluster} at ${s.checked_at}`, '', 'endpoints:'];
  for (const e of s.endpoints)
    lines.push(
      `  ${STATUS_SYMBOL[e.status]} ${e.status.padEnd(9)} ${e.name.padEnd(28)} ${e.latencyMs === null ? '-' : `${Math.round(e.latencyMs)}ms`.padEnd(7)} ${e.discovery ? `[${e.discovery}] ` : ''}${e.reason}`,
    );
  lines.push('', s.queue.ok ? `queue: ${s.queue.jobs.length} jobs` : `queue: UNKNOWN (${s.queue.error})`);
  if (s.queue.stale) lines.push(`  last known jobs, from ${formatAge(s.queue.stale.ageMs)} ago (STALE):`);
  for (const j of s.queue.jobs) lines.push(`  ${j.jobId.padEnd(10)} ${(j.issueId ?? j.name).padEnd(24)} ${j.state.padEnd(11)} ${j.elapsed.padEnd(10)} ${j.reason}`);
  if (s.alerts.length) lines.push('', 'alerts:', ...s.alerts.map((a) => `  ${a.severity === 'crit' ? '✗' : '!'} ${a.message}`));
  return lines.join('\n');
}
