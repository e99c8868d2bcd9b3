// SQLite queries for the jobs we started (SLURM or direct SSH) and the last
// queue read successfully (squeue_cache; queue_cache from older versions). One
// place so submit, queue and cancel agree on the row shapes.
import type { Store } from './db.js';

export interface JobRecord {
  job_id: string;
  via: 'slurm' | 'ssh';
  issue_id: string;
  name: string;
  host: string | null;
  pid: number | null;
  argv: string[];
  env_names: string[];
  log_path: string | null;
  submitted_at: number;
  state: string;
  last_seen_at: number | null;
  ended_at: number | null;
}

export function recordJob(store: Store, j: Omit<JobRecord, 'last_seen_at' | 'ended_at'>): void {
  store.write((db) =>
    db
      .prepare(
        `INSERT INTO jobs (job_id, via, issue_id, name, host, pid, argv_json, env_names_json, log_path, submitted_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (via, job_id) DO UPDATE SET state = excluded.state, issue_id = excluded.issue_id`,
      )
      .run(j.job_id, j.via, j.issue_id, j.name, j.host, j.pid, JSON.stringify(j.argv), JSON.stringify(j.env_names), j.log_path, j.submitted_at, j.state),
  );
}

function toRow(r: Record<string, unknown>): JobRecord {
  return {
    job_id: r['job_id'] as string,
    via: r['via'] as 'slurm' | 'ssh',
    issue_id: r['issue_id'] as string,
    name: r['name'] as string,
    host: (r['host'] as string | null) ?? null,
    pid: (r['pid'] as number | null) ?? null,
    argv: JSON.parse(r['argv_json'] as string) as string[],
    env_names: JSON.parse(r['env_names_json'] as string) as string[],
    log_path: (r['log_path'] as string | null) ?? null,
    submitted_at: r['submitted_at'] as number,
    state: r['state'] as string,
    last_seen_at: (r['last_seen_at'] as number | null) ?? null,
    ended_at: (r['ended_at'] as number | null) ?? null,
  };
}

/** SSH jobs not yet seen gone (state 'running'), optionally of one issue. */
export function liveSshJobs(store: Store, issueId?: string): JobRecord[] {
  const rows = issueId
    ? store.db.prepare(`SELECT * FROM jobs WHERE via = 'ssh' AND ended_at IS NULL AND issue_id = ?`).all(issueId)
    : store.db.prepare(`SELECT * FROM jobs WHERE via = 'ssh' AND ended_at IS NULL`).all();
  return (rows as Record<string, unknown>[]).map(toRow);
}

export function findJob(store: Store, via: 'slurm' | 'ssh', jobId: string): JobRecord | null {
  const r = store.db.prepare('SELECT * FROM jobs WHERE via = ? AND job_id = ?').get(via, jobId) as Record<string, unknown> | undefined;
  return r ? toRow(r) : null;
}

/** Mark jobs seen (state from the queue) or gone (absent from a successful read). */
export function updateJobStates(store: Store, via: 'slurm' | 'ssh', seen: ReadonlyMap<string, string>, gone: readonly string[], now = Date.now()): void {
  if (seen.size === 0 && gone.length === 0) return;
  store.write((db) => {
    const s = db.prepare('UPDATE jobs SET state = ?, last_seen_at = ? WHERE via = ? AND job_id = ?');
    for (const [id, state] of seen) s.run(state, now, via, id);
    const g = db.prepare(`UPDATE jobs SET state = 'gone', ended_at = ? WHERE via = ? AND job_id = ? AND ended_at IS NULL`);
    for (const id of gone) g.run(now, via, id);
  });
}

/** SLURM job ids we submitted that have not been seen gone (of one issue, when named). */
export function openSlurmJobIds(store: Store, issueId?: string): string[] {
  const rows =
    issueId === undefined
      ? store.db.prepare(`SELECT job_id FROM jobs WHERE via = 'slurm' AND ended_at IS NULL`).all()
      : store.db.prepare(`SELECT job_id FROM jobs WHERE via = 'slurm' AND issue_id = ? AND ended_at IS NULL`).all(issueId);
  return (rows as { job_id: string }[]).map((r) => r.job_id);
}

/** The last good squeue output, as printed (see migration 3). */
export function writeSqueueCache(store: Store, source: string, format: string, stdout: string, now = Date.now()): void {
  store.write((db) =>
    db
      // A read that started earlier but finished later (another swarmctl) does not replace a newer one.
      .prepare(
        'INSERT INTO squeue_cache (source, taken_at, format, stdout) VALUES (?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET taken_at = excluded.taken_at, format = excluded.format, stdout = excluded.stdout WHERE excluded.taken_at >= squeue_cache.taken_at',
      )
      .run(source, now, format, stdout),
  );
}

export type QueueCacheRow =
  | { kind: 'squeue'; takenAt: number; format: string; stdout: string }
  /** Written by a version before migration 3: parsed jobs as JSON. */
  | { kind: 'jobs'; takenAt: number; jobs: unknown[] };

/**
 * The newer of the two caches for `source`, or null when neither has a usable row. A
 * squeue row printed with other -O fields than `format` (another swarmctl version) is
 * not usable: its columns are not ours.
 */
export function readQueueCache(store: Store, source: string, format: string): QueueCacheRow | null {
  const found = store.db.prepare('SELECT taken_at, format, stdout FROM squeue_cache WHERE source = ?').get(source) as { taken_at: number; format: string; stdout: string } | undefined;
  const raw = found?.format === format ? found : undefined;
  const legacy = store.db.prepare('SELECT taken_at, jobs_json FROM queue_cache WHERE source = ? AND taken_at > ?').get(source, raw?.taken_at ?? -1) as
    { taken_at: number; jobs_json: string } | undefined;
  if (legacy) {
    try {
      const jobs = JSON.parse(legacy.jobs_json) as unknown;
      if (Array.isArray(jobs)) return { kind: 'jobs', takenAt: legacy.taken_at, jobs };
    } catch {
      // unreadable: fall back to the squeue row, if any
    }
  }
  return raw ? { kind: 'squeue', takenAt: raw.taken_at, format: raw.format, stdout: raw.stdout } : null;
}

/** The issue's most recently submitted SLURM job id, or null. */
export function newestSlurmJobId(store: Store, issueId: string): string | null {
  const row = store.db.prepare("SELECT job_id FROM jobs WHERE issue_id = ? AND via = 'slurm' ORDER BY submitted_at DESC LIMIT 1").get(issueId) as { job_id: string } | undefined;
  return row?.job_id ?? null;
}

/** Jobs we submitted that are still open or were submitted or ended since `sinceMs`, newest first (the console's issue list). */
export function recentJobs(store: Store, sinceMs: number, limit = 500): JobRecord[] {
  const rows = store.db.prepare('SELECT * FROM jobs WHERE ended_at IS NULL OR ended_at >= ? OR submitted_at >= ? ORDER BY submitted_at DESC LIMIT ?').all(sinceMs, sinceMs, limit) as Record<
    string,
    unknown
  >[];
  return rows.map(toRow);
}

/** The issue's most recently started job of ours (SLURM or direct SSH), or null. */
export function newestJob(store: Store, issueId: string): JobRecord | null {
  const r = store.db.prepare('SELECT * FROM jobs WHERE issue_id = ? ORDER BY submitted_at DESC LIMIT 1').get(issueId) as Record<string, unknown> | undefined;
  return r ? toRow(r) : null;
}
