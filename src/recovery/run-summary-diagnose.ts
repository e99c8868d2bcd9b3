// What an issue's Python-worker run summary says went wrong (FORMATS.md §3.1, §5.2): the
// LAST run decides (a no_change followed by a resolved run is not stuck), earlier runs of
// the same outcome strengthen it (stuck N times). Each finding names the summary row as
// evidence, `file:line text`. Pure: rows in, findings out; no I/O.
import type { NumberedRun, RunSummary } from '../issues/run-summary-parse.js';

export const RUN_DIAGNOSIS_KINDS = [
  'stuck_loop',
  'budget_exhausted',
  'output_parse_failure',
  'context_overflow',
  'cloud_escalation_failed',
  'verifier_failed',
  'merge_failed',
  'worktree_failed',
  'worker_crash',
] as const;
export type RunDiagnosisKind = (typeof RUN_DIAGNOSIS_KINDS)[number];

export interface RunFinding {
  kind: RunDiagnosisKind;
  summary: string;
  retryable: boolean;
  /** 1-based line of the deciding row, in `path` when the run says which file. */
  line: number;
  path?: string;
  /** The row's one-line description (never compiler output or model text). */
  text: string;
  details: Record<string, unknown>;
}

const PARSE_FAILURE = /Failed to parse input at pos (\d+)/;
const CONTEXT = /exceeds the available context size|exceed_context_size_error|ContextWindowExceededError/;
const CONTEXT_NUMBERS = /request \((\d+) tokens\) exceeds the available context size \((\d+) tokens\)/;
const CLOUD = /\b(AuthenticationError|PermissionDeniedError|RateLimitError)\b|Error (401|403|429) [A-Za-z ]+ from openai client/;
const CRASH = /^driver crash: |Error calculating cost|Traceback \(most recent call last\)/;

/** A short, payload-free description of a row for evidence lines. */
export function describeRun(r: RunSummary): string {
  const parts = [`status=${r.status}`];
  if (r.exitStatus !== undefined) parts.push(`exit_status=${r.exitStatus.split(':').slice(0, 2).join(':')}`);
  if (r.failedGates.length > 0) parts.push(`failed_gates=${r.failedGates.join(',')}`);
  if (r.merged !== undefined) parts.push(`merged=${String(r.merged)}`);
  if (r.reason !== undefined) parts.push(`reason=${r.reason.length > 100 ? `${r.reason.slice(0, 99)}…` : r.reason}`);
  if (r.wallS !== undefined) parts.push(`wall=${r.wallS}s`);
  return parts.join(' ');
}

function finding(kind: RunDiagnosisKind, run: NumberedRun, summary: string, retryable: boolean, details: Record<string, unknown> = {}): RunFinding {
  return { kind, summary, retryable, line: run.line, ...(run.path !== undefined ? { path: run.path } : {}), text: describeRun(run.row), details };
}

function fromErrorText(run: NumberedRun, text: string): RunFinding | null {
  if (CONTEXT.test(text)) {
    const n = CONTEXT_NUMBERS.exec(text);
    const details: Record<string, unknown> = n ? { requested: Number(n[1]), available: Number(n[2]) } : {};
    const nums = n ? ` (${n[1]} tokens > ${n[2]})` : '';
    return finding('context_overflow', run, `the request exceeded the model's context${nums}`, true, details);
  }
  const parse = PARSE_FAILURE.exec(text);
  if (parse) return finding('output_parse_failure', run, `llama.cpp could not parse the model's output (pos ${parse[1]})`, true, { pos: Number(parse[1]) });
  const cloud = CLOUD.exec(text);
  if (cloud) return finding('cloud_escalation_failed', run, `the cloud model was refused (${cloud[1] ?? `HTTP ${cloud[2]}`})`, true);
  if (CRASH.test(text)) return finding('worker_crash', run, `the worker crashed: ${text.trim().slice(0, 120)}`, true, /Error calculating cost/.test(text) ? { cost_tracking: true } : {});
  return null;
}

/** The findings for one issue's runs (file order); [] when the last run resolved or nothing is known. */
export function diagnoseRuns(runs: readonly NumberedRun[]): RunFinding[] {
  const last = runs[runs.length - 1];
  if (!last || last.row.status === 'resolved' || last.row.shape === 'legacy') return [];
  const r = last.row;
  if (r.status === 'no_change') {
    // Consecutive no-change runs of this issue, ending with the last one.
    let streak = 0;
    for (let i = runs.length - 1; i >= 0 && runs[i]?.row.status === 'no_change'; i--) streak++;
    // A step limit used up without a change is the same stuck run (said in details), not the orchestrator's budget.
    const limit = r.exitStatus === 'LimitsExceeded' ? ' and used up its step limit' : '';
    return [
      finding('stuck_loop', last, `the worker changed nothing${limit}${streak > 1 ? ` (${streak} runs in a row)` : ''}`, true, {
        no_change_runs: streak,
        ...(r.exitStatus ? { exit_status: r.exitStatus } : {}),
      }),
    ];
  }
  if (r.status === 'changes_failed_verifier') {
    const gate = r.failedGates[0] ?? 'unknown';
    return [finding('verifier_failed', last, `the change failed the ${gate} gate; the commit stays on its branch`, true, { gates: r.failedGates })];
  }
  if (r.status !== 'failed') return [];
  if (r.reason?.startsWith('worktree create:')) return [finding('worktree_failed', last, 'the worktree could not be created', true)];
  if (r.reason !== undefined && /exhausted max_iters=\d+|rollback_no_progress: /.test(r.reason)) {
    return [finding('budget_exhausted', last, `the architect gave up: ${r.reason}`, true)];
  }
  const fromError = fromErrorText(last, `${r.exitStatus ?? ''}\n${r.reason ?? ''}`);
  if (fromError) return [fromError];
  if (r.merged === false) return [finding('merge_failed', last, 'the merge failed; the branch is kept', true)];
  if (r.exitStatus === 'LimitsExceeded') return [finding('budget_exhausted', last, 'the worker used up its step limit', true)];
  return [finding('worker_crash', last, `the run failed${r.reason ? `: ${r.reason.slice(0, 120)}` : ''}`, true)];
}
