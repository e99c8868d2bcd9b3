// Reads one issue's rows from the python worker's run-summary files (FORMATS.md §2.1): the
// files hold every issue's runs, appended forever, so they are scanned in chunks for the
// issue id (Buffer.indexOf) and only the matching lines are parsed, with their line numbers
// for `file:line` evidence. Only regular files are opened (O_NONBLOCK: a FIFO never blocks),
// and a file over the limit is read from its last `maxBytes` only, which is said.
import { constants, type FileHandle, open } from 'node:fs/promises';
import { runsForIssue, type NumberedRun } from './run-summary-parse.js';

export interface SummaryRead {
  path: string;
  status: 'ok' | 'missing' | 'unreadable';
  error?: string;
  runs: NumberedRun[];
  badLines: number;
  /** Set when only the file's tail was read (line numbers then count from the window). */
  truncatedFromByte?: number;
}

/** Past this, only the newest part of a summary file is read. */
export const SUMMARY_MAX_BYTES = 256 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;

/** Newlines in buf[start, end). */
function countNewlines(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, start); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

async function scan(fh: FileHandle, size: number, issue: string, maxBytes: number): Promise<Omit<SummaryRead, 'path' | 'status'>> {
  const start = Math.max(0, size - maxBytes);
  const needle = Buffer.from(issue);
  const runs: NumberedRun[] = [];
  let badLines = 0;
  let linesBefore = 0;
  // Two buffers reused for the whole file, the unfinished line moved to the other one's front: the
  // next chunk is read (libuv thread) while this one is searched, and no fresh buffer per chunk
  // (a fresh buffer plus a concat of the carry cost more in page faults and GC than the scan).
  let buf: Buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size - start, 1)));
  let other: Buffer | null = null;
  let carry = 0;
  let first = start > 0;
  let pos = start;
  let pending: Promise<{ bytesRead: number }> | null = null;
  const readInto = (b: Buffer, at: number): Promise<{ bytesRead: number }> => {
    const p = fh.read(b, at, Math.min(b.length - at, size - pos), pos);
    p.catch(() => undefined); // awaited below; no unhandled rejection if the search throws first
    return p;
  };
  if (pos < size) pending = readInto(buf, 0);
  while (pending) {
    const { bytesRead } = await pending;
    pending = null;
    if (bytesRead === 0) break;
    pos += bytesRead;
    let from = 0;
    const filled = carry + bytesRead;
    // A window that starts mid-file starts mid-line: drop that partial line.
    if (first) {
      const nl = buf.indexOf(10, 0);
      if (nl === -1 || nl >= filled) {
        carry = 0;
        if (pos < size) pending = readInto(buf, 0);
        continue;
      }
      from = nl + 1;
      first = false;
    }
    const lastNl = pos < size ? buf.lastIndexOf(10, filled - 1) : filled - 1;
    const wholeEnd = lastNl < from ? from : lastNl + 1;
    const cur = buf;
    carry = filled - wholeEnd;
    if (pos < size) {
      // One line longer than the buffer: grow the next one (rows are one line each, normally small).
      if (other === null || carry >= other.length) other = Buffer.allocUnsafe(carry >= cur.length ? cur.length * 2 : cur.length);
      if (carry > 0) cur.copy(other, 0, wholeEnd, filled);
      buf = other;
      other = cur;
      pending = readInto(buf, carry);
    }
    const whole = cur.subarray(from, wholeEnd);
    let hit = whole.indexOf(needle);
    if (hit !== -1) {
      // Only lines that name the issue are decoded and parsed.
      let lineStart = 0;
      let counted = 0;
      while (hit !== -1) {
        const ls = whole.lastIndexOf(10, hit) + 1;
        let le = whole.indexOf(10, hit);
        if (le === -1) le = whole.length;
        counted += countNewlines(whole, lineStart, ls);
        lineStart = ls;
        const r = runsForIssue(whole.subarray(ls, le).toString('utf8'), issue);
        for (const run of r.runs) runs.push({ line: linesBefore + counted + 1, row: run.row });
        badLines += r.badLines;
        hit = whole.indexOf(needle, le);
      }
      linesBefore += counted + countNewlines(whole, lineStart, whole.length);
    } else linesBefore += countNewlines(whole, 0, whole.length);
  }
  const out: Omit<SummaryRead, 'path' | 'status'> = { runs, badLines };
  if (start > 0) out.truncatedFromByte = start;
  return out;
}

/** The issue's rows in one summary file; never throws. */
export async function readRunSummary(path: string, issue: string, maxBytes = SUMMARY_MAX_BYTES): Promise<SummaryRead> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path, status: 'missing', runs: [], badLines: 0 };
    return { path, status: 'unreadable', error: (e as Error).message, runs: [], badLines: 0 };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { path, status: 'unreadable', error: 'not a regular file', runs: [], badLines: 0 };
    return { path, status: 'ok', ...(await scan(fh, st.size, issue, maxBytes)) };
  } catch (e) {
    return { path, status: 'unreadable', error: (e as Error).message, runs: [], badLines: 0 };
  } finally {
    await fh.close().catch(() => undefined);
  }
}
