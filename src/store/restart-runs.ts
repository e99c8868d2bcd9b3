// Restart run records (migrations 1 and 4): one row per run, one per step,
// updated as the run goes, so `restart --resume` and the console can read
// where a run is (or where it died).
import type { Store } from './db.js';

export type RunStatus = 'running' | 'done' | 'failed';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'blocked';

export interface RunRow {
  id: number;
  startedAt: number;
  finishedAt: number | null;
  status: RunStatus;
  actor: string;
  pid: number | null;
  options: unknown;
  plan: unknown;
}

export interface StepRow {
  runId: number;
  seq: number;
  service: string;
  action: string;
  status: StepStatus;
  startedAt: number | null;
  finishedAt: number | null;
  verifiedAt: number | null;
  host: string | null;
  argv: string[][] | null;
  exitCode: number | null;
  outputTail: string | null;
  detail: string | null;
}

export function createRun(store: Store, r: { actor: string; options: unknown; plan: unknown; steps: { service: string; host?: string }[] }, now = Date.now()): number {
  return store.write((db) => {
    const id = Number(
      db
        .prepare("INSERT INTO restart_runs (started_at, status, actor, options_json, plan_json, pid) VALUES (?, 'running', ?, ?, ?, ?)")
        .run(now, r.actor, JSON.stringify(r.options), JSON.stringify(r.plan), process.pid).lastInsertRowid,
    );
    const ins = db.prepare("INSERT INTO restart_steps (run_id, seq, service, action, status, host) VALUES (?, ?, ?, 'restart', 'pending', ?)");
    r.steps.forEach((s, i) => ins.run(id, i, s.service, s.host ?? null));
    return id;
  });
}

export function updateStep(
  store: Store,
  runId: number,
  seq: number,
  /** phase: what a running step is doing (check, act, verify), kept in the action column for the console. */
  u: { status: StepStatus; detail?: string; argv?: string[][]; exitCode?: number | null; outputTail?: string; verified?: boolean; started?: boolean; phase?: string },
  now = Date.now(),
): void {
  store.write((db) =>
    db
      .prepare(
        `UPDATE restart_steps SET status = ?, action = COALESCE(?, action), detail = COALESCE(?, detail), argv_json = COALESCE(?, argv_json), exit_code = COALESCE(?, exit_code),
         output_tail = COALESCE(?, output_tail), started_at = CASE WHEN ? THEN ? ELSE started_at END,
         finished_at = CASE WHEN ? IN ('done','failed','skipped','blocked') THEN ? ELSE finished_at END,
         verified_at = CASE WHEN ? THEN ? ELSE verified_at END WHERE run_id = ? AND seq = ?`,
      )
      .run(
        u.status,
        u.phase ?? null,
        u.detail ?? null,
        u.argv ? JSON.stringify(u.argv) : null,
        u.exitCode ?? null,
        u.outputTail ?? null,
        u.started ? 1 : 0,
        now,
        u.status,
        now,
        u.verified ? 1 : 0,
        now,
        runId,
        seq,
      ),
  );
}

export function finishRun(store: Store, runId: number, status: RunStatus, now = Date.now()): void {
  store.write((db) => db.prepare('UPDATE restart_runs SET status = ?, finished_at = ? WHERE id = ?').run(status, now, runId));
}

/** A run being resumed belongs to this process now. */
export function adoptRun(store: Store, runId: number): void {
  store.write((db) => db.prepare("UPDATE restart_runs SET pid = ?, status = 'running', finished_at = NULL WHERE id = ?").run(process.pid, runId));
}

function runRow(r: Record<string, unknown>): RunRow {
  return {
    id: r['id'] as number,
    startedAt: r['started_at'] as number,
    finishedAt: (r['finished_at'] as number | null) ?? null,
    status: r['status'] as RunStatus,
    actor: r['actor'] as string,
    pid: (r['pid'] as number | null) ?? null,
    options: JSON.parse((r['options_json'] as string) || 'null'),
    plan: r['plan_json'] ? JSON.parse(r['plan_json'] as string) : null,
  };
}

/** The newest run, or the newest one still marked running (unfinished: its process may have died). */
export function latestRun(store: Store, opts: { unfinished?: boolean } = {}): RunRow | null {
  const r = store.db.prepare(`SELECT * FROM restart_runs ${opts.unfinished ? "WHERE status = 'running'" : ''} ORDER BY id DESC LIMIT 1`).get() as Record<string, unknown> | undefined;
  return r ? runRow(r) : null;
}

export function runSteps(store: Store, runId: number): StepRow[] {
  const rows = store.db.prepare('SELECT * FROM restart_steps WHERE run_id = ? ORDER BY seq').all(runId) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    runId,
    seq: r['seq'] as number,
    service: r['service'] as string,
    action: r['action'] as string,
    status: r['status'] as StepStatus,
    startedAt: (r['started_at'] as number | null) ?? null,
    finishedAt: (r['finished_at'] as number | null) ?? null,
    verifiedAt: (r['verified_at'] as number | null) ?? null,
    host: (r['host'] as string | null) ?? null,
    argv: r['argv_json'] ? (JSON.parse(r['argv_json'] as string) as string[][]) : null,
    exitCode: (r['exit_code'] as number | null) ?? null,
    outputTail: (r['output_tail'] as string | null) ?? null,
    detail: (r['detail'] as string | null) ?? null,
  }));
}
