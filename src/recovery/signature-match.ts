// Matches log records against a signature catalogue and says, per diagnosis kind, whether
// it fired, with which evidence (line, text, captures), or why an occurrence no longer
// counts. Pure: records and a catalogue in, values out; no I/O.
//
// Rules:
//  - Matching is per physical line of a record's MESSAGE: for tracing records the head
//    line is `target: message` (span prefixes are never matched, so span fields such as
//    gen_ai.tool.call.result="…" never count) and each continuation line is matched on
//    its own with its own line number; a plain record is its line.
//  - Payload: when a catalogue `payload` marker matches a line (e.g. `executed tool T`,
//    `response_preview=`), the text after the marker and all later lines of the record
//    are tool/model output and are not matched at all.
//  - Current vs old: an occurrence is OLD when, later in the log, a `resolved` marker
//    (session resolved) or one of the kind's `rule_out` markers (a later successful
//    iteration) matches, or when its time is at or before `opts.resolvedAt` (from the
//    session log's session_completed resolved=true). Only current occurrences can fire.
//  - A kind fires when one of its `trigger` entries holds on current occurrences:
//    count >= min_count (default 1), or one occurrence with capture >= capture_min, and
//    every entry it `requires` has a current occurrence. `support` entries never fire.
//  - Per record, not per substring: when a `claims_record` entry matches any line of a
//    record (a retry that quotes the error it retries), every match of that kind in the
//    record is support only.
//  - SLURM's death notices (`job_end`) are whole physical lines at column 0 naming the
//    job being diagnosed; inside a tool's output they count only when the run never
//    logged again after them (see findJobEndNotices).

import type { LogRecord } from './log-records.js';
import { BEEFCAKE_CATALOGUE } from '../config/signature-catalogue.js';
import type { JobEndCause, SignatureCatalogue, SignaturePattern } from '../config/signatures.js';

export interface EvidenceItem {
  /** Catalogue entry id (the first one, when several entries matched the same line). */
  id: string;
  group?: string;
  role: 'trigger' | 'support';
  /** 1-based physical line number. */
  line: number;
  /** Trimmed, ANSI-free, capped text of the line (spans left out). */
  text: string;
  captures: Record<string, string>;
}

export interface RuledOut {
  /** The rule-out entry id, or 'resolved_at' for opts.resolvedAt. */
  id: string;
  reason: 'rule_out' | 'resolved' | 'resolved_at';
  line: number;
  text: string;
}

export interface KindMatch {
  kind: string;
  fired: boolean;
  /** Current occurrences (distinct lines, triggers and support). */
  count: number;
  /** Ids of the trigger entries whose condition held. */
  triggers: string[];
  /** Groups of those triggers (e.g. 'circuit_breaker', 'write_deadline'). */
  groups: string[];
  /** Current evidence, in line order (the last `maxEvidence`). */
  evidence: EvidenceItem[];
  /** Occurrences made old by a later rule-out / resolution. */
  staleCount: number;
  /** Set when old occurrences would have fired the kind but a later marker ruled them out. */
  ruledOutBy?: RuledOut;
}

export interface MatchOptions {
  /** Evidence items kept per kind (the last ones). Default 20. */
  maxEvidence?: number;
  /** Evidence text cap in characters. Default 300. */
  maxTextLength?: number;
  /** Characters of a line that are matched (a guard for huge lines). Default 65536. */
  maxLineChars?: number;
  /** ISO time the session was resolved (session log `session_completed` resolved=true). */
  resolvedAt?: string;
  /** Ignore records that end before this line (e.g. the current session's start). */
  fromLine?: number;
  /** Plain (untimestamped) lines before this line are matched even before `fromLine`: the
   *  job's preamble, i.e. the sbatch script's own echo lines before the first session. */
  preambleBefore?: number;
}

// ---------------------------------------------------------------------------
// Compilation (cached per catalogue object)
// ---------------------------------------------------------------------------

interface Compiled {
  id: string;
  re: RegExp;
}

