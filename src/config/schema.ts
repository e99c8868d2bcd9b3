// The shape of swarmctl.yaml. Every object is strict: an unknown key is almost
// always a typo ("helth_url"), and silently ignoring it is how a probe ends up
// checking the wrong thing at 3 a.m. Defaults live here so `config show` can
// print the effective config. Pure: imports only zod (and the pure profile schema).
import { z } from 'zod';
import { profileOverrideSchema } from './profile-schema.js';

/** An argv array: the only way a command is ever written in the config. */
const argv = z.array(z.string().min(1, 'an argv word may not be empty')).min(1, 'an argv needs at least the program name');

/** One argv, or several run in order (e.g. systemctl restart, then exportfs -rav). */
const commands = z.union([argv, z.array(argv).min(1)]);

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use letters, digits, ".", "_" or "-" (max 64)');

const seconds = z.number().positive();

export const hostSchema = z.strictObject({
  address: z.string().min(1),
  user: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  identity_file: z.string().min(1).optional(),
  /** Extra `ssh -o` options (e.g. `UserKnownHostsFile=/path`), each as one word; they come first, so they win over swarmctl's defaults (ssh keeps the first value). */
  ssh_options: z.array(z.string().regex(/^[A-Za-z]+=.+$/, 'write ssh options as Name=value')).default([]),
});

export const serviceKinds = ['nfs', 'llama-server', 'vllm', 'openai-proxy', 'slurm', 'ssh', 'http', 'systemd'] as const;
export type ServiceKind = (typeof serviceKinds)[number];

export const serviceSchema = z.strictObject({
  kind: z.enum(serviceKinds),
  description: z.string().optional(),
  /** Host from `hosts:` that runs this service (start/stop/check run there). */
  host: name.optional(),
  /** Base URL for HTTP kinds, e.g. http://10.0.0.21:8080. Probe by IP: .local names can hang. */
  url: z.url({ protocol: /^https?$/ }).optional(),
  /** Full health URL when it is not `<url>/health` (llama) or `<url>/healthz` (proxy). */
  health_url: z.url({ protocol: /^https?$/ }).optional(),
  /** NFS: the mount point to check from the probing machine. */
  mount: z.string().startsWith('/', 'a mount point is an absolute path').optional(),
  /** NFS: also write+read a small probe file under the mount. */
  write_check: z.boolean().default(false),
  model: z.string().optional(),
  tier: z.string().optional(),
  api_key_file: z.string().optional(),
  depends_on: z.array(name).default([]),
  start: commands.optional(),
  stop: commands.optional(),
  check: commands.optional(),
  /** systemd: the unit (e.g. dogfood-loop), checked with `systemctl is-active` on `host` (or here). */
  unit: z
    .string()
    .regex(/^[A-Za-z0-9@._:-]+$/, 'a unit name is letters, digits and @ . _ : -')
    .optional(),
  /** systemd: a user unit (`systemctl --user`). */
  user_unit: z.boolean().default(false),
  /** Remote process check for ssh-kind probes, e.g. [pgrep, -af, llama-server]. */
  process_check: argv.optional(),
  log: z.string().optional(),
  timeout_s: seconds.optional(),
  /** Restart runs: how long verify waits for the service after `start` (default per kind, src/restart/defaults.ts). */
  verify_timeout_s: seconds.optional(),
  /** Restart runs: start in its own session, output to `log`, so the SSH session can close (default: llama-server, vllm). */
  detach: z.boolean().optional(),
});

export const pathsSchema = z.strictObject({
  shared_root: z.string().startsWith('/'),
  endpoints_dir: z.string().startsWith('/').optional(),
  logs_dir: z.string().startsWith('/').optional(),
  worktrees_dir: z.string().startsWith('/').optional(),
  repo: z.string().startsWith('/').optional(),
  telemetry_file: z.string().startsWith('/').optional(),
  archive_dir: z.string().startsWith('/').optional(),
});

export const slurmSchema = z.strictObject({
  /** SLURM_CONF for every SLURM command we run (default: the system's). */
  conf: z.string().startsWith('/').optional(),
  /** Whose jobs the queue shows (`squeue -u`). */
  user: z.string().min(1).optional(),
  partition: z.string().optional(),
  /** Time limit for each sbatch/squeue/scontrol call. */
  command_timeout_s: seconds.default(15),
});

