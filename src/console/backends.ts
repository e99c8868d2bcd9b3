// The real backends behind the console's sources and actions. They adapt the
// probe and batch layers to the console's rows. Rules kept here:
//   - ONE squeue per queue interval: endpoints and issues join against the
//     jobs of the last queue load; nothing here runs squeue a second time;
//   - a shared folder that the NFS probe says is down is not read (a hung NFS
//     read pins a libuv thread for good): those sources fail with a reason and
//     the monitor keeps their last data, marked stale.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import type { AlertRow, EndpointRow, IssueRow, JobRow, TelemetryRow } from './view-model.js';
import type { ActionPlan, ConsoleActions } from './actions.js';
import type { Backends, Intervals } from './sources.js';
import { StaleData } from './monitor.js';
import { probeAll, toServiceRows } from '../probes/probe-all.js';
import { readQueue, type ViaJob } from '../slurm/queue.js';
import { createSqueueParser } from '../slurm/squeue-reuse.js';
import { checkHealth, readDiscoveryDir } from '../discovery/discovery.js';
import { readIssueState } from '../issues/state.js';
import { profileOf } from '../config/profile.js';
import { classifySilence } from '../issues/silent-worker.js';
import { readLastLines } from '../issues/telemetry-tail.js';
import { parseTelemetryLine } from '../issues/telemetry-parse.js';
import { issueFromJobName } from '../slurm/job-name.js';
import { planCancel, cancel } from '../slurm/cancel.js';
import { submit } from '../submit/submit.js';
import { runDiagnose } from '../recovery/diagnose-run.js';
import { prepareRecovery, executeRecovery } from '../recovery/run.js';