interface CompiledEvidence extends Compiled {
  role: 'trigger' | 'support';
  minCount: number;
  captureMin?: { capture: string; min: number };
  requires: string[];
  group?: string;
  claims: boolean;
}

interface CompiledKind {
  kind: string;
  evidence: CompiledEvidence[];
  ruleOut: Compiled[];
}

interface CompiledCatalogue {
  kinds: CompiledKind[];
  resolved: Compiled[];
  payload: Compiled[];
  writes: Compiled[];
  tools: Compiled[];
  adapterReports: Compiled[];
  sessionStart: Compiled[];
  sessionEnd: Compiled[];
  timeoutWarning: Compiled[];
  jobEnd: Array<Compiled & { cause: JobEndCause }>;
}

const cache = new WeakMap<SignatureCatalogue, CompiledCatalogue>();

function compileOne(p: SignaturePattern): Compiled | null {
  if (p.enabled === false) return null;
  const flags = (p.flags ?? '').replace(/[^imsu]/g, '');
  try {
    return { id: p.id, re: new RegExp(p.pattern, flags) };
  } catch {
    return null; // the schema rejects these; a hand-built catalogue just loses the entry
  }
}

function compileList(list: readonly SignaturePattern[] | undefined): Compiled[] {
  const out: Compiled[] = [];
  for (const p of list ?? []) {
    const c = compileOne(p);
    if (c) out.push(c);
  }
  return out;
}

function compile(cat: SignatureCatalogue): CompiledCatalogue {
  const hit = cache.get(cat);
  if (hit) return hit;
  const kinds: CompiledKind[] = (cat.kinds ?? []).map((k) => {
    const evidence: CompiledEvidence[] = [];
    for (const e of k.evidence ?? []) {
      const c = compileOne(e);
      if (!c) continue;
      const ce: CompiledEvidence = {
        ...c,
        role: e.role ?? 'trigger',
        minCount: Math.max(1, e.min_count ?? 1),
        requires: e.requires ?? [],
        claims: e.claims_record === true && (e.role ?? 'trigger') === 'support',
      };
      if (e.capture_min) ce.captureMin = e.capture_min;
      if (e.group !== undefined) ce.group = e.group;
      evidence.push(ce);
    }
    return { kind: k.kind, evidence, ruleOut: compileList(k.rule_out) };
  });
  const out: CompiledCatalogue = {
    kinds,
    resolved: compileList(cat.resolved),
    payload: compileList(cat.payload),
    writes: compileList(cat.signals?.write_tool_calls),
    tools: compileList(cat.signals?.tool_calls),
    adapterReports: compileList(cat.signals?.adapter_reports),
    sessionStart: compileList(cat.signals?.session_start),
    sessionEnd: [...compileList(cat.resolved), ...compileList(cat.signals?.session_end)],
    timeoutWarning: compileList(cat.signals?.timeout_warning),
    jobEnd: (cat.job_end ?? []).flatMap((e) => {
      const c = compileOne(e);
      return c ? [{ ...c, cause: e.cause }] : [];
    }),
  };
  cache.set(cat, out);
  return out;
}

// ---------------------------------------------------------------------------
// Segments: the matchable lines of a record
// ---------------------------------------------------------------------------

interface Segment {
  line: number;
  /** Text that patterns see (payload removed, capped). */
  text: string;
  /** Prefix for evidence text (timestamp and level of a tracing head). */
  prefix: string;
  /** Effective time (the record's, or the last one seen before a plain line). */
  ts: string | undefined;
  /** Index of the record in the input (claims_record works per record). */
  rec: number;
}

function cutPayload(text: string, payload: Compiled[]): { text: string; cut: boolean } {
  let end = -1;
  for (const p of payload) {
    const m = p.re.exec(text);
    if (m) {
      const e = m.index + m[0].length;
      if (end === -1 || e < end) end = e;
    }
  }
  return end === -1 ? { text, cut: false } : { text: text.slice(0, end), cut: true };
}

