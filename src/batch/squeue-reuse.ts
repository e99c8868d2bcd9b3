/**
 * A squeue parser for repeated polls of one queue (the console's monitor keeps one).
 * A line identical to the same job's line in the previous call gives back that call's
 * job object: the same text parses to the same job, so only new and changed lines are
 * parsed. Between polls a big queue mostly repeats itself (pending jobs do not change;
 * running ones change their TimeUsed), and the jobs it keeps are already in the old
 * generation, so a poll allocates, and the next scavenge copies, only what changed
 * (docs/benchmarks.md, Session 5). The result always equals parseSqueue's on the same
 * text (a property test holds it to that). Jobs are shared between polls: do not
 * mutate them.
 *
 * Memory: a job's strings are slices of the text it was parsed from, so a job kept for
 * hours would keep that poll's whole stdout alive, and with it one stdout per poll that
 * brought a new job. So a job is parsed from the poll's text only the first time; the
 * first time it is unchanged it is parsed once more, from a private copy of its line,
 * and that job is the one reused from then on. Jobs then keep alive at most the current
 * and the previous stdout (test/unit/squeue-reuse.test.ts measures it). Lines that
 * change at every poll (running jobs) never pay for a copy.
 *
 * Pure: no I/O; the memory is the previous poll's lines and jobs.
 */

import { SQUEUE_DELIMITER } from './squeue-format.js';
import { endSqueueBatch, parseSqueueInto, type QueueJob, type SkippedLine, type SqueueParseOptions, type SqueueParseResult } from './squeue-parse.js';

export type SqueueParser = (stdout: string) => SqueueParseResult & { reused: number };

/** One poll's usable lines, in order, with the job each parsed to. */
interface Poll {
  lines: string[];
  jobs: QueueJob[];
  /** Whether the job was parsed from a private copy of its line (see the header). */
  own: boolean[];
}

export function createSqueueParser(opts: SqueueParseOptions = {}): SqueueParser {
  const offset = opts.utcOffsetMinutes ?? 'local';
  let prev: Poll = { lines: [], jobs: [], own: [] };
  return (stdout) => {
    let r: ReturnType<typeof parseAgainst>;
    try {
      r = parseAgainst(typeof stdout === 'string' ? stdout : '', prev, offset);
    } finally {
      endSqueueBatch();
    }
    prev = r.poll;
    // The memory's array stays private: callers may sort or splice theirs.
    return { jobs: r.poll.jobs.slice(), skipped: r.skipped, reused: r.reused };
  };
}

function parseAgainst(text: string, prev: Poll, offset: number | 'local'): { poll: Poll; skipped: SkippedLine[]; reused: number } {
  const poll: Poll = { lines: [], jobs: [], own: [] };
  const skipped: SkippedLine[] = [];
  let reused = 0;
  // New and changed lines are parsed in runs, straight from the text.
  let runStart = -1;
  const flushRun = (to: number): void => {
    if (runStart < 0) return;
    const before = poll.jobs.length;
    parseSqueueInto(text, offset, poll.jobs, skipped, runStart, to, poll.lines);
    for (let i = before; i < poll.jobs.length; i++) poll.own.push(false);
    runStart = -1;
  };
  // Where the previous poll's lines are matched: squeue keeps its order from one poll to
  // the next, so a line is first compared with the one after the last match (a slice and
  // ===, i.e. memcmp). Only when a job is out of step (one started, finished or moved)
  // are the previous poll's lines indexed by job id, once.
  let cursor = 0;
  let byId: Map<string, number> | null = null;
  const n = text.length;
  let nextDelim = n > 0 ? text.indexOf(SQUEUE_DELIMITER) : -1; // cached: keeps the scan O(n)
  let pos = 0;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (nextDelim >= 0 && nextDelim < pos) nextDelim = text.indexOf(SQUEUE_DELIMITER, pos);
    const idLen = nextDelim >= 0 && nextDelim < lineEnd ? nextDelim - pos : 0;
    let same = -1; // index of the identical line in the previous poll
    if (idLen > 0 && prev.lines.length > 0) {
      const line = text.slice(pos, lineEnd);
      const atCursor = cursor < prev.lines.length ? prev.lines[cursor]! : null;
      if (atCursor === line) same = cursor++;
      else if (atCursor !== null && sameJobId(atCursor, line, idLen)) cursor++; // changed in place
      else {
        byId ??= indexById(prev.lines);
        const k = byId.get(line.slice(0, idLen));
        if (k !== undefined) {
          cursor = k + 1;
          if (prev.lines[k] === line) same = k;
        }
      }
    }
    if (same < 0) {
      if (runStart < 0) runStart = pos;
    } else {
      flushRun(pos);
      if (prev.own[same]) {
        reused++;
        poll.lines.push(prev.lines[same]!);
        poll.jobs.push(prev.jobs[same]!);
        poll.own.push(true);
      } else {
        // Unchanged for the first time: likely to stay (a pending job). Parse it once
        // more from its own copy, so that keeping it does not keep this text.
        const own = privateCopy(text.slice(pos, lineEnd));
        const before = poll.jobs.length;
        // Forget the previous line's values first: the parser would otherwise hand this
        // job the strings it shares with that line, slices of this text.
        endSqueueBatch();
        parseSqueueInto(own, offset, poll.jobs, skipped, 0, own.length, poll.lines);
        if (poll.jobs.length > before) poll.own.push(true);
      }
    }
    pos = end + 1;
  }
  flushRun(n);
  return { poll, skipped, reused };
}

/** Whether `a` starts with the first `idLen` characters of `b` followed by the delimiter. */
function sameJobId(a: string, b: string, idLen: number): boolean {
  if (a.length <= idLen || a.charCodeAt(idLen) !== 0x1f) return false;
  for (let i = 0; i < idLen; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

function indexById(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    m.set(l.slice(0, l.indexOf(SQUEUE_DELIMITER)), k);
  }
  return m;
}

/**
 * A copy of `s` that shares no storage with the string `s` was cut from. V8 makes a
 * slice of 13 characters or more a view into its parent; concatenating and slicing
 * again makes V8 flatten the concatenation into a new string first.
 */
function privateCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
