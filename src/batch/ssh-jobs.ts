// Direct SSH mode: start a swarm job on swarm.direct_host when SLURM cannot, see
// whether such jobs still run, and stop them. Each action is ONE ssh call whose
// remote side is a constant sh script plus quoted argv words (io/remote-quote.ts
// via runOnHost): no value is ever spliced into shell text.
//
// Start: `setsid nohup CMD >>LOG 2>&1 </dev/null &` in a fresh session, so the
// job's pid is its process group id (cancel kills the whole group) and the ssh
// connection can close. A state file `<logs_dir>/.swarmctl-ssh-jobs/<pid>.json`
// on the host keeps pid, issue and start time for operators without our DB.
import type { NamedHost, ResolvedConfig } from '../config/resolve.js';
import { describeFailure, isSshTransportFailure, runOnHost, type SshOptions } from '../io/run.js';

export const SSH_STATE_DIR = '.swarmctl-ssh-jobs';

const START_SCRIPT = [
  'logs=$1; issue=$2; shift 2',
  `mkdir -p "$logs/${SSH_STATE_DIR}" || exit 70`,
  'ts=$(date +%s)',
  'log="$logs/swarm-ssh-$issue-$ts.log"',
  'setsid nohup "$@" >>"$log" 2>&1 </dev/null &',
  'pid=$!',
  `printf '{"pid":%s,"issue_id":"%s","started_at":%s,"host":"%s"}\\n' "$pid" "$issue" "$ts" "$(hostname)" >"$logs/${SSH_STATE_DIR}/$pid.json"`,
  'printf "%s %s %s\\n" "$pid" "$ts" "$log"',
].join('\n');

// Prints the pids (of the arguments) that are still alive; state files of dead ones go.
const CHECK_SCRIPT = [
  'logs=$1; shift',
  'for p in "$@"; do',
  '  if kill -0 "$p" 2>/dev/null; then echo "$p"; else rm -f "$logs/' + SSH_STATE_DIR + '/$p.json"; fi',
  'done',
].join('\n');

// SIGTERM to the process group (pid = pgid after setsid), then drop the state file.
const KILL_SCRIPT = `kill -TERM -- "-$2" 2>/dev/null || kill -TERM "$2"; rc=$?; rm -f "$1/${SSH_STATE_DIR}/$2.json"; exit $rc`;

export function sshOptions(cfg: Pick<ResolvedConfig, 'slurm'>): SshOptions {
  return { connectTimeoutS: Math.min(10, cfg.slurm.command_timeout_s) };
}

export function directHost(cfg: ResolvedConfig): NamedHost | null {
  const name = cfg.swarm.direct_host;
  return name ? (cfg.hosts[name] ?? null) : null;
}

export function sshJobId(host: string, pid: number): string {
  return `ssh:${host}:${pid}`;
}

export function parseSshJobId(id: string): { host: string; pid: number } | null {
  const m = /^ssh:([A-Za-z0-9._-]+):(\d{1,10})$/.exec(id);
  return m ? { host: m[1]!, pid: Number(m[2]) } : null;
}

/** The argv run on the host (before ssh wrapping), for dry runs and the jobs table. */
export function sshStartArgv(logsDir: string, issueId: string, command: readonly string[]): string[] {
  return ['sh', '-c', START_SCRIPT, 'swarmctl-start', logsDir, issueId, ...command];
}

export function sshKillArgv(logsDir: string, pid: number): string[] {
  return ['sh', '-c', KILL_SCRIPT, 'swarmctl-kill', logsDir, String(pid)];
}

export type SshStart = { ok: true; pid: number; startedAt: number; log: string } | { ok: false; error: string };

export async function startSshJob(cfg: ResolvedConfig, host: NamedHost, argv: string[], env: Record<string, string>): Promise<SshStart> {
  const r = await runOnHost(host, { argv, env, timeoutMs: cfg.slurm.command_timeout_s * 1000 }, sshOptions(cfg));
  if (!r.ok) return { ok: false, error: describeFailure(r) };
  const m = /^(\d+) (\d+) (.*)$/m.exec(r.stdout);
  if (!m) return { ok: false, error: `unexpected answer from ${host.name}: ${JSON.stringify(r.stdout.slice(0, 200))}` };
  return { ok: true, pid: Number(m[1]), startedAt: Number(m[2]) * 1000, log: m[3]! };
}

/** ONE ssh call: which of these pids are alive. null set + error when the host cannot be asked. */
export async function aliveOnHost(cfg: ResolvedConfig, host: NamedHost, pids: readonly number[]): Promise<{ alive: Set<number> | null; error?: string }> {
  const argv = ['sh', '-c', CHECK_SCRIPT, 'swarmctl-check', cfg.paths.logs_dir, ...pids.map(String)];
  const r = await runOnHost(host, { argv, timeoutMs: cfg.slurm.command_timeout_s * 1000 }, sshOptions(cfg));
  if (!r.ok || isSshTransportFailure(r)) return { alive: null, error: describeFailure(r) };
  return { alive: new Set(r.stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number)) };
}

export async function killSshJob(cfg: ResolvedConfig, host: NamedHost, pid: number): Promise<{ ok: boolean; error?: string }> {
  const r = await runOnHost(host, { argv: sshKillArgv(cfg.paths.logs_dir, pid), timeoutMs: cfg.slurm.command_timeout_s * 1000 }, sshOptions(cfg));
  return r.ok ? { ok: true } : { ok: false, error: describeFailure(r) };
}