function* segmentsOf(records: readonly LogRecord[], cc: CompiledCatalogue, maxLineChars: number, fromLine: number, preambleBefore = 0): Generator<Segment> {
  let lastTs: string | undefined;
  for (let ri = 0; ri < records.length; ri++) {
    const r = records[ri] as LogRecord;
    if (r.ts !== undefined) lastTs = r.ts;
    // The job's preamble (the sbatch script's echo lines before the first session) is
    // the current session's context too: plain lines before `preambleBefore` count.
    const preamble = r.kind === 'plain' && r.line < preambleBefore;
    if (r.endLine < fromLine && !preamble) continue;
    const msg = typeof r.message === 'string' ? r.message : '';
    if (r.kind === 'tracing') {
      const nl = msg.indexOf('\n');
      const first = nl === -1 ? msg : msg.slice(0, nl);
      const headText = (r.target ? `${r.target}: ${first}` : first).slice(0, maxLineChars);
      const head = cutPayload(headText, cc.payload);
      const prefix = `${r.ts ?? ''} ${r.level ?? ''} `.trimStart();
      if (r.line >= fromLine) yield { line: r.line, text: head.text, prefix, ts: lastTs, rec: ri };
      if (head.cut) continue;
      for (const c of r.continuation ?? []) {
        const seg = cutPayload(c.text.slice(0, maxLineChars), cc.payload);
        if (c.line >= fromLine) yield { line: c.line, text: seg.text, prefix: '', ts: lastTs, rec: ri };
        if (seg.cut) break;
      }
    } else {
      const seg = cutPayload(msg.slice(0, maxLineChars), cc.payload);
      yield { line: r.line, text: seg.text, prefix: '', ts: lastTs, rec: ri };
    }
  }
}

function capText(s: string, max: number): string {
  const t = s.trim();
  return t.length > max ? `${t.slice(0, Math.max(0, max - 1))}…` : t;
}

function capturesOf(m: RegExpExecArray): Record<string, string> {
  const out: Record<string, string> = {};
  if (m.groups) {
    for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) out[k] = v;
  }
  return out;
}

function timeOf(ts: string | undefined): number {
  if (ts === undefined) return Number.NaN;
  // tracing prints 6–9 fractional digits; Date understands 3.
  const norm = ts.replace(' ', 'T').replace(/([.,])(\d{3})\d*/, '.$2');
  return Date.parse(norm);
}

// ---------------------------------------------------------------------------
// matchSignatures
// ---------------------------------------------------------------------------

interface Hit {
  pos: number;
  rec: number;
  entry: CompiledEvidence;
  line: number;
  text: string;
  captures: Record<string, string>;
}

interface MarkerHit {
  pos: number;
  id: string;
  line: number;
  text: string;
}

function entryHolds(e: CompiledEvidence, hits: Hit[], idsPresent: Set<string>): boolean {
  if (e.role !== 'trigger') return false;
  const own = hits.filter((h) => h.entry === e);
  if (own.length === 0) return false;
  let ok = own.length >= e.minCount;
  if (!ok && e.captureMin) {
    const { capture, min } = e.captureMin;
    ok = own.some((h) => {
      const v = h.captures[capture];
      return v !== undefined && Number(v) >= min;
    });
  }
  return ok && e.requires.every((r) => idsPresent.has(r));
}

function evaluate(kind: CompiledKind, hits: Hit[]): { triggers: string[]; groups: string[] } {
  const present = new Set(hits.map((h) => h.entry.id));
  const triggers: string[] = [];
  const groups: string[] = [];
  for (const e of kind.evidence) {
    if (entryHolds(e, hits, present)) {
      triggers.push(e.id);
      if (e.group !== undefined && !groups.includes(e.group)) groups.push(e.group);
    }
  }
  return { triggers, groups };
}

/**
 * Matches records against every kind of the catalogue. Returns one entry per kind, in
 * catalogue order. Never throws on odd input.
 */
