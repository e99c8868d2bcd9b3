// Reads a file from the share or the config without trusting what is there: opened
// with O_NONBLOCK (a FIFO must not block the open), fstat'ed on the fd (what we check is
// what we read), refused unless a regular file (a FIFO never ends, /dev/zero never
// ends), and read up to a stated limit (a 1.5 GB discovery record must not be held
// whole). O_NOFOLLOW when the caller has already resolved the real path, so a link
// swapped in after that check is not followed either. Every refusal is a SafeReadError
// whose message names the file, what is wrong and the limit.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export const KiB = 1024;
export const MiB = 1024 * 1024;

export type SafeReadCode = 'ENOTREG' | 'EFBIG';

export class SafeReadError extends Error {
  constructor(
    readonly code: SafeReadCode,
    message: string,
  ) {
    super(message);
    this.name = 'SafeReadError';
  }
}

export interface SafeReadOptions {
  /** What the file is, for the message: "discovery record", "config". */
  what: string;
  /** Most bytes read; a bigger file is refused (EFBIG). Omit for an open-only check. */
  limit?: number;
  /** Refuse a symlink at the last component (the caller already resolved the real path). */
  noFollow?: boolean;
}

/** 1536 -> "1.5 KiB", 1.5e9 -> "1.4 GiB": sizes in messages. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${n} bytes`;
  return `${v >= 10 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

function flags(noFollow?: boolean): number {
  return constants.O_RDONLY | constants.O_NONBLOCK | (noFollow ? constants.O_NOFOLLOW : 0);
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** Throws SafeReadError when `st` is not a regular file or is over the limit. */
export function checkRegular(path: string, st: Stats, o: SafeReadOptions): void {
  if (!st.isFile()) throw new SafeReadError('ENOTREG', `${o.what} ${path} is ${kindOf(st)}, not a regular file: not read (replace it with a regular file)`);
  if (o.limit !== undefined && st.size > o.limit) throw tooBig(path, st.size, o);
}

function tooBig(path: string, size: number | string, o: SafeReadOptions): SafeReadError {
  const shown = typeof size === 'number' ? formatBytes(size) : size;
  return new SafeReadError('EFBIG', `${o.what} ${path} is ${shown}, over the ${formatBytes(o.limit ?? 0)} limit: not read (check what wrote it; move it aside)`);
}

/** The first read buffer: the file's stated size (it may grow), at least 64 KiB, at most one byte past the limit. */
function firstBuffer(st: Stats, o: SafeReadOptions & { limit: number }): Buffer {
  return Buffer.allocUnsafe(Math.min(o.limit + 1, Math.max(st.size + 1, 64 * KiB)));
}

/** `buf` with room after `len` bytes: doubled when full, refused once past the limit. */
function roomFor(buf: Buffer, len: number, path: string, o: SafeReadOptions & { limit: number }): Buffer {
  if (len < buf.length) return buf;
  if (len > o.limit) throw tooBig(path, `over ${formatBytes(o.limit)}`, o);
  const bigger = Buffer.allocUnsafe(Math.min(o.limit + 1, buf.length * 2));
  buf.copy(bigger, 0, 0, len);
  return bigger;
}

/** The whole file (at most o.limit bytes), synchronously. */
export function readRegularFileSync(path: string, o: SafeReadOptions & { limit: number }): Buffer {
  const fd = openSync(path, flags(o.noFollow));
  try {
    const st = fstatSync(fd);
    checkRegular(path, st, o);
    // st.size can lie (growing file, procfs): read until EOF, one byte past the limit.
    let buf = firstBuffer(st, o);
    let len = 0;
    for (;;) {
      buf = roomFor(buf, len, path, o);
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    if (len > o.limit) throw tooBig(path, `over ${formatBytes(o.limit)}`, o);
    return buf.subarray(0, len);
  } finally {
    closeSync(fd);
  }
}

/** An open handle on a regular file (for readers that seek: log tails, telemetry). */
export async function openRegularFile(path: string, o: SafeReadOptions): Promise<{ fh: FileHandle; st: Stats }> {
  const fh = await open(path, flags(o.noFollow));
  try {
    const st = await fh.stat();
    checkRegular(path, st, o);
    return { fh, st };
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
}

/** openRegularFile for sync readers: the fd (caller closes) and its stat. */
export function openRegularFileSync(path: string, o: SafeReadOptions): { fd: number; st: Stats } {
  const fd = openSync(path, flags(o.noFollow));
  try {
    const st = fstatSync(fd);
    checkRegular(path, st, o);
    return { fd, st };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The whole file (at most o.limit bytes). */
export async function readRegularFile(path: string, o: SafeReadOptions & { limit: number }): Promise<Buffer> {
  return (await readRegularFileStat(path, o)).data;
}

/** readRegularFile, with the fstat of the fd it read (mtime for the caller). */
export async function readRegularFileStat(path: string, o: SafeReadOptions & { limit: number }): Promise<{ data: Buffer; st: Stats }> {
  const { fh, st } = await openRegularFile(path, o);
  try {
    let buf = firstBuffer(st, o);
    let len = 0;
    for (;;) {
      buf = roomFor(buf, len, path, o);
      const { bytesRead } = await fh.read(buf, len, buf.length - len, null);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    if (len > o.limit) throw tooBig(path, `over ${formatBytes(o.limit)}`, o);
    return { data: buf.subarray(0, len), st };
  } finally {
    await fh.close();
  }
}
