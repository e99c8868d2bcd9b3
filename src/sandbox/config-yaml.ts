// The sandbox's swarmctl.yaml: every path under the sandbox folder (the state database too, so
// nothing outside it changes), the endpoints it started, the bd stand-in as the tracker. Pure.
import { stringify } from 'yaml';
import type { JobsMode } from './records.js';
import { SANDBOX_HOST, type sandboxHostEntry } from './sshd-config.js';

export interface SandboxLayout {
  dir: string;
  shared: string;
  endpoints: string;
  logs: string;
  worktrees: string;
  repo: string;
  archive: string;
  run: string;
  bin: string;
  secrets: string;
}

export function layoutOf(dir: string): SandboxLayout {
  const shared = `${dir}/shared`;
  return {
    dir,
    shared,
    endpoints: `${shared}/endpoints`,
    logs: `${shared}/logs`,
    worktrees: `${shared}/worktrees`,
    repo: `${shared}/code/repo`,
    archive: `${shared}/archive`,
    run: `${dir}/run`,
    bin: `${dir}/bin`,
    secrets: `${dir}/secrets`,
  };
}

/**
 * The sandbox's swarm job names, `swarm-<tag>-{issue}`, the tag from its folder: every sandbox
 * runs the same issue ids, and on a shared SLURM one sandbox's `swarm-sbx-stuck-loop` made
 * `recover` refuse in another (and `diagnose` read the other's job id). FNV-1a of the path.
 */
export function jobNameTemplate(dir: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < dir.length; i++) h = Math.imul(h ^ dir.charCodeAt(i), 0x01000193) >>> 0;
  return `swarm-${h.toString(16).padStart(8, '0').slice(0, 6)}-{issue}`;
}

export interface ConfigInput {
  /** bin/swarmctl, for the job wrapper's failure hook. */
  swarmctl: string;
  /** swarm.command: the profile's simulator. */
  workerCommand: string[];
  layout: SandboxLayout;
  profile: 'beefcake' | 'python-worker' | 'runbook';
  ports: { fast: number; reasoning: number; dead: number; cloud: number };
  jobs: JobsMode;
  slurmConf: string | null;
  /** Direct mode: the sandbox's own sshd as the one host (swarm.direct_host). */
  sshHost?: ReturnType<typeof sandboxHostEntry>;
}

export function sandboxConfigYaml(c: ConfigInput): string {
  const L = c.layout;
  const url = (p: number) => `http://127.0.0.1:${p}`;
  // What `swarmctl restart` runs to bring an endpoint back: the sandbox's own recorded start (not detached: it returns once listening).
  const restartable = (name: string, verify_timeout_s: number) => ({ start: [[c.swarmctl, 'sandbox', 'start', name, '--dir', L.dir]], detach: false, verify_timeout_s });
  const doc = {
    version: 1,
    cluster_name: 'sandbox',
    ...(c.sshHost ? { hosts: { [SANDBOX_HOST]: c.sshHost } } : {}),
    services: {
      shared: { kind: 'nfs', description: 'a folder standing in for the NFS share', mount: L.shared, write_check: true, start: [['mkdir', '-p', L.shared]] },
      fast: { kind: 'llama-server', description: 'sandbox test server (healthy)', url: url(c.ports.fast), tier: 'fast', depends_on: ['shared'], ...restartable('fast', 30) },
      reasoning: {
        kind: 'llama-server',
        description: 'sandbox test server (loads, then healthy)',
        url: url(c.ports.reasoning),
        tier: 'reasoning',
        depends_on: ['shared'],
        ...restartable('reasoning', 60),
      },
      'dead-host': { kind: 'llama-server', description: 'sandbox test server that hangs like a dead host', url: url(c.ports.dead), tier: 'fast', timeout_s: 3, ...restartable('dead-host', 5) },
      cloud: { kind: 'openai-proxy', description: 'sandbox cloud-proxy stand-in', url: url(c.ports.cloud), api_key_file: `${L.secrets}/cloud.key`, ...restartable('cloud', 30) },
      ...(c.jobs === 'slurm' ? { slurm: { kind: 'slurm' } } : {}),
    },
    paths: {
      shared_root: L.shared,
      endpoints_dir: L.endpoints,
      logs_dir: L.logs,
      worktrees_dir: L.worktrees,
      repo: L.repo,
      telemetry_file: `${L.repo}/.swarm-telemetry.jsonl`,
      archive_dir: L.archive,
    },
    ...(c.slurmConf ? { slurm: { conf: c.slurmConf, command_timeout_s: 10 } } : {}),
    swarm: {
      profile: c.profile,
      command: c.workerCommand,
      job_name_template: jobNameTemplate(L.dir),
      ...(c.sshHost ? { direct_host: SANDBOX_HOST } : {}),
      // What every simulated job needs; the wrapper's failure hook runs this swarmctl on this config.
      env: {
        SIM_REPO: L.repo,
        SIM_WORKTREES: L.worktrees,
        SIM_FAST_URL: `${url(c.ports.fast)}/v1`,
        SIM_REASONING_URL: `${url(c.ports.reasoning)}/v1`,
        SWARMCTL_BIN: c.swarmctl,
        SWARMCTL_CONFIG: `${L.dir}/swarmctl.yaml`,
        // A run the story did not script (a resubmit by `recover`) works this long, as a real one
        // takes a while: long enough for the console to show it and a drill to read its /proc.
        SIM_SECONDS: '20',
      },
      tracker: { command: `${L.bin}/bd` },
      fallback_urls: { fast: url(c.ports.fast) },
    },
    // The python worker's remedy variable (SWARM_WORKER_MODEL) needs a model to switch to; the
    // simulator reads it like the worker does. Other profiles have no model variable.
    ...(c.profile === 'python-worker' ? { recovery: { worker_model: 'tensorzero::function_name::worker_code_edit::variant_name::qwen36_a3b' } } : {}),
    // One machine: the worker's worktrees are in the sandbox folder every job sees, not on a run host.
    ...(c.profile === 'python-worker' ? { profile: { worktrees: { location: 'shared' } } } : {}),
    thresholds: { probe_interval_s: 5, down_interval_s: 2, probe_timeout_s: 5, stale_worker_s: 600 },
    store: { path: `${L.dir}/swarmctl.db` },
  };
  return `# Generated by \`swarmctl sandbox up\`: a whole swarm cluster on this machine, loopback only.\n# Regenerated by \`sandbox reset\`; edits are lost then.\n${stringify(doc)}`;
}
