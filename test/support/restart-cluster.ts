// A throwaway cluster config for restart-run tests: services whose `start` really
// starts the llama-server-compatible test server (locally, or on the "remote" host
// = the test sshd on 127.0.0.1:12222) and whose checks really probe it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from './cluster.js';

export const TESTSERVER = join(REPO_ROOT, 'dist', 'testserver', 'main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export interface RestartEnv {
  dir: string;
  shared: string;
  config: string;
  db: string;
  logs: string;
  ports: Record<string, number>;
}

/** The test server's start argv: loading for `loadingMs`, then healthy. */
export function serverStart(port: number, loadingMs: number, marker: string): string[] {
  // --host carries the marker? No: the marker is the log path (ps shows the sh -c words until exec).
  void marker;
  return [process.execPath, TESTSERVER, '--port', String(port), '--mode', 'loading', '--loading-ms', String(loadingMs), '--host', '127.0.0.1'];
}

export async function makeRestartEnv(services: (ports: Record<string, number>, env: { logs: string; shared: string }) => Record<string, unknown>, portNames: string[]): Promise<RestartEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmctl-restart-'));
  const shared = join(dir, 'shared');
  const logs = join(shared, 'ai', 'logs');
  mkdirSync(logs, { recursive: true });
  const ports: Record<string, number> = {};
  for (const n of portNames) ports[n] = await freePort();
  const cfg = {
    version: 1,
    cluster_name: 'restart-test',
    hosts: {
      remote: {
        address: '127.0.0.1',
        user: 'root',
        port: 12222,
        identity_file: '/tmp/swarmctl-cluster/ssh/id_ed25519',
        ssh_options: ['UserKnownHostsFile=/tmp/swarmctl-cluster/ssh/known_hosts', 'StrictHostKeyChecking=yes'],
      },
    },
    services: services(ports, { logs, shared }),
    paths: { shared_root: shared, archive_dir: join(shared, 'archive') },
    slurm: { conf: '/tmp/swarmctl-cluster/slurm/slurm.conf', command_timeout_s: 10 },
    thresholds: { probe_timeout_s: 2 },
  };
  const config = join(dir, 'swarmctl.yaml');
  writeFileSync(config, stringify(cfg));
  return { dir, shared, config, db: join(dir, 'state.db'), logs, ports };
}

/** Kill every test server a run started (their pid is in the first line of their log). */
export function killStarted(logs: string, names: string[]): void {
  for (const n of names) {
    const f = join(logs, `restart-${n}.log`);
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const m = /"pid":(\d+)/.exec(line);
      if (m) {
        try {
          process.kill(Number(m[1]), 'SIGTERM');
        } catch {
          /* gone */
        }
      }
    }
  }
}

/** Processes whose command line mentions `needle` (ps, as an operator would look). */
export function processesWith(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}
