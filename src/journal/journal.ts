// The cluster-wide action record: every audited action is also appended to
// <shared_root>/ai/swarmctl/journal/<host>.jsonl, one file per host, so no two
// hosts ever append to one file (O_APPEND is not atomic across NFS clients).
// Each entry is ONE write() of one whole line with O_APPEND: a crash leaves
// whole lines, and at worst a torn last line, which readers skip and the next
// append ends with a newline of its own before writing its line.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, writeSync, constants } from 'node:fs';
import { MiB, readRegularFileSync } from '../core/safe-read.js';

/** A host's journal larger than this is not read (counted as bad): rotate it. */
const JOURNAL_MAX_BYTES = 256 * MiB;
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface JournalEntry {
  at: number;
  host: string;
  actor: string;
  action: string;
  issue_id: string | null;
  outcome: string;
  argv?: unknown;
  archived?: unknown;
  detail?: string | null;
}

/** Bigger entries are cut: one write of a line must stay one write (PIPE_BUF is not the limit on files, but keep lines small). */
const MAX_LINE = 64 * 1024;

export function journalDir(sharedRoot: string): string {
  return join(sharedRoot, 'ai', 'swarmctl', 'journal');
}

/** A host name safe as a file name. */
export function journalHost(h = hostname()): string {
  return h.replace(/[^A-Za-z0-9._-]/g, '_') || 'unknown';
}

export function appendJournal(sharedRoot: string, e: Omit<JournalEntry, 'host'>, host = journalHost()): void {
  const dir = journalDir(sharedRoot);
  mkdirSync(dir, { recursive: true });
  let line = JSON.stringify({ ...e, host });
  if (line.length > MAX_LINE) line = JSON.stringify({ ...e, host, argv: undefined, archived: undefined, detail: `${String(e.detail ?? '').slice(0, 1000)} (entry cut: too long)` });
  const fd = openSync(join(dir, `${host}.jsonl`), constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o644);
  try {
    // A writer killed mid-append left a torn last line: end it first, or this whole entry
    // would be glued to the fragment and lost to every reader.
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeSync(fd, Buffer.from(`${torn ? '\n' : ''}${line}\n`, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

/** Whole lines of one file's text; a last line without its newline (a crash mid-write) is skipped. Pure. */
export function parseJournal(text: string): { entries: JournalEntry[]; bad: number } {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a torn line
  const entries: JournalEntry[] = [];
  let bad = 0;
  for (const l of lines) {
    if (!l) continue;
    try {
      const v = JSON.parse(l) as JournalEntry;
      if (typeof v.at === 'number' && typeof v.action === 'string') entries.push(v);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { entries, bad };
}

/** Every host's entries, newest first. */
export function readJournals(sharedRoot: string): { entries: JournalEntry[]; hosts: string[]; bad: number } {
  const dir = journalDir(sharedRoot);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return { entries: [], hosts: [], bad: 0 };
  }
  const entries: JournalEntry[] = [];
  let bad = 0;
  for (const f of files) {
    let text: string;
    try {
      // A FIFO or device in a journal's place must not hang `audit` or a recovery budget.
      text = readRegularFileSync(join(dir, f), { what: 'journal', limit: JOURNAL_MAX_BYTES }).toString('utf8');
    } catch {
      bad++;
      continue;
    }
    const r = parseJournal(text);
    entries.push(...r.entries);
    bad += r.bad;
  }
  entries.sort((a, b) => b.at - a.at);
  return { entries, hosts: files.map((f) => f.slice(0, -'.jsonl'.length)), bad };
}

/** Recovery attempts other hosts recorded for an issue (one `recover.attempt` row each, ok or failed). */
export function otherHostsAttempts(sharedRoot: string, issueId: string, host = journalHost()): number {
  return readJournals(sharedRoot).entries.filter((e) => e.host !== host && e.issue_id === issueId && e.action === 'recover.attempt' && (e.outcome === 'ok' || e.outcome === 'failed')).length;
}

/** Entries other hosts wrote (this host's are in its own SQLite audit already). */
export function otherHostsEntries(sharedRoot: string, host = journalHost()): JournalEntry[] {
  return readJournals(sharedRoot).entries.filter((e) => e.host !== host);
}
