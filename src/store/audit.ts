// The action audit: who did what to which issue, with which argv, what was
// kept where, and how it ended. Every mutating command writes one row.
import { hostname, userInfo } from 'node:os';
import type { Store } from './db.js';

export interface AuditEntry {
  issueId?: string | null;
  action: string;
  argv?: readonly string[] | readonly (readonly string[])[] | null;
  archived?: unknown;
  outcome: 'ok' | 'failed' | 'skipped' | 'dry-run';
  detail?: string | null;
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  issue_id: string | null;
  action: string;
  argv: unknown;
  archived: unknown;
  outcome: string;
  detail: string | null;
}

export function actor(): string {
  let user = process.env['SUDO_USER'] ? `${process.env['SUDO_USER']}(sudo)` : '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = String(process.getuid?.() ?? 'unknown');
    }
  }
  return `${user}@${hostname()}`;
}

/** Where every audit row is also sent (the cluster-wide journal, src/journal/audit-sink.ts). */
type AuditSink = (row: { at: number; actor: string; action: string; issue_id: string | null; outcome: string; argv: unknown; archived: unknown; detail: string | null }) => void;
let auditSink: AuditSink | null = null;
export function setAuditSink(sink: AuditSink | null): void {
  auditSink = sink;
}

export function recordAudit(store: Store, e: AuditEntry, now = Date.now()): number {
  const who = actor();
  const r = store.write((db) =>
    db
      .prepare('INSERT INTO audit (at, actor, issue_id, action, argv_json, archived_json, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(now, who, e.issueId ?? null, e.action, e.argv ? JSON.stringify(e.argv) : null, e.archived === undefined ? null : JSON.stringify(e.archived), e.outcome, e.detail ?? null),
  );
  auditSink?.({ at: now, actor: who, action: e.action, issue_id: e.issueId ?? null, outcome: e.outcome, argv: e.argv ?? null, archived: e.archived ?? null, detail: e.detail ?? null });
  return Number(r.lastInsertRowid);
}

export function listAudit(store: Store, opts: { issueId?: string; limit?: number; sinceMs?: number } = {}): AuditRow[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (opts.issueId) {
    where.push('issue_id = ?');
    args.push(opts.issueId);
  }
  if (opts.sinceMs !== undefined) {
    where.push('at >= ?');
    args.push(opts.sinceMs);
  }
  const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
  args.push(opts.limit ?? 200);
  const rows = store.db.prepare(sql).all(...args) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r['id'] as number,
    at: r['at'] as number,
    actor: r['actor'] as string,
    issue_id: (r['issue_id'] as string | null) ?? null,
    action: r['action'] as string,
    argv: r['argv_json'] ? JSON.parse(r['argv_json'] as string) : null,
    archived: r['archived_json'] ? JSON.parse(r['archived_json'] as string) : null,
    outcome: r['outcome'] as string,
    detail: (r['detail'] as string | null) ?? null,
  }));
}

/** How many audit rows the issue has for `action` with one of `outcomes`. */
export function countAudit(store: Store, issueId: string, action: string, outcomes: readonly string[]): number {
  const marks = outcomes.map(() => '?').join(', ');
  const r = store.db.prepare(`SELECT COUNT(*) AS n FROM audit WHERE issue_id = ? AND action = ? AND outcome IN (${marks})`).get(issueId, action, ...outcomes) as { n: number };
  return r.n;
}
