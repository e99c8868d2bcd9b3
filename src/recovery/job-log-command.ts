// A job log that is a command's output, not a file: the python worker's dogfood loop runs
// under systemd and logs to the journal, so its "job log" is `journalctl -u dogfood-loop
// --since … -o cat` on the loop's host (FORMATS.md §0.1(a)). Run as an argv (over SSH when a
// host is named), bounded in time. The output is streamed (a journal can be gigabytes): only
// the lines that name the issue are decoded and kept, each with its line number in the output,
// so evidence cites `journal:<host>:<line>`; or, with `format: journal-json` (`journalctl -o
// json`), each entry's `__CURSOR`, so evidence cites `journal:<cursor>` and no newline of the
// stream needs counting. The loop runs several issues at once, so another
// issue's `resolved` must not rule this one's failure out; a record's continuation lines that
// do not name the issue are not kept (the python worker's lines are one record each).
import type { ResolvedConfig } from '../config/resolve.js';
import { renderTemplate, type JobLogCommand } from '../config/profile.js';
import { describeFailure, runLocal, runOnHost } from '../io/run.js';
import { countNewlines, splitLogRecords, type LogRecord } from './log-records.js';

export interface CommandLog {
  ok: boolean;
  /** What evidence lines cite as their file (`journal:<host>`). */
  source: string;
  records: LogRecord[];
  /** More lines named the issue than are kept: the oldest were dropped. */
  truncated: boolean;
  /** Lines the command printed (0 for journal JSON: not counted). */
  lines: number;
  /** journal-json: the cursor of record line N is cursors[N - 1]; evidence cites `journal:<cursor>`. */
  cursors?: string[];
  /** journal-json: kept lines that were not journal entries. */
  badEntries?: number;
  error?: string;
}

/** Lines of one issue kept from a command's output (the newest). */
export const COMMAND_LOG_MAX_LINES = 20_000;
/** A longer line naming the issue is cut to this many bytes. */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * Streams an output, keeping the lines that contain `needle`: with their 1-based numbers when
 * `countLines` (plain output: evidence cites the line), else numbered by the order kept (a
 * journal's JSON lines carry their own cursor, and counting every newline of a gigabyte pipe
 * costs more than the search itself).
 */
export class LineFilter {
  private readonly needle: Buffer;
  private carry: Buffer = Buffer.alloc(0);
  lines = 0;
  dropped = 0;
  readonly kept: Array<{ line: number; text: string }> = [];
  constructor(
    needle: string,
    private readonly maxLines: number,
    private readonly countLines = true,
  ) {
    this.needle = Buffer.from(needle);
  }
  push(chunk: Buffer): void {
    let start = 0;
    // The carried partial line is finished by this chunk's first newline: only that much is
    // copied, never the whole chunk.
    if (this.carry.length) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.carry = Buffer.concat([this.carry, chunk.subarray(0, Math.max(0, MAX_LINE_BYTES - this.carry.length))]);
        return;
      }
      this.scan(Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]));
      this.carry = Buffer.alloc(0);
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) this.scan(chunk.subarray(start, last + 1));
    const rest = last >= start ? last + 1 : start;
    if (rest < chunk.length) this.carry = Buffer.from(chunk.subarray(rest, rest + MAX_LINE_BYTES));
  }
  end(): void {
    if (this.carry.length) this.scan(Buffer.concat([this.carry, Buffer.from('\n')]));
    this.carry = Buffer.alloc(0);
  }
  /** Whole lines: count them (when asked), decode only those that name the needle. */
  private scan(whole: Buffer): void {
    let pos = 0;
    for (let hit = whole.indexOf(this.needle); hit !== -1; hit = whole.indexOf(this.needle, pos)) {
      const ls = whole.lastIndexOf(10, hit) + 1;
      const le = whole.indexOf(10, hit);
      if (this.countLines) this.lines += countNewlines(whole, pos, ls);
      this.keep(this.countLines ? this.lines + 1 : this.kept.length + this.dropped + 1, whole.subarray(ls, Math.min(le, ls + MAX_LINE_BYTES)).toString('utf8'));
      if (this.countLines) this.lines++;
      pos = le + 1;
    }
    if (this.countLines) this.lines += countNewlines(whole, pos, whole.length);
  }
  private keep(line: number, text: string): void {
    this.kept.push({ line, text: text.endsWith('\r') ? text.slice(0, -1) : text });
    if (this.kept.length > this.maxLines) {
      this.kept.shift();
      this.dropped++;
    }
  }
}

/** One `journalctl -o json` entry: its cursor and message (a byte array when not UTF-8). Null when it is not one. */
export function journalEntry(line: string): { cursor: string; message: string } | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const cursor = (o as Record<string, unknown>)['__CURSOR'];
  const msg = (o as Record<string, unknown>)['MESSAGE'];
  if (typeof cursor !== 'string' || cursor === '') return null;
  if (typeof msg === 'string') return { cursor, message: msg };
  if (Array.isArray(msg) && msg.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return { cursor, message: Buffer.from(msg as number[]).toString('utf8') };
  return null;
}

export async function readCommandLog(
  cfg: Pick<ResolvedConfig, 'hosts' | 'thresholds'>,
  cmd: JobLogCommand,
  vars: { issue: string; since: string },
  opts: { timeoutMs?: number; maxLines?: number } = {},
): Promise<CommandLog> {
  const where = cmd.host ?? 'local';
  const source = `journal:${where}`;
  const argv: string[] = [];
  for (const w of cmd.argv) {
    if (!/\{[a-z_]+\}/.test(w)) {
      argv.push(w);
      continue;
    }
    const r = renderTemplate(w, vars);
    if (!r.ok) return { ok: false, source, records: [], truncated: false, lines: 0, error: r.error };
    argv.push(r.value);
  }
  const timeoutMs = opts.timeoutMs ?? cfg.thresholds.probe_timeout_s * 4000;
  const json = cmd.format === 'journal-json';
  const filter = new LineFilter(vars.issue, opts.maxLines ?? COMMAND_LOG_MAX_LINES, !json);
  const spec = { argv, timeoutMs, onStdout: (b: Buffer) => filter.push(b) };
  let r;
  if (cmd.host !== null) {
    const host = cfg.hosts[cmd.host];
    if (!host) return { ok: false, source, records: [], truncated: false, lines: 0, error: `job_log_command.host ${cmd.host} is not in hosts:` };
    r = await runOnHost(host, spec, { connectTimeoutS: cfg.thresholds.probe_timeout_s });
  } else r = await runLocal(spec);
  filter.end();
  if (!r.ok) return { ok: false, source, records: [], truncated: false, lines: filter.lines, error: describeFailure(r) };
  if (json) {
    // Each entry is one record numbered by its place among those kept; its cursor is what evidence cites.
    const cursors: string[] = [];
    const records: LogRecord[] = [];
    let bad = 0;
    for (const k of filter.kept) {
      const e = journalEntry(k.text);
      // The issue id in another field (a unit name, a cursor) is not a line of this issue.
      if (!e || !e.message.includes(vars.issue)) {
        if (!e) bad++;
        continue;
      }
      cursors.push(e.cursor);
      for (const r of splitLogRecords(e.message.split('\n')[0] ?? '', { firstLine: cursors.length })) records.push(r);
    }
    return { ok: true, source, records, truncated: filter.dropped > 0, lines: filter.lines, cursors, ...(bad ? { badEntries: bad } : {}) };
  }
  const records = filter.kept.flatMap((k) => splitLogRecords(k.text, { firstLine: k.line }));
  return { ok: true, source, records, truncated: filter.dropped > 0, lines: filter.lines };
}
