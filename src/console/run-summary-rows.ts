// The python worker's runs for the Issues panel (issue 17 point 4): the newest run
// of each issue in the tail of the profile's run-summary files (status, wall time,
// files modified, verifier gates, merged/closed). Read only when the profile has a
// run-summary source; a file is read again only when its inode, size or mtime moved
// (the console polls; the summary grows once per run).
import { stat } from 'node:fs/promises';
import type { ResolvedConfig } from '../config/resolve.js';
import { renderTemplate, type SwarmProfile } from '../config/profile.js';
import { parseRunSummaryLine, type RunSummary } from '../issues/run-summary-parse.js';
import { readLastLines } from '../issues/telemetry-tail.js';
import type { IssueRunView } from './view-model.js';

/** Rows read from the end of each summary file (a run is one row; the panel shows recent issues). */
export const SUMMARY_TAIL_ROWS = 2000;

function view(r: RunSummary, runs: number, file: string): IssueRunView {
  return {
    status: r.status === 'unknown' && r.exitCode !== undefined ? (r.exitCode === 0 ? 'exit 0' : `exit ${r.exitCode}`) : r.status,
    startedAt: r.startedAt ?? null,
    wallS: r.wallS ?? null,
    filesModified: r.filesModified,
    verifierGreen: r.verifierGreen ?? null,
    failedGates: r.failedGates,
    merged: r.merged ?? null,
    closed: r.closed ?? null,
    ...(r.model ? { model: r.model } : {}),
    ...(r.exitStatus ? { exitStatus: r.exitStatus } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    runs,
    file,
  };
}

/** Short text for the LAST column: `7m12s 3 files verifier ✓ merged closed`. */
export function runText(r: IssueRunView): string {
  const wall = r.wallS === null ? '' : `${Math.floor(r.wallS / 60)}m${String(Math.round(r.wallS % 60)).padStart(2, '0')}s `;
  const gates = r.failedGates.length ? `${r.failedGates.join(',')} failed` : r.verifierGreen === true ? 'verifier ✓' : '';
  return [`${wall}${r.filesModified.length} files`, gates, r.merged ? 'merged' : '', r.closed ? 'closed' : ''].filter(Boolean).join(' ');
}

export function createRunSummaryReader(cfg: ResolvedConfig, profile: SwarmProfile): (() => Promise<Map<string, IssueRunView>>) | null {
  const templates = profile.paths.run_summary ?? [];
  if (templates.length === 0) return null;
  const paths = templates.map((t) => renderTemplate(t, { repo: cfg.paths.repo, logs: cfg.paths.logs_dir, worktrees: cfg.paths.worktrees_dir })).flatMap((p) => (p.ok ? [p.value] : []));
  const cache = new Map<string, { key: string; runs: Map<string, { row: RunSummary; n: number }> }>();
  let merged: Map<string, IssueRunView> = new Map();
  let mergedKey = '';
  return async () => {
    const keys: string[] = [];
    for (const path of paths) {
      const st = await stat(path).catch(() => null);
      const key = st && st.isFile() ? `${st.ino}|${st.size}|${st.mtimeMs}` : '-';
      keys.push(key);
      if (cache.get(path)?.key === key) continue;
      const runs = new Map<string, { row: RunSummary; n: number }>();
      if (key !== '-') {
        const tail = await readLastLines(path, SUMMARY_TAIL_ROWS).catch(() => null);
        for (const line of tail?.lines ?? []) {
          const p = parseRunSummaryLine(line);
          if (!p.ok) continue;
          const prev = runs.get(p.row.issueId);
          runs.set(p.row.issueId, { row: p.row, n: (prev?.n ?? 0) + 1 });
        }
      }
      cache.set(path, { key, runs });
    }
    // Unchanged files: the same map (and row objects), so the Issues rows stay equal.
    const all = keys.join(',');
    if (all === mergedKey) return merged;
    const out = new Map<string, IssueRunView>();
    const newest = new Map<string, { row: RunSummary; n: number; file: string }>();
    for (const path of paths) {
      for (const [id, r] of cache.get(path)?.runs ?? []) {
        const prev = newest.get(id);
        const later = !prev || (Date.parse(r.row.startedAt ?? '') || 0) >= (Date.parse(prev.row.startedAt ?? '') || 0);
        newest.set(id, { ...(later ? { row: r.row, file: path } : { row: prev!.row, file: prev!.file }), n: (prev?.n ?? 0) + r.n });
      }
    }
    for (const [id, r] of newest) out.set(id, view(r.row, r.n, r.file));
    merged = out;
    mergedKey = all;
    return out;
  };
}
