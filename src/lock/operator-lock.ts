// The cluster-wide operator lock on the share (seed 004's swap lock): one file,
// <shared_root>/ai/swarmctl/operator.lock, created with link(2) from a complete
// temp file (atomic on NFS, where O_EXCL was not always), holding who, where,
// which pid and command, since when, and a TTL renewed while the holder lives.
// A second holder is refused with the holder's identity and age; a lock whose
// TTL ran out (or whose holder pid is gone on this very host) is taken over.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, renameSync, unlinkSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { KiB, readRegularFileSync, SafeReadError } from '../core/safe-read.js';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';

export interface LockHolder {
  user: string;
  host: string;
  pid: number;
  command: string;
  started_at: number;
  renewed_at: number;
  ttl_s: number;
  /** Unique per acquisition: who owns the file now, whatever its pid or host. */
  token: string;
}

export type LockState = { held: false; path: string } | { held: true; path: string; holder: LockHolder; ageMs: number; expired: boolean; reason?: string };

export class LockBusyError extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly ageMs: number,
  ) {
    super(`the operator lock is held by ${holder.user}@${holder.host} (pid ${holder.pid}, "${holder.command}") for ${fmtAge(ageMs)}; wait, or if that run is gone: swarmctl lock release --force`);
  }
}

export const DEFAULT_LOCK_TTL_S = 120;

export function lockPath(sharedRoot: string): string {
  return join(sharedRoot, 'ai', 'swarmctl', 'operator.lock');
}

export function fmtAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.user === 'string' && typeof v.host === 'string' && typeof v.pid === 'number' && typeof v.renewed_at === 'number' && typeof v.ttl_s === 'number' && typeof v.token === 'string') {
      return { command: '', started_at: v.renewed_at, ...v } as LockHolder;
    }
  } catch {
    /* torn or foreign: treated as unreadable */
  }
  return null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Expired: TTL ran out, or the holder was on this host and its pid is gone (a SIGKILLed run). */
export function judge(holder: LockHolder, now: number, host = hostname(), alive = pidAlive): { expired: boolean; reason?: string } {
  if (now - holder.renewed_at > holder.ttl_s * 1000) return { expired: true, reason: `not renewed for ${fmtAge(now - holder.renewed_at)} (TTL ${holder.ttl_s} s)` };
  if (holder.host === host && !alive(holder.pid)) return { expired: true, reason: `holder pid ${holder.pid} on this host is gone` };
  return { expired: false };
}

/** The lock file's text: a regular file only, opened without blocking, at most 64 KiB. */
function readLockText(path: string): string {
  return readRegularFileSync(path, { what: 'operator lock', limit: 64 * KiB }).toString('utf8');
}

