// Splits a swarm job log (tracing-subscriber "Full" format, ANSI colours on, mixed with
// the sbatch script's own echo lines and cargo output) into records with exact line
// numbers, so diagnosis evidence can cite "file:line". Pure: strings and bytes in,
// values out; no I/O.
//
// Record rule (see also docs in splitLogRecords):
//   - a physical line that starts (after ANSI stripping) with an RFC 3339 timestamp and a
//     level (TRACE/DEBUG/INFO/WARN/ERROR) starts a new `tracing` record;
//   - a line without that prefix that comes after a tracing record is a CONTINUATION of
//     it (multi-line tool output, error bodies, reports). It is appended to the record's
//     message and also kept, with its own line number, in `continuation`, so that
//     line-oriented signatures (script echo lines such as "Cloud model M unavailable")
//     still find it with the right line number;
//   - lines before the first tracing record (the script's echo lines, cargo output) are
//     `plain` records, one per non-blank line.
// A script echo printed after the binary has started therefore shows up as a
// continuation line; the matcher looks at continuation lines one by one, except for
// records whose payload is tool output (see signature-match.ts), so the choice costs
// no signature.

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface ContinuationLine {
  /** 1-based physical line number. */
  line: number;
  /** ANSI-free, CR-free text of the line. */
  text: string;
}

export interface LogRecord {
  /** 1-based number of the record's first physical line. */
  line: number;
  /** 1-based number of the record's last physical line (>= line). */
  endLine: number;
  /** Timestamp as printed (tracing records only). */
  ts?: string;
  level?: LogLevel;
  /** Span prefix as printed, without the trailing ':' (e.g. `execute_tool{gen_ai.tool.name="read_file"}`); '' when none. */
  spans: string;
  /** `swarm_agents::driver` etc. (tracing records only). */
  target?: string;
  /** ANSI-free message with its fields; continuation lines joined with '\n'. For plain records, the line. */
  message: string;
  /** The physical lines as read (CR removed, ANSI kept), joined with '\n'. */
  raw: string;
  kind: 'tracing' | 'plain';
  /** Continuation lines of a tracing record, each with its own number ([] for plain records). */
  continuation: ContinuationLine[];
}

export interface SplitOptions {
  /** Line number of the first line of `text` (when `text` is a window of a larger file). Default 1. */
  firstLine?: number;
}

// CSI (ESC [ params intermediates final), OSC (ESC ] ... BEL | ESC \), and other 2-byte escapes;
// last, what is left of a sequence cut short (a lone ESC or ESC [ / ESC ], as when
// concurrent writers or a tail window cut a colour code): never leak it into evidence.
const ANSI_RE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]|\x1b[[\]]?|\x9b/g;

/** Removes ANSI colour codes and other terminal escape sequences. */
export function stripAnsi(s: string): string {
  if (s.indexOf('\x1b') === -1 && s.indexOf('\x9b') === -1) return s;
  return s.replace(ANSI_RE, '');
}

const HEAD_RE = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,12})?(?:Z|[+-]\d{2}(?::?\d{2})?)?) {1,8}(TRACE|DEBUG|INFO|WARN|ERROR)(?: |$)/;
const SPAN_NAME_RE = /^[A-Za-z_][\w.-]*\{/;
const TARGET_RE = /^([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*):(?: |$)/;

/** Length of a `name{fields}:` span at the start of `s` (including ':' and one following space), or 0. */
function spanLength(s: string): number {
  const m = SPAN_NAME_RE.exec(s);
  if (!m) return 0;
  let i = m[0].length;
  let depth = 1;
  let inStr = false;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */) {
      depth--;
      if (depth === 0) break;
    }
    i++;
  }
  if (depth !== 0 || s.charCodeAt(i + 1) !== 58 /* : */) return 0;
  let end = i + 2;
  if (s.charCodeAt(end) === 32) end++;
  return end;
}

export interface ParsedHead {
  ts: string;
  level: LogLevel;
  spans: string;
  target?: string;
  message: string;
}

/** Parses one ANSI-free physical line as a tracing record head, or returns null. */
export function parseTracingHead(clean: string): ParsedHead | null {
  const m = HEAD_RE.exec(clean);
  if (!m) return null;
  let rest = clean.slice(m[0].length);
  const spans: string[] = [];
  for (let guard = 0; guard < 64; guard++) {
    const n = spanLength(rest);
    if (n === 0) break;
    spans.push(rest.slice(0, n).replace(/: ?$/, ''));
    rest = rest.slice(n);
  }
  const t = TARGET_RE.exec(rest);
  const head: ParsedHead = {
    ts: m[1] as string,
    level: m[2] as LogLevel,
    spans: spans.join(':'),
    message: t ? rest.slice(t[0].length) : rest,
  };
  if (t) head.target = t[1] as string;
  return head;
}

/** Splits text into physical lines: '\n' or '\r\n' end a line; a final newline adds no empty line. */
export function splitPhysicalLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * Splits a job log into records. See the rule at the top of this file. Line numbers
 * start at `opts.firstLine` (default 1) so a tail window keeps the file's numbering.
 */
