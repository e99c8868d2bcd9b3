// The last N complete lines of a big append-only file, read BACKWARDS from the end in
// blocks, like tail(1): `-n 20` on a 1 GiB telemetry file reads a few KiB. A last line
// without its newline is a write in progress and is left out (and reported).
import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';

export interface TailLines {
  /** Complete lines, oldest first, without '\n' (a trailing '\r' removed). */
  lines: string[];
  /** Byte offset of each line's start. */
  offsets: number[];
  size: number;
  inode: number;
  /** Bytes after the last newline (a partial line being written). */
  partialBytes: number;
}

export async function readLastLines(path: string, n: number, blockSize = 64 * 1024): Promise<TailLines> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    const size = st.size;
    const want = Math.max(0, Math.floor(n));
    const chunks: Buffer[] = [];
    let pos = size;
    let newlines = 0;
    let sawLastNewline = false;
    let partialBytes = 0;
    // Find the end of the last complete line first, then N more newlines before it.
    while (pos > 0) {
      const len = Math.min(blockSize, pos);
      pos -= len;
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      const b = buf.subarray(0, bytesRead);
      chunks.unshift(b);
      for (let i = b.length - 1; i >= 0; i--) {
        if (b[i] !== 10) continue;
        if (!sawLastNewline) {
          sawLastNewline = true;
          partialBytes = size - (pos + i + 1);
          continue;
        }
        newlines++;
        if (newlines >= want) break;
      }
      if (newlines >= want && sawLastNewline) break;
    }
    if (!sawLastNewline) partialBytes = size;
    const all = Buffer.concat(chunks);
    const base = pos;
    const end = all.length - partialBytes;
    const lines: string[] = [];
    const offsets: number[] = [];
    let e = end - 1; // index of the final '\n'
    while (lines.length < want && e >= 0) {
      // (e === 0: an empty first line; lastIndexOf(10, -1) would search from the END.)
      const s = e === 0 ? 0 : all.lastIndexOf(10, e - 1) + 1;
      if (s === 0 && base > 0) break; // not enough context (cannot happen once the loop above found N newlines)
      let t = all.toString('utf8', s, e);
      if (t.endsWith('\r')) t = t.slice(0, -1);
      lines.unshift(t);
      offsets.unshift(base + s);
      e = s - 1;
    }
    return { lines, offsets, size, inode: Number(st.ino), partialBytes };
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
