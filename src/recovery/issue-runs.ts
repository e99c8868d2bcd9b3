// One issue's rows from the profile's run-summary files, on its own so that `diagnose` can start
// the scan (100s of MB) with squeue, before it loads the rest of the recovery code and opens SQLite.
import type { ResolvedConfig } from '../config/resolve.js';
import { renderTemplate, type SwarmProfile } from '../config/profile.js';
import { readRunSummary } from '../issues/run-summary-read.js';
import type { NumberedRun } from '../issues/run-summary-parse.js';

export interface IssueRuns {
  runs: NumberedRun[];
  notes: string[];
}

/** The issue's rows from the profile's run-summary files (python worker), oldest run first. */
export async function issueRuns(cfg: ResolvedConfig, profile: SwarmProfile, issue: string): Promise<IssueRuns> {
  const notes: string[] = [];
  const runs: NumberedRun[] = [];
  for (const tpl of profile.paths.run_summary) {
    const path = renderTemplate(tpl, { repo: cfg.paths.repo, logs: cfg.paths.logs_dir, worktrees: cfg.paths.worktrees_dir });
    if (!path.ok) {
      notes.push(`run summary ${tpl}: ${path.error}`);
      continue;
    }
    const r = await readRunSummary(path.value, issue);
    if (r.status === 'unreadable') notes.push(`run summary ${path.value} not read: ${r.error}`);
    if (r.badLines > 0) notes.push(`run summary ${path.value}: ${r.badLines} torn lines of ${issue} skipped`);
    if (r.truncatedFromByte !== undefined) notes.push(`run summary ${path.value}: only its last bytes were read (from byte ${r.truncatedFromByte}; line numbers count from there)`);
    for (const run of r.runs) runs.push({ ...run, path: path.value });
  }
  // Two files (run.py's and dogfood's) hold runs of one issue: order them by when they started.
  runs.sort((a, b) => (Date.parse(a.row.startedAt ?? '') || 0) - (Date.parse(b.row.startedAt ?? '') || 0));
  return { runs, notes };
}
