/**
 * A squeue parser for repeated polls of one queue (the console's monitor keeps one).
 * Kept: a plain parse of each poll misses the 10,000-job target (bench/queue-poll-path.mjs).
 * A line identical to the same job's line in the previous call gives back that call's
 * job object: the same text parses to the same job, so only new and changed lines are
 * parsed (each with the pure parseSqueue). The result always equals parseSqueue's on the
 * same text (a property test holds it to that). Jobs are shared between polls: do not
 * mutate them.
 *
 * Memory: a job's strings are slices of the text it was parsed from, so a job kept for
 * hours would keep that poll's whole stdout alive, and with it one stdout per poll that
 * brought a new job. So a job is parsed from the poll's text only the first time; the
 * first time it is unchanged it is parsed once more, from a private copy of its line,
 * and that job is the one reused from then on. Jobs then keep alive at most the current
 * and the previous stdout (test/unit/slurm/squeue-reuse.test.ts measures it). Lines that
 * change at every poll (running jobs) never pay for a copy.
 *
 * Pure: no I/O; the memory is the previous poll's lines and jobs.
 */

import { SQUEUE_DELIMITER } from './squeue-format.js';
import { parseSqueue, type QueueJob, type SkippedLine, type SqueueParseOptions, type SqueueParseResult } from './squeue-parse.js';

export type SqueueParser = (stdout: string) => SqueueParseResult & { reused: number };

/** One poll's usable lines, in order, with the job each parsed to. */
interface Poll {
  lines: string[];
  jobs: QueueJob[];
  /** Whether the job was parsed from a private copy of its line (see the header). */
  own: boolean[];
}

export function createSqueueParser(opts: SqueueParseOptions = {}): SqueueParser {
  let prev: Poll = { lines: [], jobs: [], own: [] };
  return (stdout) => {
    const r = parseAgainst(typeof stdout === 'string' ? stdout : '', prev, opts);
    prev = r.poll;
    // The memory's array stays private: callers may sort or splice theirs.
    return { jobs: r.poll.jobs.slice(), skipped: r.skipped, reused: r.reused };
  };
}

function parseAgainst(text: string, prev: Poll, opts: SqueueParseOptions): { poll: Poll; skipped: SkippedLine[]; reused: number } {
  const poll: Poll = { lines: [], jobs: [], own: [] };
  const skipped: SkippedLine[] = [];
  let reused = 0;
  /** Parses one line (a slice of the text, or a private copy); `own` as in Poll. */
  const parseLine = (line: string, own: boolean): void => {
    const r = parseSqueue(line, opts);
    skipped.push(...r.skipped);
    if (r.jobs.length === 1) {
      poll.lines.push(line);
      poll.jobs.push(r.jobs[0]!);
      poll.own.push(own);
    }
  };
  // Where the previous poll's lines are matched: squeue keeps its order from one poll to
  // the next, so a line is first compared with the one after the last match. Only when a
  // job is out of step (one started, finished or moved) are the previous poll's lines
  // indexed by job id, once.
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
      else if (atCursor !== null && sameJobId(atCursor, line, idLen))
        cursor++; // changed in place
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
      if (lineEnd > pos) parseLine(text.slice(pos, lineEnd), false);
    } else {
      if (prev.own[same]) {
        reused++;
        poll.lines.push(prev.lines[same]!);
        poll.jobs.push(prev.jobs[same]!);
        poll.own.push(true);
      } else {
        // Unchanged for the first time: likely to stay (a pending job). Parse it once
        // more from its own copy, so that keeping it does not keep this text.
        parseLine(privateCopy(text.slice(pos, lineEnd)), true);
      }
    }
    pos = end + 1;
  }
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

/** A copy of `s` sharing no storage with the text it was cut from (V8 keeps a long slice as a view into its parent). */
function privateCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
