// The per-issue telemetry index: `tail -20 telemetry | grep ISSUE` misses an issue's
// records when other issues are busy, and grepping 1 GiB every time is slow. So the
// file is scanned ONCE from byte 0, remembering in SQLite how far it was read (offset),
// its inode and size, and per issue the offsets of its recent records and a summary
// of its latest one. Each later query reads only the bytes appended since. An inode
// change (rotation) or a shrink (truncation) resets the index and says so. Malformed
// lines (concurrent NFS appends) are counted and skipped. Only complete lines are
// indexed: a last line without '\n' waits for the next scan.
import { open, stat } from 'node:fs/promises';
import type { Store } from '../store/db.js';
import { applyScan, getIssueIndex, getOffset, type IssueDelta } from '../store/telemetry.js';
import { extractIssueId, parseTelemetryLine, type TelemetryRecord } from './telemetry-parse.js';
import { readLineAt } from './telemetry-tail.js';

export const DEFAULT_KEEP = 200;
const CHUNK = 8 * 1024 * 1024;
const KEY = Buffer.from('"issue_id"');

export interface ScanResult {
  file: string;
  /** Set when the index was rebuilt from byte 0. */
  reset?: 'rotated' | 'truncated' | 'new';
  fromOffset: number;
  toOffset: number;
  bytesRead: number;
  newRecords: number;
  newBadLines: number;
  totalBadLines: number;
}

/**
 * Fast byte-level issue id: `{…"issue_id":"X",…}` with the key at depth 1 and a plain
 * value. Returns undefined when unsure (the caller then uses extractIssueId).
 */
function fastIssueId(buf: Buffer, s: number, e: number, key: number): string | null | undefined {
  if (buf[s] !== 123 || buf[e - 1] !== 125) return null;
  let depth = 0;
  let inStr = false;
  for (let i = s; i < key; i++) {
    const c = buf[i];
    if (inStr) {
      if (c === 92) i++;
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  if (inStr || depth !== 1) return undefined;
  let i = key + KEY.length;
  if (buf[i] !== 58 || buf[i + 1] !== 34) return undefined;
  i += 2;
  const close = buf.indexOf(34, i);
  if (close === -1 || close >= e || close === i) return undefined;
  const after = buf[close + 1];
  if (after !== 44 && after !== 125) return undefined;
  for (let j = i; j < close; j++) if (buf[j] === 92 || (buf[j] as number) > 126) return undefined;
  return buf.toString('latin1', i, close);
}

function summaryOf(r: TelemetryRecord, offset: number): Record<string, unknown> {
  return { offset, shape: r.shape, timestamp: r.timestamp, success: r.success, iterations: r.iterations, phase: r.phase, outcome: r.outcome, summary: r.summary };
}

/** Brings the index of `file` up to date. */
export async function updateTelemetryIndex(store: Store, file: string, keep = DEFAULT_KEEP): Promise<ScanResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const st = await stat(file);
    const inode = Number(st.ino);
    const prev = getOffset(store.db, file);
    let from = prev?.offset ?? 0;
    let reset: ScanResult['reset'];
    if (!prev) reset = 'new';
    else if (prev.inode !== inode) reset = 'rotated';
    else if (st.size < prev.offset) reset = 'truncated';
    if (reset) from = 0;
    const deltas = new Map<string, IssueDelta & { latestOffset: number }>();
    let bad = 0;
    let records = 0;
    let pos = from;
    const fh = await open(file, 'r');
    try {
      let carry: Buffer = Buffer.alloc(0);
      let carryStart = pos;
      for (;;) {
        const buf = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        const base = carryStart;
        let s = 0;
        let nextKey = data.indexOf(KEY, 0);
        for (;;) {
          const nl = data.indexOf(10, s);
          if (nl === -1) break;
          let e = nl;
          while (e > s && (data[e - 1] === 13 || data[e - 1] === 32 || data[e - 1] === 9)) e--;
          let ls = s;
          while (ls < e && (data[ls] === 32 || data[ls] === 9)) ls++;
          if (e > ls) {
            while (nextKey !== -1 && nextKey < ls) nextKey = data.indexOf(KEY, ls);
            let id: string | null | undefined = nextKey !== -1 && nextKey < e ? fastIssueId(data, ls, e, nextKey) : undefined;
            if (id === undefined) id = extractIssueId(data.toString('utf8', ls, e));
            if (id === null) bad++;
            else {
              records++;
              let d = deltas.get(id);
              if (!d) deltas.set(id, (d = { offsets: [], records: 0, latest: null, latestOffset: 0 }));
              d.offsets.push(base + s);
              if (d.offsets.length > keep * 2) d.offsets.splice(0, d.offsets.length - keep);
              d.records++;
              d.latestOffset = base + s;
            }
          }
          s = nl + 1;
        }
        carry = Buffer.from(data.subarray(s));
        carryStart = base + s;
        if (carry.length > 64 * 1024 * 1024) {
          // A "line" this long is garbage: count it and move on.
          bad++;
          carry = Buffer.alloc(0);
          carryStart = pos;
        }
      }
      const end = carryStart; // everything before the last newline
      for (const d of deltas.values()) {
        d.offsets = d.offsets.slice(-keep);
        const line = await readLineAt(fh, d.latestOffset);
        const p = line === null ? null : parseTelemetryLine(line);
        d.latest = p && p.ok ? summaryOf(p.record, d.latestOffset) : { offset: d.latestOffset, malformed: true };
      }
      const ok = applyScan(store, file, reset || !prev ? null : { offset: prev.offset, inode: prev.inode }, { inode, size: st.size, offset: end, badLines: bad, reset: Boolean(reset) }, deltas, keep);
      if (!ok) continue;
      const res: ScanResult = { file, fromOffset: from, toOffset: end, bytesRead: end - from, newRecords: records, newBadLines: bad, totalBadLines: getOffset(store.db, file)?.bad_lines ?? bad };
      if (reset) res.reset = reset;
      return res;
    } finally {
      await fh.close();
    }
  }
  throw new Error(`telemetry index for ${file} kept changing under concurrent updates`);
}

export interface IssueRecords {
  issueId: string;
  records: TelemetryRecord[];
  /** Records the issue has in the file (as indexed). */
  total: number;
  malformed: number;
  /** true when N was larger than the offsets the index keeps per issue. */
  limited: boolean;
  latest: unknown;
  scan: ScanResult;
}

/** The issue's last `n` records, wherever they are in the file. */
export async function issueRecords(store: Store, file: string, issue: string, n: number, keep = DEFAULT_KEEP): Promise<IssueRecords> {
  const scan = await updateTelemetryIndex(store, file, keep);
  const row = getIssueIndex(store.db, file, issue);
  const out: IssueRecords = { issueId: issue, records: [], total: row?.records ?? 0, malformed: 0, limited: n > keep && (row?.records ?? 0) > keep, latest: row?.latest ?? null, scan };
  if (!row) return out;
  const fh = await open(file, 'r');
  try {
    for (const off of row.offsets.slice(-Math.max(0, n))) {
      const line = await readLineAt(fh, off);
      const p = line === null ? null : parseTelemetryLine(line);
      if (p && p.ok && p.record.issueId === issue) out.records.push(p.record);
      else out.malformed++;
    }
  } finally {
    await fh.close();
  }
  return out;
}
