// Leftover temp files of atomic discovery writes: a `discovery write` killed between
// its open and its rename leaves `.<job>-<tier>.json.tmp-<pid>-<hex>` (io/atomic-write.ts)
// in the endpoints dir. Nothing reads them (readDiscoveryDir skips dot files), so they
// only pile up. `endpoints gc` deletes those older than a minute (a live write takes
// milliseconds): a partial write is not a record, so there is nothing to archive. Each
// deletion is audited. Only regular files are touched (lstat: a symlink is left alone).
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';

/** The name writeFileAtomic gives a discovery record's temp file. */
export const DISCOVERY_TMP_RE = /^\..+\.json\.tmp-\d+-[0-9a-f]+$/;
/** Younger temp files may belong to a write in progress. */
export const TMP_MIN_AGE_MS = 60_000;

export interface TmpGc {
  removed: string[];
  wouldRemove: string[];
  errors: string[];
}

export async function gcDiscoveryTempFiles(cfg: Pick<ResolvedConfig, 'paths'>, store: Store, opts: { dryRun?: boolean; now?: number; minAgeMs?: number } = {}): Promise<TmpGc> {
  const out: TmpGc = { removed: [], wouldRemove: [], errors: [] };
  const dir = cfg.paths.endpoints_dir;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => DISCOVERY_TMP_RE.test(n)).sort();
  } catch {
    return out; // the record listing reports an unreadable dir
  }
  const now = opts.now ?? Date.now();
  const minAge = opts.minAgeMs ?? TMP_MIN_AGE_MS;
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try {
      st = await lstat(path);
    } catch {
      continue; // gone meanwhile (its write finished)
    }
    if (!st.isFile() || now - st.mtimeMs < minAge) continue;
    if (opts.dryRun) {
      out.wouldRemove.push(path);
      continue;
    }
    const detail = `partial discovery write ${path} (${st.size} bytes, ${Math.round((now - st.mtimeMs) / 1000)} s old): deleted`;
    try {
      await unlink(path);
      out.removed.push(path);
      recordAudit(store, { action: 'endpoints:gc-tmp', outcome: 'ok', detail });
    } catch (e) {
      const err = `cannot delete ${path}: ${(e as Error).message}`;
      out.errors.push(err);
      recordAudit(store, { action: 'endpoints:gc-tmp', outcome: 'failed', detail: err });
    }
  }
  return out;
}
