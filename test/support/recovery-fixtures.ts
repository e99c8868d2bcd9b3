// Builds a throw-away swarm share in a temp dir (repo, worktrees, logs, archive)
// and a ResolvedConfig pointing at it, for the recovery tests; plus what the
// diagnose/recover tests set up around it: an open store and the profile
// (makeRecoveryShare), a real git repo (git, initRepo), and a PlanContext for an
// issue in the share (planContext).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanContext } from '../../src/recovery/plan.js';
import { profileOf, type SwarmProfile } from '../../src/config/profile.js';
import { configSchema } from '../../src/config/schema.js';
import { resolveConfig, type ResolvedConfig } from '../../src/config/resolve.js';
import { openStore, type Store } from '../../src/store/db.js';
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

export interface RecoveryShare extends Share {
  /** The share's store, opened at `<root>/db.sqlite`; the test closes it. */
  store: Store;
  /** The profile of `cfg`. */
  p: SwarmProfile;
}

/** makeShare() plus an open store and the config's profile. */
export function makeRecoveryShare(): RecoveryShare {
  const share = makeShare();
  return { ...share, store: openStore(join(share.root, 'db.sqlite')), p: profileOf(share.cfg) };
}

/** Runs git in `cwd` with a fixed identity; returns stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

/** Makes `repo` a git repository on branch main with one commit (a.txt). */
export function initRepo(repo: string): void {
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'init');
}

/**
 * The PlanContext for `issueId` in the share: its repo, archive and recovery
 * settings, no resume file, no recurrence, `bd` as the tracker; `over` changes any of it.
 */
export function planContext(cfg: ResolvedConfig, p: SwarmProfile, issueId: string, over: Partial<PlanContext> = {}): PlanContext {
  return { issueId, profile: p, recovery: cfg.recovery, repo: cfg.paths.repo, archiveDir: cfg.paths.archive_dir, resumePresent: false, recurrence: false, trackerCommand: 'bd', ...over };
}
