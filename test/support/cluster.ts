// The local test cluster (scripts/test-cluster.sh up): a single-node SLURM and an
// sshd on 127.0.0.1:12222, configured under /tmp/swarmctl-cluster. Integration
// tests call requireCluster() first; it THROWS when the cluster is not up, so a
// missing daemon fails the run instead of skipping tests.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const CLUSTER_DIR = '/tmp/swarmctl-cluster';
export const CLUSTER_ENV_FILE = join(CLUSTER_DIR, 'env');
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLUSTER_SCRIPT = join(REPO_ROOT, 'scripts', 'test-cluster.sh');

const UP_HINT = 'run: bash scripts/test-cluster.sh up';

export interface TestCluster {
  /** /tmp/swarmctl-cluster */
  dir: string;
  /** slurm.conf of the test cluster; pass as SLURM_CONF (see slurmEnv()). */
  slurmConf: string;
  /** sshd port on 127.0.0.1 (user root). */
  sshPort: number;
  /** private key (ed25519, no passphrase) accepted by the test sshd. */
  sshKey: string;
  /** known_hosts holding the test sshd's host key as [127.0.0.1]:port. */
  knownHosts: string;
  /** SLURM node name (hostname -s). */
  node: string;
  /** the fake NFS share: ai/endpoints, ai/logs, wt, code/repo, archive. */
  shared: string;
}

