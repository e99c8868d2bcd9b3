// The checks behind `swarmctl doctor`: is this machine set up to operate the
// swarm? Each check returns ok/warn/fail with a one-line fix. They run
// concurrently; anything that may touch NFS runs in a child process with a
// timeout (a hung mount must not hang doctor).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { runLocal, runOnHost, describeFailure } from '../io/run.js';
import { runSlurm } from '../slurm/run.js';
import { checkWritable, defaultDbPath, type Store } from '../store/db.js';
import { networkFs } from '../journal/store-path.js';
import { guessProfile } from '../config/profile-guess.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface CheckResult {
  name: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

const ok = (name: string, message: string): CheckResult => ({ name, status: 'ok', message });
const fail = (name: string, message: string, fix: string): CheckResult => ({ name, status: 'fail', message, fix });
const warn = (name: string, message: string, fix: string): CheckResult => ({ name, status: 'warn', message, fix });

export function findOnPath(bin: string, pathEnv = process.env['PATH'] ?? ''): string | null {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export function checkBinaries(): CheckResult[] {
  return ['sbatch', 'squeue', 'scontrol', 'scancel', 'ssh'].map((b) => {
    const p = findOnPath(b);
    return p
      ? ok(`binary:${b}`, `${b} found at ${p}`)
      : fail(`binary:${b}`, `${b} not found on PATH`, b === 'ssh' ? 'install openssh-client' : 'install slurm-client (or run swarmctl on a login node)');
  });
}

export function checkStore(store: Store): CheckResult {
  try {
    checkWritable(store);
    // Say when the default was moved off a network filesystem (cli/store-choice.ts), so nobody looks for it there.
    const def = defaultDbPath();
    const nfs = store.path !== def ? networkFs(def) : null;
    if (nfs)
      return warn(
        'db',
        `state database ${store.path} is writable; the default ${def} is on ${nfs.fstype} (${nfs.mountPoint}), where SQLite's WAL does not work, so this local path is used`,
        'set store.path to a local path of your choice',
      );
    return ok('db', `state database ${store.path} is writable`);
  } catch (e) {
    return fail('db', `state database ${store.path}: ${(e as Error).message}`, 'pass --db PATH to a writable location');
  }
}

export async function checkController(cfg: ResolvedConfig, timeoutMs: number): Promise<CheckResult> {
  const r = await runSlurm(cfg, ['scontrol', 'ping'], { timeoutMs });
  const out = `${r.stdout}\n${r.stderr}`.trim();
  if (r.ok && /\bis UP\b/.test(r.stdout)) return ok('slurm:controller', out.split('\n')[0] ?? 'controller is UP');
  // `scontrol ping` answers at once ("... is DOWN"); any other client call
  // spends ~9 s in connect retries before it says "Unable to contact", so
  // ping's own verdict is the error we report.
  const why = r.spawnError ?? (r.timedOut ? 'no answer within the timeout' : (out.split('\n').find((l) => l.trim()) ?? `exit ${r.exitCode}`));
  return fail('slurm:controller', `the SLURM controller did not answer: ${why}`, 'check slurmctld on the controller (systemctl status slurmctld; swarmctl restart --only slurm)');
}

export async function checkHost(cfg: ResolvedConfig, name: string, timeoutS: number): Promise<CheckResult> {
  const host = cfg.hosts[name]!;
  const r = await runOnHost(host, { argv: ['true'], timeoutMs: (timeoutS + 2) * 1000 }, { connectTimeoutS: timeoutS });
  if (r.ok) return ok(`ssh:${name}`, `${host.user ? `${host.user}@` : ''}${host.address} answers over SSH (${Math.round(r.durationMs)} ms)`);
  const why = r.timedOut ? `no answer in ${timeoutS} s` : (r.stderr.trim().split('\n').pop() ?? describeFailure(r));
  return fail(`ssh:${name}`, `cannot reach ${host.address} over SSH: ${why}`, `check the host is up and your key is authorised (ssh ${host.user ? `${host.user}@` : ''}${host.address})`);
}

export async function checkDir(label: string, dir: string, timeoutMs: number): Promise<CheckResult> {
  // `test` in a child: a hung NFS mount hangs the child, which we kill, not us.
  const exists = await runLocal({ argv: ['test', '-d', dir], timeoutMs });
  if (exists.timedOut) return fail(`dir:${label}`, `${dir} did not answer in ${timeoutMs / 1000} s (hung NFS mount?)`, 'check the NFS server (swarmctl restart --only nfs)');
  if (!exists.ok) return fail(`dir:${label}`, `${dir} does not exist`, `create it (mkdir -p ${dir}) or fix paths.${label} in the config`);
  const writable = await runLocal({ argv: ['test', '-w', dir], timeoutMs });
  if (!writable.ok) return fail(`dir:${label}`, `${dir} is not writable by this user`, `fix the permissions of ${dir}`);
  return ok(`dir:${label}`, `${dir} exists and is writable`);
}

export async function checkSecretFile(label: string, file: string, timeoutMs: number): Promise<CheckResult> {
  const r = await runLocal({ argv: ['stat', '-L', '-c', '%a', file], timeoutMs });
  if (!r.ok) {
    if (r.timedOut) return fail(`secret:${label}`, `${file} did not answer (hung NFS mount?)`, 'check the NFS server');
    return warn(`secret:${label}`, `${file} is missing or unreadable`, `write it with: swarmctl cloud-key set --stdin (mode 0600)`);
  }
  const mode = parseInt(r.stdout.trim(), 8);
  if (Number.isNaN(mode)) return warn(`secret:${label}`, `cannot read the mode of ${file}`, `chmod 600 ${file}`);
  if (mode & 0o077) return warn(`secret:${label}`, `${file} is readable by others (mode ${r.stdout.trim()})`, `chmod 600 ${file}`);
  return ok(`secret:${label}`, `${file} has mode ${r.stdout.trim()}`);
}

/** Does the configured swarm.profile fit the files the swarm writes? (`test -f` in children: NFS-safe.) */
export async function checkProfile(cfg: ResolvedConfig, timeoutMs: number): Promise<CheckResult> {
  const exists = async (p: string): Promise<boolean> => (await runLocal({ argv: ['test', '-f', p], timeoutMs })).ok;
  const repo = cfg.paths.repo;
  const [telemetry, mini, dogfood] = await Promise.all([exists(cfg.paths.telemetry_file), exists(`${repo}/logs/mini-swarm/summary.jsonl`), exists(`${repo}/logs/dogfood/dogfood-summary.jsonl`)]);
  const g = guessProfile({ telemetry, runSummary: mini || dogfood });
  const configured = cfg.swarm.profile;
  if (g.profile === null || g.profile === configured || (configured === 'runbook' && g.profile === 'beefcake')) return ok('profile', `swarm.profile is ${configured}; ${g.reason}`);
  return warn('profile', `swarm.profile is ${configured}, but ${g.reason}`, `set swarm.profile: ${g.profile} in the config`);
}

export async function runDoctor(cfg: ResolvedConfig, store: Store | Error): Promise<CheckResult[]> {
  const timeoutS = cfg.thresholds.probe_timeout_s;
  const timeoutMs = timeoutS * 1000;
  const results: CheckResult[] = [ok('config', `config ${cfg.source} is valid`)];
  results.push(store instanceof Error ? fail('db', store.message, 'pass --db PATH to a writable location') : checkStore(store));
  results.push(...checkBinaries());
  const dirs = Object.entries(cfg.paths).filter(([k]) => k !== 'telemetry_file' && k !== 'repo') as [string, string][];
  const secrets: [string, string][] = [];
  for (const s of Object.values(cfg.services)) if (s.api_key_file) secrets.push([s.name, s.api_key_file]);
  if (cfg.webhook?.secret_file) secrets.push(['webhook', cfg.webhook.secret_file]);
  const pending = await Promise.all([
    checkController(cfg, timeoutMs),
    checkProfile(cfg, timeoutMs),
    ...Object.keys(cfg.hosts).map((h) => checkHost(cfg, h, timeoutS)),
    ...dirs.map(([k, d]) => checkDir(k, d, timeoutMs)),
    ...secrets.map(([k, f]) => checkSecretFile(k, f, timeoutMs)),
  ]);
  return [...results, ...pending];
}
