// The header line (pure): the crit count and the queue's STALE marker at every
// width, endpoint counts that match the Endpoints rows symbol for symbol.
import { describe, expect, it } from 'vitest';
import { headerParts, endpointCounts } from '../../../src/tui/header.js';
import type { ConsoleView, EndpointRow, AlertRow, JobRow } from '../../../src/console/view-model.js';
import { STATUS_SYMBOL, type ProbeStatus } from '../../../src/core/probe.js';
import { reasonFirst } from '../../../src/console/failure-text.js';
import { displayWidth } from '../../../src/tui/layout.js';

const health = (stale = false) => ({ error: stale ? 'squeue failed: x' : null, stale, ageMs: stale ? 40_000 : 0, loading: false, loaded: true });
const ep = (name: string, status: ProbeStatus, discovery?: EndpointRow['discovery']): EndpointRow => ({
  name,
  kind: 'http',
  status,
  latencyMs: 1,
  since: 0,
  reason: '',
  ...(discovery ? { discovery } : {}),
});

function view(opts: { stale?: boolean; crit?: number } = {}): ConsoleView {
  const endpoints = [ep('a', 'up'), ep('b', 'down'), ep('c', 'loading'), ep('d', 'degraded'), ep('e', 'unknown'), ep('f.json', 'unknown', 'stale'), ep('g', 'up')];
  const alerts: AlertRow[] = Array.from({ length: opts.crit ?? 2 }, (_, i) => ({ severity: 'crit', source: 'x', message: `m${i}` }));
  const queue: JobRow[] = [{ jobId: '1', issueId: 'i', name: 'swarm-i', state: 'RUNNING', reason: '', elapsed: '1:00', node: 'vm', via: 'slurm' }];
  return {
    endpoints: { rows: endpoints, health: health() },
    queue: { rows: queue, health: health(opts.stale) },
    issues: { rows: [], health: health() },
    telemetry: { rows: [], health: health() },
    alerts: { rows: alerts, health: health() },
    banner: [],
    restart: null,
  };
}

const line = (v: ConsoleView, columns: number, extra: Partial<{ readOnly: boolean; clusterName: string }> = {}) =>
  headerParts(v, { clusterName: extra.clusterName ?? 'loopback', readOnly: extra.readOnly ?? false, layoutMode: 'tabs', focused: 'endpoints', columns })
    .map((p) => p.text)
    .join('');

describe('console header', () => {
  it('endpoint counts: one per status symbol the table shows, summing to the rows', () => {
    const v = view();
    const text = line(v, 200);
    // The Endpoints table writes `${STATUS_SYMBOL[status]} ${status}` per row: count them the same way.
    const bySymbol = new Map<string, number>();
    for (const r of v.endpoints.rows) bySymbol.set(STATUS_SYMBOL[r.status], (bySymbol.get(STATUS_SYMBOL[r.status]) ?? 0) + 1);
    for (const [sym, n] of bySymbol) expect(text).toContain(`${sym}${n}`);
    expect(text).toContain('endpoints ✓2 ✗1 ◐1 !1 ?2');
    const c = endpointCounts(v);
    expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(v.endpoints.rows.length);
  });

  it('SLURM node rows under the services are not counted as endpoints (a drained node is not an endpoint down)', () => {
    const v = view();
    const node = { name: 'vm', kind: 'slurm node', status: 'down', latencyMs: null, since: null, reason: 'drained: disk' } as unknown as EndpointRow;
    const withNode = { ...v, endpoints: { ...v.endpoints, rows: [...v.endpoints.rows, node] } };
    expect(line(withNode, 200)).toContain('endpoints ✓2 ✗1 ◐1 !1 ?2');
    expect(endpointCounts(withNode).down).toBe(1);
  });

  it('keeps the crit count and STALE at every width from 40 to 200 columns, dropping the counts first', () => {
    for (let w = 40; w <= 200; w++) {
      const text = line(view({ stale: true, crit: 3 }), w, { readOnly: true, clusterName: 'a-rather-long-cluster-name' });
      expect(text, `width ${w}`).toContain('3 crit');
      expect(text, `width ${w}`).toContain('queue STALE 40s');
      expect(text, `width ${w}`).toContain('READ-ONLY');
      if (w >= 80) expect(displayWidth(text), `width ${w}`).toBeLessThanOrEqual(w);
    }
    expect(line(view({ stale: true }), 80)).toBe(' swarmctl  loopback  alerts 2 crit  queue STALE 40s  endpoints ✓2 ✗1 ◐1 !1 ?2');
    expect(line(view(), 200)).toContain('jobs 1 running 0 pending [endpoints] Tab/1-5 switch');
  });
});

describe('reasonFirst', () => {
  it("puts squeue's reason first and drops the argv", () => {
    const err = 'squeue --noheader --array -O JobID:32,StateCompact:16,Reason:64 --states=all: exit 1: slurm_load_jobs error: Unable to contact slurm controller (connect failure)';
    expect(reasonFirst(err)).toBe('squeue failed: Unable to contact slurm controller (connect failure)');
    expect(reasonFirst('squeue -h: exit 1')).toBe('squeue failed: no message (exit 1)');
    expect(reasonFirst('squeue -h: no answer within the timeout (killed)')).toBe('squeue failed: no answer within the timeout (killed)');
  });
});
