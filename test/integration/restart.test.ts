// `swarmctl restart` on real processes: services whose start really starts the
// llama-server-compatible test server (here, or over the test sshd as the
// "remote" host) and whose checks really probe it.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { requireCluster } from '../support/cluster.js';
import { BIN, runBin } from '../support/bin.js';
import { killStarted, makeRestartEnv, processesWith, serverStart, type RestartEnv } from '../support/restart-cluster.js';

requireCluster();
const envs: Array<[RestartEnv, string[]]> = [];
afterAll(() => {
  for (const [e, names] of envs) killStarted(e.logs, names);
});

const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
const bin = (e: RestartEnv, ...args: string[]) => runBin(['--config', e.config, '--db', e.db, ...args], { timeoutMs: 90_000 });

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const st = statSync(p);
      out.push(`${p} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe('swarmctl restart', () => {
  it('orders by depends_on, starts a dead service on the remote host and here, verifies through loading; a never-up service fails and blocks only its dependents', async () => {
    const names = ['hydracoder', 'qwen35', 'ai-proxy', 'broken', 'broken-child'];
    const e = await makeRestartEnv(
      (p, { shared }) => ({
        // config order deliberately not the dependency order
        'ai-proxy': { kind: 'http', health_url: `http://127.0.0.1:${p['ai-proxy']}/health`, depends_on: ['qwen35'], start: serverStart(p['ai-proxy']!, 0, ''), detach: true },
        qwen35: { kind: 'llama-server', url: `http://127.0.0.1:${p['qwen35']}`, depends_on: ['hydracoder'], start: serverStart(p['qwen35']!, 1500, '') },
        hydracoder: { kind: 'llama-server', host: 'remote', url: `http://127.0.0.1:${p['hydracoder']}`, depends_on: ['nfs'], start: serverStart(p['hydracoder']!, 1000, '') },
        nfs: { kind: 'nfs', mount: shared },
        broken: { kind: 'llama-server', url: `http://127.0.0.1:${p['broken']}`, depends_on: ['nfs'], start: ['true'], verify_timeout_s: 2 },
        'broken-child': { kind: 'http', health_url: `http://127.0.0.1:${p['broken']}/health`, depends_on: ['broken'], start: ['true'] },
      }),
      ['ai-proxy', 'qwen35', 'broken', 'hydracoder'],
    );
    envs.push([e, names]);
    const r = await bin(e, 'restart', '--yes', '--json');
    const ev = events(r.stdout);
    expect(ev[0]).toMatchObject({ event: 'run_start', steps: ['nfs', 'hydracoder', 'qwen35', 'ai-proxy', 'broken', 'broken-child', 'swarm-jobs'] });
    const starts = ev.filter((x) => x.event === 'step_start').map((x) => `${x.step}@${x.host}`);
    expect(starts).toEqual(['nfs@local', 'hydracoder@remote', 'qwen35@local', 'ai-proxy@local', 'broken@local']);
    const done = Object.fromEntries(ev.filter((x) => x.event === 'step_done').map((x) => [x.step, x.outcome]));
    expect(done).toEqual({ nfs: 'healthy', hydracoder: 'started', qwen35: 'started', 'ai-proxy': 'started' });
    // the started server was seen loading, then verified
    expect(ev.some((x) => x.event === 'verify' && x.step === 'qwen35' && x.status === 'loading')).toBe(true);
    const act = ev.find((x) => x.event === 'action' && x.step === 'hydracoder');
    expect(act).toMatchObject({ host: 'remote', ok: true, exit_code: 0 });
    expect(act!.argv.slice(0, 3)).toEqual(['setsid', '-f', 'sh']);
    const failed = ev.find((x) => x.event === 'step_failed');
    expect(failed).toMatchObject({ step: 'broken', blocks: ['broken-child', 'swarm-jobs'] });
    expect(failed!.reason).toMatch(/not healthy after 2 s: down/);
    expect(ev.filter((x) => x.event === 'step_skipped').map((x) => x.step)).toEqual(['broken-child', 'swarm-jobs']);
    expect(ev.at(-1)).toMatchObject({ event: 'run_done', status: 'failed', done: 4, failed: 1, skipped: 2 });
    expect(r.code).toBe(1);
    // the services really run (a new probe, not the run's word)
    const p = await bin(e, 'probe', 'hydracoder', 'qwen35', '--json');
    expect(JSON.parse(p.stdout).services.map((s: any) => s.status)).toEqual(['up', 'up']);
    // a second run finds everything healthy and acts on nothing
    const again = events((await bin(e, 'restart', '--yes', '--json', '--skip', 'broken,broken-child')).stdout);
    expect(again.filter((x) => x.event === 'action')).toEqual([]);
    expect(again.at(-1)).toMatchObject({ status: 'done', failed: 0 });
  }, 120_000);

  it('--dry-run prints the ordered plan with the exact argv per host and touches nothing (processes and files before and after)', async () => {
    const e = await makeRestartEnv(
      (p) => ({
        a: { kind: 'llama-server', host: 'remote', url: `http://127.0.0.1:${p['a']}`, start: serverStart(p['a']!, 0, '') },
        b: { kind: 'llama-server', url: `http://127.0.0.1:${p['b']}`, depends_on: ['a'], start: serverStart(p['b']!, 0, '') },
      }),
      ['a', 'b'],
    );
    envs.push([e, ['a', 'b']]);
    const needle = `--port ${e.ports['a']}`;
    const before = { ps: processesWith(needle), files: listing(e.dir) };
    const r = await bin(e, 'restart', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\. a \(llama-server\) on remote\n/);
    expect(r.stdout).toMatch(/2\. b \(llama-server\) on local, after a\n/);
    expect(r.stdout).toContain(`if down: $ setsid -f sh -c 'log=$1; shift; exec "$@" >>"$log" 2>&1 </dev/null' swarmctl-start ${e.logs}/restart-a.log ${process.execPath}`);
    const j = await bin(e, 'restart', '--dry-run', '--json', '--only', 'b');
    expect(events(j.stdout).map((x) => [x.event, x.step, x.host])).toEqual([['plan_step', 'b', 'local']]);
    expect({ ps: processesWith(needle), files: listing(e.dir) }).toEqual(before);
    expect(before.ps).toEqual([]);
  }, 60_000);

  it('SIGKILL mid-step, then --resume finishes without redoing verified steps; a second concurrent run is refused naming the holder', async () => {
    const names = ['first', 'slow', 'last'];
    const e = await makeRestartEnv(
      (p) => ({
        first: { kind: 'llama-server', url: `http://127.0.0.1:${p['first']}`, start: serverStart(p['first']!, 0, '') },
        slow: { kind: 'llama-server', url: `http://127.0.0.1:${p['slow']}`, depends_on: ['first'], start: serverStart(p['slow']!, 6000, '') },
        last: { kind: 'llama-server', host: 'remote', url: `http://127.0.0.1:${p['last']}`, depends_on: ['slow'], start: serverStart(p['last']!, 0, '') },
      }),
      names,
    );
    envs.push([e, names]);
    const child = spawn(process.execPath, [BIN, '--config', e.config, '--db', e.db, 'restart', '--yes', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no verify of slow: ${out}`)), 30_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (/"event":"verify","run_id":\d+,"step":"slow"/.test(out)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    // while it runs: a second run is refused with the holder named
    const second = await bin(e, 'restart', '--yes', '--json');
    expect(second.code).toBe(2);
    // --json promises NDJSON events only: one run_done line saying it was refused, and by whom
    const refusal = events(second.stdout);
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatchObject({ event: 'run_done', run_id: null, status: 'refused', exit_code: 2, holder: { host: hostname(), pid: child.pid, command: 'swarmctl restart' } });
    expect(refusal[0]!.reason).toMatch(new RegExp(`operator lock is held by [^@]+@${hostname()} \\(pid ${child.pid}, "swarmctl restart"\\) for \\d+ s`));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const firstRun = events(out);
    expect(firstRun.filter((x) => x.event === 'action').map((x) => x.step)).toEqual(['first', 'slow']);
    expect(firstRun.some((x) => x.event === 'run_done')).toBe(false);
    const r = await bin(e, 'restart', '--resume', '--yes', '--json');
    const ev = events(r.stdout);
    expect(ev[0]).toMatchObject({ event: 'run_start', resumed: true, run_id: firstRun[0]!.run_id });
    // verified step re-checked, not redone; the killed step's server was already loading: waited for, not restarted
    expect(ev.filter((x) => x.event === 'action').map((x) => x.step)).toEqual(['last']);
    expect(Object.fromEntries(ev.filter((x) => x.event === 'step_done').map((x) => [x.step, x.outcome]))).toEqual({ first: 'rechecked', slow: 'started', last: 'started', 'swarm-jobs': 'healthy' });
    expect(r.stderr).toMatch(/took over the expired operator lock .*holder pid \d+ on this host is gone/);
    expect(r.code).toBe(0);
    // only one server per port was ever started: one log line with a pid per service
    expect(processesWith(`--port ${e.ports['slow']}`).length).toBe(1);
    const none = await bin(e, 'restart', '--resume', '--yes');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no unfinished restart run to resume/);
  }, 120_000);

  it('an expired lock of another host is taken over and said so; lock status/release --force audited', async () => {
    const e = await makeRestartEnv((_p, { shared }) => ({ nfs: { kind: 'nfs', mount: shared } }), []);
    const lockDir = join(e.shared, 'ai', 'swarmctl');
    mkdirSync(lockDir, { recursive: true });
    const old = Date.now() - 3600_000;
    writeFileSync(
      join(lockDir, 'operator.lock'),
      JSON.stringify({ user: 'ops', host: 'login-02', pid: 4242, command: 'swarmctl recover x', started_at: old, renewed_at: old, ttl_s: 120, token: 'aaaa' }),
    );
    const st = await bin(e, 'lock', 'status');
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/held by ops@login-02 pid 4242 "swarmctl recover x" for 60 min, EXPIRED: not renewed for 60 min/);
    const r = await bin(e, 'restart', '--yes', '--only', 'nfs');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('took over the expired operator lock of ops@login-02 (pid 4242, "swarmctl recover x"): not renewed for 60 min (TTL 120 s)');
    expect((await bin(e, 'lock', 'status')).stdout).toMatch(/^free/);
    // a live lock of another host: release refused without --force, archived and audited with it
    const now = Date.now();
    writeFileSync(
      join(lockDir, 'operator.lock'),
      JSON.stringify({ user: 'ops', host: 'login-02', pid: 4242, command: 'swarmctl restart', started_at: now, renewed_at: now, ttl_s: 600, token: 'bbbb' }),
    );
    const refused = await bin(e, 'restart', '--yes', '--only', 'nfs');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/held by ops@login-02 \(pid 4242, "swarmctl restart"\)/);
    expect((await bin(e, 'lock', 'release')).code).toBe(1);
    const forced = await bin(e, 'lock', 'release', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/released the lock of ops@login-02 pid 4242 "swarmctl restart"; kept as .*archive\/locks\/operator.lock\./);
    const audit = JSON.parse((await bin(e, 'audit', '--json')).stdout).rows.map((x: any) => x.action);
    expect(audit).toEqual(expect.arrayContaining(['lock.release.force', 'lock.takeover', 'restart.run']));
  }, 60_000);
});
