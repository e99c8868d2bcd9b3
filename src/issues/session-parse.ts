// Parses the real orchestrator's per-phase record of one session: the worktree's
// `.swarm/session.jsonl` (one fsynced event per line), `.swarm/checkpoint.json` (atomic
// rename: current state, iteration, transitions) and the pretty-printed
// `.swarm-metrics.json` (a SessionMetrics object, failed sessions only). Readers are
// tolerant: unknown fields and event types are kept, bad lines are counted, a
// truncated or invalid file is an `{ ok: false, error }`, never an exception.
// Pure: text in, values out; no I/O.

import { bool, idLike, isObject, normaliseSession, num, parseJsonObject, str, type JsonObject, type TelemetryRecord } from './telemetry-parse.js';

/** Orchestrator states (others may appear; they are kept as strings). */
export const SESSION_STATES = ['selecting_issue', 'preparing_worktree', 'planning', 'implementing', 'verifying', 'validating', 'escalating', 'merging', 'resolved', 'failed'] as const;

export interface SessionEvent {
  id?: number;
  timestamp?: string;
  /** `kind.type` (session_started, state_transition, checkpoint_written, session_completed, …). */
  type: string;
  /** 1-based line number in the file. */
  line: number;
  kind: JsonObject;
}

export interface SessionTransition {
  from?: string;
  to?: string;
  iteration?: number;
  reason?: string;
  timestamp?: string;
  elapsedMs?: number;
}

export interface SessionLogSummary {
  events: SessionEvent[];
  /** Lines that are not a JSON object with kind.type (blank lines are not counted). */
  badLines: number;
  /** Line numbers of the first bad lines (at most 20). */
  badLineNumbers: number[];
  /** true when the last line has no newline and does not parse (a write in progress). */
  partialLastLine: boolean;
  issueId?: string;
  objective?: string;
  startedAt?: string;
  worktreePath?: string;
  branch?: string;
  /** Current state: the last transition's `to`, a later checkpoint's state, or resolved/failed once completed. */
  state?: string;
  iteration?: number;
  lastTransition?: SessionTransition;
  lastEventAt?: string;
  completed: boolean;
  resolved?: boolean;
  failureReason?: string;
  totalIterations?: number;
  durationMs?: number;
  completedAt?: string;
}

function transitionOf(o: JsonObject, timestamp?: string): SessionTransition {
  const t: SessionTransition = {};
  const from = str(o, 'from');
  if (from !== undefined) t.from = from;
  const to = str(o, 'to');
  if (to !== undefined) t.to = to;
  const it = num(o, 'iteration');
  if (it !== undefined) t.iteration = it;
  const reason = str(o, 'reason');
  if (reason !== undefined) t.reason = reason;
  const el = num(o, 'elapsed_ms');
  if (el !== undefined) t.elapsedMs = el;
  if (timestamp !== undefined) t.timestamp = timestamp;
  return t;
}

/** Parses `.swarm/session.jsonl`. Never throws. */
export function parseSessionLog(text: string): SessionLogSummary {
  const out: SessionLogSummary = { events: [], badLines: 0, badLineNumbers: [], partialLastLine: false, completed: false };
  if (typeof text !== 'string' || text.length === 0) return out;
  const lines = text.split('\n');
  const endsWithNewline = lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const bad = (n: number): void => {
    out.badLines++;
    if (out.badLineNumbers.length < 20) out.badLineNumbers.push(n);
  };
  lines.forEach((l, idx) => {
    const lineNo = idx + 1;
    const t = l.trim();
    if (t.length === 0) return;
    const p = parseJsonObject(t);
    const kind = p.ok && isObject(p.value['kind']) ? (p.value['kind'] as JsonObject) : undefined;
    const type = kind ? str(kind, 'type') : undefined;
    if (!p.ok || !kind || type === undefined) {
      bad(lineNo);
      if (idx === lines.length - 1 && !endsWithNewline) out.partialLastLine = true;
      return;
    }
    const ev: SessionEvent = { type, line: lineNo, kind };
    const id = num(p.value, 'id');
    if (id !== undefined) ev.id = id;
    const ts = str(p.value, 'timestamp');
    if (ts !== undefined) ev.timestamp = ts;
    out.events.push(ev);
    apply(out, ev);
  });
  return out;
}

