// Pure parts of the probes: debounce, backoff book, renderers and exit codes,
// history summaries, the NFS mount/fstab readers and the SLURM output parsers.
import { describe, expect, it } from 'vitest';
import { debounce } from '../../../src/probes/debounce.js';
import type { DebounceState } from '../../../src/core/probe.js';
import { BackoffBook, BACKOFF_BASE_MS, BACKOFF_MAX_MS } from '../../../src/probes/backoff.js';
import { jsonDocument, renderProm, renderTable } from '../../../src/cli/probe-render.js';
import { exitCodeFor } from '../../../src/cli/output.js';
import { parseSince, percentile, summarize } from '../../../src/probes/history-summary.js';
import { classifyFsFailure, findMount, fstabLists } from '../../../src/probes/nfs.js';
import { nodesVerdict } from '../../../src/probes/slurm.js';
import { parseSinfoNodes } from '../../../src/slurm/states.js';
import { nextIntervalS, runSweep, startOrder } from '../../../src/probes/scheduler.js';
import { likelySlow, toServiceRows, type SweepSnapshot } from '../../../src/probes/probe-all.js';
import type { NamedService } from '../../../src/config/resolve.js';
import { classifyGenericHttp } from '../../../src/probes/http.js';
import type { ProbeStatus } from '../../../src/core/probe.js';
import type { RunResult } from '../../../src/io/run.js';

const th = { failure_threshold: 3, success_threshold: 2 };
function feed(seq: ProbeStatus[], start?: DebounceState) {
  let st = start;
  const seen: Array<{ status: ProbeStatus; reason: string; transition: boolean }> = [];
  seq.forEach((s, i) => {
    const r = debounce(st, { status: s, reason: `raw ${s}` }, th, 1000 * (i + 1));
    st = r.state;
    seen.push({ status: r.state.status, reason: r.state.reason, transition: r.transition !== undefined });
  });
  return seen;
}

describe('debounce', () => {
  it('shows the first observation raw, with a transition from null', () => {
    const r = debounce(undefined, { status: 'down', reason: 'connection refused' }, th, 5);
    expect(r.state.status).toBe('down');
    expect(r.transition).toEqual({ from: null, to: 'down', reason: 'connection refused', at: 5 });
  });
  it('an observation older than the stored state (another writer was later) changes nothing', () => {
    const prev = debounce(undefined, { status: 'up', reason: 'ok' }, th, 100).state;
    const r = debounce(prev, { status: 'down', reason: 'connection refused' }, th, 99);
    expect(r.state).toBe(prev);
    expect(r.transition).toBeUndefined();
  });
  it('needs failure_threshold consecutive failures before down; suspect until then', () => {
    const seen = feed(['up', 'down', 'down', 'down', 'down']);
    expect(seen.map((s) => s.status)).toEqual(['up', 'degraded', 'degraded', 'down', 'down']);
    expect(seen[1]?.reason).toBe('suspect (1/3): raw down');
    expect(seen[2]?.reason).toBe('suspect (2/3): raw down');
    expect(seen.map((s) => s.transition)).toEqual([true, true, false, true, false]);
  });
  it('a blip does not reach down and an up clears it at once', () => {
    expect(feed(['up', 'down', 'up', 'down', 'down', 'up']).map((s) => s.status)).toEqual(['up', 'degraded', 'up', 'degraded', 'degraded', 'up']);
  });
  it('needs success_threshold ups after a down, showing recovering meanwhile', () => {
    const seen = feed(['down', 'up', 'up']);
    expect(seen.map((s) => s.status)).toEqual(['down', 'down', 'up']);
    expect(seen[1]?.reason).toBe('recovering (1/2 ok): raw down');
  });
  it('reports loading as is and resets the failure count', () => {
    expect(feed(['up', 'down', 'down', 'loading', 'down']).map((s) => s.status)).toEqual(['up', 'degraded', 'degraded', 'loading', 'degraded']);
  });
  it('keeps since while the visible status holds', () => {
    let st: DebounceState | undefined;
    st = debounce(st, { status: 'up', reason: 'ok' }, th, 100).state;
    st = debounce(st, { status: 'up', reason: 'ok' }, th, 200).state;
    expect(st.since).toBe(100);
    expect(st.lastChecked).toBe(200);
  });
});

