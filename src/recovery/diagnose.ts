// Diagnosis of one issue, as a pure function over what was gathered: the job log's
// records (matched against the profile's signature catalogue), the per-issue state
// (resume file, session log), the queue, the job's end state, the worktree's git state
// and our own recovery attempts. Each diagnosis carries evidence (file, line, text).
// Seed 001 §3's decision tree, with the real orchestrator's strings. Pure: no I/O.
import type { LogRecord } from './log-records.js';
import { countWriteToolCalls, findJobEndNotices, findSessionEnds, findSessionStarts, findTimeoutWarnings, matchSignatures, type JobEndNotice, type KindMatch } from './signature-match.js';
import type { SignatureCatalogue } from '../config/signatures.js';
import type { SessionLogSummary } from '../issues/session-parse.js';
import type { ProbeResult } from '../core/probe.js';
import type { RunFinding } from './run-summary-diagnose.js';
import type { StaleClaimVerdict } from './stale-claim.js';

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
  // The python worker's run summary (FORMATS.md §5.2) and its tracker claims.
  'verifier_failed',
  'merge_failed',
  'worktree_failed',
  'worker_crash',
  'stale_claim',
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
  /**
   * How the job ended, machine-readable (set by diagnose on every diagnosis): SLURM's
   * state name (TIMEOUT, NODE_FAIL, PREEMPTED, OUT_OF_MEMORY, CANCELLED, REQUEUED, FAILED,
   * …) from sacct or slurmstepd's notice, 'unknown' for a job that died without a word,
   * null for the log-based kinds (the job's end is not what they are about).
   */
  cause?: string | null;
  /** The node a NODE_FAIL (or any notice) named. */
  node?: string;
  /** false: reported, but not an incident (a plain scancel, a requeue). Default true. */
  incident?: boolean;
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
  log?: DiagnoseLog | null;
  logError?: string;
  /** The job whose log this is (a SLURM notice naming another job is a quote). */
  jobId?: string | null;
  resume: { status: string; path?: string; error?: string };
  session: { status: string; path?: string; value?: SessionLogSummary; error?: string };
  queue: QueueView;
  /** The job's final SLURM state when known (squeue still remembering it, or sacct). */
  endState?: { jobId: string; state: string; source?: 'squeue' | 'sacct' } | null;
  worktree?: { path: string; exists: boolean; branch: string | null; diffStatEmpty: boolean | null; expectedBranch: string; error?: string } | null;
  attempts: number;
  maxAttempts: number;
  /**
   * The cloud proxy probes taken by the runner because cloud_escalation_failed fired
   * (one per configured openai-proxy service). undefined: not probed (yet); []: no
   * openai-proxy service is configured, so the failure cannot be confirmed.
   */
  cloudProbes?: readonly CloudProbeInput[];
  /** The issue's run-summary rows (python worker), read and judged by run-summary-diagnose.ts. */
  runs?: { findings: readonly RunFinding[]; count: number; notes: readonly string[] } | null;
  /** The tracker's claim on the issue against what runs (python worker: a failed run never reopens). */
  staleClaim?: { verdict: StaleClaimVerdict; evidence: Evidence[] } | null;
}

/** The job log's window as read (job-log.ts); the optional fields say what was left out. */
export interface DiagnoseLog {
  path: string;
  records: readonly LogRecord[];
  /** Bytes of the whole file. */
  size?: number;
  /** Something before the window was not read. */
  truncated?: boolean;
  /** Line number of the window's first line. */
  startLine?: number;
  /** Bytes read (the window). */
  windowBytes?: number;
  /** The window is not text (NUL bytes, control characters): nothing was matched. */
  binary?: boolean;
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
  /** What could not be read or matched, one line each (why the status may be 'unknown'). */
  not_read: string[];
  matches: Array<Pick<KindMatch, 'kind' | 'fired' | 'count' | 'staleCount'>>;
}

const RETRYABLE_END = new Set(['NODE_FAIL', 'PREEMPTED', 'TIMEOUT', 'BOOT_FAIL', 'REQUEUED']);
/** Ends that are reported but are not incidents: the operator (or SLURM, to run it again) did it. */
const NOT_INCIDENT_END = new Set(['CANCELLED', 'REQUEUED']);