/** Parse the cluster's env file: KEY=value lines, # comments, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2] ?? '';
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    out[m[1] as string] = value;
  }
  return out;
}

function fail(what: string): never {
  throw new Error(`local test cluster is not up: ${what}; ${UP_HINT}`);
}

/** The pid in PIDFILE names a live process (signal 0 reaches it). */
function pidFileAlive(pidFile: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but not ours to signal.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A killed daemon lingers as a zombie (state Z) until reaped: not alive.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * The coordinates from /tmp/swarmctl-cluster/env without checking the daemons
 * (usable while a test has the controller stopped). Throws when the file or a
 * key is missing.
 */
export function readCluster(): TestCluster {
  if (!existsSync(CLUSTER_ENV_FILE)) fail(`${CLUSTER_ENV_FILE} does not exist`);
  const env = parseEnvFile(readFileSync(CLUSTER_ENV_FILE, 'utf8'));
  const need = (key: string): string => {
    const v = env[key];
    if (v === undefined || v === '') fail(`${CLUSTER_ENV_FILE} has no ${key}`);
    return v;
  };
  const cluster: TestCluster = {
    dir: env['SWARMCTL_TEST_DIR'] || CLUSTER_DIR,
    slurmConf: need('SLURM_CONF'),
    sshPort: Number.parseInt(need('SWARMCTL_TEST_SSH_PORT'), 10),
    sshKey: need('SWARMCTL_TEST_SSH_KEY'),
    knownHosts: need('SWARMCTL_TEST_KNOWN_HOSTS'),
    node: need('SWARMCTL_TEST_NODE'),
    shared: need('SWARMCTL_TEST_SHARED'),
  };
  for (const f of [cluster.slurmConf, cluster.sshKey, cluster.knownHosts, cluster.shared]) {
    if (!existsSync(f)) fail(`${f} does not exist`);
  }
  return cluster;
}

/**
 * The test cluster's coordinates, read from /tmp/swarmctl-cluster/env. Throws
 * (naming `bash scripts/test-cluster.sh up`) when the env file, a key, or a
 * daemon (munged, slurmctld, slurmd, sshd) is missing.
 */
export function requireCluster(): TestCluster {
  const cluster = readCluster();
  const daemons: Array<[string, string]> = [
    ['munged', '/run/munge/munged.pid'],
    ['slurmctld', join(cluster.dir, 'slurm', 'run', 'slurmctld.pid')],
    ['slurmd', join(cluster.dir, 'slurm', 'run', 'slurmd.pid')],
    ['sshd', join(cluster.dir, 'ssh', 'sshd.pid')],
  ];
  const down = daemons.filter(([, pidFile]) => !pidFileAlive(pidFile)).map(([name]) => name);
  if (down.length > 0) fail(`${down.join(', ')} not running`);
  return cluster;
}

/** process.env plus SLURM_CONF of the test cluster, for sbatch/squeue/scontrol. */
export function slurmEnv(cluster: TestCluster = readCluster()): NodeJS.ProcessEnv {
  return { ...process.env, SLURM_CONF: cluster.slurmConf };
}

/** ssh argv prefix (without the remote command) that logs in to the test sshd as root. */
export function sshArgs(cluster: TestCluster = readCluster()): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${cluster.knownHosts}`,
    '-i',
    cluster.sshKey,
    '-p',
    String(cluster.sshPort),
    'root@127.0.0.1',
  ];
}

async function clusterScript(command: 'stop-ctld' | 'start-ctld'): Promise<void> {
  try {
    await execFileAsync('bash', [CLUSTER_SCRIPT, command], { timeout: 90_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`bash scripts/test-cluster.sh ${command} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Kill slurmctld (simulates a controller outage). Test files that call this run
 * alone after the others in scripts/test.sh; always pair it with startController()
 * in a finally/afterAll.
 */
export async function stopController(): Promise<void> {
  await clusterScript('stop-ctld');
}

/** Start slurmctld again from the same StateSaveLocation; resolves once it answers. */
export async function startController(): Promise<void> {
  await clusterScript('start-ctld');
}

/** One extra test host: a network namespace with its own hostname and sshd (scripts/test-cluster.sh hosts-up). */
export interface TestHost {
  /** h1, h2, h3: the config's host name in tests. */
  name: string;
  /** 10.77.0.1N: its sshd listens on port 22 there; its services bind there. */
  address: string;
  /** swarmctl-hN: its network namespace and its hostname (what swarmctl there calls its host). */
  hostname: string;
}

export interface TestHosts {
  hosts: TestHost[];
  /** known_hosts with every extra host's key (and the loopback sshd's). */
  knownHosts: string;
  /** A real network filesystem: fuse.sshfs of the test sshd, mounted by hosts-up. */
  netfs: string;
}

/**
 * The extra hosts from /tmp/swarmctl-cluster/env. THROWS (naming
 * `bash scripts/test-cluster.sh hosts-up`) when a host's sshd is not running.
 */
export function requireHosts(): TestHosts {
  const cluster = readCluster();
  const env = parseEnvFile(readFileSync(CLUSTER_ENV_FILE, 'utf8'));
  const hint = 'run: bash scripts/test-cluster.sh hosts-up';
  const names = (env['SWARMCTL_TEST_HOSTS'] ?? '').split(' ').filter(Boolean);
  if (!names.length) throw new Error(`the extra test hosts are not up: ${CLUSTER_ENV_FILE} has no SWARMCTL_TEST_HOSTS; ${hint}`);
  const hosts = names.map((name) => {
    const address = env[`SWARMCTL_TEST_HOST_${name.toUpperCase()}`];
    if (!address) throw new Error(`the extra test hosts are not up: no SWARMCTL_TEST_HOST_${name.toUpperCase()}; ${hint}`);
    if (!pidFileAlive(join(cluster.dir, 'hosts', name, 'sshd.pid'))) throw new Error(`the extra test host ${name} is not up: its sshd is not running; ${hint}`);
    return { name, address, hostname: `swarmctl-${name}` };
  });
  const knownHosts = env['SWARMCTL_TEST_HOSTS_KNOWN_HOSTS'] ?? '';
  const netfs = env['SWARMCTL_TEST_NETFS'] ?? '';
  for (const f of [knownHosts, netfs]) if (!f || !existsSync(f)) throw new Error(`the extra test hosts are not up: ${f || 'a path'} missing; ${hint}`);
  return { hosts, knownHosts, netfs };
}

/** argv that runs `argv` inside test host `h` (its network namespace and hostname), as root, with no SSH in between. */
export function onHost(h: Pick<TestHost, 'name'>, argv: string[]): string[] {
  return ['nsenter', `--net=/run/netns/swarmctl-${h.name}`, `--uts=/run/swarmctl-hosts/${h.name}.uts`, '--', ...argv];
}
