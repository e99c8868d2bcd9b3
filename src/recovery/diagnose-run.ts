// Gathers what `diagnose` needs for one issue and runs it: the per-issue state files,
// the issue's jobs from the queue (squeue by job name, all states), the job log's tail
// window, the worktree's branch and `git diff --stat` (git via argv, never a shell),
// the job's end state (sacct, when accounting exists) and our recovery attempts from
// the audit table. Everything that cannot be read becomes a note, never a crash.
// When the log shows a cloud escalation failure, every configured openai-proxy
// service is probed NOW (src/probes/proxy.ts: is the key rejected? quota? down?) and
// the verdicts are handed to the pure diagnosis. A worktree that resolves (through a
// symlink) outside the worktrees root is not handed to git.
import { existsSync } from 'node:fs';
import type { ResolvedConfig } from '../config/resolve.js';
import { renderTemplate, type SwarmProfile } from '../config/profile.js';
import { otherHostsAttempts } from '../journal/journal.js';
import type { Store } from '../store/db.js';
import { countAudit } from '../store/audit.js';
import { findJob, newestSlurmJobId } from '../store/jobs.js';
import { runLocal } from '../io/run.js';
import { diagnose, type CloudProbeInput, type Evidence, type DiagnoseInput, type DiagnoseLog, type DiagnoseResult, type QueueView } from './diagnose.js';
import { realPathUnder } from '../io/archive.js';
import { readIssueState } from '../issues/state.js';
import { readJobLogTail } from './job-log.js';
import { readSshJobs } from '../slurm/queue.js';
import { runSlurm } from '../slurm/run.js';
import { issueQueue } from './issue-queue.js';
import { issueRuns, type IssueRuns } from './issue-runs.js';
import { diagnoseRuns } from './run-summary-diagnose.js';
import { readCommandLog } from './job-log-command.js';
import { decideStaleClaim, runEndMs, trackerIssueFromJson } from './stale-claim.js';

export const ATTEMPT_ACTION = 'recover.attempt';

/** Journal evidence by cursor: `journal:<cursor>` (FORMATS.md) in place of the source and a kept-entry number. */
export function byCursor(evidence: Evidence[], source: string, cursors: readonly string[]): Evidence[] {
  return evidence.map((e) => {
    const c = e.file === source && e.line !== undefined ? cursors[e.line - 1] : undefined;
    return c === undefined ? e : { file: `journal:${c}`, text: e.text };
  });
}

/** Recovery attempts recorded for the issue (one `recover.attempt` row per applied plan). */
export function recoveryAttempts(store: Store | null, issue: string): number {
  if (!store) return 0;
  return countAudit(store, issue, ATTEMPT_ACTION, ['ok', 'failed']);
}

/** SLURM's view plus the issue's direct-SSH jobs (a job started with --via ssh blocks a resubmit too). */
async function issueQueueWithSsh(cfg: ResolvedConfig, profile: SwarmProfile, store: Store | null, issue: string, timeoutMs?: number, started?: Promise<QueueView>): Promise<QueueView> {
  const [q, ssh] = await Promise.all([started ?? issueQueue(cfg, profile, issue, timeoutMs), store ? readSshJobs(cfg, store, issue) : Promise.resolve({ jobs: [], errors: [] })]);
  const sshJobs = ssh.jobs.map((j) => ({ jobId: j.jobId, state: j.state, active: j.active, reason: j.reason }));
  return { ...q, jobs: [...q.jobs, ...sshJobs], ...(ssh.errors.length ? { error: [q.error, ...ssh.errors].filter(Boolean).join('; ') } : {}) };
}

async function sacctState(cfg: ResolvedConfig, jobId: string, timeoutMs?: number): Promise<string | null> {
  if (!/^\d+$/.test(jobId)) return null;
  const r = await runSlurm(cfg, ['sacct', '-j', jobId, '-n', '-X', '-P', '-o', 'State'], timeoutMs !== undefined ? { timeoutMs } : {});
  if (!r.ok) return null;
  const s = r.stdout.trim().split('\n')[0]?.trim().split(/\s+/)[0];
  return s ? s.toUpperCase() : null;
}