export function matchSignatures(records: readonly LogRecord[], catalogue: SignatureCatalogue = BEEFCAKE_CATALOGUE, opts: MatchOptions = {}): KindMatch[] {
  const cc = compile(catalogue);
  const maxEvidence = Math.max(0, opts.maxEvidence ?? 20);
  const maxText = Math.max(8, opts.maxTextLength ?? 300);
  const maxLineChars = Math.max(256, opts.maxLineChars ?? 65_536);
  const fromLine = opts.fromLine ?? 1;
  const resolvedAtMs = timeOf(opts.resolvedAt);

  const hitsByKind: Hit[][] = cc.kinds.map(() => []);
  const ruleOutByKind: MarkerHit[][] = cc.kinds.map(() => []);
  const resolved: MarkerHit[] = [];
  let resolvedAtPos = -1;
  let resolvedAtLine = 0;

  let pos = 0;
  for (const seg of segmentsOf(records, cc, maxLineChars, fromLine, opts.preambleBefore ?? 0)) {
    pos++;
    if (!Number.isNaN(resolvedAtMs)) {
      const t = timeOf(seg.ts);
      if (seg.ts === undefined || (!Number.isNaN(t) && t <= resolvedAtMs)) {
        resolvedAtPos = pos;
        resolvedAtLine = seg.line;
      }
    }
    if (seg.text.length === 0) continue;
    const shown = (): string => capText(seg.prefix + seg.text, maxText);
    for (const r of cc.resolved) {
      if (r.re.test(seg.text)) resolved.push({ pos, id: r.id, line: seg.line, text: shown() });
    }
    cc.kinds.forEach((k, ki) => {
      for (const e of k.evidence) {
        const m = e.re.exec(seg.text);
        if (m) (hitsByKind[ki] as Hit[]).push({ pos, rec: seg.rec, entry: e, line: seg.line, text: shown(), captures: capturesOf(m) });
      }
      for (const r of k.ruleOut) {
        if (r.re.test(seg.text)) (ruleOutByKind[ki] as MarkerHit[]).push({ pos, id: r.id, line: seg.line, text: shown() });
      }
    });
  }
  // Plain lines before any timestamp have no time; resolvedAt only reaches them when a
  // later timestamped line is at or before it, which the running position handles.

  return cc.kinds.map((k, ki) => {
    // A record claimed by a support-only entry (a retry quoting its error) holds no trigger.
    const raw = hitsByKind[ki] as Hit[];
    const claimed = new Set(raw.filter((h) => h.entry.claims).map((h) => h.rec));
    const all = claimed.size === 0 ? raw : raw.map((h) => (claimed.has(h.rec) && h.entry.role === 'trigger' ? { ...h, entry: { ...h.entry, role: 'support' as const } } : h));
    const markers: { hit: MarkerHit; reason: 'rule_out' | 'resolved' }[] = [
      ...(ruleOutByKind[ki] as MarkerHit[]).map((hit) => ({ hit, reason: 'rule_out' as const })),
      ...resolved.map((hit) => ({ hit, reason: 'resolved' as const })),
    ];
    // The latest marker that follows at least one occurrence decides what is old:
    // an occurrence is old iff its position is below `oldBelow`.
    const firstPos = all.length > 0 ? (all[0] as Hit).pos : Number.POSITIVE_INFINITY;
    let oldBelow = -1;
    let cutoffBy: RuledOut | undefined;
    for (const { hit, reason } of markers) {
      if (hit.pos > firstPos && hit.pos > oldBelow) {
        oldBelow = hit.pos;
        cutoffBy = { id: hit.id, reason, line: hit.line, text: hit.text };
      }
    }
    if (resolvedAtPos >= firstPos && resolvedAtPos + 1 > oldBelow) {
      oldBelow = resolvedAtPos + 1;
      cutoffBy = { id: 'resolved_at', reason: 'resolved_at', line: resolvedAtLine, text: `session resolved at ${opts.resolvedAt ?? ''}` };
    }
    const current = all.filter((h) => h.pos >= oldBelow);
    const { triggers, groups } = evaluate(k, current);
    // Distinct lines: several entries may match one line (e.g. the 500 wrapper and its body).
    const byLine = new Map<number, EvidenceItem>();
    for (const h of current) {
      const prev = byLine.get(h.line);
      if (prev) {
        for (const [ck, cv] of Object.entries(h.captures)) if (!(ck in prev.captures)) prev.captures[ck] = cv;
        if (prev.role === 'support' && h.entry.role === 'trigger') {
          prev.role = 'trigger';
          prev.id = h.entry.id;
          if (h.entry.group !== undefined) prev.group = h.entry.group;
        }
        continue;
      }
      const item: EvidenceItem = { id: h.entry.id, role: h.entry.role, line: h.line, text: h.text, captures: { ...h.captures } };
      if (h.entry.group !== undefined) item.group = h.entry.group;
      byLine.set(h.line, item);
    }
    const evidence = [...byLine.values()].sort((a, b) => a.line - b.line);
    const result: KindMatch = {
      kind: k.kind,
      fired: triggers.length > 0,
      count: evidence.length,
      triggers,
      groups,
      evidence: maxEvidence === 0 ? [] : evidence.slice(-maxEvidence),
      staleCount: new Set(all.filter((h) => h.pos < oldBelow).map((h) => h.line)).size,
    };
    if (!result.fired && cutoffBy && evaluate(k, all).triggers.length > 0) result.ruledOutBy = cutoffBy;
    return result;
  });
}

