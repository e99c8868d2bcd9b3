// The per-issue telemetry index: `tail -20 telemetry | grep ISSUE` misses an issue's
// records when other issues are busy, and grepping 1 GiB every time is slow. So the
// file is scanned ONCE from byte 0, remembering in SQLite how far it was read (offset),
// its inode and size, and per issue its record count, the offsets of its recent records
// and of its latest one (summarised when the issue is queried, so a scan parses no
// JSON). Each later query reads only the bytes appended since. An inode
// change (rotation) or a shrink (truncation) resets the index and says so. Malformed
// lines (concurrent NFS appends) are counted and skipped. Only complete lines are
// indexed: a last line without '\n' waits for the next scan.
//
// The scan reads with readSync into one reused buffer, keeps a partial last line by
// moving it to the front, and per line does one native newline search plus a short walk
// over the first top-level keys to find `"issue_id":"` (in real lines the second key).
// The id is hashed from its bytes and looked up without making a string; only a new
// issue's id is decoded. Unusual lines take the slow path (extractIssueId on the decoded
// line; the fast path gives the same answer whenever it answers). Only the last `keep`
// offsets of each issue are kept in memory; SQLite gets one transaction per scan.
import { closeSync, readSync } from 'node:fs';
import { openRegularFileSync } from '../core/safe-read.js';
import type { Store } from '../store/db.js';
import { applyScan, getIssueIndex, getOffset, type IssueDelta } from '../store/telemetry.js';
import { extractIssueId, parseTelemetryLine, type TelemetryRecord } from './telemetry-parse.js';
import { readLineAtSync } from './telemetry-tail.js';

export const DEFAULT_KEEP = 200;
/** Bytes per read. */
export const DEFAULT_CHUNK = 1024 * 1024;
/** A "line" longer than this is garbage: counted as one malformed line and skipped. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** The fast path walks at most this many bytes of a line looking for the key. */
const WALK = 512;
/** '"issue_id":"'.length */
const KV_LEN = 12;

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

export interface IndexOptions {
  /** Read size in bytes (tests use tiny ones to put records across chunk boundaries). */
  chunkBytes?: number;
  /** Longest line kept (default MAX_LINE_BYTES). */
  maxLineBytes?: number;
}

/** One issue seen during a scan. */
interface Acc {
  id: string;
  /** The id's bytes (UTF-8), to confirm a hash hit without making a string. */
  bytes: Uint8Array;
  hash: number;
  offsets: number[];
  records: number;
  latestOffset: number;
}

/** Hash of the id bytes b[v, j) (a small integer), for the open-addressing table. */
function hashBytes(b: Uint8Array, v: number, j: number): number {
  let hash = 0;
  for (let k = v; k < j; k++) hash = (Math.imul(hash, 31) + (b[k] as number)) | 0;
  return hash & 0x3fffffff;
}

/** Per-line scanner over one reused buffer. State lives on the instance between chunks. */
class Scanner {
  readonly issues: Acc[] = [];
  records = 0;
  bad = 0;
  private readonly keep: number;
  private readonly cap: number;
  /** Open addressing over `issues` by hash: 0 = empty, else index + 1. */
  private slots = new Int32Array(1024);
  private mask = 1023;

  constructor(keep: number) {
    this.keep = Math.max(0, Math.floor(keep));
    this.cap = Math.max(this.keep * 2, 16);
  }

  /** The issue whose id is buf[v, j) (hash of those bytes given), created when new. */
  private find(buf: Uint8Array, v: number, j: number, hash: number, id?: string): Acc {
    const n = j - v;
    const slots = this.slots;
    let h = hash & this.mask;
    for (;;) {
      const x = slots[h] as number;
      if (x === 0) break;
      const a = this.issues[x - 1] as Acc;
      if (a.hash === hash) {
        const b = a.bytes;
        if (b.length === n) {
          let k = 0;
          while (k < n && b[k] === buf[v + k]) k++;
          if (k === n) return a;
        }
      }
      h = (h + 1) & this.mask;
    }
    const bytes = new Uint8Array(buf.subarray(v, j)); // a copy: buf is reused
    const a: Acc = { id: id ?? Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('utf8'), bytes, hash, offsets: [], records: 0, latestOffset: 0 };
    this.issues.push(a);
    slots[h] = this.issues.length;
    if (this.issues.length * 2 > slots.length) this.grow();
    return a;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    this.issues.forEach((a, i) => {
      let h = a.hash & mask;
      while (slots[h] !== 0) h = (h + 1) & mask;
      slots[h] = i + 1;
    });
    this.slots = slots;
    this.mask = mask;
  }

