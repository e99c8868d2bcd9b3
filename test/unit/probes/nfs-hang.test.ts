// The NFS probe's "at most one outstanding probe per mount" rule, with the child
// runner replaced by one that never returns (what `stat -f` on a dead hard mount
// does while the kernel holds it): the first probe reports down at its deadline,
// later ones report "no answer for N s" at once without starting another child.
import { describe, expect, it, vi } from 'vitest';

const started: string[][] = [];
let release: (() => void) | undefined;
vi.mock('../../../src/io/run.js', () => ({
  runLocal: (spec: { argv: string[] }) => {
    started.push(spec.argv);
    return new Promise((resolve) => {
      release = () => resolve({ argv: spec.argv, where: 'local', exitCode: 137, signal: null, stdout: '', stderr: '', timedOut: false, durationMs: 1, ok: false });
    });
  },
}));

const { probeNfs, outstandingNfsProbes } = await import('../../../src/probes/nfs.js');

describe('nfs probe with a hung child', () => {
  it('reports down at the deadline, then "no answer" without a second child, until the first ends', async () => {
    const svc = { name: 'share', kind: 'nfs', mount: '/tmp/swarmctl-hung-share', write_check: false, depends_on: [] } as never;
    let now = 1_000_000;
    const ctx = { timeoutMs: 300, cfg: {} as never, now: () => now };
    const t0 = performance.now();
    const first = await probeNfs(svc, ctx);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect([first.status, first.reason]).toEqual(['down', 'no answer for 1 s']);
    expect(started).toHaveLength(1);
    expect(started[0]?.slice(0, 5)).toEqual(['timeout', '-s', 'KILL', '1', 'stat']);
    now += 42_000;
    const second = await probeNfs(svc, ctx);
    expect([second.status, second.reason]).toEqual(['down', 'no answer for 42 s (earlier check still hung)']);
    expect(started).toHaveLength(1);
    expect(outstandingNfsProbes()).toBe(1);
    release?.();
    await new Promise((r) => setTimeout(r, 10));
    expect(outstandingNfsProbes()).toBe(0);
    const third = await probeNfs(svc, ctx);
    expect(started).toHaveLength(2);
    expect(third.reason).toBe('no answer for 1 s');
    release?.();
  });
});