// ---------------------------------------------------------------------------
// Signals for the stuck split
// ---------------------------------------------------------------------------

export interface WriteToolCalls {
  /** Successful write_file/edit_file calls (from the first signal entry that matched anything). */
  writes: number;
  /** Tool calls of any kind (same rule). */
  toolCalls: number;
  /** The entry ids the counts came from. */
  writesFrom?: string;
  toolCallsFrom?: string;
  /** Per-iteration adapter reports: how many said has_written=true / false. */
  adapterReports: { written: number; notWritten: number };
  /** Write evidence (the last `maxEvidence`). */
  evidence: EvidenceItem[];
}

function countFirst(segs: readonly Segment[], entries: Compiled[], maxText: number): { count: number; from?: string; hits: EvidenceItem[] } {
  for (const e of entries) {
    const hits: EvidenceItem[] = [];
    for (const s of segs) {
      if (s.text.length === 0) continue;
      const m = e.re.exec(s.text);
      if (m) hits.push({ id: e.id, role: 'support', line: s.line, text: capText(s.prefix + s.text, maxText), captures: capturesOf(m) });
    }
    if (hits.length > 0) return { count: hits.length, from: e.id, hits };
  }
  return { count: 0, hits: [] };
}

/**
 * Counts successful write tool calls (and tool calls in general) for the stuck split:
 * none → the model is in text mode; some → look at the worktree (wrong branch). The
 * orchestrator logs one call in two ways (`Tool call completed … outcome=Success` and
 * rig's `executed tool T`), so the first catalogue entry with any match gives the count.
 */
