// Reads the part of a job log `swarm-orch-<jobid>.log` that matters: the last window
// (default 8 MiB), split into records with EXACT line numbers in the whole file, so
// evidence can say `file:line`. The bytes before the window are only scanned for
// newlines (countNewlines), never decoded or matched.
import { openRegularFile } from '../io/safe-read.js';
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
}

export async function readJobLogTail(path: string, maxBytes = DEFAULT_LOG_WINDOW): Promise<JobLogTail> {
  const { fh, st } = await openRegularFile(path, { what: 'job log' }); // a FIFO must not hang diagnose
  try {
    const size = st.size;
    const start = Math.max(0, size - maxBytes);
    // Count the newlines before the window in 4 MiB steps.
    let newlinesBefore = 0;
    const step = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let pos = 0; pos < start; ) {
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
    const records = splitLogRecords(w.text, { firstLine: w.startLine });
    return { path, size, mtimeMs: st.mtimeMs, records, startLine: w.startLine, startByte: w.startByte, truncated: w.truncated };
  } finally {
    await fh.close();
  }
}
