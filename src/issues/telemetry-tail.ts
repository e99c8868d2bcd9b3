// The last N complete lines of a big append-only file, read BACKWARDS from the end in
// blocks, like tail(1): `-n 20` on a 1 GiB telemetry file reads a few KiB. A last line
// without its newline is a write in progress and is left out (and reported).
import { readSync } from 'node:fs';
import { openRegularFile } from '../core/safe-read.js';

export interface TailLines {
  /** Complete lines, oldest first, without '\n' (a trailing '\r' removed). */
  lines: string[];
  /** Byte offset of each line's start. */
  offsets: number[];
  size: number;
  inode: number;
  /** Bytes after the last newline (a partial line being written). */
  partialBytes: number;
  /** Lines among the last N longer than maxLineBytes: skipped, not held (garbage, not telemetry). */
  overlongLines: number;
}

/** A telemetry record is a few KiB; a longer "line" (a NUL-filled tail) is skipped. As readLineAt's cap. */
export const MAX_TAIL_LINE_BYTES = 16 * 1024 * 1024;

export async function readLastLines(path: string, n: number, blockSize = 64 * 1024, maxLineBytes = MAX_TAIL_LINE_BYTES): Promise<TailLines> {
  const { fh, st } = await openRegularFile(path, { what: 'telemetry file' });
  try {
    const size = st.size;
    const want = Math.max(0, Math.floor(n));
    const lines: string[] = [];
    const offsets: number[] = [];
    let overlongLines = 0;
    let partialBytes = size;
    let sawLastNewline = false;
    // The line being assembled, backwards: its parts (last first), length, and whether
    // it already went over maxLineBytes (then its bytes are dropped, only counted).
    let parts: Buffer[] = [];
    let curLen = 0;
    let overlong = false;
    const finish = (start: number): void => {
      if (overlong) overlongLines++;
      else {
        let t = Buffer.concat(parts.reverse()).toString('utf8');
        if (t.endsWith('\r')) t = t.slice(0, -1);
        lines.push(t);
        offsets.push(start);
      }
      parts = [];
      curLen = 0;
      overlong = false;
    };
    const add = (b: Buffer): void => {
      if (overlong || b.length === 0) return;
      curLen += b.length;
      if (curLen > maxLineBytes) {
        overlong = true;
        parts = [];
      } else parts.push(b);
    };
    let pos = size;
    let block = blockSize;
    let done = false;
    while (pos > 0 && !done) {
      const len = Math.min(block, pos);
      pos -= len;
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      const b = buf.subarray(0, bytesRead);
      let e = b.length; // b[0..e) is still to be looked at
      if (!sawLastNewline) {
        const i = b.lastIndexOf(10);
        if (i === -1) {
          // Still inside the partial last line: nothing to keep; read bigger blocks.
          block = Math.min(block * 2, 1024 * 1024);
          continue;
        }
        sawLastNewline = true;
        partialBytes = size - (pos + i + 1);
        e = i;
        if (want === 0) break; // only partialBytes was wanted
      }
      while (e > 0) {
        const j = b.lastIndexOf(10, e - 1);
        add(b.subarray(j + 1, e));
        if (j === -1) break;
        finish(pos + j + 1);
        if (lines.length + overlongLines >= want) {
          done = true;
          break;
        }
        e = j;
      }
    }
    // The file's first line (it starts at byte 0, so no '\n' before it).
    if (!done && sawLastNewline && pos === 0 && lines.length + overlongLines < want) finish(0);
    return { lines: lines.reverse(), offsets: offsets.reverse(), size, inode: Number(st.ino), partialBytes, overlongLines };
  } finally {
    await fh.close();
  }
}

/** The complete line that starts at `offset` (reads forward until '\n'; capped). */
export async function readLineAt(fh: import('node:fs/promises').FileHandle, offset: number, maxBytes = 16 * 1024 * 1024): Promise<string | null> {
  const parts: Buffer[] = [];
  let pos = offset;
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes - total));
    if (buf.length === 0) return null;
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return null;
    const b = buf.subarray(0, bytesRead);
    const nl = b.indexOf(10);
    if (nl !== -1) {
      parts.push(b.subarray(0, nl));
      let t = Buffer.concat(parts).toString('utf8');
      if (t.endsWith('\r')) t = t.slice(0, -1);
      return t;
    }
    parts.push(Buffer.from(b));
    pos += bytesRead;
    total += bytesRead;
  }
}

let scratch: Buffer = Buffer.allocUnsafe(16 * 1024);

/**
 * readLineAt for a plain fd, synchronously (the index reads one line per issue, and
 * the records it returns, at known offsets). Reads 16 KiB first and doubles until the
 * '\n' is in; null at end of file without one, or past maxBytes.
 */
export function readLineAtSync(fd: number, offset: number, maxBytes = 16 * 1024 * 1024): string | null {
  let buf = scratch;
  let len = 0;
  for (;;) {
    const n = readSync(fd, buf, len, buf.length - len, offset + len);
    if (n === 0) return null;
    const nl = buf.indexOf(10, len);
    len += n;
    if (nl !== -1 && nl < len) {
      const e = nl > 0 && buf[nl - 1] === 13 ? nl - 1 : nl;
      return buf.toString('utf8', 0, e);
    }
    if (len < buf.length) continue;
    if (buf.length >= maxBytes) return null;
    const bigger = Buffer.allocUnsafe(Math.min(maxBytes, buf.length * 2));
    buf.copy(bigger, 0, 0, len);
    buf = bigger;
  }
}
