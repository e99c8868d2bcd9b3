// Queries for the incremental telemetry index (tables from migration 1, column
// offsets_bin from migration 2):
// telemetry_offsets (how far a file was read, with inode/size to spot rotation) and
// telemetry_index (per issue: offsets of recent records, latest record, count).
//
// Offsets are stored in offsets_bin as little-endian float64s, 8 bytes each: a scan
// rewrites the row of every issue it saw, and fixed-width values let it append its new
// offsets to the stored ones in SQL (keeping the last keep*8 bytes) without decoding
// them or reading the row back (applyScan).
// Rows written before migration 2 (or by an older swarmctl) are read from offsets_json;
// this version puts '[]' there. latest_json holds `{ offset }` of the issue's latest
// record: its summary is made when the issue is queried (issueRecords), not for every
// issue at every scan.
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

/** Offsets as little-endian float64s (exact for any file offset). */
export function encodeOffsets(offsets: readonly number[]): Buffer {
  const f = Float64Array.from(offsets);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

/** The inverse of encodeOffsets (a cut last value is dropped). */
export function decodeOffsets(b: Uint8Array): number[] {
  const n = Math.floor(b.length / 8);
  const copy = new Uint8Array(n * 8); // 8-byte aligned for the Float64Array
  copy.set(b.subarray(0, n * 8));
  return Array.from(new Float64Array(copy.buffer, 0, n));
}

export function getOffset(db: Db, file: string): OffsetRow | undefined {
  return db.prepare('SELECT * FROM telemetry_offsets WHERE file = ?').get(file) as OffsetRow | undefined;
}

interface IndexRowRaw {
  issue_id: string;
  offsets_json: string;
  offsets_bin: Buffer | null;
  latest_json: string | null;
  records: number;
}

/**
 * This version writes '[]' to offsets_json; anything else there was written by a version
 * without offsets_bin (before migration 2, or an older swarmctl on the same database,
 * which leaves offsets_bin as it was), and is the current list.
 */
function offsetsOf(r: Pick<IndexRowRaw, 'offsets_json' | 'offsets_bin'>): number[] {
  return r.offsets_bin && r.offsets_json === '[]' ? decodeOffsets(r.offsets_bin) : (JSON.parse(r.offsets_json) as number[]);
}

export function getIssueIndex(db: Db, file: string, issue: string): IssueIndexRow | undefined {
  const r = db.prepare('SELECT issue_id, offsets_json, offsets_bin, latest_json, records FROM telemetry_index WHERE file = ? AND issue_id = ?').get(file, issue) as IndexRowRaw | undefined;
  if (!r) return undefined;
  return { issue_id: r.issue_id, offsets: offsetsOf(r), latest: r.latest_json ? JSON.parse(r.latest_json) : null, records: r.records };
}

export interface IssueDelta {
  offsets: number[];
  records: number;
  latest: unknown;
}

/**
 * Rows whose offsets_json is not '[]' were last written by a version without offsets_bin
 * (see offsetsOf): their list moves to offsets_bin so the SQL append below can extend it.
 * Normally there are none.
 */
function convertLegacyRows(db: Db, file: string): void {
  const rows = db.prepare("SELECT issue_id, offsets_json, offsets_bin FROM telemetry_index WHERE file = ? AND offsets_json != '[]'").all(file) as Pick<
    IndexRowRaw,
    'issue_id' | 'offsets_json' | 'offsets_bin'
  >[];
  if (rows.length === 0) return;
  const fix = db.prepare("UPDATE telemetry_index SET offsets_json = '[]', offsets_bin = ? WHERE file = ? AND issue_id = ?");
  for (const r of rows) fix.run(encodeOffsets(offsetsOf(r)), file, r.issue_id);
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
    if (!next.reset) convertLegacyRows(db, file);
    // One statement per issue, no read-back: SQLite appends the new offsets to the stored
    // ones and keeps the last keep*8 bytes (substr with a negative start counts from the
    // end; `||` yields TEXT, so it is cast back to BLOB, where substr counts bytes, not
    // characters). A stored blob whose length is not a multiple of 8 (cut) is first trimmed to
    // whole values (substr of an empty blob is NULL, hence the coalesce).
    const up = db.prepare(
      `INSERT INTO telemetry_index (file, issue_id, offsets_json, offsets_bin, latest_json, records) VALUES (?, ?, '[]', ?, ?, ?)
       ON CONFLICT(file, issue_id) DO UPDATE SET
         offsets_bin = substr(CAST(coalesce(substr(coalesce(offsets_bin, x''), 1, length(coalesce(offsets_bin, x'')) - length(coalesce(offsets_bin, x'')) % 8), x'') || excluded.offsets_bin AS BLOB), ?),
         latest_json = excluded.latest_json,
         records = records + excluded.records`,
    );
    const keepBytes = Math.max(0, keep) * 8;
    // substr(X, -0) is X: with nothing to keep, take from past the end instead.
    const from = keepBytes > 0 ? -keepBytes : 2 ** 31 - 1;
    for (const [issue, d] of deltas) {
      const bin = encodeOffsets(keep <= 0 ? [] : d.offsets.length > keep ? d.offsets.slice(-keep) : d.offsets);
      up.run(file, issue, bin, JSON.stringify(d.latest), d.records, from);
    }
    return true;
  });
}
