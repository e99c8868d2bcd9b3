// `swarmctl restart` across several real hosts: the extra test hosts h1..h3 are network
// namespaces with their own address, hostname and sshd (scripts/test-cluster.sh hosts-up).
// Each service's start runs the llama-server-compatible test server ON ITS HOST over
// SSH, bound to that host's address; every check probes it from here. What runs where is
// read from the kernel (/proc/PID/ns/net), not from swarmctl's word.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onHost, requireCluster, requireHosts } from '../support/cluster.js';
import { BIN, runBin } from '../support/bin.js';
import { freePortOn, killServersOn, makeHostsEnv, netnsOf, netnsOfHost, processesOn, serverOn, serversOn, startTicks, type HostsEnv } from '../support/restart-hosts.js';

requireCluster();
const th = requireHosts();
const [h1, h2, h3] = th.hosts as [(typeof th.hosts)[0], (typeof th.hosts)[0], (typeof th.hosts)[0]];
const ports: number[] = [];
afterAll(() => killServersOn(th, ports));
const port = (h: typeof h1) => {
  const p = freePortOn(h);
  ports.push(p);
  return p;
};

const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
const bin = (e: HostsEnv, ...args: string[]) => runBin(['--config', e.config, '--db', join(e.dir, 'state.db'), ...args], { timeoutMs: 90_000 });

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

/** Spawn swarmctl (here, or on a test host) and resolve once its stdout matches `until`. */
function spawnUntil(argv: string[], until: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`never saw ${until}: stdout ${out} stderr ${err}`)), 120_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (until.test(out)) {
        clearTimeout(t);
        resolve({ child, out: () => out });
      }
    });
  });
}
const closed = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.on('close', r)));

