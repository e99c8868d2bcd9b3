// Fuzzing the telemetry FILE readers over real temp files (test/unit/issues/parsers.fuzz.test.ts
// covers the pure parsers on strings; this covers the layer that reads bytes from disk):
// the backwards tail reader (readLastLines), the follow reader (followFile), the
// per-issue index scan (updateTelemetryIndex) and `swarmctl telemetry -n N --json`.
// Inputs: real SessionMetrics lines, cut lines, glued lines, CRLF, empty lines, random
// bytes, invalid UTF-8 (also cut across read chunks), lines longer than the read block.
// Invariants: never throws; only complete lines come back; each result equals a simple
// reference implementation over the same bytes; malformed lines are counted.
//
// The named regression tests below were found by these properties (a tail over a file
// that starts with an empty line, a follow started mid-line, a BOM before a record,
// a duplicated issue_id key); each failed before its fix.
import { appendFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLastLines } from '../../../src/issues/telemetry-tail.js';
import { followFile, type FollowEvent } from '../../../src/issues/telemetry-follow.js';
import { updateTelemetryIndex } from '../../../src/issues/telemetry-index.js';
import { parseTelemetryLine } from '../../../src/issues/telemetry-parse.js';
import { getIssueIndex } from '../../../src/store/telemetry.js';
import { openStore } from '../../../src/store/db.js';
import { runBin } from '../../support/bin.js';
import { BEEF } from '../../support/recovery-fixtures.js';

const TELEMETRY = readFileSync(join(BEEF, '.swarm-telemetry.jsonl'), 'utf8').split('\n').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-readers-fuzz-'));
let fileNo = 0;
const freshFile = (): string => join(dir, `f${fileNo++}.jsonl`);

// ---------------------------------------------------------------------------
// The reference: split the bytes on '\n', keep only lines that end with one,
// decode each line on its own, drop one trailing '\r'.
// ---------------------------------------------------------------------------
interface RefLines {
  lines: string[];
  offsets: number[];
  partialBytes: number;
}
function reference(bytes: Uint8Array): RefLines {
  const b = Buffer.from(bytes);
  const out: RefLines = { lines: [], offsets: [], partialBytes: 0 };
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] !== 10) continue;
    let t = b.toString('utf8', s, i);
    if (t.endsWith('\r')) t = t.slice(0, -1);
    out.lines.push(t);
    out.offsets.push(s);
    s = i + 1;
  }
  out.partialBytes = b.length - s;
  return out;
}
const lastN = <T>(a: T[], n: number): T[] => (n <= 0 ? [] : a.slice(-n));

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------
const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const realLine = fc.constantFrom(...TELEMETRY).map(enc);
const cutLine = fc.constantFrom(...TELEMETRY).chain((l) => fc.nat(l.length).map((n) => enc(l.slice(0, n))));
const gluedLines = fc.tuple(fc.constantFrom(...TELEMETRY), fc.constantFrom(...TELEMETRY), fc.nat(2000)).map(([a, b, n]) => enc(a.slice(0, n) + b));
const invalidUtf8 = fc.constantFrom<number[]>([0xff], [0xfe, 0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80, 0x80]).map((a) => Uint8Array.from(a));
const multibyte = fc.constantFrom('é', '€', '😀', 'ℤ', '\u2028').map(enc);
const randomBytes = fc.uint8Array({ maxLength: 300 });
const longLine = fc.integer({ min: 300, max: 5000 }).map((n) => enc(`{"issue_id":"long","pad":"${'x'.repeat(n)}"}`));
const part = fc.oneof(
  { arbitrary: realLine, weight: 4 },
  { arbitrary: cutLine, weight: 2 },
  { arbitrary: gluedLines, weight: 1 },
  { arbitrary: invalidUtf8, weight: 2 },
  { arbitrary: multibyte, weight: 1 },
  { arbitrary: randomBytes, weight: 2 },
  { arbitrary: longLine, weight: 1 },
  { arbitrary: fc.constantFrom(enc(''), enc('\r'), enc('   '), enc('{}'), enc('[]'), enc('null')), weight: 1 },
);
const sep = fc.constantFrom(enc('\n'), enc('\r\n'), enc(''), enc('\r'));
/** File content: parts, each followed by a separator, sometimes ending in a partial line. */
const fileBytes = fc.tuple(fc.array(fc.tuple(part, sep), { maxLength: 40 }), fc.boolean()).map(([parts, endWithNewline]) => {
  const chunks: Uint8Array[] = [];
  for (const [p, s] of parts) chunks.push(p, s);
  if (endWithNewline) chunks.push(enc('\n'));
  return Uint8Array.from(Buffer.concat(chunks));
});
const blockSize = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 4096 }), fc.constant(64 * 1024));