export const swarmSchema = z.strictObject({
  /** The orchestrator the site runs: decides default file locations and log signatures. */
  profile: z.enum(['runbook', 'beefcake', 'python-worker']).default('beefcake'),
  /** Job script for swarm jobs. Default: the project's slurm/swarm-job.sbatch. */
  sbatch_script: z.string().optional(),
  /** The command a swarm job runs for one issue ({issue} is substituted). */
  command: argv.optional(),
  job_name_template: z.string().default('swarm-{issue}'),
  issue_id_pattern: z.string().default('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  /** Default environment for swarm jobs (names validated; values never go into --export=). */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an env name is letters, digits and _'), z.string()).default({}),
  max_concurrent_jobs: z.number().int().positive().default(8),
  /** Host for `--via ssh` (direct mode) when SLURM is down. */
  direct_host: name.optional(),
  /** `--via auto` may fall back to SSH when the controller does not answer. */
  allow_direct_fallback: z.boolean().default(false),
  /** Issue tracker CLI (bd); when absent, titles are not looked up. */
  tracker: z.strictObject({ command: z.string().default('bd') }).optional(),
  /** `endpoints resolve --tier T` prints this URL when no live endpoint of tier T exists. */
  fallback_urls: z.record(z.string(), z.url({ protocol: /^https?$/ })).default({}),
  /** Discovery file tag (`14b`, `27b`) → tier(s) (`fast`, `fast+coder`); added to the built-in map. */
  tier_map: z.record(z.string(), z.string()).default({}),
});

export const recoverySchema = z.strictObject({
  /** Recovery attempts per issue before it counts as budget_exhausted. */
  max_attempts: z.number().int().min(0).default(3),
  /** Actions `recover --auto` may take without a human. */
  auto_actions: z.array(z.string()).default(['resubmit', 'resubmit_with_env']),
  temperature: z.number().min(0).max(2).default(0.1),
  max_turns: z.number().int().positive().default(4),
  /** The model or variant a stuck python-worker run is resubmitted with (profile vars.model), e.g.
   *  tensorzero::function_name::worker_code_edit::variant_name::qwen36_a3b. Unset: that remedy is not offered. */
  worker_model: z.string().min(1).optional(),
});

export const thresholdsSchema = z.strictObject({
  probe_timeout_s: seconds.default(5),
  probe_interval_s: seconds.default(15),
  /** Re-probe interval while a service is down (faster, to see it come back). */
  down_interval_s: seconds.default(5),
  failure_threshold: z.number().int().min(1).default(3),
  success_threshold: z.number().int().min(1).default(2),
  probe_concurrency: z.number().int().min(1).default(32),
  /** A RUNNING job whose issue wrote nothing for this long is "silent". */
  stale_worker_s: seconds.default(1800),
  history_retention_days: z.number().positive().default(30),
  /** The console lists issues whose jobs ended (finished, cancelled, gone) within this many hours. */
  issue_horizon_h: z.number().positive().default(24),
});

export const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** File holding the HMAC secret (mode 0600). */
  secret_file: z.string().optional(),
  timeout_s: seconds.default(5),
  queue_max: z.number().int().positive().default(1000),
});

export const configSchema = z.strictObject({
  version: z.literal(1).default(1),
  cluster_name: z.string().default('swarm'),
  hosts: z.record(name, hostSchema).default({}),
  services: z.record(name, serviceSchema).default({}),
  paths: pathsSchema,
  slurm: slurmSchema.default({ command_timeout_s: 15 }),
  swarm: swarmSchema.prefault({}),
  /** Site overrides of the swarm profile (file locations, variable names, tracker argv, signatures). */
  profile: profileOverrideSchema.optional(),
  recovery: recoverySchema.prefault({}),
  thresholds: thresholdsSchema.prefault({}),
  webhook: webhookSchema.optional(),
  store: z.strictObject({ path: z.string().optional() }).optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type HostConfig = z.infer<typeof hostSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
