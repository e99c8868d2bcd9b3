// Reads what the swarm left on disk for ONE issue: the resume file (runbook: in the
// worktree; real: one shared file at the repo root that only counts when its
// `issue.id` is this issue), the worktree's `.swarm/session.jsonl` and
// `.swarm/checkpoint.json`, and `.swarm-metrics.json`. Every reader is tolerant: a
// missing file is `missing`, a truncated one is `corrupt` with the parse error, an
// unreadable one is `unreadable`; nothing throws. Paths come from the profile and go
// through safe-path.ts (lexical), then through realPathUnder before any read: a state
// file or worktree that is a symlink leading out of its root is `refused`, not
// followed, so no command shows, parses or acts on a file from outside the share.
import { readRegularFileStat, SafeReadError } from '../core/safe-read.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { SwarmProfile } from '../config/profile.js';
import { parseResumeFile, type ResumeInfo } from './resume-parse.js';
import { parseCheckpoint, parseMetricsFile, parseSessionLog, type Checkpoint, type SessionLogSummary } from './session-parse.js';
import type { TelemetryRecord } from './telemetry-parse.js';
import { realPathUnder } from '../io/archive.js';
import { issuePath, type PathVars, type SafePath } from '../io/safe-path.js';

/** 'n/a': the profile's orchestrator writes no such file (python worker: no resume file). */
export type FileStatus = 'ok' | 'missing' | 'corrupt' | 'unreadable' | 'other_issue' | 'refused' | 'n/a';

export interface FileRead<T> {
  path?: string;
  status: FileStatus;
  error?: string;
  mtimeMs?: number;
  size?: number;
  value?: T;
}

export interface IssueState {
  issueId: string;
  resume: FileRead<ResumeInfo> & { shared: boolean; ownerIssueId?: string };
  session: FileRead<SessionLogSummary>;
  checkpoint: FileRead<Checkpoint>;
  metrics: FileRead<TelemetryRecord>;
  worktree: { path?: string; error?: string };
}

/** Files larger than this are not read whole (a session log never gets near it). */
const MAX_STATE_FILE = 64 * 1024 * 1024;

export function pathVars(cfg: Pick<ResolvedConfig, 'paths'>): PathVars {
  return { repo: cfg.paths.repo, worktrees: cfg.paths.worktrees_dir, logs: cfg.paths.logs_dir, archive: cfg.paths.archive_dir };
}

async function readText(path: string): Promise<FileRead<string>> {
  try {
    const { data, st } = await readRegularFileStat(path, { what: 'state file', limit: MAX_STATE_FILE });
    return { path, status: 'ok', value: data.toString('utf8'), mtimeMs: st.mtimeMs, size: data.length };
  } catch (e) {
    if (e instanceof SafeReadError) return { path, status: 'unreadable', error: e.message };
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path, status: 'missing' };
    return { path, status: 'unreadable', error: (e as Error).message };
  }
}

function carry<T>(f: FileRead<string>): FileRead<T> {
  const out: FileRead<T> = { status: f.status };
  if (f.path !== undefined) out.path = f.path;
  if (f.error !== undefined) out.error = f.error;
  if (f.mtimeMs !== undefined) out.mtimeMs = f.mtimeMs;
  if (f.size !== undefined) out.size = f.size;
  return out;
}

async function readParsed<T>(where: SafePath, parse: (t: string) => { ok: true; value: T } | { ok: false; error: string }): Promise<FileRead<T>> {
  if (!where.ok) return { status: 'refused', error: where.reason };
  const real = await realPathUnder(where.root, where.path);
  if (!real.ok) return { path: where.path, status: 'refused', error: `${real.reason}; nothing read` };
  const f = await readText(where.path);
  const out = carry<T>(f);
  if (f.status !== 'ok') return out;
  const p = parse(f.value as string);
  if (p.ok) out.value = p.value;
  else {
    out.status = 'corrupt';
    out.error = p.error;
  }
  return out;
}

/** One profile path for the issue, checked lexically (its real path is checked when read). */
export function profilePath(cfg: Pick<ResolvedConfig, 'paths' | 'swarm'>, template: string, issue: string): SafePath {
  return issuePath(template, pathVars(cfg), issue, cfg.swarm.issue_id_pattern);
}

/** A profile file the orchestrator may not have (`null` template): n/a, nothing read. */
function readProfileFile<T>(
  cfg: Pick<ResolvedConfig, 'paths' | 'swarm'>,
  template: string | null,
  issue: string,
  parse: (t: string) => { ok: true; value: T } | { ok: false; error: string },
): Promise<FileRead<T>> {
  if (template === null) return Promise.resolve({ status: 'n/a' });
  return readParsed(profilePath(cfg, template, issue), parse);
}

/** The resume file for `issue`, whichever profile layout. */
export async function readResume(cfg: Pick<ResolvedConfig, 'paths' | 'swarm'>, profile: SwarmProfile, issue: string): Promise<IssueState['resume']> {
  const shared = profile.paths.resume !== null && !profile.paths.resume.includes('{issue}');
  const r = await readProfileFile(cfg, profile.paths.resume, issue, (t) => {
    const x = parseResumeFile(t);
    return x.ok ? { ok: true, value: x.resume } : x;
  });
  const out: IssueState['resume'] = { ...r, shared };
  if (r.value) {
    out.ownerIssueId = r.value.issueId;
    if (r.value.issueId !== issue) {
      out.status = 'other_issue';
      delete out.value;
    }
  }
  return out;
}

export async function readIssueState(cfg: Pick<ResolvedConfig, 'paths' | 'swarm'>, profile: SwarmProfile, issue: string): Promise<IssueState> {
  const wt = profilePath(cfg, profile.paths.worktree, issue);
  const [resume, session, checkpoint, metrics, wtReal] = await Promise.all([
    readResume(cfg, profile, issue),
    readProfileFile<SessionLogSummary>(cfg, profile.paths.session_log, issue, (t) => ({ ok: true, value: parseSessionLog(t) })),
    readProfileFile<Checkpoint>(cfg, profile.paths.checkpoint, issue, (t) => {
      const x = parseCheckpoint(t);
      return x.ok ? { ok: true, value: x.checkpoint } : x;
    }),
    readProfileFile<TelemetryRecord>(cfg, profile.paths.metrics, issue, (t) => {
      const x = parseMetricsFile(t);
      return x.ok ? { ok: true, value: x.record } : x;
    }),
    wt.ok ? realPathUnder(wt.root, wt.path) : Promise.resolve(wt),
  ]);
  const worktree = !wt.ok ? { error: wt.reason } : wtReal.ok ? { path: wt.path } : { path: wt.path, error: `refused: ${wtReal.reason}` };
  return { issueId: issue, resume, session, checkpoint, metrics, worktree };
}
