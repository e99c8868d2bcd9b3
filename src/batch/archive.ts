// Moves a file or directory into the archive instead of deleting it: clearing a
// resume file or cleaning a worktree must never lose what was there. rename(2) when
// source and archive share a file system; across file systems (EXDEV) a copy that is
// checked, then the source removed. An existing destination is never overwritten.
import { cp, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface MoveResult {
  ok: boolean;
  from: string;
  to: string;
  method?: 'rename' | 'copy';
  error?: string;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

export async function moveToArchive(from: string, to: string): Promise<MoveResult> {
  try {
    await lstat(from);
  } catch (e) {
    return { ok: false, from, to, error: `cannot read ${from}: ${(e as Error).message}` };
  }
  let dest = to;
  for (let i = 1; await exists(dest); i++) dest = `${to}.${i}`;
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