describe('readLastLines (backwards tail) over real files', () => {
  it('equals the reference for any bytes, N and block size (never throws, complete lines only)', async () => {
    await fc.assert(
      fc.asyncProperty(fileBytes, fc.integer({ min: 0, max: 60 }), blockSize, async (bytes, n, block) => {
        const f = freshFile();
        writeFileSync(f, bytes);
        const ref = reference(bytes);
        const t = await readLastLines(f, n, block);
        expect(t.lines).toEqual(lastN(ref.lines, n));
        expect(t.offsets).toEqual(lastN(ref.offsets, n));
        expect(t.partialBytes).toBe(ref.partialBytes);
        expect(t.size).toBe(bytes.length);
      }),
      { numRuns: 400 },
    );
  });

  it('a line far longer than the read block (200 KiB vs 64 KiB), with CRLF and invalid UTF-8 around it', async () => {
    const f = freshFile();
    const huge = `{"issue_id":"huge","pad":"${'y'.repeat(200 * 1024)}"}`;
    const bytes = Buffer.concat([enc(`${TELEMETRY[0]}\r\n`), Uint8Array.from([0xe2, 0x82, 0x0a]), enc(`${huge}\r\n`), enc(`${TELEMETRY[1]}\n`), enc('partial')]);
    writeFileSync(f, bytes);
    const ref = reference(bytes);
    for (const n of [1, 2, 3, 4]) {
      const t = await readLastLines(f, n);
      expect(t.lines).toEqual(lastN(ref.lines, n));
      expect(t.offsets).toEqual(lastN(ref.offsets, n));
    }
    const two = await readLastLines(f, 2);
    expect(two.lines[0]).toBe(huge);
    expect(two.partialBytes).toBe('partial'.length);
    expect((await readLastLines(f, 4)).lines[1]).toBe('\ufffd');
  });

  it('a file that starts with an empty line, read back to its first line, returns exactly its lines (was: repeated wrong lines)', async () => {
    // readLastLines walks back with `all.lastIndexOf(10, e - 1)`; when e reaches 0 that
    // is lastIndexOf(10, -1), which Node reads as "from the END of the buffer", so the
    // walk jumps to the last newline again: '\nabc\n' with -n 5 gives
    // ['abc', '', 'abc', '', 'abc'] (offsets 1,5,1,5,1) instead of ['', 'abc'].
    const f = freshFile();
    writeFileSync(f, '\nabc\n');
    const t = await readLastLines(f, 5);
    expect(t.lines).toEqual(['', 'abc']);
    expect(t.offsets).toEqual([0, 1]);
    const g = freshFile();
    writeFileSync(g, '\n\n');
    expect((await readLastLines(g, 5)).lines).toEqual(['', '']);
  });
});

// ---------------------------------------------------------------------------
// followFile: appends cut at random byte positions (inside multi-byte characters, between
// '\r' and '\n', inside huge lines), polling only as on NFS.
// ---------------------------------------------------------------------------
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const linesOf = (events: FollowEvent[]): Array<{ line: string; offset: number }> => events.flatMap((e) => (e.type === 'line' ? [{ line: e.line, offset: e.offset }] : []));

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(5);
}

