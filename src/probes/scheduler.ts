// Runs a sweep: every service's probe at once, each with a hard deadline, so a
// sweep of N services takes about one timeout, not N. Only probes that start a
// child process (ssh, nfs, slurm: `capped`) wait for one of
// thresholds.probe_concurrency slots; HTTP probes are a socket each and all start
// at once (up to HTTP_IN_FLIGHT), so a hung service late in the list never waits
// for a slot behind a hundred others and then a whole timeout on top. A probe
// that overruns its deadline (it should not: each probe keeps its own budget) is
// reported down "probe did not finish" and left to settle in the background.
// Also the `watch` clock: the normal interval, or down_interval_s while anything is down.
import type { NamedService } from '../config/resolve.js';
import type { ProbeResult, ProbeStatus } from '../core/probe.js';

export interface SweepItem {
  service: NamedService;
  result: ProbeResult;
  /** ms since epoch when this probe finished */
  checkedAt: number;
}

export type ProbeFn = (svc: NamedService, timeoutMs: number) => Promise<ProbeResult>;

/** Slack over a probe's own timeout before the scheduler gives up on it. */
export const DEADLINE_GRACE_MS = 750;

/** Uncapped probes in flight at once: far above any config, well below the fd limit. */
export const HTTP_IN_FLIGHT = 1024;

export async function runSweep(
  services: readonly NamedService[],
  probe: ProbeFn,
  opts: {
    concurrency: number;
    timeoutMsFor: (svc: NamedService) => number;
    now?: () => number;
    /** Start order: higher first (stable). Results keep the order of `services`. */
    priority?: (svc: NamedService) => number;
    /** Probes that take one of the `concurrency` slots (child processes); default: all. */
    capped?: (svc: NamedService) => boolean;
  },
): Promise<SweepItem[]> {
  const now = opts.now ?? Date.now;
  const out: SweepItem[] = new Array(services.length);
  const order = startOrder(services, opts.priority);
  const isCapped = opts.capped ?? (() => true);
  const pool = async (queue: number[], width: number) => {
    let next = 0;
    const worker = async () => {
      for (;;) {
        const k = next++;
        if (k >= queue.length) return;
        const i = queue[k] as number;
        const svc = services[i] as NamedService;
        const result = await withDeadline(svc, probe, opts.timeoutMsFor(svc));
        out[i] = { service: svc, result, checkedAt: now() };
      }
    };
    await Promise.all(Array.from({ length: Math.max(0, Math.min(width, queue.length)) }, worker));
  };
  const capped = order.filter((i) => isCapped(services[i] as NamedService));
  const free = order.filter((i) => !isCapped(services[i] as NamedService));
  await Promise.all([pool(free, HTTP_IN_FLIGHT), pool(capped, Math.max(1, opts.concurrency))]);
  return out;
}

/**
 * Indices of `services` in start order. Under a concurrency cap the sweep ends
 * when its last probe ends, so probes likely to take their whole timeout (a
 * hung host) must start first, not queue behind a hundred quick ones and then
 * wait a full timeout on top (longest-first scheduling).
 */
export function startOrder(services: readonly NamedService[], priority?: (svc: NamedService) => number): number[] {
  const idx = services.map((_, i) => i);
  if (!priority) return idx;
  const p = services.map(priority);
  return idx.sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
}

async function withDeadline(svc: NamedService, probe: ProbeFn, timeoutMs: number): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const late = new Promise<ProbeResult>((res) => {
    timer = setTimeout(
      () => res({ status: 'down', reason: `probe did not finish in ${Math.round(timeoutMs / 100) / 10} s`, latencyMs: Math.round(performance.now() - started) }),
      timeoutMs + DEADLINE_GRACE_MS,
    );
  });
  const work = probe(svc, timeoutMs).catch((e: unknown): ProbeResult => ({ status: 'unknown', reason: `probe failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`, latencyMs: null }));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Seconds until the next sweep: down_interval_s while anything is down. */
export function nextIntervalS(statuses: readonly ProbeStatus[], th: { probe_interval_s: number; down_interval_s: number }): number {
  return statuses.includes('down') ? Math.min(th.down_interval_s, th.probe_interval_s) : th.probe_interval_s;
}
