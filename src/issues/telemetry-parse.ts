// Parses one line of `.swarm-telemetry.jsonl` in either shape: the real orchestrator's
// whole `SessionMetrics` object per finished session, or the runbook's per-event shape
// (issue_id, phase, iteration, outcome). Lines are appended without a lock on NFS, so
// corrupt lines are expected: they come back as `{ ok: false }`, never as an exception.
// Also `extractIssueId`, a cheap look-up used by the per-issue index over 1 GiB files.
// Pure: strings in, values out; no I/O.
import { jsonTooDeep, MAX_JSON_DEPTH } from '../core/json-depth.js';

export type JsonObject = Record<string, unknown>;

export interface IterationSummary {
  iteration?: number;
  tier?: string;
  model?: string;
  noChange?: boolean;
  responseMs?: number;
  errorCount?: number;
  escalated?: boolean;
}

export interface TelemetryRecord {
  shape: 'session' | 'event';
  issueId: string;
  sessionId?: string;
  issueTitle?: string;
  timestamp?: string;
  success?: boolean;
  /** session: total_iterations; event: iteration. */
  iterations?: number;
  phase?: string;
  outcome?: string;
  finalTier?: string;
  elapsedMs?: number;
  noChangeIterations?: number;
  noChangeRate?: number;
  /** Per-iteration details of a session record. */
  iterationDetails?: IterationSummary[];
  /** One line for humans. */
  summary: string;
  /** The whole object as parsed (unknown fields kept). */
  raw: JsonObject;
}

export type TelemetryParseResult = { ok: true; record: TelemetryRecord } | { ok: false; error: string };

