// How commands get their config: find the file by the lookup order, use the
// cached validated copy when the file is unchanged (config/cache.ts), and
// only on a miss load the YAML parser and zod to validate it. `config check`
// always validates for real (config/load.ts).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { candidatePaths } from './lookup.js';
import { readCachedConfig, writeCachedConfig } from './cache.js';
import type { ParseOutcome } from './parse.js';

let version: string | null = null;
function swarmctlVersion(): string {
  if (version === null) {
    try {
      version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

export async function loadConfigFast(explicit?: string): Promise<ParseOutcome & { path?: string; cached?: boolean }> {
  const candidates = candidatePaths({ explicit, env: process.env, cwd: process.cwd(), home: homedir() });
  const found = candidates.find((c) => c.explicit || existsSync(c.path));
  if (found) {
    const hit = readCachedConfig(found.path, swarmctlVersion());
    if (hit) return { ok: true, config: hit, path: found.path, cached: true };
  }
  const { findAndLoadConfig } = await import('./load.js');
  const r = findAndLoadConfig(explicit);
  if (r.ok && r.path) writeCachedConfig(r.path, swarmctlVersion(), r.config);
  return r;
}
