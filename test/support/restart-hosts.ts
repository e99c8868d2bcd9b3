// Restart-run configs on the extra test hosts (network namespaces h1..h3, each with
// its own sshd and hostname): services whose `start` runs the llama-server-compatible
// test server on its host over SSH, bound to that host's address, probed from here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { onHost, readCluster, REPO_ROOT, type TestHost, type TestHosts } from './cluster.js';
import { TESTSERVER } from './restart-cluster.js';

export interface HostsEnv {
  dir: string;
  shared: string;
  logs: string;
  config: string;
}

/** A port free on host h's address (asked inside its namespace: each host has its own ports). */
export function freePortOn(h: TestHost): number {
  const js = `const s=require('net').createServer();s.listen(0,${JSON.stringify(h.address)},()=>{console.log(s.address().port);s.close()})`;
  const [cmd, ...args] = onHost(h, [process.execPath, '-e', js]);
  return Number(execFileSync(cmd!, args, { encoding: 'utf8' }).trim());
}

export const FORWARDER = join(REPO_ROOT, 'test', 'support', 'tcp-forward.mjs');

/**
 * A service's `start` on host h: the test server (loading for `loadingMs`, then healthy) on
 * 127.0.0.1:PORT in h's namespace, and h's address:PORT forwarded to it (the test server
 * binds loopback only).
 */
export function serverOn(h: TestHost, port: number, loadingMs: number): string[][] {
  return [
    [process.execPath, TESTSERVER, '--port', String(port), '--mode', 'loading', '--loading-ms', String(loadingMs), '--host', '127.0.0.1'],
    [process.execPath, FORWARDER, h.address, String(port)],
  ];
}

export function makeHostsEnv(th: TestHosts, services: (env: { shared: string; logs: string }) => Record<string, unknown>, extra: Record<string, unknown> = {}): HostsEnv {
  const cluster = readCluster();
  const dir = mkdtempSync(join(tmpdir(), 'swarmctl-hosts-'));
  const shared = join(dir, 'shared');
  const logs = join(shared, 'ai', 'logs');
  mkdirSync(logs, { recursive: true });
  mkdirSync(join(shared, 'archive'), { recursive: true });
  const hosts = Object.fromEntries(
    th.hosts.map((h) => [h.name, { address: h.address, user: 'root', port: 22, identity_file: cluster.sshKey, ssh_options: [`UserKnownHostsFile=${th.knownHosts}`, 'StrictHostKeyChecking=yes'] }]),
  );
  const cfg = {
    version: 1,
    cluster_name: 'hosts-test',
    hosts,
    services: services({ shared, logs }),
    paths: { shared_root: shared, archive_dir: join(shared, 'archive') },
    slurm: { conf: cluster.slurmConf, command_timeout_s: 10 },
    thresholds: { probe_timeout_s: 2 },
    ...extra,
  };
  const config = join(dir, 'swarmctl.yaml');
  writeFileSync(config, stringify(cfg));
  return { dir, shared, logs, config };
}

/** The network namespace a process runs in (its /proc/PID/ns/net link). */
export function netnsOf(pid: number): string {
  return readlinkSync(`/proc/${pid}/ns/net`);
}

/** The namespace link of test host h (any process of it: its sshd). */
export function netnsOfHost(h: TestHost): string {
  const pid = Number(readFileSync(join(readCluster().dir, 'hosts', h.name, 'sshd.pid'), 'utf8').trim());
  return netnsOf(pid);
}

/** pid and command line of every process running in host h's namespace, as an operator on h would list them. */
export function processesOn(h: TestHost): Array<{ pid: number; args: string }> {
  const out = execFileSync('ip', ['netns', 'pids', `swarmctl-${h.name}`], { encoding: 'utf8' });
  const rows: Array<{ pid: number; args: string }> = [];
  for (const p of out.split('\n').filter(Boolean)) {
    try {
      rows.push({ pid: Number(p), args: readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      /* exited meanwhile */
    }
  }
  return rows;
}

/** Test servers started for `port` on host h (the sshd and its sessions are not counted). */
export function serversOn(h: TestHost, port: number): Array<{ pid: number; args: string }> {
  return processesOn(h).filter((p) => p.args.includes(TESTSERVER) && p.args.includes(`--port ${port} `));
}

/** /proc start time (clock ticks since boot) of a pid: orders processes by when they really started. */
export function startTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

/** Kill every test server (and its forwarder) started on the extra hosts for these ports. */
export function killServersOn(th: TestHosts, ports: number[]): void {
  for (const h of th.hosts)
    for (const p of processesOn(h))
      if ((p.args.includes(TESTSERVER) && ports.some((port) => p.args.includes(`--port ${port} `))) || (p.args.includes(FORWARDER) && ports.some((port) => p.args.endsWith(` ${port}`))))
        try {
          process.kill(p.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
}