export function consoleIntervals(cfg: ResolvedConfig): Intervals {
  const probeMs = cfg.thresholds.probe_interval_s * 1000;
  return {
    endpointsMs: probeMs,
    queueMs: 5_000,
    issuesMs: 10_000,
    telemetryMs: 5_000,
    alertsMs: 15_000,
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

export function realBackends(cfg: ResolvedConfig, store: Store, now: () => number = Date.now): Backends {
  const profile = profileOf(cfg);
  let lastJobs: readonly JobRow[] = [];
  // Polls of a big queue mostly repeat themselves: the parser hands back the previous
  // poll's job for every line unchanged, and its row is reused with it (jobRow is pure).
  const parser = createSqueueParser();
  const rows = new WeakMap<ViaJob, JobRow>();
  let nfsDown: string | null = null;
  const sharedReadable = () => {
    if (nfsDown) throw new Error(`not reading the shared folder: ${nfsDown}`);
  };

  return {
    async endpoints() {
      const snap = await probeAll(cfg, store);
      const nfs = snap.services.find((s) => s.kind === 'nfs' && s.status === 'down');
      nfsDown = nfs ? `NFS ${nfs.name} is down (${nfs.reason})` : null;
      const rows: EndpointRow[] = toServiceRows(snap).map((r) => ({ ...r, since: Date.parse(r.since) || null }));
      if (nfsDown) return rows;
      const dir = await readDiscoveryDir(cfg);
      if (!dir.ok) return rows;
      const active = new Set(lastJobs.map((j) => j.jobId.split(/[_+]/)[0]));
      const timeoutMs = cfg.thresholds.probe_timeout_s * 1000;
      const discovered = await Promise.all(
        dir.files.map(async ({ file, parsed }): Promise<EndpointRow> => {
          if (!parsed.ok) return { name: file, kind: 'discovery', status: 'unknown', latencyMs: null, since: null, reason: parsed.reason, discovery: 'invalid' };
          const rec = parsed.record;
          const base = { name: file.replace(/\.json$/, ''), kind: 'discovery', since: null, jobId: rec.jobId, tier: rec.tiers.join('+') };
          if (!active.has(rec.jobId)) return { ...base, status: 'unknown', latencyMs: null, reason: `job ${rec.jobId} not in the queue`, discovery: 'stale' };
          const h = await checkHealth(rec.healthUrl, timeoutMs);
          return { ...base, status: h.ok ? 'up' : 'down', latencyMs: h.latencyMs, reason: h.detail, discovery: h.ok ? 'live' : 'unhealthy' };
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
        const error = q.error ?? 'squeue failed';
        if (!q.stale) throw new Error(error);
        // The last known queue (SQLite): the monitor shows it, marked stale, when it has
        // nothing newer; endpoints join against it rather than against nothing.
        lastJobs = found;
        throw new StaleData(error, found, q.stale.takenAt);
      }
      lastJobs = found;
      return found;
    },

    async issues(jobs) {
      sharedReadable();
      const ids = [...new Set(jobs.map((j) => j.issueId).filter((x): x is string => Boolean(x)))].slice(0, 200);
      const t = now();
      return Promise.all(
        ids.map(async (id): Promise<IssueRow> => {
          const st = await readIssueState(cfg, profile, id);
          const job = jobs.find((j) => j.issueId === id) ?? null;
          const session = st.session.value;
          const silence = job ? classifySilence(job.state, { sessionLogMs: st.session.mtimeMs ?? null }, t, profile.silent_worker_s ?? cfg.thresholds.stale_worker_s) : null;
          return {
            issueId: id,
            state: session?.state ?? st.checkpoint.value?.state ?? null,
            iteration: session?.iteration ?? st.checkpoint.value?.iteration ?? null,
            lastReason: session?.lastTransition?.reason ?? null,
            lastResult: session?.completed ? (session.resolved ? 'resolved' : `failed${session.failureReason ? `: ${session.failureReason}` : ''}`) : null,
            resume:
              st.resume.status === 'missing' || st.resume.status === 'n/a'
                ? { present: false, ageMs: null, corrupt: false }
                : { present: st.resume.status === 'ok' || st.resume.status === 'corrupt', ageMs: st.resume.mtimeMs ? t - st.resume.mtimeMs : null, corrupt: st.resume.status === 'corrupt' },
            silent: Boolean(silence?.silent),
            diagnosis: null,
            jobId: job?.jobId ?? null,
          };
        }),
      );
    },

    async telemetry() {
      sharedReadable();
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
      return rows.reverse();
    },

    async alerts() {
      const alerts: AlertRow[] = [];
      if (nfsDown) alerts.push({ severity: 'crit', source: 'nfs', message: `${nfsDown}: check the NFS server (swarmctl restart --only nfs)` });
      return alerts;
    },
  };
}

export function realActions(cfg: ResolvedConfig, store: Store): ConsoleActions {
  const profile = profileOf(cfg);
  return {
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
      const dry = await submit(cfg, store, { issues: [issue.issueId], dryRun: true }).catch((e: Error) => e);
      if (dry instanceof Error) return dry.message;
      const o = dry[0];
      if (!o || o.status === 'skipped' || o.status === 'failed') return `submit ${issue.issueId}: ${o?.reason ?? 'nothing to do'}`;
      return {
        id: `submit:${issue.issueId}`,
        title: `submit ${issue.issueId}`,
        commands: [o.argv],
        notes: o.envNames ? [`environment: ${o.envNames.join(', ')}`] : [],
        run: async () => {
          const [r] = await submit(cfg, store, { issues: [issue.issueId] });
          return r && r.status === 'submitted' ? { ok: true, detail: `job ${r.jobId}` } : { ok: false, detail: r?.reason ?? 'failed' };
        },
      };
    },
    async planRecover(issue) {
      const prepared = await prepareRecovery(cfg, profile, store, issue.issueId);
      if (prepared.plan.refusal) return `recover ${issue.issueId}: ${prepared.plan.refusal}`;
      const commands = prepared.plan.actions.flatMap((a) => a.argv ?? []);
      return {
        id: `recover:${issue.issueId}`,
        title: `recover ${issue.issueId} (${prepared.plan.kind ?? 'no diagnosis'})`,
        commands,
        notes: prepared.plan.actions.map((a) => a.description),
        run: async () => {
          const r = await executeRecovery(cfg, profile, store, prepared, { submit });
          return { ok: r.outcome === 'ok', detail: r.actions.map((a) => `${a.type}: ${a.outcome}`).join('; ') };
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
