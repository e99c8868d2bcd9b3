// The command runner: every external program swarmctl starts goes through
// here, as an argv (never a shell string), locally or on a configured host
// over OpenSSH. Guarantees:
//   - a hard timeout that kills the whole process group (a hung `stat` on a
//     dead NFS mount, an ssh waiting on a dead host), not only the leader;
//   - stdout, stderr, exit code, signal and duration always come back; a spawn
//     failure (ENOENT) is a result, not a throw;
//   - ssh runs with BatchMode (never prompts), ConnectTimeout, and a shared
//     ControlMaster socket so a poll loop reuses one connection per host; the
//     operator's ~/.ssh/config, agent and ProxyJump keep working because we
//     only add options.
// Children are started in their own process group (detached) so the group
// kill is possible; we kill any still running when swarmctl exits.
// node:child_process, not execa: importing execa slows every process start, and job
// wrappers start swarmctl often.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NamedHost } from '../config/resolve.js';
import { buildRemoteCommand } from './remote-quote.js';

export interface RunSpec {
  argv: readonly string[];
  timeoutMs: number;
  /** Extra variables. With cleanEnv only these (plus PATH/HOME/LANG) are passed. */
  env?: Readonly<Record<string, string>>;
  cleanEnv?: boolean;
  cwd?: string;
  /** Written to the child's stdin (how secrets reach a child: never argv). */
  input?: string;
  /** Cap on captured stdout (bytes); more makes the result truncated and not ok. */
  maxBuffer?: number;
  /** stderr keeps only its last this many bytes (default STDERR_TAIL_BYTES). */
  stderrTail?: number;
  /** Stream stdout to this callback instead of collecting it (no cap; `stdout` is ''): an output read once and filtered, as a journal. */
  onStdout?: (chunk: Buffer) => void;
}

/** Default stdout cap. Output beyond it is never silently dropped: the result says so. */
export const STDOUT_CAP_BYTES = 16 * 1024 * 1024;
/** stderr is read for a reason line, not parsed whole: its tail is enough. */
export const STDERR_TAIL_BYTES = 16 * 1024;

/** SWARMCTL_STDOUT_CAP (bytes) lowers the cap, so the over-cap path can be tested without 16 MiB. */
function stdoutCap(): number {
  const v = Number(process.env['SWARMCTL_STDOUT_CAP']);
  return Number.isInteger(v) && v > 0 && v < STDOUT_CAP_BYTES ? v : STDOUT_CAP_BYTES;
}

export interface RunResult {
  argv: readonly string[];
  /** 'local' or the host name from the config. */
  where: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  /** The last STDERR_TAIL_BYTES of stderr (stderrTruncated when more was written). */
  stderr: string;
  /** stdout went past the cap: what is in `stdout` is only its beginning, and ok is false. */
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  timedOut: boolean;
  durationMs: number;
  /** Set when the program could not be started at all (e.g. ENOENT). */
  spawnError?: string;
  ok: boolean;
}

export interface SshOptions {
  connectTimeoutS: number;
  /** Folder for ControlMaster sockets; default $XDG_RUNTIME_DIR or /tmp, per user. */
  controlDir?: string;
  /** Keep the master connection this many seconds after the last use. */
  controlPersistS?: number;
  sshBinary?: string;
}

const live = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of live) killGroup(pgid, 'SIGKILL');
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'USER', 'LOGNAME', 'TZ', 'SSH_AUTH_SOCK', 'TMPDIR'];

function childEnv(spec: RunSpec): Record<string, string> | undefined {
  if (!spec.cleanEnv) return spec.env ? { ...spec.env } : undefined;
  const env: Record<string, string> = {};
  for (const k of BASE_ENV_KEYS) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...spec.env };
}

export function runLocal(spec: RunSpec, where = 'local'): Promise<RunResult> {
  installExitHook();
  const started = performance.now();
  const [file, ...args] = spec.argv;
  if (!file) throw new Error('runLocal: empty argv');
  const env = childEnv(spec);
  const max = spec.maxBuffer ?? stdoutCap();
  const tail = spec.stderrTail ?? STDERR_TAIL_BYTES;
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, {
        detached: true,
        stdio: [spec.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        env: env ? (spec.cleanEnv ? env : { ...process.env, ...env }) : process.env,
        ...(spec.cwd ? { cwd: spec.cwd } : {}),
      });
    } catch (e) {
      resolve({
        argv: spec.argv,
        where,
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        stdoutTruncated: false,
        stderrTruncated: false,
        timedOut: false,
        durationMs: performance.now() - started,
        spawnError: (e as Error).message,
        ok: false,
      });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) live.add(pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    const onStdout = spec.onStdout;
    if (onStdout) child.stdout!.on('data', (b: Buffer) => onStdout(b));
    else
      child.stdout!.on('data', (b: Buffer) => {
        if (outLen < max) out.push(b.subarray(0, max - outLen));
        outLen += b.length;
      });
    // A tail, and COPIES of it: a pipe chunk can be a view into a much larger buffer,
    // and keeping thousands of small views of a stderr flood keeps all of those alive.
    let errKept = 0;
    child.stderr!.on('data', (b: Buffer) => {
      errLen += b.length;
      const piece = Buffer.from(b.length > tail ? b.subarray(b.length - tail) : b);
      err.push(piece);
      errKept += piece.length;
      while (err.length > 1 && errKept - err[0]!.length >= tail) errKept -= err.shift()!.length;
      if (err.length > 64) {
        const joined = Buffer.concat(err);
        err.length = 0;
        err.push(joined.subarray(Math.max(0, joined.length - tail)));
        errKept = err[0]!.length;
      }
    });
    if (spec.input !== undefined) {
      child.stdin!.on('error', () => {}); // a child that exits without reading stdin: EPIPE is not our failure
      child.stdin!.end(spec.input);
    }
    let timedOut = false;
    let spawnError: string | undefined;
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (pid !== undefined) {
        live.delete(pid);
        // Grandchildren left in the group (a backgrounded helper) go too.
        if (timedOut) killGroup(pid, 'SIGKILL');
      }
      resolve({
        argv: spec.argv,
        where,
        exitCode: code,
        signal: signal ?? null,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: tailText(err, tail),
        stdoutTruncated: outLen > max,
        stderrTruncated: errLen > tail,
        timedOut,
        durationMs: performance.now() - started,
        ...(spawnError ? { spawnError } : {}),
        // Part of an answer is not the answer: a caller that parsed it would miss what was cut.
        ok: !timedOut && !spawnError && code === 0 && outLen <= max,
      });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
      // Someone outside the group may still hold our pipes: an ssh ControlMaster
      // receives a mux client's stdout/stderr fds and writes into them until the
      // REMOTE command ends. Close our ends and return now, not then.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      finish(null, 'SIGKILL');
    }, spec.timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = `${e.code ?? 'error'}: ${e.message}`;
      finish(null, null);
    });
    // 'close' waits for the pipes; 'exit' alone could drop the last output.
    child.on('close', (code, signal) => finish(code, signal));
  });
}

