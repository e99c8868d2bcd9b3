// The one call that makes a sweep count: probe the chosen services (scheduler),
// debounce each result against the stored state, record results/states/transitions
// in SQLite, hand transitions to the webhook, and return what to show. Used by
// `swarmctl probe` (once or --watch) and by the console's monitor each interval.
import type { NamedService, ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { loadProbeStates, recordSweep, type SweepRecord } from '../store/probe-history.js';
import { debounce, type DebounceState } from './debounce.js';
import { serviceTimeoutMs, type ProbeContext } from './context.js';
import { probeService } from './probe-service.js';
import { runSweep, type ProbeFn } from './scheduler.js';
import type { ProbeResult, ProbeStatus } from './types.js';
import type { WebhookEvent, WebhookSender } from './webhook.js';

/** Kinds whose probe runs a child process (ssh, timeout+stat, scontrol): these share
 *  thresholds.probe_concurrency slots; HTTP kinds are a socket each and are not capped. */
export const CHILD_PROCESS_KINDS: ReadonlySet<string> = new Set(['ssh', 'nfs', 'slurm']);

export interface ServiceStatus {
  name: string;
  kind: string;
  /** Debounced status (what operators see). */
  status: ProbeStatus;
  latency_ms: number | null;
  reason: string;
  /** ISO time the visible status last changed. */
  since: string;
  checked_at: string;
  /** The undebounced observation. */
  raw: { status: ProbeStatus; reason: string };
  details?: Record<string, unknown>;
}

export interface SweepSnapshot {
  checkedAt: string;
  services: ServiceStatus[];
  /** Visible status changes of this sweep (not a service's first state): what a webhook is sent. */
  transitions: WebhookEvent[];
}

export interface ProbeAllOptions {
  /** Only these services (names); all when empty/undefined. */
  only?: readonly string[];
  webhook?: WebhookSender;
  /** Replace the real probes (tests). */
  probe?: ProbeFn;
  now?: () => number;
}

export async function probeAll(cfg: ResolvedConfig, store: Store, opts: ProbeAllOptions = {}): Promise<SweepSnapshot> {
  const now = opts.now ?? Date.now;
  const all = Object.values(cfg.services);
  const services: NamedService[] = opts.only && opts.only.length ? opts.only.map((n) => cfg.services[n]).filter((s): s is NamedService => s !== undefined) : all;
  const probe: ProbeFn = opts.probe ?? ((svc, timeoutMs) => probeService(svc, { timeoutMs, cfg, now } satisfies ProbeContext));
  const started = now();
  const before = loadProbeStates(store.db);
  const items = await runSweep(services, probe, {
    concurrency: cfg.thresholds.probe_concurrency,
    timeoutMsFor: (s) => serviceTimeoutMs(s, cfg),
    now,
    priority: (s) => likelySlow(before.get(s.name)),
    capped: (s) => CHILD_PROCESS_KINDS.has(s.kind),
  });
  const observations = items.map(({ service, result, checkedAt }) => ({ service: service.name, kind: service.kind, result, checkedAt }));
  // Debounced inside the write transaction, against the state as committed by any other writer.
  const records = recordSweep(store, observations, (prev, o) => debounce(prev, o.result, cfg.thresholds, o.checkedAt));
  const transitions: WebhookEvent[] = [];
  for (const r of records) {
    // The first state ever recorded is not news; changes are.
    if (r.transition && r.transition.from !== null) {
      transitions.push({ service: r.service, kind: r.kind, from: r.transition.from, to: r.transition.to, reason: r.transition.reason, at: new Date(r.transition.at).toISOString(), cluster: cfg.cluster_name });
    }
  }
  for (const t of transitions) opts.webhook?.enqueue(t);
  return { checkedAt: new Date(started).toISOString(), services: records.map(toStatus), transitions };
}

/**
 * Start-order hint from the last recorded state: a service that failed last
 * time (a hung host costs a whole timeout) first, then any not up, then the
 * healthy ones; never-probed services count as not up.
 */
export function likelySlow(state: DebounceState | undefined): number {
  if (state === undefined) return 1;
  if (state.consecutiveFailures > 0) return 2;
  return state.status === 'up' ? 0 : 1;
}

function toStatus(r: SweepRecord): ServiceStatus {
  const res: ProbeResult = r.result;
  return {
    name: r.service,
    kind: r.kind,
    status: r.state.status,
    latency_ms: res.latencyMs,
    reason: r.state.reason,
    since: new Date(r.state.since).toISOString(),
    checked_at: new Date(r.checkedAt).toISOString(),
    raw: { status: res.status, reason: res.reason },
    ...(res.details ? { details: res.details } : {}),
  };
}

/** A row for the console's services panel. Pure. */
export interface ServiceRow {
  name: string;
  kind: string;
  status: ProbeStatus;
  latencyMs: number | null;
  since: string;
  reason: string;
}

export function toServiceRows(snap: SweepSnapshot): ServiceRow[] {
  return snap.services.map((s) => ({ name: s.name, kind: s.kind, status: s.status, latencyMs: s.latency_ms, since: s.since, reason: s.reason }));
}
