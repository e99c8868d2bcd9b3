// Parses one row of the Python worker's run summary (`logs/mini-swarm/summary.jsonl`,
// `logs/dogfood/dogfood-summary.jsonl`): one row per run, `json.dumps(row)` (run.py:384-399),
// plus dogfood's crash row and the Rust-era loop's legacy rows `{run,issue,exit_code,…}`
// mixed into the dogfood file (shared/formats/pyworker/FORMATS.md §2.1). Rows are appended
// without a lock, so a torn line is an `{ ok: false }`, never an exception.
// Pure: strings in, values out; no I/O.
import { bool, idLike, isObject, num, parseJsonObject, str, type JsonObject } from './telemetry-parse.js';

export const RUN_STATUSES = ['resolved', 'changes_failed_verifier', 'no_change', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number] | 'unknown';

export interface RunSummary {
  issueId: string;
  status: RunStatus;
  /** 'run': a Python worker row; 'legacy': the Rust-era dogfood loop's row. */
  shape: 'run' | 'legacy';
  startedAt?: string;
  wallS?: number;
  model?: string;
  workerStatus?: string;
  /** mini-SWE's exit status: `Submitted`, `LimitsExceeded`, or `error: <Exc>: <message>`. */
  exitStatus?: string;
  filesModified: string[];
  committed?: boolean;
  verifierGreen?: boolean;
  /** Gates whose `passed` is false, in row order (`check`, `test`). */
  failedGates: string[];
  /** The first failed gate's stderr tail (compiler output: payload, shown, never matched). */
  failedGateTail?: string;
  merged?: boolean;
  closed?: boolean;
  /** The row's `reason` (worktree / driver crash) or the architect's. */
  reason?: string;
  /** Legacy rows: the loop's exit code. */
  exitCode?: number;
  /** Legacy rows: the per-run log path. */
  log?: string;
}

export type RunSummaryParseResult = { ok: true; row: RunSummary } | { ok: false; error: string };

function statusOf(v: string | undefined): RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(v ?? '') ? (v as RunStatus) : 'unknown';
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function legacyRow(o: JsonObject, issueId: string): RunSummary {
  const row: RunSummary = { issueId, shape: 'legacy', status: 'unknown', filesModified: [], failedGates: [] };
  const code = num(o, 'exit_code');
  if (code !== undefined) {
    row.exitCode = code;
    // The Rust-era loop exited 0 only when the issue resolved.
    row.status = code === 0 ? 'resolved' : 'failed';
  }
  const wall = num(o, 'elapsed_s');
  if (wall !== undefined) row.wallS = wall;
  const ts = str(o, 'timestamp');
  if (ts !== undefined) row.startedAt = ts;
  const log = str(o, 'log');
  if (log !== undefined) row.log = log;
  return row;
}

function workerFields(row: RunSummary, w: JsonObject): void {
  const status = str(w, 'status');
  if (status !== undefined) row.workerStatus = status;
  const exit = str(w, 'exit_status');
  if (exit !== undefined) row.exitStatus = exit;
  row.filesModified = stringList(w['files_modified']);
  const committed = bool(w, 'committed');
  if (committed !== undefined) row.committed = committed;
}

function verifierFields(row: RunSummary, v: JsonObject): void {
  const green = bool(v, 'all_green');
  if (green !== undefined) row.verifierGreen = green;
  const gates = v['gates'];
  if (!isObject(gates)) return;
  for (const [name, gate] of Object.entries(gates)) {
    if (!isObject(gate) || bool(gate, 'passed') !== false) continue;
    row.failedGates.push(name);
    const tail = str(gate, 'stderr_tail');
    if (tail !== undefined && row.failedGateTail === undefined) row.failedGateTail = tail;
  }
}

/** One summary line → a run row; a legacy dogfood row is recognised by `issue` + `exit_code`. */
export function parseRunSummaryLine(line: string): RunSummaryParseResult {
  const text = line.trim();
  if (text === '') return { ok: false, error: 'empty line' };
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  const issueId = idLike(o, 'issue_id');
  if (issueId === undefined) {
    const legacy = idLike(o, 'issue');
    if (legacy !== undefined && 'exit_code' in o) return { ok: true, row: legacyRow(o, legacy) };
    return { ok: false, error: 'no issue_id (nor a legacy issue/exit_code row)' };
  }
  const row: RunSummary = { issueId, shape: 'run', status: statusOf(str(o, 'status')), filesModified: [], failedGates: [] };
  const started = str(o, 'started_at');
  if (started !== undefined) row.startedAt = started;
  const wall = num(o, 'wall_s');
  if (wall !== undefined) row.wallS = wall;
  const model = str(o, 'model');
  if (model !== undefined) row.model = model;
  if (isObject(o['worker'])) workerFields(row, o['worker']);
  if (isObject(o['verifier'])) verifierFields(row, o['verifier']);
  const merged = bool(o, 'merged');
  if (merged !== undefined) row.merged = merged;
  const closed = bool(o, 'closed');
  if (closed !== undefined) row.closed = closed;
  const reason = str(o, 'reason') ?? (isObject(o['architect']) ? str(o['architect'], 'reason') : undefined);
  if (reason !== undefined) row.reason = reason;
  if (isObject(o['architect']) && row.filesModified.length === 0) row.filesModified = stringList(o['architect']['files_modified']);
  return { ok: true, row };
}

/** A row with the 1-based line it came from, for `file:line` evidence. */
export interface NumberedRun {
  line: number;
  row: RunSummary;
  /** The summary file it came from (several files are read for one issue). */
  path?: string;
}

/** The rows of one issue from a summary file's text, in file order; torn lines are counted, not thrown. */
export function runsForIssue(text: string, issueId: string): { runs: NumberedRun[]; badLines: number } {
  const runs: NumberedRun[] = [];
  let badLines = 0;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    // A cheap filter first: a summary file holds every issue's runs.
    if (!line.includes(issueId)) continue;
    const r = parseRunSummaryLine(line);
    if (!r.ok) {
      badLines++;
      continue;
    }
    if (r.row.issueId === issueId) runs.push({ line: lineNo, row: r.row });
  }
  return { runs, badLines };
}