describe('followFile over real files', () => {
  it('emits exactly the reference lines of the appended bytes, in order, never a partial one', async () => {
    await fc.assert(
      fc.asyncProperty(fileBytes, fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 9, maxLength: 9 }), async (bytes, cutSeeds, pauses) => {
        const f = freshFile();
        writeFileSync(f, '');
        const cuts = [...new Set(cutSeeds.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
        const events: FollowEvent[] = [];
        const ac = new AbortController();
        const done = followFile(f, (e) => events.push(e), { from: 0, pollMs: 4, useWatch: false, signal: ac.signal });
        try {
          let written = 0;
          const bounds = [...cuts, bytes.length];
          for (let i = 0; i < bounds.length; i++) {
            const to = bounds[i] as number;
            if (to > written) appendFileSync(f, bytes.subarray(written, to));
            written = Math.max(written, to);
            await sleep(pauses[i] ?? 0);
            // At any moment: a prefix of the complete lines written so far.
            const so = reference(bytes.subarray(0, written));
            const got = linesOf(events);
            expect(got.length).toBeLessThanOrEqual(so.lines.length);
            expect(got).toEqual(so.lines.slice(0, got.length).map((line, k) => ({ line, offset: so.offsets[k] })));
          }
          const ref = reference(bytes);
          await waitFor(() => linesOf(events).length >= ref.lines.length);
          await sleep(15);
          expect(linesOf(events)).toEqual(ref.lines.map((line, k) => ({ line, offset: ref.offsets[k] })));
          expect(events.filter((e) => e.type !== 'line')).toEqual([]);
        } finally {
          ac.abort();
          await done;
        }
      }),
      { numRuns: 60 },
    );
  });

  it('truncation at a random point restarts from byte 0 with a notice, then follows the new content exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fileBytes, fileBytes, async (before, after) => {
        const f = freshFile();
        writeFileSync(f, '');
        const events: FollowEvent[] = [];
        const ac = new AbortController();
        const done = followFile(f, (e) => events.push(e), { from: 0, pollMs: 4, useWatch: false, signal: ac.signal });
        try {
          const first = Buffer.concat([before, enc('\n')]);
          appendFileSync(f, first);
          const r1 = reference(first);
          await waitFor(() => linesOf(events).length >= r1.lines.length);
          truncateSync(f, 0);
          await waitFor(() => events.some((e) => e.type === 'reset'));
          const reset = events.findIndex((e) => e.type === 'reset');
          expect(events[reset]).toMatchObject({ type: 'reset', reason: 'truncated' });
          appendFileSync(f, after);
          const r2 = reference(after);
          await waitFor(() => linesOf(events.slice(reset)).length >= r2.lines.length);
          await sleep(15);
          expect(linesOf(events.slice(0, reset))).toEqual(r1.lines.map((line, k) => ({ line, offset: r1.offsets[k] })));
          expect(linesOf(events.slice(reset))).toEqual(r2.lines.map((line, k) => ({ line, offset: r2.offsets[k] })));
        } finally {
          ac.abort();
          await done;
        }
      }),
      { numRuns: 25 },
    );
  });

  it('a 5 MiB line (longer than the 4 MiB read chunk), appended in pieces with CRLF and cut UTF-8, is one line', async () => {
    const f = freshFile();
    writeFileSync(f, '');
    const events: FollowEvent[] = [];
    const ac = new AbortController();
    const done = followFile(f, (e) => events.push(e), { from: 0, pollMs: 5, useWatch: false, signal: ac.signal });
    const huge = Buffer.concat([enc('{"issue_id":"big","pad":"'), Buffer.alloc(5 * 1024 * 1024, 0x7a), enc('€"}\r\n'), enc('next\n')]);
    const euro = huge.indexOf(enc('€'));
    for (const [a, b] of [
      [0, 3_000_000],
      [3_000_000, euro + 1],
      [euro + 1, huge.length],
    ] as const) {
      appendFileSync(f, huge.subarray(a, b));
      await sleep(30);
    }
    const ref = reference(huge);
    await waitFor(() => linesOf(events).length >= 2, 10_000);
    ac.abort();
    await done;
    expect(linesOf(events).map((l) => l.line.length)).toEqual(ref.lines.map((l) => l.length));
    expect(linesOf(events)).toEqual(ref.lines.map((line, k) => ({ line, offset: ref.offsets[k] })));
    expect(linesOf(events)[0]?.line.endsWith('€"}')).toBe(true);
  });

  it('started while a line is half written, it emits only real lines (never the second half as a line)', async () => {
    // followFile starts at the current END of the file (opts.from defaults to st.size),
    // even when that end is in the middle of a line being appended. The rest of that
    // line then arrives and is emitted as a "complete line" that never existed in the
    // file: here 'def' at offset 9, while the file's line is 'abcdef' at offset 6.
    // Expected: only real complete lines (either 'abcdef' at 6, or nothing for it).
    const f = freshFile();
    writeFileSync(f, 'whole\nabc');
    const events: FollowEvent[] = [];
    const ac = new AbortController();
    const done = followFile(f, (e) => events.push(e), { pollMs: 5, useWatch: false, signal: ac.signal });
    await sleep(40);
    appendFileSync(f, 'def\nnext\n');
    await waitFor(() => linesOf(events).some((l) => l.line === 'next'));
    ac.abort();
    await done;
    const file = reference(readFileSync(f));
    const real = new Set(file.lines.map((l, i) => `${file.offsets[i]}:${l}`));
    for (const l of linesOf(events)) expect(real.has(`${l.offset}:${l.line}`), `emitted ${JSON.stringify(l)}, not a line of the file`).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// The per-issue index scan and the CLI's malformed count.
// ---------------------------------------------------------------------------
describe('telemetry index scan over random files', () => {
  it('counts every non-blank complete line once (record or malformed), and never drops a line the full parser accepts', async () => {
    const store = openStore(join(dir, 'index.sqlite'));
    try {
      await fc.assert(
        fc.asyncProperty(fileBytes, async (bytes) => {
          const f = freshFile();
          writeFileSync(f, bytes);
          const ref = reference(bytes);
          const scan = await updateTelemetryIndex(store, f);
          const nonBlank = ref.lines.filter((l) => l.replace(/^[ \t]+|[ \t\r]+$/g, '') !== '');
          expect(scan.newRecords + scan.newBadLines).toBe(nonBlank.length);
          expect(scan.toOffset).toBe(bytes.length - ref.partialBytes);
          const parsed = new Map<string, number>();
          for (const l of ref.lines) {
            const p = parseTelemetryLine(l);
            if (p.ok) parsed.set(p.record.issueId, (parsed.get(p.record.issueId) ?? 0) + 1);
          }
          for (const [issue, count] of parsed) expect(getIssueIndex(store.db, f, issue)?.records ?? 0).toBeGreaterThanOrEqual(count);
        }),
        { numRuns: 200 },
      );
    } finally {
      store.close();
    }
  });
});

describe('index and parser disagreements', () => {
  const record = (issue: string): string => `{"session_id":"s-${issue}","issue_id":"${issue}","success":false,"total_iterations":1,"iterations":[]}`;

  it('a valid record that starts with a UTF-8 BOM, \\r or other whitespace is indexed, not counted as malformed', async () => {
    // parseTelemetryLine trims with String.prototype.trim (BOM, \r, \v, \f, U+00A0,
    // U+2028, ...). updateTelemetryIndex trims only spaces/tabs at the start (and
    // spaces/tabs/\r at the end); fastIssueId then sees a byte that is not '{' and answers
    // null ("not a record", final) without falling back to extractIssueId. So
    // `telemetry --issue X` misses records that `telemetry -n N` shows, e.g. the first
    // line of a file saved with a BOM.
    const store = openStore(join(dir, 'index-ws.sqlite'));
    try {
      const f = freshFile();
      const lines = [`\ufeff${record('beefcake-ws1')}`, `\r${record('beefcake-ws2')}`, `\u2028${record('beefcake-ws3')}`, `${record('beefcake-ws4')}\u00a0`];
      writeFileSync(f, `${lines.join('\n')}\n`);
      for (const [i, l] of lines.entries()) expect(parseTelemetryLine(l)).toMatchObject({ ok: true, record: { issueId: `beefcake-ws${i + 1}` } });
      expect((await readLastLines(f, 4)).lines).toEqual(lines);
      const scan = await updateTelemetryIndex(store, f);
      expect({ records: scan.newRecords, bad: scan.newBadLines }).toEqual({ records: 4, bad: 0 });
      for (let i = 1; i <= 4; i++) expect(getIssueIndex(store.db, f, `beefcake-ws${i}`)?.records).toBe(1);
    } finally {
      store.close();
    }
  });

  it('with "issue_id" twice in a valid line, the parser and the index agree on whose record it is (the first key)', async () => {
    // The invariant of test/unit/issues/parsers.fuzz.test.ts ("if parseTelemetryLine is ok,
    // extractIssueId equals its issueId") never meets duplicate keys there. JSON.parse
    // alone would keep the last value; the index takes the first (no second search per
    // line on the cold scan), so the parser follows the index.
    const line = '{"session_id":"s","issue_id":"beefcake-first","success":true,"issue_id":"beefcake-last"}';
    const p = parseTelemetryLine(line);
    expect(p).toMatchObject({ ok: true, record: { issueId: 'beefcake-first' } });
    const store = openStore(join(dir, 'index-dup.sqlite'));
    try {
      const f = freshFile();
      writeFileSync(f, `${line}\n`);
      await updateTelemetryIndex(store, f);
      expect(getIssueIndex(store.db, f, 'beefcake-first')?.records).toBe(1);
      expect(getIssueIndex(store.db, f, 'beefcake-last')).toBeUndefined();
    } finally {
      store.close();
    }
  });
});

describe('swarmctl telemetry -n N --json (real binary) over random files', () => {
  it('returns the reference records of the last N lines and counts the malformed ones (exit 1 when any)', async () => {
    const config = join(dir, 'swarmctl.yaml');
    writeFileSync(config, `version: 1\npaths:\n  shared_root: ${dir}\n`);
    await fc.assert(
      fc.asyncProperty(fileBytes, fc.integer({ min: 1, max: 40 }), async (bytes, n) => {
        const f = freshFile();
        writeFileSync(f, bytes);
        const r = await runBin(['--config', config, '--db', join(dir, 'bin.sqlite'), 'telemetry', '-n', String(n), '--file', f, '--json']);
        const doc = JSON.parse(r.stdout) as { malformed: number; records: unknown[]; partial_last_line_bytes: number; exit_code: number };
        const last = lastN(reference(bytes).lines, n).filter((l) => l.trim() !== '');
        const parsed = last.map(parseTelemetryLine);
        const malformed = parsed.filter((p) => !p.ok).length;
        expect(doc.malformed).toBe(malformed);
        expect(doc.records).toEqual(parsed.flatMap((p) => (p.ok ? [p.record.raw] : [])));
        expect(doc.partial_last_line_bytes).toBe(reference(bytes).partialBytes);
        expect(r.code).toBe(malformed > 0 ? 1 : 0);
        expect(doc.exit_code).toBe(r.code);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