async function git(args: string[], timeoutMs = 10_000): Promise<{ ok: boolean; out: string; err: string }> {
  const r = await runLocal({ argv: ['git', ...args], timeoutMs });
  return { ok: r.ok, out: r.stdout, err: r.spawnError ?? r.stderr.trim() };
}

export interface WorktreeState {
  path: string;
  exists: boolean;
  branch: string | null;
  diffStatEmpty: boolean | null;
  expectedBranch: string;
  error?: string;
}

export async function worktreeState(path: string, expectedBranch: string): Promise<WorktreeState> {
  const out: WorktreeState = { path, exists: existsSync(path), branch: null, diffStatEmpty: null, expectedBranch };
  if (!out.exists) return out;
  const b = await git(['-C', path, 'symbolic-ref', '--quiet', '--short', 'HEAD']);
  out.branch = b.ok ? b.out.trim() : null;
  const d = await git(['-C', path, 'diff', '--stat']);
  if (d.ok) out.diffStatEmpty = d.out.trim() === '';
  else out.error = d.err;
  return out;
}

export interface DiagnoseOptions {
  jobId?: string;
  logWindowBytes?: number;
  /** Tests: a queue view instead of squeue. */
  queue?: QueueView;
  /** squeue already started by the caller (issue-queue.ts), before it opened the store: a faster `diagnose`. */
  slurmQueue?: Promise<QueueView>;
  /** The run-summary scan already started by the caller (issue-runs.ts), likewise. */
  summaryRuns?: Promise<IssueRuns>;
  /** Probe the openai-proxy services when a cloud failure is diagnosed (default true). */
  cloudProbe?: boolean;
  /** The job `jobId` is ending (the in-job failure hook): read as gone from the queue, no SLURM end state yet. */
  ending?: boolean;
}

/**
 * Probes every openai-proxy service of the config now, in parallel, each within its
 * own timeout. The key is read from api_key_file by the probe at the moment of use and
 * only travels in a header; results are scrubbed of it by the classifier.
 */
export async function probeCloudProxies(cfg: ResolvedConfig): Promise<CloudProbeInput[]> {
  const proxies = Object.values(cfg.services).filter((s) => s.kind === 'openai-proxy');
  if (proxies.length === 0) return [];
  const [{ probeProxy }, { serviceTimeoutMs }] = await Promise.all([import('../probes/proxy.js'), import('../probes/context.js')]);
  return Promise.all(
    proxies.map(async (svc) => {
      try {
        return { service: svc.name, result: await probeProxy(svc, { timeoutMs: serviceTimeoutMs(svc, cfg), cfg }) };
      } catch (e) {
        return { service: svc.name, result: { status: 'unknown' as const, reason: `probe failed: ${(e as Error).name}`, latencyMs: null } };
      }
    }),
  );
}

/** `bd show ID --json` through the configured tracker; null when there is none or it fails. */
async function trackerShow(cfg: ResolvedConfig, profile: SwarmProfile, issue: string): Promise<{ stdout: string; argv: string[] } | null> {
  if (!cfg.swarm.tracker) return null;
  const argv = profile.tracker.show.map((w) => w.replaceAll('{issue}', issue));
  if (argv[0] === 'bd') argv[0] = cfg.swarm.tracker.command;
  const r = await runLocal({ argv, timeoutMs: cfg.slurm.command_timeout_s * 1000 });
  return r.ok ? { stdout: r.stdout, argv } : null;
}