function tailText(chunks: Buffer[], tail: number): string {
  const all = Buffer.concat(chunks);
  return all.subarray(Math.max(0, all.length - tail)).toString('utf8');
}

export function defaultControlDir(): string {
  const base = process.env['XDG_RUNTIME_DIR'] || tmpdir();
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(base, `swarmctl-ssh-${uid}`);
}

/** The ssh argv for running `remote` on `host`. Pure apart from nothing: no I/O. */
export function sshArgv(host: NamedHost, remote: { argv: readonly string[]; env?: Record<string, string>; cwd?: string }, opts: SshOptions): string[] {
  if (host.address.startsWith('-')) throw new Error(`host ${host.name}: address may not start with "-"`);
  const controlDir = opts.controlDir ?? defaultControlDir();
  // The host's own options first: ssh keeps the FIRST value of an option, so they win over
  // the defaults below (the sandbox's host says ControlMaster=no: no master outlives it).
  const argv = [
    opts.sshBinary ?? 'ssh',
    ...host.ssh_options.flatMap((o) => ['-o', o]),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${Math.max(1, Math.ceil(opts.connectTimeoutS))}`,
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${controlDir}/%C`,
    '-o',
    `ControlPersist=${opts.controlPersistS ?? 60}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=2',
  ];
  if (host.port) argv.push('-p', String(host.port));
  if (host.identity_file) argv.push('-i', host.identity_file, '-o', 'IdentitiesOnly=yes');
  if (host.user) argv.push('-l', host.user);
  argv.push('--', host.address, buildRemoteCommand(remote));
  return argv;
}

export async function runOnHost(host: NamedHost, spec: RunSpec, opts: SshOptions): Promise<RunResult> {
  const controlDir = opts.controlDir ?? defaultControlDir();
  // No master, no socket folder (the sandbox's host writes nothing outside its own folder).
  if (!host.ssh_options.includes('ControlMaster=no')) mkdirSync(controlDir, { recursive: true, mode: 0o700 });
  const argv = sshArgv(host, { argv: spec.argv, ...(spec.env ? { env: { ...spec.env } } : {}), ...(spec.cwd ? { cwd: spec.cwd } : {}) }, { ...opts, controlDir });
  const r = await runLocal(
    {
      argv,
      timeoutMs: spec.timeoutMs,
      ...(spec.input !== undefined ? { input: spec.input } : {}),
      ...(spec.maxBuffer ? { maxBuffer: spec.maxBuffer } : {}),
      ...(spec.onStdout ? { onStdout: spec.onStdout } : {}),
    },
    host.name,
  );
  // Report the command the operator asked for; the ssh wrapper is an implementation detail.
  return { ...r, argv: spec.argv };
}

/** ssh exits 255 for its own failures (connect, auth); the remote command's code otherwise. */
export function isSshTransportFailure(r: RunResult): boolean {
  return r.exitCode === 255 || r.timedOut || r.spawnError !== undefined;
}

/** One interface for "run this, here or there" so batch code takes a runner, not execa. */
export interface CommandRunner {
  run(spec: RunSpec & { host?: NamedHost }): Promise<RunResult>;
}

export function createRunner(ssh: SshOptions): CommandRunner {
  return {
    run: (spec) => (spec.host ? runOnHost(spec.host, spec, ssh) : runLocal(spec)),
  };
}

/** A one-line description of a failed run, for error messages. */
export function describeFailure(r: RunResult): string {
  // A multi-line word (an `sh -c` script) would break the one line: name it, don't print it.
  const cmd = r.argv.map((w) => (w.includes('\n') ? '<script>' : w)).join(' ');
  if (r.spawnError) return `${cmd}: ${r.spawnError}`;
  if (r.timedOut) return `${cmd}: no answer within the timeout (killed)`;
  if (r.stdoutTruncated) return `${cmd}: output over the ${STDOUT_CAP_BYTES === stdoutCap() ? '16 MiB' : `${stdoutCap()}-byte`} cap, only part of it was read`;
  // The last line only, and not all of it: stderr can be a flood.
  const err = lastLine(r.stderr).slice(0, 500);
  return `${cmd}: exit ${r.exitCode ?? r.signal}${err ? `: ${err}` : ''}`;
}

function lastLine(text: string): string {
  const t = text.trimEnd();
  return t.slice(t.lastIndexOf('\n') + 1).trim();
}
