// The real backends behind the console's sources and actions. They adapt the
// probe and batch layers to the console's rows. Rules kept here:
//   - ONE squeue per queue interval: endpoints and issues join against the
//     jobs of the last queue load; nothing here runs squeue a second time;
//   - a shared folder that the NFS probe says is down is not read (a hung NFS
//     read pins a libuv thread for good): those sources fail with a reason and
//     the monitor keeps their last data, marked stale.
import type { ResolvedConfig } from '../config/resolve.js';
import { dataVersion, type Store } from '../store/db.js';
import { stat, readdir } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { AlertRow, EndpointRow, IssueDiagnosis, IssueRow, JobRow, RestartView, TelemetryRow } from './view-model.js';
import { diagnosisText } from './view-model.js';
import type { ActionPlan, ConsoleActions } from './actions.js';
import type { Backends, Intervals } from './sources.js';
import { StaleData } from './monitor.js';
import { reasonFirst } from './failure-text.js';
import { createRunSummaryReader, runText } from './run-summary-rows.js';
import { formatAge } from './view-model.js';
import { probeAll, toServiceRows } from '../probes/probe-all.js';
import { readQueue, type ViaJob } from '../slurm/queue.js';
import { createSqueueParser } from '../slurm/squeue-reuse.js';
import { checkHealth, readDiscoveryDir } from '../discovery/discovery.js';
import { pidAlive } from '../io/proc.js';
import { recordJob } from '../discovery/record-job.js';
import { readIssueState } from '../issues/state.js';
import { profileOf } from '../config/profile.js';
import { classifySilence } from '../issues/silent-worker.js';
import { readLastLines } from '../issues/telemetry-tail.js';
import { parseTelemetryLine } from '../issues/telemetry-parse.js';
import { issueFromJobName } from '../slurm/job-name.js';
import { planCancel, cancel } from '../slurm/cancel.js';
import { submit } from '../submit/submit.js';
import { runDiagnose, recoveryAttempts } from '../recovery/diagnose-run.js';
import { primaryDiagnosis, type QueueView } from '../recovery/diagnose.js';
import { renderTemplate } from '../config/profile.js';
import { otherHostsAttempts } from '../journal/journal.js';
import { recentJobs } from '../store/jobs.js';
import { readLockState, readRestartState } from '../restart/run-state.js';
import { lockPath } from '../lock/operator-lock.js';
import { restartReadDue, type RestartRead } from './restart-cadence.js';
import { readIssueLiveness } from '../slurm/job-liveness-read.js';
import { livenessRefusal } from '../slurm/job-liveness.js';
import { prepareRecovery, executeRecovery } from '../recovery/run.js';
import type { StepRow } from '../store/restart-runs.js';
import { runSlurm } from '../slurm/run.js';
import { parseSinfoNodes, sinfoArgs } from '../slurm/states.js';
import { describeFailure } from '../io/run.js';
import { nodeStates, type NodeState } from './node-rows.js';
import { planRestart, type RestartSpawn } from './restart-action.js';
import { planNodeState } from './node-actions.js';

export function consoleIntervals(cfg: ResolvedConfig): Intervals {
  const probeMs = cfg.thresholds.probe_interval_s * 1000;
  return {
    endpointsMs: probeMs,
    queueMs: 5_000,
    issuesMs: 10_000,
    telemetryMs: 5_000,
    alertsMs: 15_000,
    // A running restart's elapsed times tick on this clock (restart view, banner); idle, a tick only checks for news (restart-cadence.ts).
    restartMs: 2_000,
    // sinfo every 15 s, stretching to 60 s while no node changes (a drain from the console refreshes at once).
    nodesMs: 15_000,
    nodesIdleMs: 60_000,
    timeoutMs: (cfg.thresholds.probe_timeout_s + 5) * 1000,
    // squeue needs ~9 s to report a dead controller.
    queueTimeoutMs: (cfg.slurm.command_timeout_s + 2) * 1000,
  };
}

function elapsed(seconds: number | null, raw: string): string {
  if (seconds === null) return raw || '-';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hms = `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s).padStart(2, '0')}`;
  return d ? `${d}-${hms}` : hms;
}

