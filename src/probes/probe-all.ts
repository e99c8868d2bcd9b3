// The one call that makes a sweep count: probe the chosen services (scheduler),
// debounce each result against the stored state, record results/states/transitions
// in SQLite, hand transitions to the webhook, and return what to show. Used by
// `swarmctl probe` (once or --watch) and by the console's monitor each interval.
import type { NamedService, ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { loadProbeStates, recordSweep, type SweepRecord } from '../store/probe-history.js';
import { debounce } from './debounce.js';
import type { DebounceState } from '../core/probe.js';
import { serviceTimeoutMs, type ProbeContext } from './context.js';
import { probeService } from './probe-service.js';
import { runSweep, type ProbeFn } from './scheduler.js';
import type { ProbeResult, ProbeStatus } from '../core/probe.js';
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
  /** Where it is probed: URL, host:port, mount point or SLURM_CONF. */
  address: string;
  /** ISO time the visible status last changed. */
  since: string;
  /** No earlier state was stored: shown raw (not debounced), and `since` is only this sweep. */
  first_seen: boolean;
  checked_at: string;
  /** The undebounced observation. */
  raw: { status: ProbeStatus; reason: string };
  details?: Record<string, unknown>;
}

export interface SweepSnapshot {
  checkedAt: string;
  /** cluster_name from the config, for table headers and metric labels. */
  cluster: string;
  /** thresholds.probe_timeout_s (a service's own timeout_s may differ). */
  timeoutS: number;
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
      transitions.push({
        service: r.service,
        kind: r.kind,
        from: r.transition.from,
        to: r.transition.to,
        reason: r.transition.reason,
        at: new Date(r.transition.at).toISOString(),
        cluster: cfg.cluster_name,
      });
    }
  }
  for (const t of transitions) opts.webhook?.enqueue(t);
  const byName = new Map(services.map((s) => [s.name, s]));
  return {
    checkedAt: new Date(started).toISOString(),
    cluster: cfg.cluster_name,
    timeoutS: cfg.thresholds.probe_timeout_s,
    services: records.map((r) => toStatus(r, addressOf(byName.get(r.service), cfg))),
    transitions,
  };
}

/** Pure: where a service is probed, as an operator would type it. */
export function addressOf(svc: NamedService | undefined, cfg: Pick<ResolvedConfig, 'hosts' | 'slurm'>): string {
  if (svc === undefined) return '-';
  if (svc.health_url ?? svc.url) return (svc.health_url ?? svc.url) as string;
  if (svc.kind === 'nfs') return svc.mount ?? '-';
  if (svc.kind === 'slurm') return cfg.slurm.conf ?? 'default SLURM_CONF';
  const host = svc.host === undefined ? undefined : cfg.hosts[svc.host];
  if (host === undefined) return svc.host ?? '-';
  return `${host.user ? `${host.user}@` : ''}${host.address}:${host.port ?? 22}`;
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

function toStatus(r: SweepRecord, address: string): ServiceStatus {
  const res: ProbeResult = r.result;
  return {
    name: r.service,
    kind: r.kind,
    status: r.state.status,
    latency_ms: res.latencyMs,
    reason: r.state.reason,
    address,
    since: new Date(r.state.since).toISOString(),
    first_seen: r.firstSeen,
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
