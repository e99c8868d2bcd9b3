// The drill runner with fake drills on a fake sandbox.json (whose recorded process is this test's own):
// registry order, cleanups last-first whatever happens, the time bound, not-applicable, unknown names,
// and the environment (the sandbox's bin/ first on PATH, its SLURM_CONF) the real binary gets.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoSandboxError, runDrills, selectDrills, UnknownDrillError } from '../../../src/drill/run.js';
import type { Drill } from '../../../src/drill/types.js';
import { procIdentity } from '../../../src/io/proc.js';
import type { SandboxState } from '../../../src/sandbox/records.js';

function fakeSandbox(over: Partial<SandboxState> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'drill-run-'));
  mkdirSync(join(dir, 'bin'));
  const me = procIdentity(process.pid)!;
  const state: SandboxState = {
    version: 1,
    dir,
    profile: 'beefcake',
    jobs: { mode: 'local', reason: 'test' },
    createdAt: new Date().toISOString(),
    endpoints: {},
    processes: [{ name: 'endpoint:fast', pid: process.pid, startTime: me.startTime, pgid: me.pgid, argv: ['node'], startedAt: new Date().toISOString() }],
    slurmJobs: [],
    slurmConf: '/tmp/some-slurm.conf',
    ...over,
  };
  writeFileSync(join(dir, 'sandbox.json'), JSON.stringify(state));
  return dir;
}

const drill = (name: string, run: Drill['run'], extra: Partial<Drill> = {}): Drill => ({ name, summary: name, profiles: ['beefcake', 'python-worker'], run, ...extra });

