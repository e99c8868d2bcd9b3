// `mkdir -p` one level at a time. Node 20's mkdirSync(…, { recursive: true }) never returns
// on some paths (under /proc it loops at 100% CPU: `--db /proc/x/y.db` hung swarmctl), so a
// path a user names is made here, each missing level once, and any error is thrown as is.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function mkdirs(path: string, mode = 0o777): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), { code: 'ENOTDIR', path: p });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(p) === p) throw e;
      missing.push(p);
    }
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p, { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