  /** An id found by the slow path (any string). */
  private addId(id: string, offset: number): void {
    const bytes = Buffer.from(id, 'utf8');
    this.note(this.find(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length), id), offset);
  }

  private note(a: Acc, offset: number): void {
    this.records++;
    a.records++;
    a.latestOffset = offset;
    if (this.keep === 0) return;
    const o = a.offsets;
    o.push(offset);
    if (o.length >= this.cap) o.splice(0, o.length - this.keep);
  }

  /**
   * Indexes every complete line in buf[0, len) (buf[0] starts a line at file offset
   * `base`). Returns the index just after the last '\n' consumed.
   */
  lines(buf: Buffer, len: number, base: number): number {
    let s = 0;
    for (;;) {
      const v = buf[s] === 123 ? keyValueAt(buf, s, len) : -1;
      if (v !== -1) {
        const j = plainIdEnd(buf, v, len);
        if (j !== -1) {
          const nl = buf.indexOf(10, j + 1);
          // No '\n' in [s, j] (the walk and the id stop at one): none before len means partial.
          if (nl === -1 || nl >= len) return s;
          let e = nl;
          if (buf[e - 1] === 13) e--;
          if (buf[e - 1] === 125) {
            this.note(this.find(buf, v, j, hashBytes(buf, v, j)), base + s);
            s = nl + 1;
            continue;
          }
        }
      }
      // ---- Slow path: extractIssueId on the decoded line. Blank lines (only spaces, tabs
      // and CRs) are skipped, not counted.
      const nl = buf.indexOf(10, s);
      if (nl === -1 || nl >= len) return s;
      let ls = s;
      while (ls < nl && (buf[ls] === 32 || buf[ls] === 9 || buf[ls] === 13)) ls++;
      if (ls < nl) {
        const id = extractIssueId(buf.toString('utf8', s, nl));
        if (id === null) this.bad++;
        else this.addId(id, base + s);
      }
      s = nl + 1;
    }
  }
}

/**
 * For the line at s (buf[s] is `{`): walks it, skipping strings and counting depth, to
 * the first `"issue_id":"` at depth 1 and returns where its value starts, or -1. Whatever
 * could make extractIssueId answer differently (another `"issue_id"` before it, nested
 * or inside a string, an escaped quote, a newline, a long prefix) gives -1: the slow path.
 * Like extractIssueId and parseTelemetryLine it takes the first of two top-level
 * `issue_id` keys (JSON.parse alone keeps the last): finding the last would cost a second
 * search per line, for lines no known writer produces.
 */
function keyValueAt(buf: Buffer, s: number, len: number): number {
  const lim = Math.min(len - KV_LEN, s + WALK);
  let depth = 1;
  let i = s + 1;
  while (i < lim) {
    const c = buf[i];
    if (c === 34) {
      // `"issue_id"`
      if (
        buf[i + 1] === 105 &&
        buf[i + 2] === 115 &&
        buf[i + 3] === 115 &&
        buf[i + 4] === 117 &&
        buf[i + 5] === 101 &&
        buf[i + 6] === 95 &&
        buf[i + 7] === 105 &&
        buf[i + 8] === 100 &&
        buf[i + 9] === 34
      ) {
        return depth === 1 && buf[i + 10] === 58 && buf[i + 11] === 34 ? i + KV_LEN : -1; // else nested / not followed by `:"`
      }
      i++;
      for (;;) {
        if (i >= lim) return -1;
        const d = buf[i];
        if (d === 34) break;
        if (d === 10) return -1;
        if (d === 92) {
          if (buf[i + 1] === 34) return -1; // `\"issue_id"` would be an earlier occurrence
          i += 2;
        } else i++;
      }
      if (buf[i + 1] === 105) return -1; // `…"issue_id"` right after a closing quote
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return -1;
    } else if (c === 10) return -1;
    i++;
  }
  return -1;
}