export function jobRow(j: ViaJob, template: string): JobRow {
  const issue = j.issueId ?? issueFromJobName(j.name, template) ?? null;
  return {
    jobId: j.jobId,
    issueId: typeof issue === 'string' ? issue : null,
    name: j.name,
    state: j.stateRaw || j.state,
    reason: j.reason ?? '',
    elapsed: elapsed(j.timeUsedSeconds, j.timeUsedRaw),
    node: j.nodeList ?? '',
    via: j.via,
  };
}

export function realBackends(cfg: ResolvedConfig, store: Store, now: () => number = Date.now): Backends & { sharedDown(): string | null } {
  const profile = profileOf(cfg);
  let lastJobs: readonly JobRow[] = [];
  // Polls of a big queue mostly repeat themselves: the parser hands back the previous
  // poll's job for every line unchanged, and its row is reused with it (jobRow is pure).
  const parser = createSqueueParser();
  const rows = new WeakMap<ViaJob, JobRow>();
  // Only a profile with a run-summary source reads one (python-worker).
  const readRuns = createRunSummaryReader(cfg, profile);
  let nfsDown: string | null = null;
  let telemetryKey: string | null = null;
  let telemetryRows: TelemetryRow[] | null = null;
  let nfsDownSince: number | null = null;
  // Diagnoses are re-run only when what they read changed (job, its state, the log's size and time).
  const diagnosed = new Map<string, { key: string; diag: IssueDiagnosis | null }>();
  let restartRead: (RestartRead & { view: RestartView }) | null = null;
  /** A cheap "anything new?" for the restart source: another process's commit to the store, the lock file's stat. */
  const restartKey = () => {
    let lock = 'nfs down';
    if (!nfsDown) {
      try {
        const st = statSync(lockPath(cfg.paths.shared_root), { throwIfNoEntry: false });
        lock = st ? `${st.ino}|${st.size}|${st.mtimeMs}` : 'none';
      } catch {
        lock = 'unreadable';
      }
    }
    return `${dataVersion(store)}|${lock}`;
  };
  const sharedReadable = () => {
    if (nfsDown) throw new Error(`not reading the shared folder: ${nfsDown}`);
  };

  async function diagnoseCached(issue: string, jobId: string, jobState: string | null, jobs: readonly JobRow[]): Promise<IssueDiagnosis | null> {
    const log = renderTemplate(profile.paths.job_log, { logs: cfg.paths.logs_dir, jobid: jobId });
    const st = log.ok ? await stat(log.value).catch(() => null) : null;
    const key = `${jobId}|${jobState}|${st?.size ?? '-'}|${st?.mtimeMs ?? '-'}`;
    const hit = diagnosed.get(issue);
    if (hit && hit.key === key) return hit.diag;
    const queue: QueueView = { ok: true, jobs: jobs.filter((j) => j.issueId === issue).map((j) => ({ jobId: j.jobId, state: j.state, active: ACTIVE.has(j.state), reason: j.reason })) };
    let diag: IssueDiagnosis | null = null;
    try {
      const r = await runDiagnose(cfg, profile, store, issue, { jobId, queue, cloudProbe: false });
      // The budget has its own alert (from the attempts); the row shows what is wrong with the job.
      const d = primaryDiagnosis({ ...r, diagnoses: r.diagnoses.filter((x) => x.kind !== 'budget_exhausted') });
      // A plain scancel (incident: false) is reported by diagnose, not alerted on.
      if (d && d.incident !== false) {
        diag = { kind: d.kind, cause: d.cause ?? null, ...(d.node ? { node: d.node } : {}), summary: d.summary, retryable: d.retryable, since: st?.mtimeMs ?? hit?.diag?.since ?? now() };
      }
    } catch {
      diag = hit?.diag ?? null; // unreadable now: keep what was known
    }
    diagnosed.set(issue, { key, diag });
    return diag;
  }

  return {
    /** Why the share must not be read now (the NFS probe says down), for actions that would read it. */
    sharedDown: () => nfsDown,

    async endpoints() {
      const snap = await probeAll(cfg, store);
      const nfs = snap.services.find((s) => s.kind === 'nfs' && s.status === 'down');
      nfsDown = nfs ? `NFS ${nfs.name} is down (${nfs.reason})` : null;
      nfsDownSince = nfs ? (nfsDownSince ?? now()) : null;
      const rows: EndpointRow[] = toServiceRows(snap).map((r) => ({ ...r, since: Date.parse(r.since) || null }));
      if (nfsDown) return rows;
      const dir = await readDiscoveryDir(cfg);
      if (!dir.ok) return rows;
      const active = new Set(lastJobs.map((j) => j.jobId.split(/[_+]/)[0] ?? j.jobId));
      const timeoutMs = cfg.thresholds.probe_timeout_s * 1000;
      // A record of a server the config also names as a service: that service's row and alert speak for it.
      const serviceAt = new Map(Object.entries(cfg.services).flatMap(([name, svc]) => (svc.url ? [[originOf(svc.url), name] as const] : [])));
      const discovered = await Promise.all(
        dir.files.map(async ({ file, parsed }): Promise<EndpointRow> => {
          if (!parsed.ok) return { name: file, kind: 'discovery', status: 'unknown', latencyMs: null, since: null, reason: parsed.reason, discovery: 'invalid' };
          const rec = parsed.record;
          const base = { name: file.replace(/\.json$/, ''), kind: 'discovery', since: null, jobId: rec.jobId, tier: rec.tiers.join('+') };
          const job = recordJob(rec, { activeIds: active, hostName: hostname(), pidAlive });
          if (job.state !== 'active') {
            // Stale since the record was last written (its job has left the queue since).
            const mtime = await stat(join(cfg.paths.endpoints_dir, file)).then(
              (st) => st.mtimeMs,
              () => null,
            );
            return { ...base, since: mtime, status: 'unknown', latencyMs: null, reason: job.reason, ...(job.state === 'gone' ? { discovery: 'stale' as const } : {}) };
          }
          const h = await checkHealth(rec.healthUrl, timeoutMs);
          const sameAs = serviceAt.get(originOf(rec.baseUrl));
          return {
            ...base,
            status: h.ok ? 'up' : h.loading ? 'loading' : 'down',
            latencyMs: h.latencyMs,
            reason: `${h.detail}${sameAs ? ` (service ${sameAs})` : ''}`,
            discovery: h.ok || h.loading ? 'live' : 'unhealthy',
            ...(sameAs ? { sameAs } : {}),
          };
        }),
      );
      return [...rows, ...discovered];
    },

    /** Throws StaleData (with the last known jobs) when squeue fails and SQLite has a copy. */
    async queue() {
      const q = await readQueue(cfg, store, { parser });
      const found = q.jobs.map((j) => {
        let row = rows.get(j);
        if (row === undefined) rows.set(j, (row = jobRow(j, cfg.swarm.job_name_template)));
        return row;
      });
      if (!q.ok) {
        const error = reasonFirst(q.error ?? 'squeue failed');
        // No SLURM copy, but direct-SSH jobs read just now (SLURM down, direct mode): show those.
        if (!q.stale && found.length) {
          lastJobs = found;
          throw new StaleData(`${error} (direct-SSH jobs only)`, found, now());
        }
        if (!q.stale) throw new Error(error);
        // The last known queue (SQLite): the monitor shows it, marked stale, when it has
        // nothing newer; endpoints join against it rather than against nothing.
        lastJobs = found;
        throw new StaleData(error, found, q.stale.takenAt);
      }
      lastJobs = found;
      return found;
    },

    /**
     * Every issue swarmctl knows: in the queue, submitted by us (open, or ended within
     * the horizon), or with state files under the worktrees folder. Each is diagnosed
     * when what the diagnosis reads changed; the queue view is the monitor's (no squeue).
     */
    async issues(jobs) {
      sharedReadable();
      const t = now();
      const horizon = t - cfg.thresholds.issue_horizon_h * 3_600_000;
      const submitted = recentJobs(store, horizon);
      const origin = new Map<string, string>();
      for (const j of jobs) if (j.issueId) origin.set(j.issueId, 'queue');
      for (const j of submitted) if (!origin.has(j.issue_id)) origin.set(j.issue_id, 'submitted');
      for (const id of await issueDirs(cfg, horizon)) if (!origin.has(id)) origin.set(id, 'files');
      // python-worker: issues with a run in the summary within the horizon, and each issue's newest run.
      const runs = readRuns ? await readRuns() : null;
      for (const [id, r] of runs ?? []) if (!origin.has(id) && (Date.parse(r.startedAt ?? '') || 0) >= horizon) origin.set(id, 'summary');
      const ids = [...origin.keys()].slice(0, 200);
      const rows: IssueRow[] = [];
      for (const id of ids) {
        const st = await readIssueState(cfg, profile, id);
        const job = jobs.find((j) => j.issueId === id) ?? null;
        const rec = submitted.find((j) => j.issue_id === id) ?? null;
        const jobId = job?.jobId ?? rec?.job_id ?? null;
        const jobState = job?.state ?? rec?.state ?? null;
        const session = st.session.value;
        const silence = job ? classifySilence(job.state, { sessionLogMs: st.session.mtimeMs ?? null }, t, profile.silent_worker_s ?? cfg.thresholds.stale_worker_s) : null;
        const diag = jobId ? await diagnoseCached(id, jobId, jobState, jobs) : null;
        const run = runs?.get(id) ?? null;
        rows.push({
          issueId: id,
          state: session?.state ?? st.checkpoint.value?.state ?? run?.status ?? null,
          iteration: session?.iteration ?? st.checkpoint.value?.iteration ?? null,
          lastReason: session?.lastTransition?.reason ?? null,
          lastResult: session?.completed ? (session.resolved ? 'resolved' : `failed${session.failureReason ? `: ${session.failureReason}` : ''}`) : run ? runText(run) : null,
          resume:
            st.resume.status === 'missing' || st.resume.status === 'n/a'
              ? { present: false, mtimeMs: null, corrupt: false }
              : { present: st.resume.status === 'ok' || st.resume.status === 'corrupt', mtimeMs: st.resume.mtimeMs ?? null, corrupt: st.resume.status === 'corrupt' },
          silent: Boolean(silence?.silent),
          silentSince: st.session.mtimeMs ?? null,
          diagnosis: diag ? diagnosisText(diag) : null,
          diag,
          jobId,
          jobState,
          attempts: recoveryAttempts(store, id) + otherHostsAttempts(cfg.paths.shared_root, id),
          maxAttempts: cfg.recovery.max_attempts,
          origin: origin.get(id)!,
          ...(runs ? { run } : {}),
        });
      }
      return rows;
    },

    async restart(): Promise<RestartView> {
      const key = restartKey();
      if (restartRead && !restartReadDue(restartRead, key, now())) return restartRead.view;
      const r = readRestartState(store);
      const lock = nfsDown ? null : readLockState(cfg.paths.shared_root);
      const step = (x: StepRow) => ({ seq: x.seq, service: x.service, action: x.action, status: x.status, host: x.host, startedAt: x.startedAt, finishedAt: x.finishedAt, detail: x.detail });
      const going = r.run?.status === 'running' && !r.orphaned;
      const view: RestartView = {
        lock: lock && lock.held ? { holder: `${lock.holder.user}@${lock.holder.host} pid ${lock.holder.pid}`, command: lock.holder.command, ageMs: lock.ageMs, expired: lock.expired } : null,
        run: r.run
          ? {
              id: r.run.id,
              status: r.run.status,
              startedAt: r.run.startedAt,
              finishedAt: r.run.finishedAt,
              actor: r.run.actor,
              orphaned: r.orphaned,
              steps: r.steps.map(step),
              current: r.current ? step(r.current) : null,
            }
          : null,
        ...(going ? { polledAt: now() } : {}),
      };
      restartRead = { key, at: now(), active: going || view.lock !== null, view };
      return view;
    },

    /** sinfo once per interval: each node's state and drain reason (the endpoints view's nodes section). */
    async nodes(): Promise<NodeState[]> {
      const r = await runSlurm(cfg, ['sinfo', ...sinfoArgs()]);
      if (!r.ok) throw new Error(describeFailure(r));
      return nodeStates(parseSinfoNodes(r.stdout).nodes);
    },

    async telemetry() {
      sharedReadable();
      // An unchanged file (same inode, size, mtime) is not read again: the last rows stand.
      const st = await stat(cfg.paths.telemetry_file).catch(() => null);
      const key = st ? `${st.ino}|${st.size}|${st.mtimeMs}` : null;
      if (key !== null && key === telemetryKey && telemetryRows) return telemetryRows;
      let tail;
      try {
        tail = await readLastLines(cfg.paths.telemetry_file, 200);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      const rows: TelemetryRow[] = [];
      for (const line of tail.lines) {
        const p = parseTelemetryLine(line);
        if (p.ok) rows.push({ at: p.record.timestamp ?? '', issueId: p.record.issueId, summary: p.record.summary });
      }
      telemetryKey = key;
      telemetryRows = rows.reverse();
      return telemetryRows;
    },

    async alerts() {
      const alerts: AlertRow[] = [];
      if (nfsDown) {
        const since = nfsDownSince === null ? '' : ` for ${formatAge(now() - nfsDownSince)}`;
        // Since-when and what to do first: at 80 columns the end of the line is cut.
        alerts.push({ severity: 'crit', source: 'nfs', message: `shared folder down${since} (swarmctl restart --only nfs): ${nfsDown}: check the NFS server`, since: nfsDownSince });
      }
      return alerts;
    },
  };
}

/** Variable names whose values are never shown. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASS|CRED|AUTH/i;

const ACTIVE = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'STOPPED', 'SIGNALING', 'STAGE_OUT', 'RESV_DEL_HOLD', 'REQUEUE_HOLD', 'REQUEUE_FED']);

/** Issue ids with a folder under the worktrees dir changed within the horizon (state files on disk). */
async function issueDirs(cfg: ResolvedConfig, sinceMs: number): Promise<string[]> {
  const re = new RegExp(cfg.swarm.issue_id_pattern);
  let names: string[];
  try {
    names = (await readdir(cfg.paths.worktrees_dir, { withFileTypes: true })).filter((d) => d.isDirectory() && re.test(d.name)).map((d) => d.name);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names.slice(0, 500)) {
    const st = await stat(join(cfg.paths.worktrees_dir, n)).catch(() => null);
    if (st && st.mtimeMs >= sinceMs) out.push(n);
  }
  return out;
}

export function realActions(cfg: ResolvedConfig, store: Store, restartHow?: RestartSpawn): ConsoleActions {
  const profile = profileOf(cfg);
  return {
    ...(restartHow ? { planRestart: () => planRestart(cfg, store, restartHow) } : {}),
    planNodeState: async (node, state, reason) => planNodeState(cfg, store, node, state, reason),
    async planCancel(job) {
      const p = await planCancel(cfg, store, job.jobId);
      if (p.error) return p.error;
      const plan: ActionPlan = {
        id: `cancel:${job.jobId}`,
        title: `cancel job ${job.jobId}${job.issueId ? ` (${job.issueId})` : ''}`,
        commands: p.argv,
        run: async () => {
          const r = await cancel(cfg, store, job.jobId);
          return r.error ? { ok: false, detail: r.error } : { ok: true, detail: `cancelled ${r.cancelled.join(', ') || 'nothing'}` };
        },
      };
      return plan;
    },
    async planSubmit(issue) {
      // State first: an issue whose job is queued or running (or whose queue cannot be read) gets the refusal, not a y/N.
      const refusal = livenessRefusal(await readIssueLiveness(cfg, store, issue.issueId), `submit ${issue.issueId}`);
      if (refusal) return `submit ${issue.issueId}: ${refusal}`;
      const dry = await submit(cfg, store, { issues: [issue.issueId], dryRun: true }).catch((e: Error) => e);
      if (dry instanceof Error) return dry.message;
      const o = dry[0];
      if (!o || o.status === 'skipped' || o.status === 'failed') return `submit ${issue.issueId}: ${o?.reason ?? 'nothing to do'}`;
      return {
        id: `submit:${issue.issueId}`,
        title: `submit ${issue.issueId}`,
        commands: [o.argv],
        notes: [...(o.envNames ? [`environment: ${o.envNames.join(', ')}`] : []), ...(o.notes ?? [])],
        run: async () => {
          const [r] = await submit(cfg, store, { issues: [issue.issueId] });
          return r && r.status === 'submitted' ? { ok: true, detail: `job ${r.jobId}` } : { ok: false, detail: r?.reason ?? 'failed' };
        },
      };
    },
    /**
     * The whole plan before y: each action's description, its exact argv (a resubmit's
     * sbatch argv from a dry-run submit with the remedy variables), the variables and
     * their values (secret-looking names masked), files moved and where. Refused (no y)
     * while the job is queued or running, or when the queue cannot be read.
     */
    async planRecover(issue) {
      const prepared = await prepareRecovery(cfg, profile, store, issue.issueId);
      const plan = prepared.plan;
      // The console's own words for the common refusal: the way out (c) first, inside 80 columns.
      if (plan.refusal && prepared.liveness.verdict === 'running') return `recover ${issue.issueId} refused: its job runs (c cancels it, then R): ${prepared.liveness.reason}`;
      if (plan.refusal) return `recover ${issue.issueId}: ${plan.refusal}`;
      const commands: string[][] = [];
      const notes: string[] = [];
      const d = primaryDiagnosis(prepared.diagnosis);
      if (d)
        notes.push(
          `diagnosis: ${d.kind}${d.cause ? ` (${d.cause}${d.node ? ` on ${d.node}` : ''})` : ''}: ${d.summary}`,
          ...d.evidence.slice(0, 3).map((e) => `  ${e.file}${e.line ? `:${e.line}` : ''}  ${e.text}`),
        );
      for (const w of plan.warnings) notes.push(`warning: ${w}`);
      plan.actions.forEach((a, i) => {
        notes.push(`${i + 1}. ${a.type}: ${a.description}${a.safe ? '' : ' (not safe for --auto)'}`);
        if (a.env) for (const [k, v] of Object.entries(a.env)) notes.push(`   env ${k}=${SECRET_NAME.test(k) ? '(secret, not shown)' : v}`);
        if (a.args?.length) notes.push(`   worker args: ${a.args.join(' ')}`);
        for (const f of a.files ?? []) notes.push(`   move ${f.from} -> ${f.to}`);
        commands.push(...(a.argv ?? []));
      });
      for (const a of plan.actions) {
        if (a.type !== 'resubmit' && a.type !== 'resubmit_with_env') continue;
        const dry = await submit(cfg, store, { issues: [issue.issueId], dryRun: true, ...(a.env ? { env: a.env } : {}), ...(a.args ? { args: a.args } : {}) }).catch(() => null);
        const o = dry?.[0];
        if (o?.argv.length) {
          commands.push(o.argv);
          if (o.envNames) notes.push(`   the job's environment: ${o.envNames.join(', ')} (values of swarm.env are not shown)`);
        }
      }
      if (plan.actions.length === 0) notes.push('no action: nothing would run');
      return {
        id: `recover:${issue.issueId}`,
        title: `recover ${issue.issueId} (${plan.kind ?? 'no diagnosis'})`,
        commands,
        notes,
        run: async () => {
          const r = await executeRecovery(cfg, profile, store, prepared, { submit });
          return { ok: r.outcome === 'ok', detail: r.actions.map((a) => `${a.type}: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`).join('; ') };
        },
      };
    },
    async diagnose(issueId) {
      const r = await runDiagnose(cfg, profile, store, issueId);
      if (r.diagnoses.length === 0) return [`${issueId}: ${r.status === 'ok' ? 'nothing wrong found' : 'cannot tell'}`, ...r.notes];
      return r.diagnoses.flatMap((d) => [`${d.kind}: ${d.summary}${d.retryable ? ' (retryable)' : ''}`, ...d.evidence.map((e) => `  ${e.file}${e.line ? `:${e.line}` : ''}  ${e.text}`), '']);
    },
  };
}

/** scheme://host:port of a URL (the server), or the text itself when it is not one. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