// ---------------------------------------------------------------------------
// Small typed readers (tolerant: a wrong type reads as absent)
// ---------------------------------------------------------------------------

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function str(o: JsonObject, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}
export function num(o: JsonObject, k: string): number | undefined {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
export function bool(o: JsonObject, k: string): boolean | undefined {
  const v = o[k];
  return typeof v === 'boolean' ? v : undefined;
}
/** A string or a number as a string (ids sometimes come as numbers). */
export function idLike(o: JsonObject, k: string): string | undefined {
  const v = o[k];
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** JSON.parse that reports instead of throwing, and insists on an object. */
export function parseJsonObject(text: string): { ok: true; value: JsonObject } | { ok: false; error: string } {
  if (jsonTooDeep(text)) return { ok: false, error: `nested more than ${MAX_JSON_DEPTH} levels deep: not read` };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isObject(v)) return { ok: false, error: `not a JSON object (${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v})` };
  return { ok: true, value: v };
}

function oneLine(s: string, max = 80): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function fmtMs(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function iterationSummary(o: JsonObject): IterationSummary {
  const it: IterationSummary = {};
  const n = num(o, 'iteration');
  if (n !== undefined) it.iteration = n;
  const tier = str(o, 'tier');
  if (tier !== undefined) it.tier = tier;
  const model = str(o, 'agent_model');
  if (model !== undefined) it.model = model;
  const nc = bool(o, 'no_change');
  if (nc !== undefined) it.noChange = nc;
  const rm = num(o, 'agent_response_ms');
  if (rm !== undefined) it.responseMs = rm;
  const ec = num(o, 'error_count');
  if (ec !== undefined) it.errorCount = ec;
  const esc = bool(o, 'escalated');
  if (esc !== undefined) it.escalated = esc;
  return it;
}

function looksLikeSession(o: JsonObject): boolean {
  return (
    typeof o['session_id'] === 'string' || typeof o['total_iterations'] === 'number' || (typeof o['success'] === 'boolean' && !('phase' in o) && !('outcome' in o)) || Array.isArray(o['iterations'])
  );
}

function looksLikeEvent(o: JsonObject): boolean {
  return 'phase' in o || 'outcome' in o || 'iteration' in o || 'event' in o;
}

/** Normalises a parsed SessionMetrics object (also used for `.swarm-metrics.json`). */
export function normaliseSession(o: JsonObject, issueId: string): TelemetryRecord {
  const rec: TelemetryRecord = { shape: 'session', issueId, summary: '', raw: o };
  const sid = str(o, 'session_id');
  if (sid !== undefined) rec.sessionId = sid;
  const title = str(o, 'issue_title');
  if (title !== undefined) rec.issueTitle = title;
  const ts = str(o, 'timestamp');
  if (ts !== undefined) rec.timestamp = ts;
  const ok = bool(o, 'success');
  if (ok !== undefined) rec.success = ok;
  const its = Array.isArray(o['iterations']) ? (o['iterations'] as unknown[]) : undefined;
  const total = num(o, 'total_iterations') ?? its?.length;
  if (total !== undefined) rec.iterations = total;
  const tier = str(o, 'final_tier');
  if (tier !== undefined) rec.finalTier = tier;
  const el = num(o, 'elapsed_ms');
  if (el !== undefined) rec.elapsedMs = el;
  const nci = num(o, 'total_no_change_iterations');
  if (nci !== undefined) rec.noChangeIterations = nci;
  const ncr = num(o, 'no_change_rate');
  if (ncr !== undefined) rec.noChangeRate = ncr;
  if (its) rec.iterationDetails = its.filter(isObject).map(iterationSummary);

  const parts: string[] = [];
  parts.push(rec.success === undefined ? 'finished' : rec.success ? 'resolved' : 'failed');
  if (rec.iterations !== undefined) parts.push(`iterations=${rec.iterations}`);
  if (rec.finalTier !== undefined) parts.push(`tier=${rec.finalTier}`);
  if (rec.noChangeIterations !== undefined) {
    const rate = rec.noChangeRate !== undefined ? ` (${Math.round(rec.noChangeRate * 100)}%)` : '';
    parts.push(`no_change=${rec.noChangeIterations}${rate}`);
  }
  if (rec.elapsedMs !== undefined) parts.push(`elapsed=${fmtMs(rec.elapsedMs)}`);
  if (rec.sessionId !== undefined) parts.push(`session=${rec.sessionId.slice(0, 8)}`);
  if (rec.issueTitle !== undefined && rec.issueTitle.length > 0) parts.push(`"${oneLine(rec.issueTitle, 60)}"`);
  rec.summary = oneLine(parts.join(' '), 200);
  return rec;
}

function normaliseEvent(o: JsonObject, issueId: string): TelemetryRecord {
  const rec: TelemetryRecord = { shape: 'event', issueId, summary: '', raw: o };
  const ts = str(o, 'ts') ?? str(o, 'timestamp') ?? str(o, 'time');
  if (ts !== undefined) rec.timestamp = ts;
  const phase = str(o, 'phase') ?? str(o, 'event');
  if (phase !== undefined) rec.phase = phase;
  const outcome = str(o, 'outcome');
  if (outcome !== undefined) rec.outcome = outcome;
  const it = num(o, 'iteration');
  if (it !== undefined) rec.iterations = it;
  const ok = bool(o, 'success');
  if (ok !== undefined) rec.success = ok;
  const tier = str(o, 'tier');
  if (tier !== undefined) rec.finalTier = tier;
  const parts: string[] = [];
  if (rec.phase !== undefined) parts.push(`phase=${rec.phase}`);
  if (rec.iterations !== undefined) parts.push(`iteration=${rec.iterations}`);
  if (rec.outcome !== undefined) parts.push(`outcome=${rec.outcome}`);
  if (parts.length === 0) parts.push('event');
  rec.summary = oneLine(parts.join(' '), 200);
  return rec;
}

/** Normalises a parsed telemetry object of either shape. */
export function normaliseTelemetryObject(o: JsonObject, firstIssueId?: string): TelemetryParseResult {
  const issueId = firstIssueId ?? idLike(o, 'issue_id');
  if (issueId === undefined) return { ok: false, error: 'no issue_id' };
  if (looksLikeSession(o)) return { ok: true, record: normaliseSession(o, issueId) };
  if (looksLikeEvent(o)) return { ok: true, record: normaliseEvent(o, issueId) };
  return { ok: false, error: 'neither a SessionMetrics record nor a phase/iteration/outcome event' };
}

/** Parses one JSONL line (trailing CR/whitespace tolerated). Never throws. */
export function parseTelemetryLine(line: string): TelemetryParseResult {
  if (typeof line !== 'string') return { ok: false, error: 'not a string' };
  const t = line.trim();
  if (t.length === 0) return { ok: false, error: 'empty line' };
  if (t.charCodeAt(0) !== 123 /* { */) return { ok: false, error: 'does not start with "{"' };
  const p = parseJsonObject(t);
  if (!p.ok) return p;
  // With the key twice, JSON.parse keeps the last value but the index (extractIssueId
  // and its byte-level fast path) files the line under the first. Take the index's
  // answer, so `telemetry -n` and `--issue` agree on whose record it is.
  const twice = t.indexOf(KEY) !== t.lastIndexOf(KEY);
  return normaliseTelemetryObject(p.value, twice ? (extractIssueId(t) ?? undefined) : undefined);
}

// ---------------------------------------------------------------------------
// extractIssueId: the fast path for the index
// ---------------------------------------------------------------------------

const KEY = '"issue_id"';

/**
 * The top-level `issue_id` of a JSONL line, or null when the line is not a complete JSON
 * object with one. Fast path: finds `"issue_id"` and checks, by scanning only the bytes
 * before it, that it is a key at depth 1; reads a plain string value (no escapes).
 * Anything unusual (escapes, nested first occurrence, numbers) falls back to JSON.parse.
 * Whitespace around the line is trimmed as parseTelemetryLine trims it
 * (String.prototype.trim: also a BOM, NBSP, U+2028). The fast path only checks that the
 * line looks complete ({ … }), not that every byte after the id is valid JSON: a reader
 * that shows records parses them again. Known difference from JSON.parse: with the key
 * twice at the top level this takes the first value, JSON.parse the last (finding a
 * second key costs the index one more search per line; see telemetry-index.ts).
 */
export function extractIssueId(line: string): string | null {
  if (typeof line !== 'string') return null;
  const t = line.trim();
  const end = t.length;
  if (end < 2 || t.charCodeAt(0) !== 123 || t.charCodeAt(end - 1) !== 125) return null;
  const at = t.indexOf(KEY);
  if (at !== -1 && depthAt(t, 0, at) === 1) {
    let i = at + KEY.length;
    while (i < end && t.charCodeAt(i) <= 32) i++;
    if (t.charCodeAt(i) === 58 /* : */) {
      i++;
      while (i < end && t.charCodeAt(i) <= 32) i++;
      if (t.charCodeAt(i) === 34 /* " */) {
        const close = t.indexOf('"', i + 1);
        if (close !== -1) {
          const value = t.slice(i + 1, close);
          let j = close + 1;
          while (j < end && t.charCodeAt(j) <= 32) j++;
          const next = t.charCodeAt(j);
          // The value must end where a JSON value ends (, or }); a torn line such as
          // `"issue_id":"beef{"ts":…` fails here and goes to the full parse.
          if (value.indexOf('\\') === -1 && value.length > 0 && (next === 44 || next === 125)) return value;
        }
      }
    }
  }
  const p = parseJsonObject(t);
  if (!p.ok) return null;
  return idLike(p.value, 'issue_id') ?? null;
}

/** Object depth at `pos` (1 = top level), or -1 when `pos` is inside a string. */
function depthAt(s: string, from: number, pos: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = from; i < pos; i++) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++;
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return inStr ? -1 : depth;
}
