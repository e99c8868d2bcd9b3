// Diagnosis of one issue, as a pure function over what was gathered: the job log's
// records (matched against the profile's signature catalogue), the per-issue state
// (resume file, session log), the queue, the job's end state, the worktree's git state
// and our own recovery attempts. Each diagnosis carries evidence (file, line, text).
// Seed 001 §3's decision tree, with the real orchestrator's strings. Pure: no I/O.
import type { LogRecord } from './log-records.js';
import { countWriteToolCalls, findSessionStarts, matchSignatures, type KindMatch } from './signature-match.js';
import type { SignatureCatalogue } from '../config/signatures.js';
import type { SessionLogSummary } from './session-parse.js';
import type { ProbeResult } from '../probes/types.js';

export const DIAGNOSIS_KINDS = [
  'stuck_text_mode',
  'stuck_wrong_branch',
  'stuck_loop',
  'output_parse_failure',
  'context_overflow',
  'cloud_escalation_failed',
  'job_died',
  'out_of_memory',
  'dependency_never_satisfied',
  'budget_exhausted',
] as const;
export type DiagnosisKind = (typeof DIAGNOSIS_KINDS)[number];

export interface Evidence {
  file: string;
  line?: number;
  text: string;
}

export interface Diagnosis {
  kind: DiagnosisKind;
  summary: string;
  evidence: Evidence[];
  retryable: boolean;
  details: Record<string, unknown>;
}

export interface QueueView {
  ok: boolean;
  error?: string;
  stale?: boolean;
  /** The issue's jobs as the queue shows them. */
  jobs: Array<{ jobId: string; state: string; active: boolean; reason?: string | null }>;
}

export interface DiagnoseInput {
  issueId: string;
  catalogue: SignatureCatalogue;
  log?: { path: string; records: readonly LogRecord[] } | null;
  logError?: string;
  resume: { status: string; path?: string; error?: string };
  session: { status: string; path?: string; value?: SessionLogSummary; error?: string };
  queue: QueueView;
  /** The job's final SLURM state when known (sacct / our jobs table). */
  endState?: { jobId: string; state: string } | null;
  worktree?: { path: string; exists: boolean; branch: string | null; diffStatEmpty: boolean | null; expectedBranch: string; error?: string } | null;
  attempts: number;
  maxAttempts: number;
  /**
   * The cloud proxy probes taken by the runner because cloud_escalation_failed fired
   * (one per configured openai-proxy service). undefined: not probed (yet); []: no
   * openai-proxy service is configured, so the failure cannot be confirmed.
   */
  cloudProbes?: readonly CloudProbeInput[];
}

/** One proxy probe (src/probes/proxy.ts) taken while diagnosing; its result never holds the key. */
export interface CloudProbeInput {
  service: string;
  result: ProbeResult;
}

/** What the proxy says NOW about the failure the log shows. */
export type CloudVerdict = 'key_rejected' | 'key_missing' | 'quota' | 'no_upstream_auth' | 'proxy_down' | 'proxy_degraded' | 'not_checked' | 'healthy_now';

export interface CloudCheck {
  service: string;
  verdict: CloudVerdict;
  /** One line for the operator. */
  summary: string;
  /** The probe's own status and reason. */
  status: string;
  reason: string;
  http_status?: number;
  reset_seconds?: number;
}

/** Attached to a cloud_escalation_failed diagnosis as `details.proxy_check`. */
export interface ProxyCheck {
  /** The most telling verdict over all probed proxies (key problems first). */
  verdict: CloudVerdict;
  service: string;
  summary: string;
  probes: CloudCheck[];
}

/** Most telling first: what the operator must act on. */
const VERDICT_ORDER: readonly CloudVerdict[] = ['key_rejected', 'key_missing', 'quota', 'no_upstream_auth', 'proxy_down', 'proxy_degraded', 'not_checked', 'healthy_now'];