describe('BackoffBook', () => {
  const last = { status: 'degraded' as const, reason: 'quota', latencyMs: 1 };
  it('doubles from the base up to the cap, honours a longer minimum, and clears on success', () => {
    const b = new BackoffBook();
    expect(b.failed('p', 0, last)).toBe(BACKOFF_BASE_MS);
    expect(b.blocked('p', BACKOFF_BASE_MS - 1)?.waitMs).toBe(1);
    expect(b.blocked('p', BACKOFF_BASE_MS)).toBeUndefined();
    expect(b.failed('p', 0, last)).toBe(2 * BACKOFF_BASE_MS);
    expect(b.failed('p', 0, last, 90_000)).toBe(90_000);
    for (let i = 0; i < 10; i++) b.failed('p', 0, last);
    expect(b.failed('p', 0, last)).toBe(BACKOFF_MAX_MS);
    b.succeeded('p');
    expect(b.blocked('p', 1)).toBeUndefined();
  });
});

const snap: SweepSnapshot = {
  checkedAt: '2025-01-01T00:00:00.000Z',
  cluster: 'beef"cake',
  timeoutS: 5,
  transitions: [],
  services: [
    {
      name: 'llama-01',
      kind: 'llama-server',
      status: 'up',
      latency_ms: 12.3,
      reason: 'ok',
      address: 'http://10.0.0.21:8080',
      since: '2025-01-01T00:00:00.000Z',
      first_seen: false,
      checked_at: '2025-01-01T00:00:00.000Z',
      raw: { status: 'up', reason: 'ok' },
    },
    {
      name: 'pro"xy',
      kind: 'openai-proxy',
      status: 'down',
      latency_ms: null,
      reason: 'connection refused',
      address: 'http://10.0.0.5:8317',
      since: '2025-01-01T00:00:00.000Z',
      first_seen: true,
      checked_at: '2025-01-01T00:00:00.000Z',
      raw: { status: 'down', reason: 'connection refused' },
    },
  ],
};

