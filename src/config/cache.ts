// The validated config, cached as JSON. Parsing YAML with positions and
// validating with zod costs ~0.3 s of module loading per process; job
// wrappers run swarmctl many times with an unchanged file. The cache key is
// the file's path, size, mtime and inode plus swarmctl's version, so any edit
// (or an upgrade) re-validates. A cache that cannot be read or written is
// simply skipped: correctness never depends on it.
import { mkdirSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedConfig } from './resolve.js';
import { MiB, readRegularFileSync } from '../core/safe-read.js';

const FORMAT = 1;

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'swarmctl');
}

/**
 * The path's cache file name: a 53-bit string hash (cyrb53), not sha256, because node:crypto costs
 * ~3 ms to load on every start; a collision is only a miss (the file records its path).
 */
function nameHash(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

function keyFor(path: string, version: string): { file: string; stamp: string } | null {
  try {
    const st = statSync(path);
    const stamp = `${FORMAT}:${version}:${st.size}:${st.mtimeMs}:${st.ino}`;
    const file = join(cacheDir(), `config-${nameHash(path)}.json`);
    return { file, stamp };
  } catch {
    return null;
  }
}

export function readCachedConfig(path: string, version: string): ResolvedConfig | null {
  if (process.env['SWARMCTL_NO_CONFIG_CACHE']) return null;
  const k = keyFor(path, version);
  if (!k) return null;
  try {
    const doc = JSON.parse(readRegularFileSync(k.file, { what: 'config cache', limit: 256 * MiB }).toString('utf8')) as { stamp: string; path: string; config: ResolvedConfig };
    return doc.stamp === k.stamp && doc.path === path ? doc.config : null;
  } catch {
    return null;
  }
}

export function writeCachedConfig(path: string, version: string, config: ResolvedConfig): void {
  if (process.env['SWARMCTL_NO_CONFIG_CACHE']) return;
  const k = keyFor(path, version);
  if (!k) return;
  try {
    mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
    const tmp = `${k.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ stamp: k.stamp, path, config }), { mode: 0o600 });
    renameSync(tmp, k.file);
  } catch {
    /* a read-only home is fine: no cache */
  }
}