export async function runDiagnose(
  cfg: ResolvedConfig,
  profile: SwarmProfile,
  store: Store | null,
  issue: string,
  opts: DiagnoseOptions = {},
): Promise<DiagnoseResult & { jobId: string | null; logPath: string | null }> {
  // One budget for all SLURM questions: squeue and sacct run side by side, so an unusable
  // SLURM costs one command timeout, not one per command.
  const budgetMs = cfg.slurm.command_timeout_s * 1000;
  const deadline = Date.now() + budgetMs;
  // The job we can name before asking the queue (--job, else our jobs table): its sacct
  // state is asked at the same time as squeue.
  let knownJob = opts.jobId ?? null;
  if (!knownJob && store) {
    knownJob = newestSlurmJobId(store, issue);
  }
  // A queue in hand that shows the job active (the console's) needs no end state: no sacct spawn.
  const activeInQueue = opts.queue?.jobs.some((j) => j.jobId === knownJob && j.active) ?? false;
  const early = knownJob && !opts.ending && !activeInQueue ? sacctState(cfg, knownJob, budgetMs) : Promise.resolve(null);
  // The python worker's run summary and tracker claim are read while SLURM answers (the summary can be 100s of MB).
  // squeue is started first: the summary scan keeps this thread busy.
  const queueRead = opts.queue ? Promise.resolve(opts.queue) : issueQueueWithSsh(cfg, profile, store, issue, budgetMs, opts.slurmQueue);
  const summaryRead = profile.paths.run_summary.length > 0 ? Promise.all([opts.summaryRuns ?? issueRuns(cfg, profile, issue), trackerShow(cfg, profile, issue)]) : null;
  const [state, queueNow, earlySacct] = await Promise.all([readIssueState(cfg, profile, issue), queueRead, early]);
  const queue = opts.ending && opts.jobId ? { ...queueNow, jobs: queueNow.jobs.filter((j) => j.jobId !== opts.jobId) } : queueNow;
  // Which job's log: --job, else the newest job the queue or our jobs table knows.
  let jobId = opts.jobId ?? null;
  if (!jobId) {
    const newest = [...queue.jobs].sort((a, b) => Number.parseInt(b.jobId, 10) - Number.parseInt(a.jobId, 10))[0];
    jobId = newest?.jobId ?? knownJob;
  }
  let log: DiagnoseLog | null = null;
  let logError: string | undefined;
  let logPath: string | null = null;
  if (jobId) {
    // A direct-SSH job's log is named at its start (swarm-ssh-<issue>-<ts>.log) and kept in the jobs table.
    const sshLog = jobId.startsWith('ssh:') && store ? findJob(store, 'ssh', jobId)?.log_path : null;
    const rendered = sshLog ? { ok: true as const, value: sshLog } : renderTemplate(profile.paths.job_log, { logs: cfg.paths.logs_dir, jobid: jobId });
    // Lexically and really (symlinks followed) under the logs dir: a job log that is a
    // symlink out of it is not read.
    const safe = rendered.ok ? await realPathUnder(cfg.paths.logs_dir, rendered.value) : { ok: false as const, reason: rendered.error };
    if (!safe.ok) logError = `refused: ${safe.reason}; nothing read`;
    else {
      logPath = safe.path;
      try {
        const t = await readJobLogTail(safe.path, opts.logWindowBytes);
        log = { path: safe.path, records: t.records, size: t.size, truncated: t.truncated, startLine: t.startLine, windowBytes: t.windowBytes, binary: t.binary };
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        logError = err.code === 'ENOENT' ? `${safe.path} does not exist (job ${jobId} wrote no log here)` : `${safe.path}: ${err.message}`;
      }
    }
  } else logError = 'no job id known for this issue (pass --job JOBID)';
  // An orchestrator whose log is a command's output (the dogfood loop's journal) when no log file was read.
  let cursors: string[] | undefined;
  if (!log && profile.job_log_command) {
    const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const c = await readCommandLog(cfg, profile.job_log_command, { issue, since });
    if (c.ok && c.records.length === 0) logError = `${logError ?? ''}${logError ? '; ' : ''}${c.source}: no line names ${issue}`;
    else if (c.ok) {
      log = { path: c.source, records: c.records };
      cursors = c.cursors;
      logPath = c.source;
      logError = undefined;
    } else logError = `${logError ?? ''}${logError ? '; ' : ''}${c.source}: ${c.error ?? 'failed'}`;
  }
  const endJob = queue.jobs.find((j) => j.jobId === jobId && !j.active);
  let endState: DiagnoseInput['endState'] = endJob ? { jobId: endJob.jobId, state: endJob.state, source: 'squeue' } : null;
  if (!endState && jobId && !queue.jobs.some((j) => j.jobId === jobId && j.active)) {
    let s = jobId === knownJob ? earlySacct : null;
    if (jobId !== knownJob) {
      // A job only the queue named: ask sacct within what is left of the budget.
      const left = deadline - Date.now();
      if (left >= 500) s = await sacctState(cfg, jobId, left);
    }
    if (s) endState = { jobId, state: s, source: 'sacct' };
  }
  const wtPath = state.worktree.path;
  const expectedBranch = profile.branch_template.replaceAll('{issue}', issue);
  let wt: WorktreeState | null = null;
  let wtRefusal: string | undefined;
  // A run-host worktree is on another machine: this one's folder of that name says nothing (recover checks it there, over SSH).
  if (wtPath && profile.worktrees.location === 'shared') {
    // readIssueState checked its real path (symlinks followed) against its root.
    const refusal = state.worktree.error;
    if (refusal === undefined) wt = await worktreeState(wtPath, expectedBranch);
    else {
      wtRefusal = refusal.replace(/^refused: /, '');
      wt = { path: wtPath, exists: existsSync(wtPath), branch: null, diffStatEmpty: null, expectedBranch, error: refusal };
    }
  }
  // The python worker's run summary, and its claim on the issue in the tracker.
  let runs: DiagnoseInput['runs'] = null;
  let staleClaim: DiagnoseInput['staleClaim'] = null;
  if (summaryRead) {
    const [r, shown] = await summaryRead;
    runs = { findings: diagnoseRuns(r.runs), count: r.runs.length, notes: r.notes };
    if (shown) {
      const tracker = trackerIssueFromJson(shown.stdout);
      const last = r.runs[r.runs.length - 1]?.row;
      const verdict = decideStaleClaim({
        tracker,
        live: queue.ok ? queue.jobs.some((j) => j.active) : 'unknown',
        lastRunEndMs: last ? runEndMs(last.startedAt, last.wallS) : null,
        nowMs: Date.now(),
        thresholdS: profile.silent_worker_s ?? cfg.thresholds.stale_worker_s,
      });
      staleClaim = { verdict, evidence: [{ file: `tracker:${shown.argv.join(' ')}`, text: `status ${tracker?.status ?? '?'}${tracker?.assignee ? `, assignee ${tracker.assignee}` : ''}` }] };
    }
  }
  const input: DiagnoseInput = {
    issueId: issue,
    catalogue: profile.catalogue,
    log,
    jobId,
    ...(logError !== undefined ? { logError } : {}),
    resume: { status: state.resume.status, ...(state.resume.path ? { path: state.resume.path } : {}) },
    session: { status: state.session.status, ...(state.session.path ? { path: state.session.path } : {}), ...(state.session.value ? { value: state.session.value } : {}) },
    queue: { ...queue, jobs: queue.jobs.filter((j) => j.active || j.jobId === jobId) },
    endState,
    worktree: wt,
    // The budget is cluster-wide: other hosts' attempts come from their journal files on the share.
    attempts: recoveryAttempts(store, issue) + otherHostsAttempts(cfg.paths.shared_root, issue),
    maxAttempts: cfg.recovery.max_attempts,
    runs,
    staleClaim,
  };
  let result = diagnose(input);
  // Confirm a cloud failure with the proxy as it is now; the diagnosis stays pure (the
  // probe results are passed in).
  if (opts.cloudProbe !== false && result.diagnoses.some((d) => d.kind === 'cloud_escalation_failed')) {
    result = diagnose({ ...input, cloudProbes: await probeCloudProxies(cfg) });
  }
  if (cursors && logPath) result = { ...result, diagnoses: result.diagnoses.map((d) => ({ ...d, evidence: byCursor(d.evidence, logPath, cursors) })) };
  if (wtRefusal) result.notes.push(`worktree not checked with git: ${wtRefusal}`);
  if (state.resume.status === 'corrupt') result.notes.push(`resume file ${state.resume.path} is corrupt: ${state.resume.error}`);
  if (state.session.status === 'corrupt' || (state.session.value?.badLines ?? 0) > 0) result.notes.push(`session log ${state.session.path}: ${state.session.value?.badLines ?? 0} bad lines`);
  return { ...result, jobId, logPath };
}