/**
 * The end of a plain id value starting at v (printable ASCII but `"` and `\`, at least
 * one byte), if a `,` or `}` follows its closing quote; else -1.
 */
function plainIdEnd(buf: Buffer, v: number, len: number): number {
  let j = v;
  let c = 0;
  while (j < len) {
    c = buf[j] as number;
    if (c === 34 || c < 32 || c > 126 || c === 92) break;
    j++;
  }
  if (c !== 34 || j === v || j + 1 >= len) return -1;
  const after = buf[j + 1];
  if (after !== 44 && after !== 125) return -1;
  return j;
}

interface RawScan {
  end: number;
  records: number;
  bad: number;
  issues: Acc[];
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Reads fd from `from` to its end, line by line; `end` is the offset after the last '\n'. */
async function scanFd(fd: number, from: number, keep: number, chunkBytes: number, maxLine: number): Promise<RawScan> {
  const sc = new Scanner(keep);
  let buf = Buffer.allocUnsafe(Math.max(16, Math.floor(chunkBytes)));
  let base = from; // file offset of buf[0]; always a line start (or inside a skipped line)
  let len = 0;
  let skipping = false; // inside an over-long line: discard up to its '\n'
  let skipStart = 0;
  let sinceYield = 0;
  for (;;) {
    const n = readSync(fd, buf, len, buf.length - len, base + len);
    if (n === 0) break;
    len += n;
    sinceYield += n;
    let s = 0;
    if (skipping) {
      const nl = buf.indexOf(10);
      if (nl === -1 || nl >= len) {
        base += len;
        len = 0;
        continue;
      }
      sc.bad++;
      skipping = false;
      s = nl + 1;
    }
    const used = s + sc.lines(s === 0 ? buf : buf.subarray(s), len - s, base + s);
    if (used === 0 && len === buf.length) {
      // One line fills the buffer: grow, or give up on it.
      if (buf.length >= maxLine) {
        skipping = true;
        skipStart = base;
        base += len;
        len = 0;
      } else {
        const bigger = Buffer.allocUnsafe(Math.min(maxLine, buf.length * 2));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
    } else if (used > 0) {
      buf.copyWithin(0, used, len);
      base += used;
      len -= used;
    }
    if (sinceYield >= 64 * 1024 * 1024) {
      sinceYield = 0;
      await tick(); // let timers and I/O of a long-lived caller run during a long scan
    }
  }
  return { end: skipping ? skipStart : base, records: sc.records, bad: sc.bad, issues: sc.issues };
}

function summaryOf(r: TelemetryRecord, offset: number): Record<string, unknown> {
  return { offset, shape: r.shape, timestamp: r.timestamp, success: r.success, iterations: r.iterations, phase: r.phase, outcome: r.outcome, summary: r.summary };
}

/** The latest record's summary, from the line at `offset` (made at query time). */
function latestSummary(fd: number, offset: number, issue: string): unknown {
  const line = readLineAtSync(fd, offset);
  const p = line === null ? null : parseTelemetryLine(line);
  return p && p.ok && p.record.issueId === issue ? summaryOf(p.record, offset) : { offset, malformed: true };
}

/** The offset of a stored `latest` that is only `{ offset }` (summarised on demand). */
function bareOffset(latest: unknown): number | undefined {
  if (typeof latest !== 'object' || latest === null) return undefined;
  const keys = Object.keys(latest);
  const off = (latest as { offset?: unknown }).offset;
  return keys.length === 1 && typeof off === 'number' ? off : undefined;
}

/** Brings the index of `file` up to date. */
export async function updateTelemetryIndex(store: Store, file: string, keep = DEFAULT_KEEP, opts: IndexOptions = {}): Promise<ScanResult> {
  const chunk = opts.chunkBytes ?? DEFAULT_CHUNK;
  const maxLine = Math.max(chunk, opts.maxLineBytes ?? MAX_LINE_BYTES);
  for (let attempt = 0; attempt < 5; attempt++) {
    // Open first, then fstat: inode, size and bytes all come from the same file even
    // when it is rotated meanwhile.
    const { fd, st } = openRegularFileSync(file, { what: 'telemetry file' });
    try {
      const inode = Number(st.ino);
      const prev = getOffset(store.db, file);
      let reset: ScanResult['reset'];
      if (!prev) reset = 'new';
      else if (prev.inode !== inode) reset = 'rotated';
      else if (st.size < prev.offset || !endsLine(fd, prev.offset)) reset = 'truncated';
      const from = reset ? 0 : (prev?.offset ?? 0);
      const raw = await scanFd(fd, from, keep, chunk, maxLine);
      const deltas = new Map<string, IssueDelta>();
      for (const a of raw.issues) deltas.set(a.id, { offsets: keep > 0 ? a.offsets.slice(-keep) : [], records: a.records, latest: { offset: a.latestOffset } });
      const ok = applyScan(
        store,
        file,
        reset || !prev ? null : { offset: prev.offset, inode: prev.inode },
        { inode, size: st.size, offset: raw.end, badLines: raw.bad, reset: Boolean(reset) },
        deltas,
        keep,
      );
      if (!ok) continue;
      const res: ScanResult = {
        file,
        fromOffset: from,
        toOffset: raw.end,
        bytesRead: raw.end - from,
        newRecords: raw.records,
        newBadLines: raw.bad,
        totalBadLines: getOffset(store.db, file)?.bad_lines ?? raw.bad,
      };
      if (reset) res.reset = reset;
      return res;
    } finally {
      closeSync(fd);
    }
  }
  throw new Error(`telemetry index for ${file} kept changing under concurrent updates`);
}

/**
 * The index always stops just after a '\n'. If the byte before the stored offset is no
 * longer one, the file was rewritten in place (truncated, then grown past the old
 * offset between two updates).
 */
function endsLine(fd: number, offset: number): boolean {
  if (offset === 0) return true;
  const b = Buffer.alloc(1);
  return readSync(fd, b, 0, 1, offset - 1) === 1 && b[0] === 10;
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

/**
 * The issue's last `n` records, wherever they are in the file, and the summary of its
 * latest record. Only these lines are read and parsed.
 */
export async function issueRecords(store: Store, file: string, issue: string, n: number, keep = DEFAULT_KEEP, opts: IndexOptions = {}): Promise<IssueRecords> {
  const scan = await updateTelemetryIndex(store, file, keep, opts);
  const row = getIssueIndex(store.db, file, issue);
  const out: IssueRecords = { issueId: issue, records: [], total: row?.records ?? 0, malformed: 0, limited: n > keep && (row?.records ?? 0) > keep, latest: row?.latest ?? null, scan };
  if (!row) return out;
  const latestAt = bareOffset(row.latest);
  const { fd } = openRegularFileSync(file, { what: 'telemetry file' });
  try {
    for (const off of n > 0 ? row.offsets.slice(-n) : []) {
      const line = readLineAtSync(fd, off);
      const p = line === null ? null : parseTelemetryLine(line);
      if (p && p.ok && p.record.issueId === issue) {
        out.records.push(p.record);
        if (off === latestAt) out.latest = summaryOf(p.record, off);
      } else {
        out.malformed++;
        if (off === latestAt) out.latest = { offset: off, malformed: true };
      }
    }
    if (latestAt !== undefined && out.latest === row.latest) out.latest = latestSummary(fd, latestAt, issue);
  } finally {
    closeSync(fd);
  }
  return out;
}