export function splitLogRecords(text: string, opts: SplitOptions = {}): LogRecord[] {
  const first = opts.firstLine !== undefined && Number.isFinite(opts.firstLine) ? Math.max(1, Math.floor(opts.firstLine)) : 1;
  const lines = splitPhysicalLines(text);
  const out: LogRecord[] = [];
  let open: LogRecord | null = null;
  let rawParts: string[] = [];
  let msgParts: string[] = [];
  const close = (): void => {
    if (open) {
      open.raw = rawParts.join('\n');
      open.message = msgParts.join('\n');
      out.push(open);
    }
    open = null;
    rawParts = [];
    msgParts = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const rawLine = lines[i] as string;
    const clean = stripAnsi(rawLine);
    const lineNo = first + i;
    const head = parseTracingHead(clean);
    if (head) {
      close();
      const rec: LogRecord = {
        line: lineNo,
        endLine: lineNo,
        ts: head.ts,
        level: head.level,
        spans: head.spans,
        message: '',
        raw: '',
        kind: 'tracing',
        continuation: [],
      };
      if (head.target !== undefined) rec.target = head.target;
      open = rec;
      rawParts.push(rawLine);
      msgParts.push(head.message);
      continue;
    }
    if (open) {
      const rec: LogRecord = open;
      rec.endLine = lineNo;
      rec.continuation.push({ line: lineNo, text: clean });
      rawParts.push(rawLine);
      msgParts.push(clean);
      continue;
    }
    if (clean.trim() === '') continue;
    out.push({ line: lineNo, endLine: lineNo, spans: '', message: clean, raw: rawLine, kind: 'plain', continuation: [] });
  }
  close();
  return out;
}

// ---------------------------------------------------------------------------
// Tail windows: read only the end of a big log but keep exact line numbers.
// ---------------------------------------------------------------------------

export interface TailWindow {
  /** The window's text, starting at a line boundary (unless `partialFirstLine`). */
  text: string;
  /** Line number (1-based, in the whole input) of the window's first line. */
  startLine: number;
  /** Byte offset (UTF-8) of the window's start in the whole input. */
  startByte: number;
  /** true when something before the window was left out. */
  truncated: boolean;
  /** true when the last line alone is longer than maxBytes, so the window starts inside it. */
  partialFirstLine: boolean;
}

/** Number of '\n' bytes in `buf` (for callers that skip a file's head in chunks). */
export function countNewlines(buf: Uint8Array, start = 0, end = buf.length): number {
  let n = 0;
  let i = buf.indexOf(10, start);
  while (i !== -1 && i < end) {
    n++;
    i = buf.indexOf(10, i + 1);
  }
  return n;
}

const decoder = new TextDecoder('utf-8');

/**
 * The last `maxBytes` bytes of `buf`, cut forward to the next line start.
 *
 * `buf` may itself be the tail of a file: pass `byteOffset` (where buf starts in the
 * file) and `newlinesBefore` (how many '\n' the file holds before that offset — the
 * caller counts them with `countNewlines` while skipping, or knows them from an index);
 * then `startLine`/`startByte` refer to the whole file. If `byteOffset > 0` and the byte
 * before `buf` is unknown, the first line of `buf` is treated as possibly partial and
 * skipped unless `bufStartsAtLineStart` is set.
 */
export function tailWindowBytes(buf: Uint8Array, maxBytes: number, opts: { byteOffset?: number; newlinesBefore?: number; bufStartsAtLineStart?: boolean } = {}): TailWindow {
  const byteOffset = opts.byteOffset ?? 0;
  const newlinesBefore = opts.newlinesBefore ?? 0;
  const atLineStart = byteOffset === 0 || opts.bufStartsAtLineStart === true;
  const limit = Math.max(0, Math.floor(Number.isFinite(maxBytes) ? maxBytes : buf.length));
  let cut = Math.max(0, buf.length - limit);
  let partial = false;
  if (!(cut === 0 && atLineStart) && !(cut > 0 && buf[cut - 1] === 10)) {
    const nl = buf.indexOf(10, cut);
    if (nl === -1 || nl + 1 >= buf.length) {
      // The last line is longer than the window (or buf has no newline after cut):
      // keep the window inside that line and say so.
      partial = cut > 0 || !atLineStart;
    } else {
      cut = nl + 1;
    }
  }
  // Never start inside a UTF-8 sequence.
  while (cut < buf.length && ((buf[cut] as number) & 0xc0) === 0x80) cut++;
  const startLine = newlinesBefore + countNewlines(buf, 0, cut) + 1;
  return {
    text: decoder.decode(buf.subarray(cut)),
    startLine,
    startByte: byteOffset + cut,
    truncated: byteOffset + cut > 0,
    partialFirstLine: partial,
  };
}

/** String version of `tailWindowBytes` (maxBytes counts UTF-8 bytes). */
export function tailWindow(text: string, maxBytes: number): TailWindow {
  return tailWindowBytes(new TextEncoder().encode(text), maxBytes);
}