export function countWriteToolCalls(
  records: readonly LogRecord[],
  catalogue: SignatureCatalogue = BEEFCAKE_CATALOGUE,
  opts: Pick<MatchOptions, 'maxEvidence' | 'maxTextLength' | 'maxLineChars' | 'fromLine'> = {},
): WriteToolCalls {
  const cc = compile(catalogue);
  const maxText = Math.max(8, opts.maxTextLength ?? 300);
  const maxEvidence = Math.max(0, opts.maxEvidence ?? 20);
  // The payload cut keeps `executed tool T` (the marker ends after the tool name), so
  // tool-call lines are still recognised while their args and results stay out.
  const segs = [...segmentsOf(records, cc, Math.max(256, opts.maxLineChars ?? 65_536), opts.fromLine ?? 1)];
  const w = countFirst(segs, cc.writes, maxText);
  const t = countFirst(segs, cc.tools, maxText);
  const reports = { written: 0, notWritten: 0 };
  for (const s of segs) {
    for (const r of cc.adapterReports) {
      const m = r.re.exec(s.text);
      if (!m) continue;
      const v = m.groups?.['written'];
      if (v === 'true') reports.written++;
      else if (v === 'false') reports.notWritten++;
      break;
    }
  }
  const out: WriteToolCalls = {
    writes: w.count,
    toolCalls: t.count,
    adapterReports: reports,
    evidence: maxEvidence === 0 ? [] : w.hits.slice(-maxEvidence),
  };
  if (w.from !== undefined) out.writesFrom = w.from;
  if (t.from !== undefined) out.toolCallsFrom = t.from;
  return out;
}

export interface SessionStart {
  line: number;
  issueId?: string;
}

