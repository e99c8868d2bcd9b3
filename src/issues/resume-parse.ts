// Parses a `.swarm-resume.json` in either shape: the real orchestrator's (written only
// when a session FAILS, at the repo root, one shared file whose `issue.id` says whose it
// is) or the runbook's (in the worktree, top-level `issue_id`). A truncated or invalid
// file is reported as corrupt with the parse error, never thrown. Unknown fields are
// kept in `raw`. Pure: text in, value out; no I/O.

import { idLike, isObject, num, parseJsonObject, str, type JsonObject } from './telemetry-parse.js';

export interface ResumeInfo {
  /** 'beefcake' when the id came from `issue.id`, 'runbook' when from top-level `issue_id`. */
  shape: 'beefcake' | 'runbook';
  issueId: string;
  issueTitle?: string;
  issueStatus?: string;
  iteration?: number;
  totalIterations?: number;
  savedAt?: string;
  currentTier?: string;
  worktreePath?: string;
  escalationSummary?: string;
  /** Runbook shape: the phase the issue was in. */
  phase?: string;
  raw: JsonObject;
}

export type ResumeParseResult = { ok: true; resume: ResumeInfo } | { ok: false; error: string };

/** Parses the text of a resume file. Never throws. */
export function parseResumeFile(text: string): ResumeParseResult {
  if (typeof text !== 'string') return { ok: false, error: 'not a string' };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim().length === 0) return { ok: false, error: 'empty file' };
  const p = parseJsonObject(body);
  if (!p.ok) return p;
  const o = p.value;
  const issue = isObject(o['issue']) ? (o['issue'] as JsonObject) : undefined;
  const fromIssue = issue ? idLike(issue, 'id') : undefined;
  const fromTop = idLike(o, 'issue_id');
  const issueId = fromIssue ?? fromTop;
  if (issueId === undefined) return { ok: false, error: 'no issue id (neither issue.id nor issue_id)' };

  const r: ResumeInfo = { shape: fromIssue !== undefined ? 'beefcake' : 'runbook', issueId, raw: o };
  const title = (issue && str(issue, 'title')) ?? str(o, 'issue_title') ?? str(o, 'title');
  if (title !== undefined) r.issueTitle = title;
  const status = issue ? str(issue, 'status') : undefined;
  if (status !== undefined) r.issueStatus = status;
  const it = num(o, 'iteration');
  if (it !== undefined) r.iteration = it;
  const total = num(o, 'total_iterations');
  if (total !== undefined) r.totalIterations = total;
  const saved = str(o, 'saved_at') ?? str(o, 'timestamp') ?? str(o, 'ts');
  if (saved !== undefined) r.savedAt = saved;
  const tier = str(o, 'current_tier') ?? str(o, 'tier');
  if (tier !== undefined) r.currentTier = tier;
  const wt = str(o, 'worktree_path') ?? str(o, 'worktree');
  if (wt !== undefined) r.worktreePath = wt;
  const esc = str(o, 'escalation_summary');
  if (esc !== undefined) r.escalationSummary = esc;
  const phase = str(o, 'phase');
  if (phase !== undefined) r.phase = phase;
  return { ok: true, resume: r };
}
