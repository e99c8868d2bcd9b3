// A throwaway swarmctl config + DB in a temp dir for batch tests: the loopback
// cluster's SLURM and sshd, its own logs/endpoints/archive folders, and a
// swarm.command the test chooses (e.g. [sleep, '300']).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BatchTestEnv {
  dir: string;
  config: string;
  db: string;
  logs: string;
  endpoints: string;
  archive: string;
}

export function makeBatchConfig(opts: { command?: string[]; slurmConf?: string; extraSwarm?: string; jobNameTemplate?: string; timeoutS?: number } = {}): BatchTestEnv {
  const dir = mkdtempSync(join(tmpdir(), 'swarmctl-batch-'));
  // The logs dir must be visible to slurmd and sshd: both run locally as root here.
  const logs = join(dir, 'logs');
  const endpoints = join(dir, 'endpoints');
  const archive = join(dir, 'archive');
  for (const d of [logs, endpoints, archive]) mkdirSync(d, { recursive: true });
  const yaml = `version: 1
cluster_name: batch-test
hosts:
  local:
    address: 127.0.0.1
    user: root
    port: 12222
    identity_file: /tmp/swarmctl-cluster/ssh/id_ed25519
    ssh_options:
      - UserKnownHostsFile=/tmp/swarmctl-cluster/ssh/known_hosts
      - StrictHostKeyChecking=yes
paths:
  shared_root: ${dir}
  logs_dir: ${logs}
  endpoints_dir: ${endpoints}
  archive_dir: ${archive}
slurm:
  conf: ${opts.slurmConf ?? '/tmp/swarmctl-cluster/slurm/slurm.conf'}
  command_timeout_s: ${opts.timeoutS ?? 15}
swarm:
  direct_host: local
  allow_direct_fallback: true
  job_name_template: ${JSON.stringify(opts.jobNameTemplate ?? 'swarmtest-{issue}')}
${opts.command ? `  command: ${JSON.stringify(opts.command)}\n` : ''}${opts.extraSwarm ?? ''}`;
  const config = join(dir, 'swarmctl.yaml');
  writeFileSync(config, yaml);
  return { dir, config, db: join(dir, 'state.db'), logs, endpoints, archive };
}