/** Where sessions start in a job log (`Processing CLI issue id=…`), to scope matching with `fromLine`. */
export function findSessionStarts(records: readonly LogRecord[], catalogue: SignatureCatalogue = BEEFCAKE_CATALOGUE): SessionStart[] {
  const cc = compile(catalogue);
  const out: SessionStart[] = [];
  for (const s of segmentsOf(records, cc, 65_536, 1)) {
    for (const e of cc.sessionStart) {
      const m = e.re.exec(s.text);
      if (!m) continue;
      const st: SessionStart = { line: s.line };
      const issue = m.groups?.['issue'];
      if (issue !== undefined) st.issueId = issue;
      out.push(st);
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// The job's end: SLURM's notices, the wrapper's warnings, session end markers
// ---------------------------------------------------------------------------

export interface JobEndNotice {
  /** Catalogue entry id (e.g. slurm_time_limit). */
  id: string;
  cause: JobEndCause;
  line: number;
  /** ANSI-free, trimmed, capped text of the line. */
  text: string;
  jobId?: string;
  node?: string;
  time?: string;
  captures: Record<string, string>;
}

export interface NoticeOptions {
  /** The job whose log this is: a notice naming another job is a quote, not ours. */
  jobId?: string;
  maxTextLength?: number;
}

/** Every physical line with whether it lies inside a tool's output (after a payload marker). */
function* physicalLines(records: readonly LogRecord[], cc: CompiledCatalogue): Generator<{ line: number; text: string; inPayload: boolean }> {
  for (const r of records) {
    const msg = typeof r.message === 'string' ? r.message : '';
    if (r.kind !== 'tracing') {
      yield { line: r.line, text: msg, inPayload: false };
      continue;
    }
    // The head starts with a timestamp: never a notice. Its payload cut decides the rest.
    const nl = msg.indexOf('\n');
    let inPayload = cutPayload(nl === -1 ? msg : msg.slice(0, nl), cc.payload).cut;
    for (const c of r.continuation ?? []) {
      yield { line: c.line, text: c.text, inPayload };
      if (!inPayload && cutPayload(c.text.slice(0, 65_536), cc.payload).cut) inPayload = true;
    }
  }
}

/**
 * slurmstepd's death notices for this job, in line order. A notice is a WHOLE physical
 * line at column 0 (ANSI colours and CR removed; the catalogue patterns are anchored), so
 * a notice quoted inside a line (a span field, a JSON string) never matches. It must name
 * `opts.jobId` when the pattern captures a job. Inside a tool's multi-line output (after
 * a payload marker) a column-0 line can be a quote of a file, so there it counts only
 * when it names this job and no timestamped record follows it (the run never logged
 * again: slurmstepd wrote it as the job ended).
 */
export function findJobEndNotices(records: readonly LogRecord[], catalogue: SignatureCatalogue = BEEFCAKE_CATALOGUE, opts: NoticeOptions = {}): JobEndNotice[] {
  const cc = compile(catalogue);
  if (cc.jobEnd.length === 0) return [];
  const maxText = Math.max(8, opts.maxTextLength ?? 300);
  let lastTracing = 0;
  for (const r of records) if (r.kind === 'tracing' && r.line > lastTracing) lastTracing = r.line;
  const out: JobEndNotice[] = [];
  for (const l of physicalLines(records, cc)) {
    // Cheap pre-filter: every notice comes from slurmstepd.
    if (!l.text.startsWith('slurmstepd') || l.text.length > 4096) continue;
    for (const e of cc.jobEnd) {
      const m = e.re.exec(l.text);
      if (!m) continue;
      const captures = capturesOf(m);
      const job = captures['job'];
      if (job !== undefined && opts.jobId !== undefined && job !== opts.jobId) break;
      if (l.inPayload && (job === undefined || opts.jobId === undefined || l.line < lastTracing)) break;
      const n: JobEndNotice = { id: e.id, cause: e.cause, line: l.line, text: capText(l.text, maxText), captures };
      if (job !== undefined) n.jobId = job;
      if (captures['node'] !== undefined) n.node = captures['node'];
      if (captures['time'] !== undefined) n.time = captures['time'];
      out.push(n);
      break;
    }
  }
  return out;
}

export interface LineHit {
  id: string;
  line: number;
  text: string;
  captures: Record<string, string>;
}

function linesMatching(records: readonly LogRecord[], cc: CompiledCatalogue, entries: Compiled[], fromLine: number, maxText: number, inPayload: 'tail' | 'any'): LineHit[] {
  const byLine = new Map<number, LineHit>();
  if (entries.length === 0) return [];
  const hit = (line: number, text: string): void => {
    for (const e of entries) {
      const m = e.re.exec(text);
      if (!m) continue;
      byLine.set(line, { id: e.id, line, text: capText(text, maxText), captures: capturesOf(m) });
      return;
    }
  };
  for (const s of segmentsOf(records, cc, 65_536, fromLine)) if (s.text.length > 0) hit(s.line, s.prefix + s.text);
  // A wrapper echo (an anchored, column-0 line) printed right after a tool's multi-line
  // output is a continuation of that record: look there too (`tail`: only after the last
  // timestamped record, where a quote cannot be).
  const anchored = entries.filter((e) => e.re.source.startsWith('^'));
  if (anchored.length > 0) {
    let lastTracing = 0;
    for (const r of records) if (r.kind === 'tracing' && r.line > lastTracing) lastTracing = r.line;
    for (const l of physicalLines(records, cc)) {
      if (!l.inPayload || l.line < fromLine || (inPayload === 'tail' && l.line < lastTracing) || byLine.has(l.line)) continue;
      for (const e of anchored) {
        const m = e.re.exec(l.text);
        if (!m) continue;
        byLine.set(l.line, { id: e.id, line: l.line, text: capText(l.text, maxText), captures: capturesOf(m) });
        break;
      }
    }
  }
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}

/** Lines saying the session or the job's command ended by itself (resolved markers and
 *  `signals.session_end`), outside tool output, from `fromLine` on. */
export function findSessionEnds(records: readonly LogRecord[], catalogue: SignatureCatalogue = BEEFCAKE_CATALOGUE, opts: { fromLine?: number; maxTextLength?: number } = {}): LineHit[] {
  const cc = compile(catalogue);
  return linesMatching(records, cc, cc.sessionEnd, opts.fromLine ?? 1, Math.max(8, opts.maxTextLength ?? 300), 'tail');
}

/** The time-limit warnings the wrapper logged (`signals.timeout_warning`), outside tool output. */
export function findTimeoutWarnings(records: readonly LogRecord[], catalogue: SignatureCatalogue = BEEFCAKE_CATALOGUE, opts: { maxTextLength?: number } = {}): LineHit[] {
  const cc = compile(catalogue);
  return linesMatching(records, cc, cc.timeoutWarning, 1, Math.max(8, opts.maxTextLength ?? 300), 'any');
}
