// Direct SSH mode: start a swarm job on swarm.direct_host when SLURM cannot, see
// whether such jobs still run, and stop them. Each action is ONE ssh call whose
// remote side is a constant sh script plus quoted argv words (io/remote-quote.ts
// via runOnHost): no value is ever spliced into shell text.
//
// Start: `setsid nohup CMD >>LOG 2>&1 </dev/null &` in a fresh session, so the
// job's pid is its process group id (cancel kills the whole group) and the ssh
// connection can close. A state file `<logs_dir>/.swarmctl-ssh-jobs/<pid>.json`
// on the host keeps pid, issue and start time for operators without our DB, and the
// process's own start time (/proc/<pid>/stat field 22) and the boot id: cancel kills
// only a process that still matches them (a pid is reused once the job ends).
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
  // Field 22 (starttime) is the 20th after "comm) ": comm may hold spaces and parentheses.
  `st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f20)`,
  'boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)',
  `printf '{"pid":%s,"issue_id":"%s","started_at":%s,"host":"%s","proc_start":%s,"boot_id":"%s"}\\n' "$pid" "$issue" "$ts" "$(hostname)" "\${st:-null}" "$boot" >"$logs/${SSH_STATE_DIR}/$pid.json"`,
  'printf "%s %s %s\\n" "$pid" "$ts" "$log"',
].join('\n');

// Prints the pids (of the arguments) that are still alive; state files of dead ones go.
const CHECK_SCRIPT = ['logs=$1; shift', 'for p in "$@"; do', '  if kill -0 "$p" 2>/dev/null; then echo "$p"; else rm -f "$logs/' + SSH_STATE_DIR + '/$p.json"; fi', 'done'].join('\n');

/** Exit codes of KILL_SCRIPT's refusals (kill's own are 0/1, ssh's 255). */
export const KILL_RC = { notOurs: 10, changed: 11, gone: 12 } as const;

// Check and kill in ONE remote invocation, so nothing can change between them: the state
// file must exist (swarmctl started it), the process must have the start time and boot
// id it recorded and still lead its own process group; then SIGTERM to the group
// (pid = pgid after setsid; `kill -s`: dash takes no `--` after `-TERM`) and drop the state
// file. $3 = check: verify only (dry run).
const KILL_SCRIPT = [
  'logs=$1; pid=$2; mode=$3; state="$logs/' + SSH_STATE_DIR + '/$pid.json"',
  `[ -f "$state" ] || { echo "no state file $state: pid $pid is not a job swarmctl started" >&2; exit ${KILL_RC.notOurs}; }`,
  `want=$(sed -n 's/.*"proc_start":\\([0-9][0-9]*\\).*/\\1/p' "$state")`,
  `wantboot=$(sed -n 's/.*"boot_id":"\\([0-9a-f-]*\\)".*/\\1/p' "$state")`,
  `[ -n "$want" ] || { echo "$state records no process start time (written by an older swarmctl): cannot confirm pid $pid is still the job; check it by hand" >&2; exit ${KILL_RC.changed}; }`,
  `stat=$(cat "/proc/$pid/stat" 2>/dev/null) || { echo "process $pid has ended" >&2; rm -f "$state"; exit ${KILL_RC.gone}; }`,
  `now=$(printf '%s\\n' "$stat" | sed 's/.*) //' | cut -d' ' -f20)`,
  `pgid=$(printf '%s\\n' "$stat" | sed 's/.*) //' | cut -d' ' -f3)`,
  'boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)',
  `[ "$now" = "$want" ] && { [ -z "$wantboot" ] || [ "$boot" = "$wantboot" ]; } || { echo "process $pid is not the job swarmctl started (start time $now, recorded $want): the pid was reused; nothing killed" >&2; exit ${KILL_RC.changed}; }`,
  `[ "$pgid" = "$pid" ] || { echo "process $pid no longer leads its process group ($pgid); nothing killed" >&2; exit ${KILL_RC.changed}; }`,
  '[ "$mode" = check ] && { echo "pid $pid is the job swarmctl started: would kill -s TERM -- -$pid"; exit 0; }',
  'kill -s TERM -- "-$pid"; rc=$?; rm -f "$state"; exit $rc',
].join('\n');

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

/** Linux's largest pid_max (2^22). */
const PID_MAX = 4_194_304;

export function parseSshJobId(id: string): { host: string; pid: number } | null {
  const m = /^ssh:([A-Za-z0-9._-]+):(\d{1,10})$/.exec(id);
  return m ? { host: m[1]!, pid: Number(m[2]) } : null;
}

/**
 * An `ssh:HOST:PID` target checked as a cancel target: PID a plain positive integer > 1
 * (0, 1 and negatives would signal every process, init, or a group). Not `ssh:`: null.
 */
export function parseSshCancelTarget(id: string): { ok: true; host: string; pid: number } | { ok: false; reason: string } | null {
  const m = /^ssh:([^:]*):(.*)$/s.exec(id);
  if (!m) return null;
  const [, host = '', pidText = ''] = m;
  if (!/^[A-Za-z0-9._-]+$/.test(host)) return { ok: false, reason: `${JSON.stringify(id)}: bad host name ${JSON.stringify(host)}` };
  if (!/^[0-9]{1,10}$/.test(pidText)) return { ok: false, reason: `${JSON.stringify(id)}: the PID must be a plain positive number, got ${JSON.stringify(pidText)}` };
  const pid = Number(pidText);
  if (pid <= 1 || pid > PID_MAX) return { ok: false, reason: `${JSON.stringify(id)}: PID ${pid} is never a swarm job (it must be > 1 and <= ${PID_MAX})` };
  return { ok: true, host, pid };
}

/** The argv run on the host (before ssh wrapping), for dry runs and the jobs table. */
export function sshStartArgv(logsDir: string, issueId: string, command: readonly string[]): string[] {
  return ['sh', '-c', START_SCRIPT, 'swarmctl-start', logsDir, issueId, ...command];
}

export function sshKillArgv(logsDir: string, pid: number, mode: 'kill' | 'check' = 'kill'): string[] {
  if (!Number.isInteger(pid) || pid <= 1) throw new TypeError(`not a job pid: ${pid}`);
  return ['sh', '-c', KILL_SCRIPT, 'swarmctl-kill', logsDir, String(pid), mode];
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
  return {
    alive: new Set(
      r.stdout
        .split('\n')
        .filter((l) => /^\d+$/.test(l))
        .map(Number),
    ),
  };
}

export type SshKill = { ok: true; detail: string } | { ok: false; error: string; refused?: 'not_ours' | 'changed'; gone?: boolean };

/** Verify (and with mode kill, SIGTERM the group of) a direct-SSH job: ONE ssh call. */
export async function killSshJob(cfg: ResolvedConfig, host: NamedHost, pid: number, mode: 'kill' | 'check' = 'kill'): Promise<SshKill> {
  const r = await runOnHost(host, { argv: sshKillArgv(cfg.paths.logs_dir, pid, mode), timeoutMs: cfg.slurm.command_timeout_s * 1000 }, sshOptions(cfg));
  if (r.ok) return { ok: true, detail: r.stdout.trim() };
  const why = `${host.name}: ${r.stderr.trim().split('\n').pop() ?? ''}`;
  if (r.exitCode === KILL_RC.notOurs) return { ok: false, error: why, refused: 'not_ours' };
  if (r.exitCode === KILL_RC.changed) return { ok: false, error: why, refused: 'changed' };
  if (r.exitCode === KILL_RC.gone) return { ok: false, error: why, gone: true };
  return { ok: false, error: describeFailure(r) };
}
