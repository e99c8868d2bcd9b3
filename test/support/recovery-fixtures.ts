// Builds a throw-away swarm share in a temp dir (repo, worktrees, logs, archive)
// and a ResolvedConfig pointing at it, for the recovery tests.
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { resolveConfig, type ResolvedConfig } from '../../src/config/resolve.js';
import { REPO_ROOT } from './cluster.js';

export const BEEF = join(REPO_ROOT, 'fixtures', 'beefcake');
export const STATE = join(REPO_ROOT, 'fixtures', 'state');
export const LOGS = join(REPO_ROOT, 'fixtures', 'logs');

export interface Share {
  root: string;
  cfg: ResolvedConfig;
}

export function makeShare(extra: Record<string, unknown> = {}, profile: 'runbook' | 'beefcake' = 'beefcake'): Share {
  const root = mkdtempSync(join(tmpdir(), 'swarmctl-share-'));
  for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive', 'ai/endpoints']) mkdirSync(join(root, d), { recursive: true });
  const raw = configSchema.parse({ paths: { shared_root: root }, swarm: { profile }, ...extra });
  return { root, cfg: resolveConfig(raw, join(root, 'swarmctl.yaml'), '/root') };
}

/** Puts a beefcake sample into the share. */
export function place(src: string, dest: string): string {
  mkdirSync(join(dest, '..'), { recursive: true });
  copyFileSync(src, dest);
  return dest;
}