export function readLock(sharedRoot: string, now = Date.now()): LockState {
  const path = lockPath(sharedRoot);
  let text: string;
  let why = 'unreadable lock file';
  try {
    text = readLockText(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { held: false, path };
    // A FIFO, device or huge file in the lock's place: never opened blocking, never taken as free.
    if (!(e instanceof SafeReadError)) throw e;
    text = '';
    why = e.message;
  }
  const holder = parseHolder(text);
  if (!holder) {
    const unknown: LockHolder = { user: '?', host: '?', pid: 0, command: why, started_at: 0, renewed_at: 0, ttl_s: 0, token: '' };
    // Unknown state means refuse: an unreadable lock is held, not free.
    return { held: true, path, holder: unknown, ageMs: 0, expired: false, reason: why };
  }
  const j = judge(holder, now);
  return { held: true, path, holder, ageMs: now - holder.started_at, expired: j.expired, ...(j.reason ? { reason: j.reason } : {}) };
}

function writeTemp(dir: string, holder: LockHolder): string {
  const tmp = join(dir, `.operator.lock.${holder.token}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeFileSync(fd, JSON.stringify(holder) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

export interface HeldLock {
  holder: LockHolder;
  path: string;
  /** Set when an expired lock was taken over: whose, and why. */
  tookOver?: { holder: LockHolder; reason: string };
  /** Throws if the lock is no longer ours (someone forced it away). */
  assertHeld(): void;
  release(): void;
}

export function acquireLock(sharedRoot: string, command: string, opts: { ttlS?: number; now?: () => number } = {}): HeldLock {
  const now = opts.now ?? Date.now;
  const path = lockPath(sharedRoot);
  const dir = join(sharedRoot, 'ai', 'swarmctl');
  mkdirSync(dir, { recursive: true });
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry */
  }
  const t = now();
  const holder: LockHolder = { user, host: hostname(), pid: process.pid, command, started_at: t, renewed_at: t, ttl_s: opts.ttlS ?? DEFAULT_LOCK_TTL_S, token: randomBytes(8).toString('hex') };
  const tmp = writeTemp(dir, holder);
  let tookOver: HeldLock['tookOver'];
  try {
    for (let tries = 0; ; tries++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 3) throw e;
      }
      const st = readLock(sharedRoot, now());
      if (!st.held) continue;
      if (!st.expired) throw new LockBusyError(st.holder, st.ageMs);
      // Take over: move the expired file aside under a unique name, then check it
      // is the one we judged (another taker may have replaced it meanwhile).
      const aside = join(dir, `.operator.lock.expired.${holder.token}`);
      try {
        renameSync(path, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = parseHolder(readLockText(aside));
      if (moved?.token !== st.holder.token) {
        // Not the expired one: put it back for its owner and refuse.
        try {
          linkSync(aside, path);
        } catch {
          /* someone else holds it now; either way it is not ours */
        }
        unlinkSync(aside);
        const again = readLock(sharedRoot, now());
        if (again.held) throw new LockBusyError(again.holder, again.ageMs);
        continue;
      }
      unlinkSync(aside);
      tookOver = { holder: st.holder, reason: st.reason ?? 'expired' };
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
  let released = false;
  const ours = (): boolean => {
    const st = readLock(sharedRoot, now());
    return st.held && st.holder.token === holder.token;
  };
  // Renew at a third of the TTL: two missed renewals still leave it ours.
  const timer = setInterval(
    () => {
      if (released || !ours()) return;
      const renewed = { ...holder, renewed_at: now() };
      try {
        const t2 = writeTemp(dir, { ...renewed, token: holder.token });
        renameSync(t2, path);
        holder.renewed_at = renewed.renewed_at;
      } catch {
        /* the next renewal tries again; the TTL covers two misses */
      }
    },
    Math.max(1000, (holder.ttl_s * 1000) / 3),
  );
  timer.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    try {
      if (ours()) unlinkSync(path);
    } catch {
      /* gone already */
    }
  };
  process.once('exit', release);
  return {
    holder,
    path,
    ...(tookOver ? { tookOver } : {}),
    assertHeld: () => {
      if (!ours()) throw new Error(`the operator lock ${path} is no longer ours (released by force?): stopping before the next action`);
    },
    release,
  };
}

/** `lock release`: our own lock always; another holder's only with force (the caller audits). Returns the holder removed. */
export function releaseLock(sharedRoot: string, opts: { force?: boolean; archiveDir?: string }): { released: LockHolder | null; archivedTo?: string; refused?: string } {
  const st = readLock(sharedRoot);
  if (!st.held) return { released: null };
  const mine = st.holder.host === hostname() && st.holder.pid === process.pid;
  if (!mine && !opts.force && !st.expired)
    return { released: null, refused: `held by ${st.holder.user}@${st.holder.host} (pid ${st.holder.pid}, "${st.holder.command}") for ${fmtAge(st.ageMs)}: pass --force to remove it` };
  // Kept, not deleted: the archive says whose lock was broken and when.
  if (opts.archiveDir) {
    mkdirSync(join(opts.archiveDir, 'locks'), { recursive: true });
    const to = join(opts.archiveDir, 'locks', `operator.lock.${new Date().toISOString().replace(/[:]/g, '')}`);
    renameSync(st.path, to);
    return { released: st.holder, archivedTo: to };
  }
  unlinkSync(st.path);
  return { released: st.holder };
}
