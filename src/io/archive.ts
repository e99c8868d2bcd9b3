// Moves a file or directory into the archive instead of deleting it: clearing a
// resume file or cleaning a worktree must never lose what was there. rename(2) when
// source and archive share a file system; across file systems (EXDEV) a copy that is
// checked, then the source removed. An existing destination is never overwritten.
//
// safe-path.ts checks paths lexically (pure). Here, where files are really moved,
// removed or handed to git, the same check is repeated on the REAL paths: a symlinked
// worktree, resume file or archive folder that leads out of its root is refused
// before anything is touched (realPathUnder, and the `guard` of moveToArchive).
import { cp, lstat, mkdir, readlink, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkUnder, type SafePath } from './safe-path.js';

export interface MoveResult {
  ok: boolean;
  from: string;
  to: string;
  method?: 'rename' | 'copy';
  error?: string;
  /** Set when a real-path check refused the move (nothing was moved). */
  refused?: boolean;
}

/**
 * The real path of `p` (every symlink followed), also when `p` or some of its parents
 * do not exist yet: the deepest existing ancestor is resolved and the rest appended. A
 * dangling symlink is followed by hand (readlink), so it still counts where it points.
 */
export async function realPathOf(p: string): Promise<{ ok: true; path: string } | { ok: false; reason: string }> {
  let cur = resolve(p);
  const rest: string[] = [];
  for (let hops = 0; hops < 64; hops++) {
    try {
      const real = await realpath(cur);
      return { ok: true, path: rest.length ? join(real, ...rest) : real };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { ok: false, reason: `cannot resolve ${cur}: ${(e as Error).message}` };
    }
    let link: string | undefined;
    try {
      if ((await lstat(cur)).isSymbolicLink()) link = await readlink(cur);
    } catch {
      /* missing: resolve the parent */
    }
    if (link !== undefined) cur = resolve(dirname(cur), link);
    else {
      const parent = dirname(cur);
      if (parent === cur) return { ok: false, reason: `cannot resolve ${p}` };
      rest.unshift(basename(cur));
      cur = parent;
    }
  }
  return { ok: false, reason: `${p}: too many levels of symbolic links` };
}

/**
 * `p` must lie under `root` lexically (checkUnder) AND once every symlink is
 * followed: realpath(p) strictly under realpath(root). Neither needs to exist yet (an
 * archive destination). Returns the lexical path and root when both hold.
 */
export async function realPathUnder(root: string, p: string): Promise<SafePath> {
  const lexical = checkUnder(root, p);
  if (!lexical.ok) return lexical;
  const [r, real] = await Promise.all([realPathOf(lexical.root), realPathOf(lexical.path)]);
  if (!r.ok) return { ok: false, reason: `cannot resolve the root ${lexical.root}: ${r.reason}` };
  if (!real.ok) return real;
  const c = checkUnder(r.path, real.path);
  if (c.ok) return lexical;
  return { ok: false, reason: `${lexical.path} resolves through a symlink to ${real.path}, ${real.path === r.path ? 'the root itself' : `outside ${r.path}`}` };
}

/** Exists as a directory entry (lstat: a dangling symlink counts). */
export async function lexists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Roots the source and the destination must really (symlinks followed) lie under. */
export interface MoveGuard {
  fromRoot: string;
  toRoot: string;
}

export async function moveToArchive(from: string, to: string, guard?: MoveGuard): Promise<MoveResult> {
  try {
    await lstat(from);
  } catch (e) {
    return { ok: false, from, to, error: `cannot read ${from}: ${(e as Error).message}` };
  }
  if (guard) {
    // Checked right before the rename, so the window between check and move is small.
    for (const [root, p] of [
      [guard.fromRoot, from],
      [guard.toRoot, to],
    ] as const) {
      const c = await realPathUnder(root, p);
      if (!c.ok) return { ok: false, from, to, error: `refused: ${c.reason}`, refused: true };
    }
  }
  let dest = to;
  for (let i = 1; await lexists(dest); i++) dest = `${to}.${i}`;
  try {
    await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
    await rename(from, dest);
    return { ok: true, from, to: dest, method: 'rename' };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') return { ok: false, from, to: dest, error: (e as Error).message };
  }
  try {
    await cp(from, dest, { recursive: true, preserveTimestamps: true, errorOnExist: true, force: false, verbatimSymlinks: true });
    await rm(from, { recursive: true, force: false });
    return { ok: true, from, to: dest, method: 'copy' };
  } catch (e) {
    return { ok: false, from, to: dest, error: (e as Error).message };
  }
}