/** Reads one proxy probe's result as a confirmation (or not) of a cloud failure. Pure. */
export function cloudVerdict(p: CloudProbeInput): CloudCheck {
  const r = p.result;
  const d = r.details ?? {};
  const http = typeof d['httpStatus'] === 'number' ? d['httpStatus'] : undefined;
  const reset = typeof d['resetSeconds'] === 'number' ? d['resetSeconds'] : typeof d['backoffSeconds'] === 'number' && http === 429 ? d['backoffSeconds'] : undefined;
  const base = { service: p.service, status: r.status, reason: r.reason, ...(http !== undefined ? { http_status: http } : {}), ...(reset !== undefined ? { reset_seconds: reset } : {}) };
  const svc = p.service;
  let verdict: CloudVerdict;
  let summary: string;
  if (r.status === 'up') {
    if (/no api_key_file/.test(r.reason)) {
      verdict = 'not_checked';
      summary = `${svc} is up, but has no api_key_file: the key was not checked`;
    } else {
      verdict = 'healthy_now';
      summary = `${svc} is healthy now and accepts the key (${r.reason}): the failure was transient, or that model was unavailable then`;
    }
  } else if (r.status === 'down') {
    verdict = 'proxy_down';
    summary = `${svc} is down now (${r.reason}): the key could not be checked`;
  } else if (/^alive, but /.test(r.reason)) {
    verdict = 'key_missing';
    summary = `${svc} is alive, but our key cannot be sent: ${r.reason.replace(/^alive, but /, '')}`;
  } else if (r.status === 'degraded' && (http === 401 || http === 403)) {
    verdict = 'key_rejected';
    summary = `confirmed: ${svc} rejects the key now (${r.reason})`;
  } else if (r.status === 'degraded' && http === 429) {
    verdict = 'quota';
    summary = `confirmed: ${svc} is rate limited / over quota now${reset !== undefined ? `; resets in ${reset} s` : ''} (${r.reason})`;
  } else if (r.status === 'degraded' && /no auth available/i.test(r.reason)) {
    verdict = 'no_upstream_auth';
    summary = `confirmed: ${svc} has no usable upstream credential (the proxy's own login, not our key)`;
  } else if (r.status === 'degraded') {
    verdict = 'proxy_degraded';
    summary = `${svc} answers but is degraded now (${r.reason})`;
  } else {
    verdict = 'not_checked';
    summary = `${svc} could not be checked (${r.reason})`;
  }
  return { ...base, verdict, summary };
}

/** The proxy check of a cloud failure from all probes taken (null when there were none). */
export function proxyCheckOf(probes: readonly CloudProbeInput[]): ProxyCheck | null {
  const checks = probes.map(cloudVerdict);
  const top = [...checks].sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict))[0];
  if (!top) return null;
  return { verdict: top.verdict, service: top.service, summary: top.summary, probes: checks };
}

export interface DiagnoseResult {
  issueId: string;
  /** ok: nothing wrong found; diagnosed: at least one; unknown: needed input could not be read. */
  status: 'ok' | 'diagnosed' | 'unknown';
  diagnoses: Diagnosis[];
  activeJob: { jobId: string; state: string } | null;
  notes: string[];
  matches: Array<Pick<KindMatch, 'kind' | 'fired' | 'count' | 'staleCount'>>;
}

const RETRYABLE_END = new Set(['NODE_FAIL', 'PREEMPTED', 'TIMEOUT', 'BOOT_FAIL']);

function evidenceOf(file: string, m: KindMatch, max = 5): Evidence[] {
  return m.evidence.slice(-max).map((e) => ({ file, line: e.line, text: e.text }));
}

