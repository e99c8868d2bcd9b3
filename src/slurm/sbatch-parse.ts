/**
 * Read what sbatch says: the job id from `sbatch --parsable`, and, when it fails, whether
 * the job may have been submitted anyway.
 *
 * Pure: the SLURM client runs sbatch and passes stdout/stderr/exit code here.
 *
 * `--parsable` (man sbatch, 22.05): "Outputs only the job id number and the cluster name
 * if present. The values are separated by a semicolon. Errors will still be displayed"
 * (on stderr). Observed on 22.05.8: stdout is exactly `34\n`.
 *
 * Failure kinds, and what the caller does with them:
 * - 'ambiguous': the request may have reached slurmctld and the reply was lost (timeout,
 *   `Socket timed out on send/recv operation`, `Unexpected message received`, `Zero Bytes
 *   were transmitted or received`, `Unable to contact slurm controller (receive
 *   failure)`, sbatch killed or timed out, or a failure we cannot read). sbatch can fail
 *   this way and still have submitted: look the job up with `squeue --name` before any
 *   retry.
 * - 'controller_down': nothing reached a working controller (`Unable to contact slurm
 *   controller (connect failure)`, backup in standby, no configuration source). Nothing was
 *   submitted; `--via auto` may fall back to SSH.
 * - 'rejected': slurmctld (or sbatch's own option checks) refused the job: `Batch job
 *   submission failed: Invalid account or account/partition combination specified`,
 *   `Requested node configuration is not available`, `invalid partition specified`,
 *   `Invalid --time specification`... Nothing was submitted. `transient` marks refusals
 *   worth retrying later (rate limit, queue full), which are still not a reason to go
 *   around SLURM over SSH.
 */

export type SbatchParsed = { ok: true; jobId: string; cluster: string | null } | { ok: false; reason: string };

const PARSABLE_RE = /^(\d{1,10})(?:;([A-Za-z0-9_.-]{1,64}))?$/;
const SUBMITTED_RE = /^Submitted batch job (\d{1,10})(?: on cluster ([A-Za-z0-9_.-]{1,64}))?$/;

/**
 * `1234`, `1234;cluster` (trailing newline or CRLF fine). Also accepts the plain
 * `Submitted batch job 1234` in case --parsable was dropped. Anything else, including
 * extra lines, is an error: the caller must treat the submit as ambiguous.
 */
export function parseSbatchParsable(stdout: string): SbatchParsed {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return { ok: false, reason: 'sbatch printed no job id' };
  if (lines.length > 1) {
    return { ok: false, reason: `sbatch printed ${lines.length} lines where one job id was expected: ${preview(stdout)}` };
  }
  const line = lines[0]!;
  const m = PARSABLE_RE.exec(line) ?? SUBMITTED_RE.exec(line);
  if (!m) return { ok: false, reason: `not a job id: ${preview(line)}` };
  const id = Number(m[1]);
  if (id <= 0 || id > 0xffffffff) return { ok: false, reason: `job id out of range: ${m[1]}` };
  return { ok: true, jobId: String(id), cluster: m[2] ?? null };
}

export type SbatchFailureKind = 'ambiguous' | 'rejected' | 'controller_down';

export interface SbatchFailure {
  kind: SbatchFailureKind;
  /** The stderr line that decided it (without the `sbatch: error: ` prefix), or a note. */
  message: string;
  /** For 'rejected': worth retrying later (rate limit, queue full, temporarily unavailable). */
  transient: boolean;
}

// Order matters: "Batch job submission failed: Unable to contact slurm controller (...)"
// must be read as a communication failure, not as a refusal.
const AMBIGUOUS: RegExp[] = [
  /Socket timed out on send\/recv operation/i,
  /Unexpected message received/i,
  /Zero Bytes were transmitted or received/i,
  /Unable to contact slurm controller \((?:send|receive|shutdown) failure\)/i,
  /Message (?:send|receive) failure/i,
  /Connection timed out (?:reading|writing)/i,
  /Kernel reported delayed socket error/i,
  /Insane message length/i,
  /Communication shutdown failure/i,
];

const CONTROLLER_DOWN: RegExp[] = [
  /Unable to contact slurm controller \(connect failure\)/i,
  /Unable to contact slurm controller(?! \()/i,
  /Slurm backup controller in standby mode/i,
  /Communication connection failure/i,
  /Connection timed out establishing/i,
  /Connection refused/i,
  /Could not establish a configuration source/i,
  /fetch_config: DNS SRV lookup failed/i,
];

const TRANSIENT_REJECT: RegExp[] = [
  /Rate limit exceeded/i,
  /Slurm job queue full/i,
  /MaxJobCount limit reached/i,
  /Resource temporarily unavailable/i,
  /temporarily unable to accept job/i,
  /try again later/i,
];

/** Decide what a failed sbatch run means. Never throws. */
export function explainSbatchFailure(stderr: string, exitCode: number | null, timedOut: boolean): SbatchFailure {
  const text = typeof stderr === 'string' ? stderr : '';
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const find = (res: RegExp[]): string | undefined => lines.find((l) => res.some((re) => re.test(l)));
  if (timedOut) return { kind: 'ambiguous', message: 'sbatch timed out', transient: true };
  const amb = find(AMBIGUOUS);
  if (amb !== undefined) return { kind: 'ambiguous', message: strip(amb), transient: true };
  const down = find(CONTROLLER_DOWN);
  if (down !== undefined) return { kind: 'controller_down', message: strip(down), transient: true };
  if (exitCode === null) return { kind: 'ambiguous', message: 'sbatch was killed by a signal', transient: true };
  if (exitCode === 0) {
    return { kind: 'ambiguous', message: 'sbatch exited 0 without a readable job id', transient: true };
  }
  const transient = find(TRANSIENT_REJECT);
  if (transient !== undefined) return { kind: 'rejected', message: strip(transient), transient: true };
  const failed = lines.find((l) => /Batch job submission failed/i.test(l));
  if (failed !== undefined) return { kind: 'rejected', message: strip(failed), transient: false };
  // sbatch checks its options before contacting slurmctld and prints "sbatch: error: ...".
  const local = lines.find((l) => /^sbatch: (?:fatal|error):/i.test(l));
  if (local !== undefined) return { kind: 'rejected', message: strip(local), transient: false };
  return {
    kind: 'ambiguous',
    message: lines.length > 0 ? strip(lines[lines.length - 1]!) : `sbatch exited ${exitCode} without a message`,
    transient: true,
  };
}

export function classifySbatchFailure(stderr: string, exitCode: number | null, timedOut: boolean): SbatchFailureKind {
  return explainSbatchFailure(stderr, exitCode, timedOut).kind;
}

function strip(line: string): string {
  return line.replace(/^sbatch: (?:error|fatal): /i, '').slice(0, 500);
}

function preview(s: string): string {
  const t = JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
  return t;
}
