// The validated-config cache (src/config/cache.ts, used by load-fast.ts): a hit only
// for the same file unchanged and the same swarmctl version; anything unreadable or
// unwritable is a miss, never an error.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDir, readCachedConfig, writeCachedConfig } from '../../../src/config/cache.js';
import { loadConfigFast } from '../../../src/config/load-fast.js';
import type { ResolvedConfig } from '../../../src/config/resolve.js';

const CONFIG = { cluster_name: 'cached' } as unknown as ResolvedConfig;
let dir: string;
let file: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarmctl-cache-test-'));
  process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
  delete process.env['SWARMCTL_NO_CONFIG_CACHE'];
  file = join(dir, 'swarmctl.yaml');
  writeFileSync(file, 'cluster_name: a\n');
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

describe('test setup', () => {
  it('points XDG_CACHE_HOME and XDG_STATE_HOME at a temp dir, not the home directory', () => {
    for (const name of ['XDG_CACHE_HOME', 'XDG_STATE_HOME']) {
      const v = saved[name];
      expect(v, name).toBeDefined();
      expect(v!.startsWith(tmpdir()), `${name}=${v}`).toBe(true);
      expect(v!.startsWith(homedir() + '/.')).toBe(false);
    }
  });
});

describe('config cache', () => {
  it('lives under $XDG_CACHE_HOME/swarmctl', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x/c' })).toBe('/x/c/swarmctl');
    expect(cacheDir({})).toBe(join(homedir(), '.cache', 'swarmctl'));
  });

  it('gives back what was written for the same file and version, in a private file', () => {
    expect(readCachedConfig(file, '1.0.0')).toBeNull();
    writeCachedConfig(file, '1.0.0', CONFIG);
    expect(readCachedConfig(file, '1.0.0')).toEqual(CONFIG);
    const d = cacheDir();
    expect(statSync(d).mode & 0o777).toBe(0o700);
    const files = readdirSync(d);
    expect(files).toHaveLength(1);
    expect(statSync(join(d, files[0]!)).mode & 0o777).toBe(0o600);
  });

  it('misses after the file changes (size, or mtime alone) and after an upgrade', () => {
    writeCachedConfig(file, '1.0.0', CONFIG);
    expect(readCachedConfig(file, '1.0.1')).toBeNull();
    const t = statSync(file).mtime;
    utimesSync(file, t, new Date(t.getTime() + 5000));
    expect(readCachedConfig(file, '1.0.0')).toBeNull();
    writeCachedConfig(file, '1.0.0', CONFIG);
    writeFileSync(file, 'cluster_name: longer\n');
    expect(readCachedConfig(file, '1.0.0')).toBeNull();
  });

  it('keys by path: another file with the same stamp is a miss', () => {
    writeCachedConfig(file, '1.0.0', CONFIG);
    const other = join(dir, 'other.yaml');
    writeFileSync(other, 'cluster_name: a\n');
    expect(readCachedConfig(other, '1.0.0')).toBeNull();
  });

  it('treats a corrupt or foreign cache file as a miss', () => {
    writeCachedConfig(file, '1.0.0', CONFIG);
    const d = cacheDir();
    const f = join(d, readdirSync(d)[0]!);
    writeFileSync(f, '{not json');
    expect(readCachedConfig(file, '1.0.0')).toBeNull();
    writeFileSync(f, JSON.stringify({ stamp: 'x', path: file, config: CONFIG }));
    expect(readCachedConfig(file, '1.0.0')).toBeNull();
  });

  it('is off with SWARMCTL_NO_CONFIG_CACHE: nothing written, nothing read', () => {
    writeCachedConfig(file, '1.0.0', CONFIG);
    process.env['SWARMCTL_NO_CONFIG_CACHE'] = '1';
    expect(readCachedConfig(file, '1.0.0')).toBeNull();
    rmSync(cacheDir(), { recursive: true });
    writeCachedConfig(file, '1.0.0', CONFIG);
    expect(() => readdirSync(cacheDir())).toThrow();
  });

  it('skips silently when the cache dir cannot be written, and for a missing file', () => {
    // Under a regular file: mkdir fails with ENOTDIR, also for root (which ignores modes).
    process.env['XDG_CACHE_HOME'] = join(file, 'cache');
    expect(() => writeCachedConfig(file, '1.0.0', CONFIG)).not.toThrow();
    expect(readCachedConfig(file, '1.0.0')).toBeNull();
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
    expect(() => writeCachedConfig(join(dir, 'missing.yaml'), '1.0.0', CONFIG)).not.toThrow();
    expect(readCachedConfig(join(dir, 'missing.yaml'), '1.0.0')).toBeNull();
  });

  it('loadConfigFast validates on a miss, serves the cache when unchanged, re-validates after an edit', async () => {
    const cfg = join(dir, 'loopback.yaml');
    writeFileSync(cfg, readFileSync(new URL('../../../fixtures/config/loopback.yaml', import.meta.url)));
    const first = await loadConfigFast(cfg);
    expect(first.ok).toBe(true);
    expect(first.cached).toBeUndefined();
    const second = await loadConfigFast(cfg);
    expect(second).toMatchObject({ ok: true, cached: true, path: cfg });
    if (!first.ok || !second.ok) throw new Error('config did not load');
    expect(second.config).toEqual(JSON.parse(JSON.stringify(first.config)));
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^cluster_name: .*$/m, 'cluster_name: edited'));
    const third = await loadConfigFast(cfg);
    expect(third.cached).toBeUndefined();
    expect(third.ok && third.config.cluster_name).toBe('edited');
  });
});