describe('drill runner', () => {
  it('runs the chosen drills in registry order, not argument order, and rejects unknown names (64 kind) listing the known ones', async () => {
    const order: string[] = [];
    const drills = ['a', 'b', 'c'].map((n) => drill(n, async () => (order.push(n), true)));
    const dir = fakeSandbox();
    const r = await runDrills({ dir, names: ['c', 'a'], env: process.env, drills });
    expect(order).toEqual(['a', 'c']);
    expect(r.map((x) => [x.name, x.status])).toEqual([
      ['a', 'pass'],
      ['c', 'pass'],
    ]);
    expect(() => selectDrills(['a', 'nope'], drills)).toThrow(UnknownDrillError);
    expect(() => selectDrills(['nope'], drills)).toThrow(/unknown drill nope: use one of a, b, c/);
  });

  it('runs cleanups last-first after a pass, a false, and a throw; a failing cleanup fails the drill and the next cleanup still runs', async () => {
    const log: string[] = [];
    const mk = (name: string, outcome: 'pass' | 'false' | 'throw' | 'bad-cleanup') =>
      drill(name, async (ctx) => {
        ctx.cleanup(() => void log.push(`${name}:1`));
        ctx.cleanup(async () => {
          log.push(`${name}:2`);
          if (outcome === 'bad-cleanup') throw new Error('port still busy');
        });
        ctx.cleanup(() => void log.push(`${name}:3`));
        ctx.observe(`${name} saw 3 things`);
        if (outcome === 'throw') throw new Error('endpoint never went down');
        return outcome !== 'false';
      });
    const dir = fakeSandbox();
    const r = await runDrills({ dir, names: [], env: process.env, drills: [mk('p', 'pass'), mk('f', 'false'), mk('t', 'throw'), mk('c', 'bad-cleanup')] });
    expect(log).toEqual(['p:3', 'p:2', 'p:1', 'f:3', 'f:2', 'f:1', 't:3', 't:2', 't:1', 'c:3', 'c:2', 'c:1']);
    expect(r.map((x) => x.status)).toEqual(['pass', 'fail', 'fail', 'fail']);
    expect(r[2]!.observed).toEqual(['t saw 3 things', 'FAILED: endpoint never went down']);
    expect(r[3]!.observed).toEqual(['c saw 3 things', 'cleanup failed: port still busy']);
  });

  it('bounds a drill in time: past timeoutS it fails, its signal is aborted and its cleanups run', async () => {
    let aborted = false;
    let cleaned = false;
    const slow = drill(
      'slow',
      async (ctx) => {
        ctx.cleanup(() => void (cleaned = true));
        ctx.signal.addEventListener('abort', () => (aborted = true));
        await new Promise((r) => setTimeout(r, 60_000));
        return true;
      },
      { timeoutS: 0.5 },
    );
    const dir = fakeSandbox();
    const t0 = Date.now();
    const [r] = await runDrills({ dir, names: [], env: process.env, drills: [slow] });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r!.status).toBe('fail');
    expect(r!.observed.join('\n')).toMatch(/time bound of 0\.5 s passed/);
    expect(aborted).toBe(true);
    expect(cleaned).toBe(true);
  });

  it('reports not applicable (not a pass) for another profile or when the drill says why, without running it', async () => {
    let ran = false;
    const pyOnly = drill('py', async () => (ran = true), { profiles: ['python-worker'] });
    const slurmOnly = drill('ctl', async () => (ran = true), { notApplicable: (s) => (s.jobs.mode === 'local' ? 'jobs mode local: no SLURM controller to lose' : null) });
    const dir = fakeSandbox();
    const r = await runDrills({ dir, names: [], env: process.env, drills: [pyOnly, slurmOnly] });
    expect(ran).toBe(false);
    expect(r.map((x) => x.status)).toEqual(['not_applicable', 'not_applicable']);
    expect(r[0]!.observed[0]).toBe('profile beefcake; applies to python-worker');
    expect(r[1]!.observed[0]).toMatch(/jobs mode local/);
  });

  it('refuses with NoSandboxError when there is no sandbox.json, it is marked down, or none of its processes runs', async () => {
    const none = mkdtempSync(join(tmpdir(), 'drill-none-'));
    const d = drill('a', async () => true);
    await expect(runDrills({ dir: none, names: [], env: process.env, drills: [d] })).rejects.toThrow(NoSandboxError);
    await expect(runDrills({ dir: fakeSandbox({ downAt: new Date().toISOString() }), names: [], env: process.env, drills: [d] })).rejects.toThrow(/is down/);
    const gone = fakeSandbox({ processes: [{ name: 'x', pid: process.pid, startTime: '1', pgid: 1, argv: [], startedAt: '' }] });
    await expect(runDrills({ dir: gone, names: [], env: process.env, drills: [d] })).rejects.toThrow(/runs no recorded process/);
  });

  it("runs the built binary with the sandbox's config, its bin/ first on PATH and its SLURM_CONF, also from a cleanup", async () => {
    let seen: { argv: string[]; code: number; env: NodeJS.ProcessEnv } | undefined;
    let cleanupCode: number | undefined;
    const dir = fakeSandbox();
    // A stand-in "binary" that prints its argv and environment (the argv shape is what matters here).
    const bin = join(dir, 'echo-bin.mjs');
    writeFileSync(bin, 'process.stdout.write(JSON.stringify({argv: process.argv.slice(2), path: process.env.PATH, conf: process.env.SLURM_CONF}));process.exit(3);\n');
    const d = drill('env', async (ctx) => {
      const r = await ctx.swarmctl(['queue', '--json']);
      const out = JSON.parse(r.stdout) as { argv: string[]; path: string; conf: string };
      seen = { argv: out.argv, code: r.code, env: { PATH: out.path, SLURM_CONF: out.conf } };
      // A cleanup runs after the drill's own signal is aborted: its swarmctl runs must still run.
      ctx.cleanup(async () => void (cleanupCode = (await ctx.swarmctl(['lock', 'status'])).code));
      return true;
    });
    await runDrills({ dir, names: [], env: { ...process.env, PATH: '/usr/bin' }, drills: [d], bin });
    expect(seen!.argv).toEqual(['--config', join(dir, 'swarmctl.yaml'), 'queue', '--json']);
    expect(seen!.code).toBe(3);
    expect(cleanupCode).toBe(3);
    expect(seen!.env['PATH']).toBe(`${join(dir, 'bin')}:/usr/bin`);
    expect(seen!.env['SLURM_CONF']).toBe('/tmp/some-slurm.conf');
    expect(readFileSync(join(dir, 'sandbox.json'), 'utf8')).toContain('endpoint:fast');
  });
});