function capNum(m: KindMatch, name: string): number | undefined {
  for (let i = m.evidence.length - 1; i >= 0; i--) {
    const v = m.evidence[i]?.captures[name];
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

export function diagnose(input: DiagnoseInput): DiagnoseResult {
  const notes: string[] = [];
  const out: Diagnosis[] = [];
  const active = input.queue.jobs.find((j) => j.active) ?? null;
  const session = input.session.value;
  const resolvedAt = session?.completed && session.resolved ? session.completedAt : undefined;
  let matches: KindMatch[] = [];
  let unknown = false;

  if (input.log) {
    const { path, records } = input.log;
    const starts = findSessionStarts(records, input.catalogue);
    const mine = starts.filter((s) => s.issueId === input.issueId);
    const from = (mine[mine.length - 1] ?? starts[starts.length - 1])?.line;
    if (starts.length > 0 && mine.length === 0) notes.push(`${path} has no session start for ${input.issueId}; matched the whole window`);
    const opts = { ...(from !== undefined ? { fromLine: from } : {}), ...(resolvedAt ? { resolvedAt } : {}) };
    matches = matchSignatures(records, input.catalogue, opts);
    for (const m of matches) {
      if (!m.fired) {
        if (m.ruledOutBy) notes.push(`${m.kind}: earlier occurrences ruled out by line ${m.ruledOutBy.line} (${m.ruledOutBy.reason})`);
        continue;
      }
      const ev = evidenceOf(path, m);
      if (m.kind === 'stuck_loop') {
        const w = countWriteToolCalls(records, input.catalogue, from !== undefined ? { fromLine: from } : {});
        const details: Record<string, unknown> = { groups: m.groups, writes: w.writes, tool_calls: w.toolCalls, consecutive_no_change: capNum(m, 'consecutive') ?? capNum(m, 'n') };
        if (w.writes === 0) {
          out.push({ kind: 'stuck_text_mode', summary: `stuck loop with no successful write_file/edit_file call (${w.toolCalls} tool calls): the model answers in text`, evidence: ev, retryable: true, details });
        } else {
          const wt = input.worktree;
          const writeEv = w.evidence.slice(-2).map((e) => ({ file: path, line: e.line, text: e.text }));
          if (wt && wt.exists && (wt.diffStatEmpty === true || (wt.branch !== null && wt.branch !== wt.expectedBranch))) {
            const why = wt.branch !== wt.expectedBranch ? `the worktree is on ${wt.branch ?? '(detached)'}, not ${wt.expectedBranch}` : '`git diff --stat` is empty';
            out.push({ kind: 'stuck_wrong_branch', summary: `stuck loop although ${w.writes} writes succeeded: ${why}`, evidence: [...ev, ...writeEv, { file: wt.path, text: why }], retryable: true, details: { ...details, branch: wt.branch, diff_stat_empty: wt.diffStatEmpty } });
          } else {
            const unchecked = !wt || !wt.exists || wt.error !== undefined;
            if (unchecked) notes.push(`stuck loop with writes, but the worktree ${wt?.path ?? ''} ${wt?.error !== undefined ? `was not checked (${wt.error})` : 'is gone or was not checked'}: cannot split text mode / wrong branch`);
            out.push({ kind: 'stuck_loop', summary: unchecked ? `stuck loop with ${w.writes} successful writes (the worktree was not checked)` : `stuck loop with ${w.writes} successful writes and a changed worktree on the right branch`, evidence: [...ev, ...writeEv], retryable: true, details });
          }
        }
        continue;
      }
      const kind = m.kind as DiagnosisKind;
      if (!(DIAGNOSIS_KINDS as readonly string[]).includes(kind)) {
        notes.push(`site kind ${m.kind} fired (no built-in remedy)`);
        continue;
      }
      const details: Record<string, unknown> = { count: m.count, triggers: m.triggers };
      if (kind === 'output_parse_failure') details['pos'] = capNum(m, 'pos');
      if (kind === 'cloud_escalation_failed') {
        const codes = [...new Set(m.evidence.map((e) => e.captures['http']).filter((v): v is string => v !== undefined && /^\d+$/.test(v)).map(Number))];
        if (codes.length) details['log_http_statuses'] = codes;
      }
      if (kind === 'context_overflow') {
        details['request_tokens'] = capNum(m, 'requested');
        details['context_tokens'] = capNum(m, 'available');
      }
      const summary = {
        output_parse_failure: `llama-server could not parse the model's tool-call output${details['pos'] !== undefined ? ` (pos ${String(details['pos'])})` : ''}; not a context overflow`,
        context_overflow: 'the request exceeded the server context size',
        cloud_escalation_failed: 'the cloud manager could not be used (key, quota, model or reachability)',
        budget_exhausted: "the orchestrator's own iteration budget ran out",
      }[kind as string] ?? m.kind;
      const diag: Diagnosis = { kind, summary, evidence: ev, retryable: kind !== 'budget_exhausted', details };
      if (kind === 'cloud_escalation_failed' && input.cloudProbes !== undefined) {
        const check = proxyCheckOf(input.cloudProbes);
        if (check) {
          details['proxy_check'] = check;
          diag.summary = `${summary}; proxy probe now: ${check.verdict.replaceAll('_', ' ')}`;
          for (const c of check.probes) diag.evidence.push({ file: `probe:${c.service}`, text: c.summary });
        } else notes.push('cloud_escalation_failed: no openai-proxy service is configured, so the failure was not confirmed with the proxy probe');
      }
      out.push(diag);
    }
  } else if (input.logError) {
    notes.push(`job log not read: ${input.logError}`);
  }

  // Dead jobs: something says the issue was in progress, the queue has nothing for it,
  // and the session never completed.
  const pending = input.queue.jobs.find((j) => j.state === 'PENDING' && /DependencyNeverSatisfied/.test(j.reason ?? ''));
  if (pending) {
    out.push({ kind: 'dependency_never_satisfied', summary: `job ${pending.jobId} is PENDING on a dependency that can never be satisfied`, evidence: [{ file: 'squeue', text: `${pending.jobId} PENDING (${pending.reason ?? ''})` }], retryable: true, details: { job_id: pending.jobId } });
  }
  const inProgress = input.resume.status === 'ok' || (input.session.status === 'ok' && session !== undefined && !session.completed);
  if (!input.queue.ok) {
    notes.push(`queue not read: ${input.queue.error ?? 'unknown error'}`);
    if (inProgress) unknown = true;
  } else if (!active && inProgress && !(session?.completed ?? false)) {
    const ev: Evidence[] = [];
    if (input.resume.status === 'ok') ev.push({ file: input.resume.path ?? '.swarm-resume.json', text: 'resume file present' });
    if (session && !session.completed) {
      const last = session.events[session.events.length - 1];
      ev.push({ file: input.session.path ?? 'session.jsonl', ...(last ? { line: last.line } : {}), text: `session not completed; last state ${session.state ?? '?'}${last?.timestamp ? ` at ${last.timestamp}` : ''}` });
    }
    const end = input.endState?.state?.toUpperCase();
    if (end === 'OUT_OF_MEMORY') {
      out.push({ kind: 'out_of_memory', summary: `job ${input.endState?.jobId} ran out of memory`, evidence: [...ev, { file: 'slurm', text: `job ${input.endState?.jobId} ended OUT_OF_MEMORY` }], retryable: false, details: { end_state: end } });
    } else if (!out.some((d) => d.kind === 'budget_exhausted')) {
      const retryable = end === undefined || RETRYABLE_END.has(end) || end === 'CANCELLED' || end === 'FAILED' || end === 'COMPLETED';
      if (end) ev.push({ file: 'slurm', text: `job ${input.endState?.jobId} ended ${end}` });
      out.push({ kind: 'job_died', summary: `no job in the queue and the session never completed${end ? ` (job ended ${end})` : ''}`, evidence: ev, retryable, details: { end_state: end ?? null, retryable_end_state: end ? RETRYABLE_END.has(end) : null } });
    }
  }

  if (input.attempts >= input.maxAttempts && !out.some((d) => d.kind === 'budget_exhausted') && (out.length > 0 || inProgress)) {
    out.push({ kind: 'budget_exhausted', summary: `${input.attempts} recovery attempts recorded (budget ${input.maxAttempts})`, evidence: [{ file: 'audit', text: `${input.attempts} recover.* rows for ${input.issueId}` }], retryable: false, details: { attempts: input.attempts, max_attempts: input.maxAttempts, ours: true } });
  }
  if (active) notes.push(`job ${active.jobId} is ${active.state}: the issue is being worked on`);
  if (session?.completed && session.resolved) notes.push(`session resolved at ${session.completedAt ?? '?'}`);
  const status = out.length > 0 ? 'diagnosed' : unknown || (!input.log && input.logError && !input.queue.ok) ? 'unknown' : 'ok';
  return {
    issueId: input.issueId,
    status,
    diagnoses: out,
    activeJob: active ? { jobId: active.jobId, state: active.state } : null,
    notes,
    matches: matches.map((m) => ({ kind: m.kind, fired: m.fired, count: m.count, staleCount: m.staleCount })),
  };
}

/** Most specific first: what `recover` acts on. */
export function primaryDiagnosis(r: DiagnoseResult): Diagnosis | null {
  const order: DiagnosisKind[] = ['budget_exhausted', 'out_of_memory', 'dependency_never_satisfied', 'cloud_escalation_failed', 'context_overflow', 'output_parse_failure', 'stuck_wrong_branch', 'stuck_text_mode', 'stuck_loop', 'job_died'];
  for (const k of order) {
    const d = r.diagnoses.find((x) => x.kind === k);
    if (d) return d;
  }
  return null;
}