function apply(s: SessionLogSummary, ev: SessionEvent): void {
  const k = ev.kind;
  if (ev.timestamp !== undefined) s.lastEventAt = ev.timestamp;
  switch (ev.type) {
    case 'session_started': {
      const issue = idLike(k, 'issue_id');
      if (issue !== undefined) s.issueId = issue;
      const obj = str(k, 'objective');
      if (obj !== undefined) s.objective = obj;
      if (ev.timestamp !== undefined) s.startedAt = ev.timestamp;
      if (s.state === undefined) s.state = 'selecting_issue';
      break;
    }
    case 'worktree_provisioned': {
      const path = str(k, 'path');
      if (path !== undefined) s.worktreePath = path;
      const branch = str(k, 'branch');
      if (branch !== undefined) s.branch = branch;
      break;
    }
    case 'state_transition': {
      const t = transitionOf(k, ev.timestamp);
      s.lastTransition = t;
      if (t.to !== undefined) s.state = t.to;
      if (t.iteration !== undefined) s.iteration = t.iteration;
      break;
    }
    case 'checkpoint_written': {
      const st = str(k, 'state');
      if (st !== undefined && !s.completed) s.state = st;
      const it = num(k, 'iteration');
      if (it !== undefined) s.iteration = it;
      break;
    }
    case 'session_completed': {
      s.completed = true;
      const resolved = bool(k, 'resolved');
      if (resolved !== undefined) {
        s.resolved = resolved;
        s.state = resolved ? 'resolved' : 'failed';
      }
      const fr = str(k, 'failure_reason');
      if (fr !== undefined) s.failureReason = fr;
      const total = num(k, 'total_iterations');
      if (total !== undefined) s.totalIterations = total;
      const d = num(k, 'duration_ms');
      if (d !== undefined) s.durationMs = d;
      if (ev.timestamp !== undefined) s.completedAt = ev.timestamp;
      break;
    }
    default:
      break;
  }
}

// ---------------------------------------------------------------------------
// checkpoint.json
// ---------------------------------------------------------------------------

export interface Checkpoint {
  state?: string;
  iteration?: number;
  checkpointId?: number;
  schemaVersion?: number;
  issueId?: string;
  createdAt?: string;
  gitHash?: string;
  transitions: SessionTransition[];
  /** The last transition's reason (why the session is where it is). */
  lastReason?: string;
  raw: JsonObject;
}

export type CheckpointParseResult = { ok: true; checkpoint: Checkpoint } | { ok: false; error: string };

/** Parses `.swarm/checkpoint.json` (or the older `.swarm-checkpoint.json`). Never throws. */
export function parseCheckpoint(text: string): CheckpointParseResult {
  if (typeof text !== 'string' || text.trim().length === 0) return { ok: false, error: 'empty file' };
  const p = parseJsonObject(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (!p.ok) return p;
  const o = p.value;
  const state = str(o, 'state');
  const iteration = num(o, 'iteration');
  if (state === undefined && iteration === undefined && !Array.isArray(o['transitions'])) {
    return { ok: false, error: 'not a checkpoint (no state, iteration or transitions)' };
  }
  const transitions = Array.isArray(o['transitions']) ? (o['transitions'] as unknown[]).filter(isObject).map((t) => transitionOf(t)) : [];
  const cp: Checkpoint = { transitions, raw: o };
  if (state !== undefined) cp.state = state;
  if (iteration !== undefined) cp.iteration = iteration;
  const id = num(o, 'checkpoint_id');
  if (id !== undefined) cp.checkpointId = id;
  const sv = num(o, 'schema_version');
  if (sv !== undefined) cp.schemaVersion = sv;
  const issue = idLike(o, 'issue_id');
  if (issue !== undefined) cp.issueId = issue;
  const created = str(o, 'created_at');
  if (created !== undefined) cp.createdAt = created;
  const gh = str(o, 'git_hash');
  if (gh !== undefined) cp.gitHash = gh;
  const last = transitions[transitions.length - 1];
  if (last?.reason !== undefined) cp.lastReason = last.reason;
  return { ok: true, checkpoint: cp };
}

// ---------------------------------------------------------------------------
// .swarm-metrics.json
// ---------------------------------------------------------------------------

export type MetricsParseResult = { ok: true; record: TelemetryRecord } | { ok: false; error: string };

/** Parses the pretty-printed `.swarm-metrics.json` (a SessionMetrics object). Never throws. */
export function parseMetricsFile(text: string): MetricsParseResult {
  if (typeof text !== 'string' || text.trim().length === 0) return { ok: false, error: 'empty file' };
  const p = parseJsonObject(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (!p.ok) return p;
  const issueId = idLike(p.value, 'issue_id');
  if (issueId === undefined) return { ok: false, error: 'no issue_id' };
  return { ok: true, record: normaliseSession(p.value, issueId) };
}
