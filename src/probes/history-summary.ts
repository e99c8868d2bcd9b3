// Pure summaries for `swarmctl history`: uptime % (share of raw results that were
// up), latency percentiles (nearest-rank) and the "--since 24h" parser.
import type { ResultRow, TransitionRow } from '../store/probe-history.js';

export interface ServiceHistory {
  service: string;
  kind: string;
  checks: number;
  uptime_percent: number | null;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  transitions: Array<{ at: string; from: string | null; to: string; reason: string }>;
}

/** Nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? null;
}

export function summarize(results: readonly ResultRow[], transitions: readonly TransitionRow[]): ServiceHistory[] {
  const by = new Map<string, ResultRow[]>();
  for (const r of results) (by.get(r.service) ?? by.set(r.service, []).get(r.service)!).push(r);
  const names = new Set([...by.keys(), ...transitions.map((t) => t.service)]);
  return [...names].sort().map((service) => {
    const rows = by.get(service) ?? [];
    const lat = rows
      .map((r) => r.latency_ms)
      .filter((x): x is number => typeof x === 'number')
      .sort((a, b) => a - b);
    const up = rows.filter((r) => r.status === 'up').length;
    return {
      service,
      kind: rows[0]?.kind ?? '',
      checks: rows.length,
      uptime_percent: rows.length ? Math.round((up / rows.length) * 10000) / 100 : null,
      latency_ms: { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99) },
      transitions: transitions.filter((t) => t.service === service).map((t) => ({ at: new Date(t.at).toISOString(), from: t.from_status, to: t.to_status, reason: t.reason })),
    };
  });
}

/** "24h", "90m", "7d", "30s" → ms; undefined when malformed. */
export function parseSince(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[(m[2] as string).toLowerCase() as 's'];
  return Number(m[1]) * unit;
}