const REMEDY: Record<string, string> = {
  TIMEOUT: 'retryable: resubmit with the same or a longer time limit (sbatch --time)',
  NODE_FAIL: 'retryable elsewhere: resubmit away from that node (sbatch --exclude=NODE)',
  PREEMPTED: 'retryable: resubmit (a higher-priority job took the node)',
  REQUEUED: 'SLURM requeued it: it runs again by itself',
  CANCELLED: 'cancelled (scancel): not an incident; `swarmctl recover` resubmits it if you want',
  OUT_OF_MEMORY: 'not retryable as is: resubmit with more memory (sbatch --mem) or a smaller task (proposed, never applied blindly)',
  unknown: 'the log ends without the session completing and without a SLURM notice: look at slurmd on the node, then resubmit',
};

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

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : `${n} bytes`;
}

export function diagnose(input: DiagnoseInput): DiagnoseResult {
  const notes: string[] = [];
  const notRead: string[] = [];
  const out: Diagnosis[] = [];
  const active = input.queue.jobs.find((j) => j.active) ?? null;
  const session = input.session.value;
  const resolvedAt = session?.completed && session.resolved ? session.completedAt : undefined;
  let matches: KindMatch[] = [];
  let unknown = false;
  // The log was read and its session never ended by itself (no end marker after its start).
  let logUnfinished = false;
  let notices: JobEndNotice[] = [];
  let warnings: Evidence[] = [];
  const logPath = input.log?.path ?? '';

  if (input.log && input.log.binary) {
    notRead.push(`${logPath} is not text (NUL bytes / control characters in the last ${mib(input.log.windowBytes ?? 0)}): nothing matched`);
  } else if (input.log && input.log.records.length === 0) {
    notRead.push(`${logPath} is empty${input.log.size ? ` (${input.log.size} bytes of blank lines)` : ''}: nothing to match`);
  } else if (input.log) {
    const { path, records } = input.log;
    const starts = findSessionStarts(records, input.catalogue);
    const mine = starts.filter((s) => s.issueId === input.issueId);
    const from = (mine[mine.length - 1] ?? starts[starts.length - 1])?.line;
    if (starts.length > 0 && mine.length === 0) notes.push(`${path} has no session start for ${input.issueId}; matched the whole window`);
    if (input.log.truncated && mine.length === 0) {
      const first = input.log.startLine ?? 1;
      notRead.push(
        `only the last ${mib(input.log.windowBytes ?? 0)} of ${path} (${mib(input.log.size ?? 0)}) were read, from line ${first}; the session start of ${input.issueId} is not in them, so lines 1–${first - 1} (where a failure may be) were not read`,
      );
    }
    // The script's echo lines before the first session belong to the whole job.
    const preamble = starts[0]?.line;
    const opts = { ...(from !== undefined ? { fromLine: from } : {}), ...(preamble !== undefined ? { preambleBefore: preamble } : {}), ...(resolvedAt ? { resolvedAt } : {}) };
    matches = matchSignatures(records, input.catalogue, opts);
    notices = findJobEndNotices(records, input.catalogue, input.jobId ? { jobId: input.jobId } : {});
    warnings = findTimeoutWarnings(records, input.catalogue).map((w) => ({ file: path, line: w.line, text: w.text }));
    logUnfinished = findSessionEnds(records, input.catalogue, from !== undefined ? { fromLine: from } : {}).length === 0;
    for (const m of matches) {
      if (!m.fired) {
        if (m.ruledOutBy) notes.push(`${m.kind}: earlier occurrences ruled out by line ${m.ruledOutBy.line} (${m.ruledOutBy.reason})`);
        continue;
      }
      const ev = evidenceOf(path, m);
      if (m.kind === 'stuck_loop') {
        const w = countWriteToolCalls(records, input.catalogue, from !== undefined ? { fromLine: from } : {});
        const details: Record<string, unknown> = { groups: m.groups, writes: w.writes, tool_calls: w.toolCalls, consecutive_no_change: capNum(m, 'consecutive') ?? capNum(m, 'n') };
        if (input.catalogue.signals.write_tool_calls.length === 0) {
          // An orchestrator that logs no tool calls (the python worker): no text-mode / wrong-branch split.
          out.push({ kind: 'stuck_loop', summary: 'the worker changed nothing', evidence: ev, retryable: true, details: { groups: m.groups } });
        } else if (w.writes === 0) {
          out.push({
            kind: 'stuck_text_mode',
            summary: `stuck loop with no successful write_file/edit_file call (${w.toolCalls} tool calls): the model answers in text`,
            evidence: ev,
            retryable: true,
            details,
          });
        } else {
          const wt = input.worktree;
          const writeEv = w.evidence.slice(-2).map((e) => ({ file: path, line: e.line, text: e.text }));
          if (wt && wt.exists && (wt.diffStatEmpty === true || (wt.branch !== null && wt.branch !== wt.expectedBranch))) {
            const why = wt.branch !== wt.expectedBranch ? `the worktree is on ${wt.branch ?? '(detached)'}, not ${wt.expectedBranch}` : '`git diff --stat` is empty';
            out.push({
              kind: 'stuck_wrong_branch',
              summary: `stuck loop although ${w.writes} writes succeeded: ${why}`,
              evidence: [...ev, ...writeEv, { file: wt.path, text: why }],
              retryable: true,
              details: { ...details, branch: wt.branch, diff_stat_empty: wt.diffStatEmpty },
            });
          } else {
            const unchecked = !wt || !wt.exists || wt.error !== undefined;
            if (unchecked)
              notes.push(
                `stuck loop with writes, but the worktree ${wt?.path ?? ''} ${wt?.error !== undefined ? `was not checked (${wt.error})` : 'is gone or was not checked'}: cannot split text mode / wrong branch`,
              );
            out.push({
              kind: 'stuck_loop',
              summary: unchecked
                ? `stuck loop with ${w.writes} successful writes (the worktree was not checked)`
                : `stuck loop with ${w.writes} successful writes and a changed worktree on the right branch`,
              evidence: [...ev, ...writeEv],
              retryable: true,
              details,
            });
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
        const codes = [
          ...new Set(
            m.evidence
              .map((e) => e.captures['http'])
              .filter((v): v is string => v !== undefined && /^\d+$/.test(v))
              .map(Number),
          ),
        ];
        if (codes.length) details['log_http_statuses'] = codes;
      }
      if (kind === 'context_overflow') {
        details['request_tokens'] = capNum(m, 'requested');
        details['context_tokens'] = capNum(m, 'available');
      }
      const summary =
        {
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
    // The python worker's run summary is its primary record: without a log it still tells.
    if (input.runs && input.runs.count > 0) notes.push(`job log not read: ${input.logError}`);
    else notRead.push(`job log not read: ${input.logError}`);
  }

  // The run summary: each finding joins the log's diagnosis of its kind, or stands alone.
  for (const f of input.runs?.findings ?? []) {
    const ev: Evidence = { file: f.path ?? 'run summary', line: f.line, text: f.text };
    const same = out.find((d) => d.kind === f.kind || (f.kind === 'stuck_loop' && d.kind.startsWith('stuck_')));
    if (same) same.evidence.push(ev);
    else out.push({ kind: f.kind, summary: f.summary, evidence: [ev], retryable: f.retryable, details: { ...f.details, from: 'run summary' } });
  }
  for (const n of input.runs?.notes ?? []) notes.push(n);
  const claim = input.staleClaim;
  if (claim?.verdict.stale === true) {
    out.push({ kind: 'stale_claim', summary: `the tracker still has the issue ${claim.verdict.reason}: reopen it`, evidence: claim.evidence, retryable: true, details: {} });
  } else if (claim?.verdict.stale === 'unknown') notes.push(`stale claim not checked: ${claim.verdict.reason}`);

  // Dead jobs: something says the issue was in progress, the queue has nothing for it,
  // and the session never completed.
  const pending = input.queue.jobs.find((j) => j.state === 'PENDING' && /DependencyNeverSatisfied/.test(j.reason ?? ''));
  if (pending) {
    out.push({
      kind: 'dependency_never_satisfied',
      summary: `job ${pending.jobId} is PENDING on a dependency that can never be satisfied`,
      evidence: [{ file: 'squeue', text: `${pending.jobId} PENDING (${pending.reason ?? ''})` }],
      retryable: true,
      details: { job_id: pending.jobId },
    });
  }
  const stateInProgress = input.resume.status === 'ok' || (input.session.status === 'ok' && session !== undefined && !session.completed);
  const inProgress = stateInProgress || logUnfinished;
  // slurmstepd's notices: the last kill, and any oom-kill report.
  const kill = [...notices].reverse().find((n) => n.cause !== 'OUT_OF_MEMORY');
  const oom = [...notices].reverse().find((n) => n.cause === 'OUT_OF_MEMORY');
  const sacctEnd = input.endState?.state?.toUpperCase();
  const jobRef = input.endState?.jobId ?? input.jobId ?? kill?.jobId ?? oom?.jobId ?? '?';
  // A kill notice says the job is over even when the queue cannot be read (a requeue does not).
  const endedByNotice = (kill !== undefined && kill.cause !== 'REQUEUED') || oom !== undefined;
  const dead = input.queue.ok ? !active : endedByNotice;
  if (!input.queue.ok) {
    notes.push(`queue not read: ${input.queue.error ?? 'unknown error'}`);
    if (inProgress && !endedByNotice) {
      unknown = true;
      notRead.push(`the queue (${input.queue.error ?? 'unknown error'}): whether job ${jobRef} still runs is not known`);
    }
  }
  const resolvedSession = session?.completed === true && session.resolved === true;
  if (dead && (inProgress || notices.length > 0 || sacctEnd === 'OUT_OF_MEMORY') && !(resolvedSession && !stateInProgress)) {
    const ev: Evidence[] = [];
    if (input.resume.status === 'ok') ev.push({ file: input.resume.path ?? '.swarm-resume.json', text: 'resume file present' });
    if (session && !session.completed) {
      const last = session.events[session.events.length - 1];
      ev.push({
        file: input.session.path ?? 'session.jsonl',
        ...(last ? { line: last.line } : {}),
        text: `session not completed; last state ${session.state ?? '?'}${last?.timestamp ? ` at ${last.timestamp}` : ''}`,
      });
    }
    const noticeEv = (n: JobEndNotice): Evidence => ({ file: logPath, line: n.line, text: n.text });
    const endSource = input.endState?.source ?? 'sacct';
    const slurmEv: Evidence[] = sacctEnd ? [{ file: endSource, text: `job ${jobRef} ended ${sacctEnd}` }] : [];
    const detailsOf = (cause: string, n?: JobEndNotice): Record<string, unknown> => ({
      end_state: sacctEnd ?? null,
      end_state_from: sacctEnd ? endSource : n ? 'slurmstepd notice' : null,
      cause,
      ...(n?.node ? { node: n.node } : {}),
      ...(n?.time ? { ended_at: n.time } : {}),
      ...(n ? { notice: n.id } : {}),
      remedy: (REMEDY[cause] ?? 'resubmit').replace('NODE', n?.node ?? 'NODE'),
      retryable_end_state: RETRYABLE_END.has(cause) ? true : cause === 'unknown' ? null : false,
    });
    const oomReported = sacctEnd === 'OUT_OF_MEMORY' || (oom !== undefined && (!sacctEnd || sacctEnd === 'FAILED'));
    if (oomReported) {
      const count = oom?.captures['count'];
      out.push({
        kind: 'out_of_memory',
        summary: `job ${jobRef} ran out of memory${count ? ` (${count} oom-kill event${count === '1' ? '' : 's'})` : ''}: resubmit with more memory (sbatch --mem) or a smaller task`,
        evidence: [...ev, ...(oom ? [noticeEv(oom)] : []), ...slurmEv],
        retryable: false,
        details: { ...detailsOf('OUT_OF_MEMORY', oom), ...(count ? { oom_kill_events: Number(count) } : {}) },
        cause: 'OUT_OF_MEMORY',
        incident: true,
      });
    }
    const killCause = sacctEnd && sacctEnd !== 'OUT_OF_MEMORY' ? sacctEnd : kill?.cause;
    const budgetFired = out.some((d) => d.kind === 'budget_exhausted');
    if (killCause !== undefined && !(sacctEnd === 'FAILED' && oom && !kill)) {
      const n = kill;
      const cause = killCause.split(/\s+/)[0] as string;
      const incident = !NOT_INCIDENT_END.has(cause);
      const where = n?.node ? ` on ${n.node}` : '';
      const when = n?.time ? ` at ${n.time}` : '';
      const what: Record<string, string> = {
        TIMEOUT: `job ${jobRef} was killed at its time limit${where}${when}`,
        NODE_FAIL: `job ${jobRef} died with its node${n?.node ? ` ${n.node}` : ''}${when} (node failure): retry elsewhere`,
        PREEMPTED: `job ${jobRef} was preempted${where}${when}`,
        CANCELLED: `job ${jobRef} was cancelled${where}${when} (scancel): not an incident`,
        REQUEUED: `job ${jobRef} was requeued${where}${when}`,
        FAILED: `job ${jobRef} failed${where}`,
      };
      const tw = cause === 'TIMEOUT' ? warnings.slice(-1) : [];
      out.push({
        kind: 'job_died',
        summary: what[cause] ?? `job ${jobRef} ended ${cause}${inProgress ? ' and the session never completed' : ''}`,
        evidence: [...ev, ...tw, ...(n ? [noticeEv(n)] : []), ...slurmEv],
        retryable: cause !== 'OUT_OF_MEMORY',
        details: detailsOf(cause, n),
        cause,
        ...(n?.node ? { node: n.node } : {}),
        incident,
      });
    } else if (killCause === undefined && !oomReported && inProgress && !budgetFired && (stateInProgress || out.length === 0)) {
      // (a log that stops right after a diagnosed failure is explained by it: no extra job_died)
      if (logUnfinished && input.log && !input.log.binary && input.log.records.length > 0) {
        const last = input.log.records[input.log.records.length - 1];
        if (last) ev.push({ file: logPath, line: last.endLine, text: `the log ends here without the session completing and without a SLURM notice` });
      }
      out.push({
        kind: 'job_died',
        summary: `job ${jobRef} is gone from the queue and the session never completed; no end state (no accounting, no SLURM notice in the log)`,
        evidence: ev,
        retryable: true,
        details: detailsOf('unknown'),
        cause: 'unknown',
        incident: true,
      });
    }
  }

  if (input.attempts >= input.maxAttempts && !out.some((d) => d.kind === 'budget_exhausted') && (out.length > 0 || inProgress)) {
    out.push({
      kind: 'budget_exhausted',
      summary: `${input.attempts} recovery attempts recorded (budget ${input.maxAttempts})`,
      evidence: [{ file: 'audit', text: `${input.attempts} recover.* rows for ${input.issueId}` }],
      retryable: false,
      details: { attempts: input.attempts, max_attempts: input.maxAttempts, ours: true },
    });
  }
  for (const d of out) {
    if (d.cause === undefined) d.cause = null;
    if (d.incident === undefined) d.incident = true;
  }
  if (active) notes.push(`job ${active.jobId} is ${active.state}: the issue is being worked on`);
  if (resolvedSession) notes.push(`session resolved at ${session?.completedAt ?? '?'}`);
  // Nothing read that could show a failure, and nothing running that explains it: cannot tell.
  const activeExplains = active !== null && notRead.every((r) => r.startsWith('job log not read') || / is empty/.test(r));
  if (notRead.length > 0 && !activeExplains) unknown = true;
  for (const r of notRead) notes.push(r.startsWith('job log not read') ? r : `not read: ${r}`);
  const incidents = out.filter((d) => d.incident !== false);
  const status = incidents.length > 0 ? 'diagnosed' : unknown ? 'unknown' : 'ok';
  return {
    issueId: input.issueId,
    status,
    diagnoses: out,
    activeJob: active ? { jobId: active.jobId, state: active.state } : null,
    notes,
    not_read: notRead,
    matches: matches.map((m) => ({ kind: m.kind, fired: m.fired, count: m.count, staleCount: m.staleCount })),
  };
}

/** Most specific first: what `recover` acts on. */
export function primaryDiagnosis(r: DiagnoseResult): Diagnosis | null {
  const order: DiagnosisKind[] = [
    'budget_exhausted',
    'out_of_memory',
    'dependency_never_satisfied',
    'cloud_escalation_failed',
    'context_overflow',
    'output_parse_failure',
    'worktree_failed',
    'merge_failed',
    'verifier_failed',
    'stuck_wrong_branch',
    'stuck_text_mode',
    'stuck_loop',
    'worker_crash',
    'job_died',
    'stale_claim',
  ];
  for (const k of order) {
    const d = r.diagnoses.find((x) => x.kind === k);
    if (d) return d;
  }
  return null;
}
