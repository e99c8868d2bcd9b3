// The queue as swarmctl shows it: ONE squeue per read (filtered by user on the
// server, by job-name prefix here), plus our direct-SSH jobs (one `kill -0` ssh
// call per host). Tri-state truth: a failed squeue is UNKNOWN, never "no jobs":
// the result is ok:false with the error and the last good queue from SQLite,
// marked stale with its age. A job we submitted that a good read no longer lists
// is "gone" (finished and aged out), not failed.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { parseJobNameTemplate, renderJobName } from './job-name.js';
import { liveSshJobs, openSlurmJobIds, readQueueCache, updateJobStates, writeSqueueCache, type JobRecord } from '../store/jobs.js';
import { ownerFilter, runSqueue } from './client.js';
import { aliveOnHost, sshJobId } from './ssh-jobs.js';
import { SQUEUE_FORMAT } from './squeue-format.js';
import { parseSqueue, selectJobs, type QueueJob, type SqueueParseResult } from './squeue-parse.js';

/** A queue job; direct-SSH jobs also carry the issue they were started for. */
export type ViaJob = QueueJob & { issueId?: string };

export interface QueueRead {
  ok: boolean;
  jobs: ViaJob[];
  error?: string;
  /** squeue answered, but with more output than the runner keeps: a partial list, so not ok. */
  partial?: boolean;
  stale?: { takenAt: number; ageMs: number };
  /** Malformed squeue lines skipped in this read. */
  skipped?: number;
  /** Per-host problems reading direct-SSH jobs (those jobs are listed with state UNKNOWN). */
  sshErrors?: string[];
}

export interface ReadQueueOptions {
  /** Every job of the user, not only names from swarm.job_name_template. */
  all?: boolean;
  /** Skip the SSH check (callers that only need SLURM's view). */
  slurmOnly?: boolean;
  now?: number;
  /** A reusing parser (createSqueueParser) for callers that poll, like the console. */
  parser?: (stdout: string) => SqueueParseResult;
}

/** The literal part of the job-name template before its placeholder (`swarm-`). */
export function jobNamePrefix(cfg: ResolvedConfig): string {
  const t = parseJobNameTemplate(cfg.swarm.job_name_template);
  return t.ok ? t.template.prefix : '';
}

const SLURM_CACHE = 'slurm';

/**
 * `store` may still be opening: squeue is started first, so a one-shot
 * `swarmctl queue` loads SQLite while the controller answers.
 */
export async function readQueue(cfg: ResolvedConfig, storeOrOpening: Store | Promise<Store>, opts: ReadQueueOptions = {}): Promise<QueueRead> {
  const now = opts.now ?? Date.now();
  const parse = opts.parser ?? parseSqueue;
  const squeue = runSqueue(cfg, ownerFilter(cfg), parse);
  const store = await storeOrOpening;
  // The SSH check runs beside squeue, not after it: a dead controller takes squeue up
  // to its timeout, and the console's poll must still end in time to offer the stale queue.
  const [r, sshPart] = await Promise.all([squeue, opts.slurmOnly ? { jobs: [] as ViaJob[], errors: [] as string[] } : readSshJobs(cfg, store)]);
  const filter = (jobs: QueueJob[]) => (opts.all ? jobs : selectJobs(jobs, { namePrefix: jobNamePrefix(cfg) }));
  if (!r.ok) {
    const cached = cachedQueue(store, parse);
    return {
      ok: false,
      error: r.error,
      ...(r.partial ? { partial: true } : {}),
      jobs: [...(cached ? filter(cached.jobs) : []), ...sshPart.jobs],
      ...(cached ? { stale: { takenAt: cached.takenAt, ageMs: now - cached.takenAt } } : {}),
      ...(sshPart.errors.length ? { sshErrors: sshPart.errors } : {}),
    };
  }
  // As printed: no serialisation on the poll path; parsed only if it is ever served.
  writeSqueueCache(store, SLURM_CACHE, SQUEUE_FORMAT, r.stdout, now);
  // Our submitted jobs: seen → their state; missing from a good read → gone.
  const present = new Map(r.jobs.map((j) => [j.jobId, j.state] as const));
  const seen = new Map<string, string>();
  const gone: string[] = [];
  for (const id of openSlurmJobIds(store)) {
    const st = present.get(id);
    if (st !== undefined) seen.set(id, st);
    else gone.push(id);
  }
  updateJobStates(store, 'slurm', seen, gone, now);
  return {
    ok: true,
    jobs: [...filter(r.jobs), ...sshPart.jobs],
    skipped: r.skipped.length,
    ...(sshPart.errors.length ? { sshErrors: sshPart.errors } : {}),
  };
}

