// A stale claim (FORMATS.md §4): the python worker claims an issue (`bd update --claim`) and
// never reopens it, so an issue whose run died or failed stays `in_progress`, and `bd ready`
// stops offering it. Stale = in_progress in the tracker, no live run (no active job, no
// direct-mode process), and no run finished within the threshold. Unknown liveness is
// never stale. Pure: facts in, a verdict out.

export interface TrackerIssue {
  id: string;
  status: string;
  assignee: string | null;
}

/** `bd show ID --json`: an object, or a list of one. */
export function trackerIssueFromJson(stdout: string): TrackerIssue | null {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return null;
  }
  const o = Array.isArray(doc) ? doc[0] : doc;
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  if (typeof r['id'] !== 'string' || typeof r['status'] !== 'string') return null;
  const assignee = typeof r['assignee'] === 'string' && r['assignee'] !== '' ? r['assignee'] : null;
  return { id: r['id'], status: r['status'], assignee };
}

export interface StaleClaimInput {
  tracker: TrackerIssue | null;
  /** An active job or direct-mode process for the issue; 'unknown' when the queue could not be read. */
  live: boolean | 'unknown';
  /** When the issue's last run ended (summary row started_at + wall_s), if any. */
  lastRunEndMs: number | null;
  nowMs: number;
  thresholdS: number;
}

export type StaleClaimVerdict = { stale: true; reason: string } | { stale: false; reason: string } | { stale: 'unknown'; reason: string };

export function decideStaleClaim(i: StaleClaimInput): StaleClaimVerdict {
  if (!i.tracker) return { stale: 'unknown', reason: 'the tracker did not say the issue status' };
  if (i.tracker.status !== 'in_progress') return { stale: false, reason: `the issue is ${i.tracker.status}, not in_progress` };
  if (i.live === 'unknown') return { stale: 'unknown', reason: 'the queue could not be read, so a live run cannot be ruled out' };
  if (i.live) return { stale: false, reason: 'a run of the issue is live' };
  const who = i.tracker.assignee ? ` (claimed by ${i.tracker.assignee})` : '';
  if (i.lastRunEndMs !== null) {
    const ageS = Math.round((i.nowMs - i.lastRunEndMs) / 1000);
    if (ageS < i.thresholdS) return { stale: false, reason: `the last run ended ${ageS} s ago (threshold ${i.thresholdS} s)` };
    return { stale: true, reason: `in_progress${who} with no live run; the last run ended ${ageS} s ago` };
  }
  return { stale: true, reason: `in_progress${who} with no live run and no run in the summary` };
}

/** When a summary row's run ended: started_at + wall_s (null when either is missing or bad). */
export function runEndMs(startedAt: string | undefined, wallS: number | undefined): number | null {
  if (startedAt === undefined) return null;
  const t = Date.parse(startedAt);
  if (!Number.isFinite(t)) return null;
  return t + (wallS ?? 0) * 1000;
}
