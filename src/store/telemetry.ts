// Queries for the incremental telemetry index (tables from migration 1):
// telemetry_offsets (how far a file was read, with inode/size to spot rotation) and
// telemetry_index (per issue: offsets of recent records, latest summary, count).
import type { Db, Store } from './db.js';

export interface OffsetRow {
  file: string;
  inode: number;
  size: number;
  offset: number;
  bad_lines: number;
  updated_at: number;
}

export interface IssueIndexRow {
  issue_id: string;
  offsets: number[];
  latest: unknown;
  records: number;
}

export function getOffset(db: Db, file: string): OffsetRow | undefined {
  return db.prepare('SELECT * FROM telemetry_offsets WHERE file = ?').get(file) as OffsetRow | undefined;
}

export function getIssueIndex(db: Db, file: string, issue: string): IssueIndexRow | undefined {
  const r = db.prepare('SELECT issue_id, offsets_json, latest_json, records FROM telemetry_index WHERE file = ? AND issue_id = ?').get(file, issue) as
    | { issue_id: string; offsets_json: string; latest_json: string | null; records: number }
    | undefined;
  if (!r) return undefined;
  return { issue_id: r.issue_id, offsets: JSON.parse(r.offsets_json) as number[], latest: r.latest_json ? JSON.parse(r.latest_json) : null, records: r.records };
}

export interface IssueDelta {
  offsets: number[];
  records: number;
  latest: unknown;
}

/**
 * Applies one scan's results, unless another process advanced the same file meanwhile
 * (then nothing is written and false comes back: the caller re-reads).
 */
export function applyScan(
  store: Store,
  file: string,
  expectFrom: { offset: number; inode: number } | null,
  next: { inode: number; size: number; offset: number; badLines: number; reset: boolean },
  deltas: ReadonlyMap<string, IssueDelta>,
  keep: number,
  now = Date.now(),
): boolean {
  return store.write((db) => {
    const cur = getOffset(db, file);
    const same = expectFrom === null ? cur === undefined : cur !== undefined && cur.offset === expectFrom.offset && cur.inode === expectFrom.inode;
    if (!same && !next.reset) return false;
    if (next.reset) db.prepare('DELETE FROM telemetry_index WHERE file = ?').run(file);
    const bad = (next.reset || !cur ? 0 : cur.bad_lines) + next.badLines;
    db.prepare(
      'INSERT INTO telemetry_offsets (file, inode, size, offset, bad_lines, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(file) DO UPDATE SET inode = excluded.inode, size = excluded.size, offset = excluded.offset, bad_lines = excluded.bad_lines, updated_at = excluded.updated_at',
    ).run(file, next.inode, next.size, next.offset, bad, now);
    const sel = db.prepare('SELECT offsets_json, records FROM telemetry_index WHERE file = ? AND issue_id = ?');
    const up = db.prepare(
      'INSERT INTO telemetry_index (file, issue_id, offsets_json, latest_json, records) VALUES (?, ?, ?, ?, ?) ON CONFLICT(file, issue_id) DO UPDATE SET offsets_json = excluded.offsets_json, latest_json = excluded.latest_json, records = excluded.records',
    );
    for (const [issue, d] of deltas) {
      const old = sel.get(file, issue) as { offsets_json: string; records: number } | undefined;
      const offsets = [...(old ? (JSON.parse(old.offsets_json) as number[]) : []), ...d.offsets].slice(-keep);
      up.run(file, issue, JSON.stringify(offsets), JSON.stringify(d.latest), (old?.records ?? 0) + d.records);
    }
    return true;
  });
}