describe('render', () => {
  it('exit codes: 0 all up, 1 loading/degraded/unknown, 2 any down', () => {
    expect(exitCodeFor(['up', 'up'])).toBe(0);
    expect(exitCodeFor(['up', 'loading'])).toBe(1);
    expect(exitCodeFor(['unknown'])).toBe(1);
    expect(exitCodeFor(['degraded', 'down'])).toBe(2);
    expect(exitCodeFor([])).toBe(0);
  });
  it('table: head line, problems worst first with address, first observation marked, healthy summed unless all', () => {
    const t = renderTable(snap, (_s, x) => x, Date.parse('2025-01-01T00:01:00Z')).split('\n');
    expect(t[0]).toBe('cluster beef"cake · checked 2025-01-01T00:00:00Z · timeout 5 s');
    expect(t[2]).toMatch(/^✗ {2}pro"xy .* first seen {2}http:\/\/10\.0\.0\.5:8317 {2}connection refused$/);
    expect(t[3]).toBe('✓  1 more up (--all lists them)');
    expect(t.at(-1)).toBe('1 up, 0 loading, 0 degraded, 1 down, 0 unknown');
    const all = renderTable(snap, (_s, x) => x, Date.parse('2025-01-01T00:01:00Z'), { all: true }).split('\n');
    expect(all[3]).toMatch(/^✓ {2}llama-01 .* 12 ms +60s {2}http:\/\/10\.0\.0\.21:8080 {2}ok$/);
    expect(all).toHaveLength(5);
  });
  it('json document carries summary and exit code', () => {
    const d = jsonDocument(snap);
    expect(d.summary).toEqual({ up: 1, loading: 0, degraded: 0, down: 1, unknown: 0, total: 2, exit_code: 2 });
    expect(d.checked_at).toBe(snap.checkedAt);
  });
  it('prometheus exposition escapes labels and has one status series per status', () => {
    const p = renderProm(snap);
    const id = (svc: string, kind: string) => `cluster_name="beef\\"cake",service="${svc}",kind="${kind}"`;
    expect(p).toContain(`swarmctl_service_up{${id('llama-01', 'llama-server')}} 1`);
    expect(p).toContain(`swarmctl_service_up{${id('pro\\"xy', 'openai-proxy')}} 0`);
    expect(p).toContain(`swarmctl_probe_latency_seconds{${id('llama-01', 'llama-server')}} 0.0123`);
    expect(p).not.toContain('service="pro\\"xy",kind="openai-proxy"} null');
    expect(p.match(/^swarmctl_probe_latency_seconds\{/gm)).toHaveLength(1);
    expect(p).toContain(`swarmctl_service_status{${id('pro\\"xy', 'openai-proxy')},status="down"} 1`);
    expect(p.match(/^swarmctl_service_status/gm)).toHaveLength(10);
    expect(p).toContain('swarmctl_probe_sweep_timestamp_seconds{cluster_name="beef\\"cake"} 1735689600.000');
    expect(p.endsWith('\n')).toBe(true);
  });
  it('maps a snapshot to console rows', () => {
    expect(toServiceRows(snap)[0]).toEqual({ name: 'llama-01', kind: 'llama-server', status: 'up', latencyMs: 12.3, since: snap.checkedAt, reason: 'ok' });
  });
});

describe('history summary', () => {
  it('nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99)]).toEqual([50, 95, 99]);
    expect(percentile([], 50)).toBeNull();
  });
  it('uptime, percentiles and transitions per service', () => {
    const rows = [
      { service: 'a', kind: 'http', status: 'up' as const, latency_ms: 10, reason: '', checked_at: 1 },
      { service: 'a', kind: 'http', status: 'down' as const, latency_ms: null, reason: 'x', checked_at: 2 },
      { service: 'a', kind: 'http', status: 'up' as const, latency_ms: 30, reason: '', checked_at: 3 },
      { service: 'a', kind: 'http', status: 'up' as const, latency_ms: 20, reason: '', checked_at: 4 },
    ];
    const [a] = summarize(rows, [{ service: 'a', from_status: 'up', to_status: 'degraded', reason: 'suspect', at: 2 }]);
    expect(a?.uptime_percent).toBe(75);
    expect(a?.latency_ms).toEqual({ p50: 20, p95: 30, p99: 30 });
    expect(a?.transitions).toEqual([{ at: new Date(2).toISOString(), from: 'up', to: 'degraded', reason: 'suspect' }]);
  });
  it('parses --since', () => {
    expect(parseSince('24h')).toBe(86_400_000);
    expect(parseSince('30m')).toBe(1_800_000);
    expect(parseSince('7d')).toBe(604_800_000);
    expect(parseSince('soon')).toBeUndefined();
  });
});

describe('nfs pure readers', () => {
  const mi = ['22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw', '88 22 0:50 / /mnt/my\\040share rw,relatime shared:40 - nfs4 10.0.0.5:/export rw,vers=4.2'].join('\n');
  it('finds a mount point (octal escapes decoded) and its fstype', () => {
    expect(findMount(mi, '/mnt/my share/')).toEqual({ fstype: 'nfs4', source: '10.0.0.5:/export' });
    expect(findMount(mi, '/mnt')).toBeUndefined();
  });
  it('fstab listing', () => {
    const fstab = '# c\n10.0.0.5:/export /shared nfs hard 0 0\n';
    expect(fstabLists(fstab, '/shared')).toBe(true);
    expect(fstabLists(fstab, '/tmp/x')).toBe(false);
  });
  const rr = (o: Partial<RunResult>): RunResult => ({ argv: [], where: 'local', exitCode: 1, signal: null, stdout: '', stderr: '', timedOut: false, durationMs: 1, ok: false, ...o });
  it('ESTALE → stale file handle; kill → no answer', () => {
    expect(classifyFsFailure('stat -f', rr({ stderr: "stat: cannot read file system information for '/s': Stale file handle\n" })).reason).toBe('stale file handle');
    expect(classifyFsFailure('stat -f', rr({ exitCode: 137 })).reason).toBe('stat -f: no answer (killed after the timeout)');
    expect(classifyFsFailure('stat -f', rr({ stderr: 'stat: No such file or directory\n' })).reason).toBe('stat -f failed: stat: No such file or directory');
  });
});

describe('slurm node verdict', () => {
  const U = '\x1f';
  const sinfo = (rows: string[][]) => rows.map((r) => r.join(U) + U).join('\n') + '\n';
  it('one entry per node across partitions; unusable nodes listed with their reason', () => {
    const out = sinfo([
      ['n1', 'debug*', 'idle', 'idle', 'none'],
      ['n2', 'debug*', 'drained', 'drained', 'bad gpu'],
      ['n2', 'gpu', 'drained', 'drained', 'bad gpu'],
      ['n3', 'debug*', 'down*', 'down+not_responding', 'Not responding'],
      ['n4', 'debug*', 'mixed', 'mixed', 'none'],
    ]);
    const v = nodesVerdict(parseSinfoNodes(out).nodes);
    expect(v.status).toBe('degraded');
    expect(v.reason).toBe('2 of 4 nodes unusable: n2 drained (bad gpu), n3 down* (Not responding)');
  });
  it('all nodes unusable → down; none listed → degraded; all fine → up', () => {
    expect(nodesVerdict(parseSinfoNodes(sinfo([['n1', 'debug*', 'down*', 'down', 'x']])).nodes).status).toBe('down');
    expect(nodesVerdict([]).status).toBe('degraded');
    expect(nodesVerdict(parseSinfoNodes(sinfo([['n1', 'debug*', 'idle', 'idle', 'none']])).nodes)).toMatchObject({ status: 'up', reason: 'controller up, 1 node ok' });
  });
});

describe('scheduler interval and generic http', () => {
  it('uses down_interval_s while anything is down', () => {
    const t = { probe_interval_s: 15, down_interval_s: 5 };
    expect(nextIntervalS(['up', 'degraded'], t)).toBe(15);
    expect(nextIntervalS(['up', 'down'], t)).toBe(5);
  });
  it('generic http: 2xx up, 3xx down redirect, no answer down', () => {
    expect(classifyGenericHttp({ status: 204, body: '', latencyMs: 1 }).status).toBe('up');
    expect(classifyGenericHttp({ status: 302, body: '', latencyMs: 1 }).reason).toBe('answered a redirect (HTTP 302)');
    expect(classifyGenericHttp({ status: null, body: '', latencyMs: 1, error: { code: 'ECONNREFUSED', message: 'x' } }).status).toBe('down');
  });
});

describe('sweep start order (longest first under the concurrency cap)', () => {
  const svc = (name: string) => ({ name, kind: 'http', url: `http://127.0.0.1:1/${name}` }) as unknown as NamedService;
  const st = (status: ProbeStatus, consecutiveFailures = 0): DebounceState => ({ status, reason: '', since: 0, consecutiveFailures, consecutiveSuccesses: 0, lastChecked: 0 });
  it('likelySlow: failed last time > not up or never probed > up', () => {
    expect(likelySlow(st('degraded', 1))).toBe(2);
    expect(likelySlow(st('up', 1))).toBe(2); // up (debounced) but the last probe failed
    expect(likelySlow(undefined)).toBe(1);
    expect(likelySlow(st('loading'))).toBe(1);
    expect(likelySlow(st('up'))).toBe(0);
  });
  it('startOrder is stable within a priority and the identity without one', () => {
    const s = ['a', 'b', 'c', 'd', 'e'].map(svc);
    expect(startOrder(s)).toEqual([0, 1, 2, 3, 4]);
    const p: Record<string, number> = { a: 0, b: 2, c: 1, d: 2, e: 0 };
    expect(startOrder(s, (x) => p[x.name] as number)).toEqual([1, 3, 2, 0, 4]);
  });
  it('with a cap of 1 the hung service starts first and the sweep ends one timeout after the start, results in config order', async () => {
    const s = ['ok-1', 'ok-2', 'ok-3', 'hang'].map(svc);
    const started: string[] = [];
    const items = await runSweep(
      s,
      async (x, t) => {
        started.push(x.name);
        await new Promise((r) => setTimeout(r, x.name === 'hang' ? t : 5));
        return { status: x.name === 'hang' ? 'down' : 'up', reason: x.name, latencyMs: 1 };
      },
      { concurrency: 1, timeoutMsFor: () => 60, priority: (x) => (x.name === 'hang' ? 2 : 0) },
    );
    expect(started).toEqual(['hang', 'ok-1', 'ok-2', 'ok-3']);
    expect(items.map((i) => i.service.name)).toEqual(['ok-1', 'ok-2', 'ok-3', 'hang']);
    expect(items.map((i) => i.result.status)).toEqual(['up', 'up', 'up', 'down']);
  });
});