describe('swarmctl restart on several hosts', () => {
  it('orders across hosts, starts each dead service on its own host and verifies it; a never-up service fails and blocks only its dependent while the independent branch goes on', async () => {
    const p = { hydracoder: port(h2), qwen35: port(h1), proxy: port(h3), broken: port(h3) };
    const e = makeHostsEnv(th, ({ shared }) => ({
      // config order puts the broken branch first: the healthy branch must still run after it fails
      nfs: { kind: 'nfs', mount: shared },
      broken: { kind: 'llama-server', host: 'h3', url: `http://${h3.address}:${p.broken}`, depends_on: ['nfs'], start: ['true'], verify_timeout_s: 2 },
      'broken-child': { kind: 'http', host: 'h2', health_url: `http://${h3.address}:${p.broken}/health`, depends_on: ['broken'], start: ['true'] },
      'ai-proxy': { kind: 'http', host: 'h3', health_url: `http://${h3.address}:${p.proxy}/health`, depends_on: ['qwen35'], start: serverOn(h3, p.proxy, 0), detach: true },
      qwen35: { kind: 'llama-server', host: 'h1', url: `http://${h1.address}:${p.qwen35}`, depends_on: ['hydracoder'], start: serverOn(h1, p.qwen35, 5000) },
      hydracoder: { kind: 'llama-server', host: 'h2', url: `http://${h2.address}:${p.hydracoder}`, depends_on: ['nfs'], start: serverOn(h2, p.hydracoder, 1000) },
    }));
    const r = await bin(e, 'restart', '--yes', '--json');
    const ev = events(r.stdout);
    expect(ev[0]).toMatchObject({ event: 'run_start', steps: ['nfs', 'broken', 'broken-child', 'hydracoder', 'qwen35', 'ai-proxy', 'swarm-jobs'] });
    expect(ev.filter((x) => x.event === 'step_start').map((x) => `${x.step}@${x.host}`)).toEqual(['nfs@local', 'broken@h3', 'hydracoder@h2', 'qwen35@h1', 'ai-proxy@h3']);
    expect(ev.find((x) => x.event === 'step_failed')).toMatchObject({ step: 'broken', blocks: ['broken-child', 'swarm-jobs'] });
    expect(ev.filter((x) => x.event === 'step_skipped').map((x) => x.step)).toEqual(['broken-child', 'swarm-jobs']);
    expect(Object.fromEntries(ev.filter((x) => x.event === 'step_done').map((x) => [x.step, x.outcome]))).toEqual({ nfs: 'healthy', hydracoder: 'started', qwen35: 'started', 'ai-proxy': 'started' });
    expect(ev.some((x) => x.event === 'verify' && x.step === 'qwen35' && x.status === 'loading')).toBe(true);
    expect(r.code).toBe(1);
    // the kernel's word: each server runs in its own host's namespace, one each, started in dependency order
    const started = (['hydracoder', 'qwen35', 'proxy'] as const).map((n) => {
      const h = n === 'hydracoder' ? h2 : n === 'qwen35' ? h1 : h3;
      const s = serversOn(h, p[n]);
      expect(s.length, `${n} on ${h.name}`).toBe(1);
      expect(netnsOf(s[0]!.pid)).toBe(netnsOfHost(h));
      expect(netnsOf(s[0]!.pid)).not.toBe(netnsOf(process.pid));
      return startTicks(s[0]!.pid);
    });
    expect([...started].sort((a, b) => a - b)).toEqual(started);
    // qwen35 was started only after hydracoder was verified: its server process is younger than that verify
    const verified = ev.find((x) => x.event === 'step_done' && x.step === 'hydracoder')!.at as string;
    const qwenStart = ev.find((x) => x.event === 'action' && x.step === 'qwen35')!.at as string;
    expect(Date.parse(qwenStart)).toBeGreaterThanOrEqual(Date.parse(verified));
    // nothing was started for the broken service (its start is `true`) or its blocked dependent on h2
    expect(serversOn(h3, p.broken)).toEqual([]);
    // a new probe, not the run's word
    const pr = await bin(e, 'probe', 'hydracoder', 'qwen35', 'ai-proxy', '--json');
    expect(JSON.parse(pr.stdout).services.map((s: any) => s.status)).toEqual(['up', 'up', 'up']);
  }, 240_000);

  it('--dry-run names each host and changes nothing: the process lists of every host and the files, before and after', async () => {
    const pa = port(h1);
    const pb = port(h2);
    const e = makeHostsEnv(th, () => ({
      a: { kind: 'llama-server', host: 'h1', url: `http://${h1.address}:${pa}`, start: serverOn(h1, pa, 0) },
      b: { kind: 'llama-server', host: 'h2', url: `http://${h2.address}:${pb}`, depends_on: ['a'], start: serverOn(h2, pb, 0) },
    }));
    const snap = () => ({
      ps: th.hosts.map((h) =>
        processesOn(h)
          .map((x) => `${x.pid} ${x.args}`)
          .sort(),
      ),
      files: listing(e.dir),
    });
    const before = snap();
    const r = await bin(e, 'restart', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\. a \(llama-server\) on h1\n/);
    expect(r.stdout).toMatch(/2\. b \(llama-server\) on h2, after a\n/);
    expect(r.stdout).toContain(`--port ${pb} --mode loading --loading-ms 0 --host 127.0.0.1\n`);
    expect(r.stdout).toContain(`tcp-forward.mjs ${h2.address} ${pb}\n`);
    expect(snap()).toEqual(before);
    expect(existsSync(join(e.dir, 'state.db'))).toBe(false);
  }, 60_000);

  it('SIGKILL of the run mid-step on one host, then --resume finishes on the others without redoing the verified step', async () => {
    const p = { first: port(h1), slow: port(h2), last: port(h3) };
    const e = makeHostsEnv(th, () => ({
      first: { kind: 'llama-server', host: 'h1', url: `http://${h1.address}:${p.first}`, start: serverOn(h1, p.first, 0) },
      slow: { kind: 'llama-server', host: 'h2', url: `http://${h2.address}:${p.slow}`, depends_on: ['first'], start: serverOn(h2, p.slow, 15_000) },
      last: { kind: 'llama-server', host: 'h3', url: `http://${h3.address}:${p.last}`, depends_on: ['slow'], start: serverOn(h3, p.last, 0) },
    }));
    const run = await spawnUntil([process.execPath, BIN, '--config', e.config, '--db', join(e.dir, 'state.db'), 'restart', '--yes', '--json'], /"event":"verify","run_id":\d+,"step":"slow"/);
    run.child.kill('SIGKILL');
    await closed(run.child);
    const firstRun = events(run.out());
    // two actions per started service: the server, then its forwarder
    expect(firstRun.filter((x) => x.event === 'action').map((x) => x.step)).toEqual(['first', 'first', 'slow', 'slow']);
    const firstPid = serversOn(h1, p.first)[0]!.pid;
    const r = await bin(e, 'restart', '--resume', '--yes', '--json');
    const ev = events(r.stdout);
    expect(ev[0]).toMatchObject({ event: 'run_start', resumed: true, run_id: firstRun[0]!.run_id });
    expect(ev.filter((x) => x.event === 'action').map((x) => `${x.step}@${x.host}`)).toEqual(['last@h3', 'last@h3']);
    expect(Object.fromEntries(ev.filter((x) => x.event === 'step_done').map((x) => [x.step, x.outcome]))).toEqual({ first: 'rechecked', slow: 'started', last: 'started', 'swarm-jobs': 'healthy' });
    expect(r.code).toBe(0);
    // one server per service on its host; the verified one is the same process as before the kill
    expect(serversOn(h1, p.first).map((x) => x.pid)).toEqual([firstPid]);
    expect(serversOn(h2, p.slow).length).toBe(1);
    expect(serversOn(h3, p.last).length).toBe(1);
  }, 240_000);

  it('the lock across hosts: h1 keeps it renewed past its TTL while it runs; h2 is refused naming h1 (NDJSON under --json); h1 SIGKILLed, h2 is refused until the TTL runs out, then takes it over', async () => {
    const slow = port(h1);
    const ttl = 8;
    const e = makeHostsEnv(th, ({ shared }) => ({
      slow: { kind: 'llama-server', host: 'h1', url: `http://${h1.address}:${slow}`, start: serverOn(h1, slow, 60_000), verify_timeout_s: 90 },
      nfs: { kind: 'nfs', mount: shared },
    }));
    const lockEnv = { SWARMCTL_LOCK_TTL_S: String(ttl), NO_COLOR: '1' };
    // swarmctl itself runs on h1 and h2 (their hostnames: swarmctl-h1, swarmctl-h2), each with its own local state DB
    const onH = (h: typeof h1, ...args: string[]) => onHost(h, [process.execPath, BIN, '--config', e.config, '--db', join(e.dir, `${h.name}.db`), ...args]);
    const runOn = (h: typeof h1, ...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const argv = onH(h, ...args);
        const c = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...lockEnv } });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        c.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    const holder = await spawnUntil(onH(h1, 'restart', '--yes', '--json', '--only', 'slow'), /"event":"verify","run_id":\d+,"step":"slow"/, lockEnv);
    const pid = holder.child.pid!;
    const heldBy = new RegExp(`operator lock is held by root@${h1.hostname} \\(pid ${pid}, "swarmctl restart"\\) for \\d+ s`);
    try {
      const lockFile = join(e.shared, 'ai', 'swarmctl', 'operator.lock');
      const first = JSON.parse(readFileSync(lockFile, 'utf8'));
      expect(first).toMatchObject({ host: h1.hostname, pid, ttl_s: ttl });
      // past two TTLs: the holder lives, so the lock was renewed (file rewritten, renewed_at moved), never expired
      await new Promise((r) => setTimeout(r, ttl * 2 * 1000 + 500));
      const later = JSON.parse(readFileSync(lockFile, 'utf8'));
      expect(later.token).toBe(first.token);
      expect(later.renewed_at).toBeGreaterThan(first.renewed_at + ttl * 1000);
      expect(Date.now() - statSync(lockFile).mtimeMs).toBeLessThan(ttl * 1000);
      const refused = await runOn(h2, 'restart', '--yes', '--only', 'nfs');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(heldBy);
      const refusedJson = await runOn(h2, 'restart', '--yes', '--only', 'nfs', '--json');
      expect(refusedJson.code).toBe(2);
      expect(events(refusedJson.stdout)).toEqual([expect.objectContaining({ event: 'run_done', run_id: null, status: 'refused', holder: expect.objectContaining({ host: h1.hostname, pid }) })]);
      holder.child.kill('SIGKILL');
      await closed(holder.child);
      // h2 cannot see h1's processes: only the TTL frees the lock. Right after the kill it is still held.
      const early = await runOn(h2, 'restart', '--yes', '--only', 'nfs');
      expect(early.code).toBe(2);
      expect(early.stderr).toMatch(heldBy);
      await new Promise((r) => setTimeout(r, ttl * 1000 + 1000));
      const taken = await runOn(h2, 'restart', '--yes', '--only', 'nfs');
      expect(taken.stderr).toMatch(new RegExp(`took over the expired operator lock of root@${h1.hostname} \\(pid ${pid}, "swarmctl restart"\\): not renewed for \\d+ s \\(TTL ${ttl} s\\)`));
      expect(taken.code).toBe(0);
      expect(existsSync(lockFile)).toBe(false);
    } finally {
      holder.child.kill('SIGKILL');
    }
  }, 240_000);
});
