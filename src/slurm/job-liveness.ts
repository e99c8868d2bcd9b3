// Is an issue's job (maybe) running? The ONE decision every mutating command asks
// before it touches a job's files, branch, tracker state or resubmits: recover,
// resume clear, endpoints gc, cancel by issue. Pure: the reads (squeue, sacct, the
// direct-SSH check) are done by job-liveness-read.ts and handed in.
//
// Three answers, never two: a queue that could not be read, or was read only in part,
// is "unknown", which callers treat as "maybe running" and refuse (unless the operator
// overrides with --assume-not-running, audited).
import { isActive, parseJobState } from './states.js';

export interface LivenessJob {
  jobId: string;
  state: string;
  /** Where the state came from, for the one-line reason. */
  source: 'squeue' | 'sacct' | 'ssh';
}

/** squeue's answer: the jobs it listed, or why it gave none we can trust. */
export type QueueAnswer = { status: 'known'; jobs: ReadonlyArray<{ jobId: string; state: string }> } | { status: 'failed' | 'partial'; error: string };

export interface LivenessInput {
  /** What the answer is about, for the reason text (`issue X`, `job 2317`). */
  subject: string;
  squeue: QueueAnswer;
  /** Our direct-SSH jobs: the ones still alive, or why the hosts could not be asked. */
  ssh: { status: 'known'; jobs: ReadonlyArray<{ jobId: string; state: string }> } | { status: 'failed'; error: string; jobs: ReadonlyArray<{ jobId: string; state: string }> };
  /** sacct per job id asked: state, or null when sacct gave no answer (accounting off). */
  sacct: ReadonlyArray<{ jobId: string; state: string | null }>;
}

export type Liveness = { verdict: 'running'; jobs: LivenessJob[]; reason: string } | { verdict: 'not_running'; reason: string } | { verdict: 'unknown'; reason: string };

function active(state: string): boolean {
  return isActive(parseJobState(state));
}

export function decideLiveness(input: LivenessInput): Liveness {
  const running: LivenessJob[] = [];
  if (input.squeue.status === 'known') for (const j of input.squeue.jobs) if (active(j.state)) running.push({ jobId: j.jobId, state: j.state, source: 'squeue' });
  // An SSH job we could not check is listed UNKNOWN: that is "unknown" below, not running.
  for (const j of input.ssh.jobs) if (j.state !== 'UNKNOWN' && active(j.state)) running.push({ jobId: j.jobId, state: j.state, source: 'ssh' });
  // sacct saying RUNNING wins over squeue not listing the job: the cautious answer.
  for (const s of input.sacct) {
    if (s.state !== null && active(s.state) && !running.some((r) => r.jobId === s.jobId)) running.push({ jobId: s.jobId, state: s.state, source: 'sacct' });
  }
  if (running.length) {
    return { verdict: 'running', jobs: running, reason: `${input.subject}: ${running.map((j) => `job ${j.jobId} is ${j.state} (${j.source})`).join(', ')}` };
  }
  if (input.squeue.status === 'failed') return { verdict: 'unknown', reason: `${input.subject}: the queue could not be read, so its job may still be running (${input.squeue.error})` };
  if (input.squeue.status === 'partial') return { verdict: 'unknown', reason: `${input.subject}: the queue was read only in part, so its job may still be running (${input.squeue.error})` };
  if (input.ssh.status === 'failed') return { verdict: 'unknown', reason: `${input.subject}: direct-SSH jobs could not be checked, so one may still be running (${input.ssh.error})` };
  return { verdict: 'not_running', reason: `${input.subject}: no queued or running job` };
}

/** The override flag's name, said in every refusal so the operator knows the risk they take. */
export const ASSUME_NOT_RUNNING_FLAG = '--assume-not-running';

/** The one-line refusal for an action, or null when it may go ahead. */
export function livenessRefusal(l: Liveness, action: string, opts: { assumeNotRunning?: boolean } = {}): string | null {
  if (l.verdict === 'not_running') return null;
  if (l.verdict === 'running') return `refusing to act on an issue that is queued or running: ${l.reason}; cancel it first (swarmctl cancel) to ${action}`;
  if (opts.assumeNotRunning) return null;
  return `refusing to ${action}: ${l.reason}; retry when squeue answers, or pass ${ASSUME_NOT_RUNNING_FLAG} if you know no job runs (a running job would lose its files)`;
}
