// `telemetry --follow`: emits each complete line appended to the file (a partial last
// line waits for its newline). Survives truncation and rotation (inode change or a
// shrink → restart from byte 0 and say so). fs.watch wakes it early, and a polling
// timer is the fallback, because inotify does not fire for writes made by other NFS
// clients.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { openRegularFile, SafeReadError } from '../core/safe-read.js';
import { MAX_TAIL_LINE_BYTES } from './telemetry-tail.js';

export type FollowEvent =
  | { type: 'line'; line: string; offset: number }
  | { type: 'reset'; reason: 'rotated' | 'truncated'; detail: string }
  | { type: 'missing'; detail: string }
  /** A line over MAX_TAIL_LINE_BYTES: skipped, never held whole. */
  | { type: 'overlong'; offset: number; detail: string };

export interface FollowOptions {
  /** Byte offset to start at (default: the current end of the file). */
  from?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Set false to rely on polling only (tests; NFS). */
  useWatch?: boolean;
}

/**
 * The start of the line that contains `pos` (pos itself when a line starts there). A
 * follow that starts in the middle of a line being written must not emit its second
 * half as a line: it starts at the beginning of that line and emits it once complete.
 */
async function lineStart(path: string, pos: number): Promise<number> {
  if (pos <= 0) return 0;
  const { fh } = await openRegularFile(path, { what: 'telemetry file' });
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let end = pos; // search [.., end) backwards
    while (end > 0) {
      const from = Math.max(0, end - buf.length);
      const { bytesRead } = await fh.read(buf, 0, end - from, from);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
      if (nl !== -1) return from + nl + 1;
      end = from;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

export async function followFile(path: string, onEvent: (e: FollowEvent) => void, opts: FollowOptions = {}): Promise<void> {
  const pollMs = opts.pollMs ?? 1000;
  let inode: number | null = null;
  let pos = 0;
  let carry = Buffer.alloc(0);
  let carryStart = 0;
  let missingReported = false;
  let skipping = false; // inside an over-long line: its bytes are dropped until its '\n'
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    inode = Number(st.ino);
    pos = await lineStart(path, Math.min(opts.from ?? st.size, st.size));
    carryStart = pos;
  } catch {
    /* not there yet: wait for it */
  }

  const check = async (): Promise<void> => {
    let st;
    try {
      st = await stat(path);
    } catch {
      if (!missingReported) onEvent({ type: 'missing', detail: `${path} does not exist (waiting for it)` });
      missingReported = true;
      return;
    }
    if (!st.isFile()) {
      // A FIFO or device would block or never end: wait for a regular file, as for a missing one.
      if (!missingReported) onEvent({ type: 'missing', detail: `${path} is not a regular file (waiting for one)` });
      missingReported = true;
      return;
    }
    missingReported = false;
    const ino = Number(st.ino);
    if (inode !== null && ino !== inode) {
      onEvent({ type: 'reset', reason: 'rotated', detail: `${path} was replaced (inode ${inode} → ${ino}); reading the new file from the start` });
      pos = 0;
      carry = Buffer.alloc(0);
      carryStart = 0;
      skipping = false;
    } else if (st.size < pos) {
      onEvent({ type: 'reset', reason: 'truncated', detail: `${path} shrank from ${pos} to ${st.size} bytes; reading from the start` });
      pos = 0;
      carry = Buffer.alloc(0);
      carryStart = 0;
      skipping = false;
    }
    inode = ino;
    if (st.size <= pos) return;
    let opened;
    try {
      opened = await openRegularFile(path, { what: 'telemetry file' });
    } catch (e) {
      if (e instanceof SafeReadError || (e as NodeJS.ErrnoException).code === 'ENOENT') return; // swapped meanwhile: next tick
      throw e;
    }
    const fh = opened.fh;
    try {
      while (pos < st.size) {
        const len = Math.min(4 * 1024 * 1024, st.size - pos);
        const buf = Buffer.allocUnsafe(len);
        const { bytesRead } = await fh.read(buf, 0, len, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        let s = 0;
        if (skipping) {
          const nl = data.indexOf(10);
          if (nl === -1) {
            carry = Buffer.alloc(0);
            continue;
          }
          onEvent({ type: 'overlong', offset: carryStart, detail: `line at byte ${carryStart} of ${path} is over ${MAX_TAIL_LINE_BYTES} bytes: skipped` });
          skipping = false;
          s = nl + 1;
          carryStart = pos - bytesRead; // data (no carry while skipping) starts here
        }
        for (let nl = data.indexOf(10, s); nl !== -1; nl = data.indexOf(10, s)) {
          let t = data.toString('utf8', s, nl);
          if (t.endsWith('\r')) t = t.slice(0, -1);
          onEvent({ type: 'line', line: t, offset: carryStart + s });
          s = nl + 1;
        }
        carryStart += s;
        carry = Buffer.from(data.subarray(s));
        if (carry.length > MAX_TAIL_LINE_BYTES) {
          skipping = true; // carryStart stays at the over-long line's start, for the event
          carry = Buffer.alloc(0);
        }
      }
    } finally {
      await fh.close();
    }
  };

  let running = false;
  let again = false;
  const tick = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await check();
      } while (again);
    } finally {
      running = false;
    }
  };

  await tick();
  await new Promise<void>((resolveDone) => {
    let watcher: FSWatcher | undefined;
    const startWatch = (): void => {
      if (opts.useWatch === false) return;
      try {
        watcher = watch(path, { persistent: true }, () => void tick());
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        watcher = undefined; // polling covers it
      }
    };
    startWatch();
    const timer = setInterval(() => {
      // A rotated file needs a new watch on the new inode.
      if (opts.useWatch !== false) {
        watcher?.close();
        startWatch();
      }
      void tick();
    }, pollMs);
    const stop = (): void => {
      clearInterval(timer);
      watcher?.close();
      resolveDone();
    };
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
  });
}