/** The last good queue from SQLite; null when there is none we can read. */
function cachedQueue(store: Store, parse: (stdout: string) => SqueueParseResult): { takenAt: number; jobs: QueueJob[] } | null {
  const c = readQueueCache(store, SLURM_CACHE, SQUEUE_FORMAT);
  if (!c) return null;
  if (c.kind === 'squeue') return { takenAt: c.takenAt, jobs: parse(c.stdout).jobs };
  // Parsed jobs an older version stored as JSON, without `via`.
  return { takenAt: c.takenAt, jobs: (c.jobs as QueueJob[]).map((j) => ({ ...j, via: 'slurm' as const })) };
}

function sshQueueJob(row: JobRecord, state: 'RUNNING' | 'UNKNOWN'): ViaJob {
  const started = new Date(row.submitted_at).toISOString();
  return {
    jobId: row.job_id,
    name: row.name,
    state,
    stateRaw: state,
    phase: state === 'RUNNING' ? 'running' : 'unknown',
    active: true,
    reason: state === 'RUNNING' ? null : 'ssh check failed',
    reasonCode: null,
    reasonKind: state === 'RUNNING' ? 'none' : 'other',
    timeUsedSeconds: Math.max(0, Math.round((Date.now() - row.submitted_at) / 1000)),
    timeUsedRaw: '',
    timeLimitSeconds: null,
    timeLimitUnlimited: true,
    timeLimitRaw: 'UNLIMITED',
    nodeList: row.host,
    submitTime: started,
    submitTimeRaw: started,
    startTime: started,
    startTimeRaw: started,
    user: '',
    partition: 'ssh',
    workDir: null,
    dependency: null,
    dependencies: [],
    stdout: row.log_path,
    via: 'ssh',
    issueId: row.issue_id,
  };
}

/** Our direct-SSH jobs still believed alive, checked with ONE ssh call per host. */
export async function readSshJobs(cfg: ResolvedConfig, store: Store, issueId?: string): Promise<{ jobs: ViaJob[]; errors: string[] }> {
  const rows = liveSshJobs(store, issueId);
  const byHost = new Map<string, JobRecord[]>();
  for (const row of rows) {
    const list = byHost.get(row.host ?? '') ?? [];
    list.push(row);
    byHost.set(row.host ?? '', list);
  }
  const jobs: ViaJob[] = [];
  const errors: string[] = [];
  await Promise.all(
    [...byHost].map(async ([hostName, list]) => {
      const host = cfg.hosts[hostName];
      if (!host) {
        errors.push(`host ${hostName} is no longer in the config`);
        jobs.push(...list.map((r) => sshQueueJob(r, 'UNKNOWN')));
        return;
      }
      const { alive, error } = await aliveOnHost(
        cfg,
        host,
        list.map((r) => r.pid ?? 0),
      );
      if (alive === null) {
        errors.push(`${hostName}: ${error ?? 'check failed'}`);
        jobs.push(...list.map((r) => sshQueueJob(r, 'UNKNOWN')));
        return;
      }
      const gone: string[] = [];
      const seen = new Map<string, string>();
      for (const r of list) {
        if (alive.has(r.pid ?? -1)) {
          seen.set(r.job_id, 'RUNNING');
          jobs.push(sshQueueJob(r, 'RUNNING'));
        } else gone.push(r.job_id);
      }
      updateJobStates(store, 'ssh', seen, gone);
    }),
  );
  return { jobs, errors };
}

/** The active jobs of one issue: ONE `squeue --name=<job name>` plus its SSH jobs. */
export async function findIssueJobs(cfg: ResolvedConfig, store: Store, issueId: string): Promise<{ ok: boolean; jobs: QueueJob[]; error?: string; slurmUnknown?: boolean }> {
  const name = renderJobName(issueId, cfg.swarm.job_name_template, cfg.swarm.issue_id_pattern);
  if (!name.ok) return { ok: false, jobs: [], error: name.reason };
  const [r, ssh] = await Promise.all([runSqueue(cfg, { ...ownerFilter(cfg), names: [name.name] }), readSshJobs(cfg, store, issueId)]);
  const sshJobs = ssh.jobs;
  if (!r.ok) return { ok: false, jobs: sshJobs, error: r.error, slurmUnknown: true };
  const slurm = selectJobs(r.jobs, { names: [name.name], activeOnly: true });
  return { ok: ssh.errors.length === 0, jobs: [...slurm, ...sshJobs], ...(ssh.errors.length ? { error: ssh.errors.join('; ') } : {}) };
}

export { sshJobId };
