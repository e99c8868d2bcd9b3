// `swarmctl resume clear ISSUE`: moves the issue's resume file to
// `<archive>/<issue>/<timestamp>.swarm-resume.json` (never a plain delete) and writes
// an audit row. With the real shared file at the repo root, only when its `issue.id`
// is this issue: the shared file may hold another issue's failure.
// Before the file is even read, its real path (symlinks followed) must stay under its
// root, and so must the archive destination: a resume file or worktree that is a
// symlink leading elsewhere is refused (nothing moved; the audit row says why).
// `resume show` and every other reader get the same real-path check from readResume
// (issue-state.ts): printing what an outward symlink points to would leak a file from
// outside the share.
import type { ResolvedConfig } from '../config/resolve.js';
import type { SwarmProfile } from '../config/profile.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { moveToArchive, realPathUnder } from '../io/archive.js';
import { pathVars, readResume } from './state.js';
import { archivePath, issuePath } from '../io/safe-path.js';

export interface ClearResult {
  outcome: 'ok' | 'skipped' | 'failed' | 'dry-run';
  issueId: string;
  from?: string;
  archivedTo?: string;
  reason: string;
}

/** The lexically safe resume path whose real path (symlinks followed) leaves its root, with why; else null. */
async function leavesRoot(where: ReturnType<typeof issuePath>): Promise<{ path: string; reason: string } | null> {
  if (!where.ok) return null; // readResume reports the lexical refusal itself
  const real = await realPathUnder(where.root, where.path);
  return real.ok ? null : { path: where.path, reason: real.reason };
}

export async function clearResume(
  cfg: Pick<ResolvedConfig, 'paths' | 'swarm'>,
  profile: SwarmProfile,
  store: Store | null,
  issue: string,
  opts: { now?: Date; dryRun?: boolean; action?: string; gate?: () => Promise<string | null> } = {},
): Promise<ClearResult> {
  const action = opts.action ?? 'resume.clear';
  const done = (res: ClearResult): ClearResult => {
    if (store) {
      recordAudit(store, {
        issueId: issue,
        action,
        argv: null,
        archived: res.archivedTo ? { from: res.from, to: res.archivedTo } : undefined,
        outcome: res.outcome,
        detail: res.reason,
      });
    }
    return res;
  };
  if (profile.paths.resume === null) return done({ outcome: 'skipped', issueId: issue, reason: `the ${profile.name} profile has no resume file; nothing to clear` });
  // The real path first: never read, let alone move, what a symlink points to outside the root.
  const where = issuePath(profile.paths.resume, pathVars(cfg), issue, cfg.swarm.issue_id_pattern);
  const out = await leavesRoot(where);
  if (out) return done({ outcome: 'failed', issueId: issue, from: out.path, reason: `refused: ${out.reason}; nothing moved` });
  const r = await readResume(cfg, profile, issue);
  if (r.status === 'refused') return done({ outcome: 'failed', issueId: issue, reason: `refused: ${r.error}` });
  if (r.status === 'missing') return done({ outcome: 'skipped', issueId: issue, from: r.path as string, reason: `no resume file at ${r.path}` });
  if (r.status === 'other_issue') {
    return done({ outcome: 'skipped', issueId: issue, from: r.path as string, reason: `${r.path} belongs to ${r.ownerIssueId}, not ${issue}; left in place` });
  }
  if (r.status === 'unreadable') return done({ outcome: 'failed', issueId: issue, from: r.path as string, reason: `cannot read ${r.path}: ${r.error}` });
  if (r.status === 'corrupt' && r.shared) {
    // Whose it is cannot be told: never move another issue's file.
    return done({ outcome: 'skipped', issueId: issue, from: r.path as string, reason: `${r.path} is corrupt (${r.error}); cannot tell whose it is, left in place` });
  }
  const dest = archivePath(cfg.paths.archive_dir, issue, 'swarm-resume.json', opts.now ?? new Date(), cfg.swarm.issue_id_pattern);
  if (!dest.ok) return done({ outcome: 'failed', issueId: issue, from: r.path as string, reason: `refused: ${dest.reason}` });
  const realDest = await realPathUnder(dest.root, dest.path);
  if (!realDest.ok) return done({ outcome: 'failed', issueId: issue, from: r.path as string, reason: `refused: ${realDest.reason}; nothing moved` });
  // Last, once the paths are known good: may the file move now (is its job maybe running)?
  const refusal = opts.gate ? await opts.gate() : null;
  if (refusal) return done({ outcome: 'failed', issueId: issue, from: r.path as string, reason: refusal });
  if (opts.dryRun) return { outcome: 'dry-run', issueId: issue, from: r.path as string, archivedTo: dest.path, reason: `would move ${r.path} to ${dest.path}` };
  const m = await moveToArchive(r.path as string, dest.path, where.ok ? { fromRoot: where.root, toRoot: dest.root } : undefined);
  if (!m.ok) return done({ outcome: 'failed', issueId: issue, from: m.from, reason: m.refused ? `${m.error}; nothing moved` : `move failed: ${m.error}` });
  return done({ outcome: 'ok', issueId: issue, from: m.from, archivedTo: m.to, reason: `moved ${m.from} to ${m.to}` });
}
