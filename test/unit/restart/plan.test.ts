// The restart plan (pure): depends_on order with ties by config order, filters,
// the seed's default commands, and what a failed step blocks.
import { describe, expect, it } from 'vitest';
import { buildPlan, dependentsOf, PlanError, topoOrder } from '../../../src/restart/plan.js';
import { verifyUntil } from '../../../src/restart/step.js';

const svc = (kind: string, extra: Record<string, unknown> = {}) => ({ kind, depends_on: [], write_check: false, ...extra }) as any;
const cfg = (services: Record<string, any>) => ({
  services: Object.fromEntries(Object.entries(services).map(([n, s]) => [n, { ...s, name: n }])),
  paths: { logs_dir: '/s/ai/logs' } as any,
  hosts: { 'vasp-01': { name: 'vasp-01', address: '10.0.0.1', ssh_options: [] } } as any,
});

describe('restart plan', () => {
  it("the seed's order: nfs → hydracoder → qwen35 → ai-proxy → swarm jobs, whatever the config order", () => {
    const c = cfg({
      'ai-proxy': svc('openai-proxy', { depends_on: ['qwen35'] }),
      qwen35: svc('llama-server', { depends_on: ['hydracoder'], host: 'vasp-01', start: [['llama-server', '-m', 'q.gguf']] }),
      hydracoder: svc('llama-server', { depends_on: ['nfs'] }),
      nfs: svc('nfs', { mount: '/cluster/shared' }),
    });
    const plan = buildPlan(c);
    expect(plan.map((s) => s.name)).toEqual(['nfs', 'hydracoder', 'qwen35', 'ai-proxy', 'swarm-jobs']);
    expect(plan[0]!.start).toEqual([
      ['systemctl', 'restart', 'nfs-kernel-server'],
      ['exportfs', '-rav'],
    ]);
    expect(plan[1]!.noStart).toMatch(/add start: \[\.\.\.\] to services.hydracoder/);
    expect(plan[2]!.host).toBe('vasp-01');
    expect(plan[2]!.start[0]).toEqual([
      'setsid',
      '-f',
      'sh',
      '-c',
      'log=$1; shift; exec "$@" >>"$log" 2>&1 </dev/null',
      'swarmctl-start',
      '/s/ai/logs/restart-qwen35.log',
      'llama-server',
      '-m',
      'q.gguf',
    ]);
    expect(plan[3]!.start).toEqual([['systemctl', '--user', 'restart', 'ai-proxy']]);
    expect(plan[2]!.verifyTimeoutS).toBe(600);
  });
  it('ties go by config order; a cycle is named', () => {
    expect(topoOrder(['c', 'a', 'b'], () => [])).toEqual(['c', 'a', 'b']);
    expect(topoOrder(['b', 'a'], (n) => (n === 'b' ? ['a'] : []))).toEqual(['a', 'b']);
    expect(() => topoOrder(['a', 'b'], (n) => (n === 'a' ? ['b'] : ['a']))).toThrow(/cycle among: a, b/);
  });
  it('--only/--from/--skip, and an unknown name refused', () => {
    const c = cfg({ a: svc('http'), b: svc('http', { depends_on: ['a'] }), c: svc('http', { depends_on: ['b'] }) });
    expect(buildPlan(c, { from: 'b' }).map((s) => s.name)).toEqual(['b', 'c', 'swarm-jobs']);
    expect(buildPlan(c, { only: ['c'] }).map((s) => [s.name, s.dependsOn])).toEqual([['c', []]]);
    expect(buildPlan(c, { skip: ['b', 'swarm-jobs'] }).map((s) => s.name)).toEqual(['a', 'c']);
    expect(() => buildPlan(c, { only: ['zz'] })).toThrow(PlanError);
  });
  it('a failed step blocks its dependents transitively, not independent branches', () => {
    const c = cfg({ a: svc('http'), b: svc('http', { depends_on: ['a'] }), c: svc('http', { depends_on: ['b'] }), d: svc('http') });
    const plan = buildPlan(c, { swarmJobs: false });
    expect([...dependentsOf(plan, 'a')]).toEqual(['b', 'c']);
    expect([...dependentsOf(plan, 'd')]).toEqual([]);
  });
  it('verify: loading is progress, backoff doubles to its cap, and stops at the deadline', async () => {
    let t = 0;
    const waits: number[] = [];
    const seq = ['loading', 'loading', 'loading', 'up'];
    const r = await verifyUntil(
      {
        probe: async () => ({ status: seq.shift() as any, reason: '', latencyMs: 1 }),
        sleep: async (ms) => {
          waits.push(ms);
          t += ms;
        },
        now: () => t,
      },
      10_000,
      { firstMs: 100, maxMs: 250 },
      () => {},
    );
    expect(r).toMatchObject({ ok: true, attempts: 4 });
    expect(waits).toEqual([100, 200, 250]);
    const down = await verifyUntil(
      {
        probe: async () => ({ status: 'down', reason: 'refused', latencyMs: 1 }),
        sleep: async (ms) => {
          t += ms;
        },
        now: () => t,
      },
      1000,
      { firstMs: 300, maxMs: 5000 },
      () => {},
    );
    expect(down).toMatchObject({ ok: false });
  });
});
