// Reads the part of a job log `swarm-orch-<jobid>.log` that matters: the last window
// (default 8 MiB), split into records with EXACT line numbers in the whole file, so
// evidence can say `file:line`. The bytes before the window are only scanned for
// newlines (countNewlines), never decoded or matched. Only a regular file is read,
// opened without blocking (a FIFO in its place would hang the command).
import { openRegularFile } from '../core/safe-read.js';
import { countNewlines, splitLogRecords, tailWindowBytes, type LogRecord } from './log-records.js';

export const DEFAULT_LOG_WINDOW = 8 * 1024 * 1024;

export interface JobLogTail {
  path: string;
  size: number;
  mtimeMs: number;
  records: LogRecord[];
  startLine: number;
  startByte: number;
  truncated: boolean;
  /** Bytes of the window that were decoded. */
  windowBytes: number;
  /** The window is not text: over 5% NUL or control bytes (tab, CR, LF, ESC excepted). */
  binary: boolean;
}

/** Share of bytes that no text log holds (NUL and C0 controls but tab, LF, CR, ESC; DEL). */
export function binaryShare(b: Uint8Array): number {
  if (b.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27) || c === 127) n++;
  }
  return n / b.length;
}

export async function readJobLogTail(path: string, maxBytes = DEFAULT_LOG_WINDOW): Promise<JobLogTail> {
  const { fh, st } = await openRegularFile(path, { what: 'job log' });
  try {
    const size = st.size;
    const start = Math.max(0, size - maxBytes);
    // Count the newlines before the window in 4 MiB steps.
    let newlinesBefore = 0;
    const step = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let pos = 0; pos < start;) {
      const { bytesRead } = await fh.read(step, 0, Math.min(step.length, start - pos), pos);
      if (bytesRead === 0) break;
      newlinesBefore += countNewlines(step, 0, bytesRead);
      pos += bytesRead;
    }
    // Include the byte before the window so the window's first line is known to be whole or not.
    const from = Math.max(0, start - 1);
    const buf = Buffer.allocUnsafe(size - from);
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    const b = buf.subarray(0, bytesRead);
    const nlBefore = from < start && b[0] === 10 ? newlinesBefore - 1 : newlinesBefore;
    const w = tailWindowBytes(b, size - start, { byteOffset: from, newlinesBefore: nlBefore });
    const windowBytes = Math.max(0, from + b.length - w.startByte);
    const binary = binaryShare(b.subarray(Math.max(0, w.startByte - from))) > 0.05;
    const records = binary ? [] : splitLogRecords(w.text, { firstLine: w.startLine });
    return { path, size, mtimeMs: st.mtimeMs, records, startLine: w.startLine, startByte: w.startByte, truncated: w.truncated, windowBytes, binary };
  } finally {
    await fh.close();
  }
}
