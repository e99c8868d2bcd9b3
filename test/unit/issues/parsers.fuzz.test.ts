// Property tests: the pure parsers never throw on hostile input (random bytes, cut
// lines, huge lines, ANSI debris), and record line numbers stay monotonic and in range.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLogRecords, splitPhysicalLines, tailWindow, tailWindowBytes, type LogRecord } from '../../../src/recovery/log-records.js';
import { parseResumeFile } from '../../../src/issues/resume-parse.js';
import { parseCheckpoint, parseMetricsFile, parseSessionLog } from '../../../src/issues/session-parse.js';
import { countWriteToolCalls, matchSignatures } from '../../../src/recovery/signature-match.js';
import { BEEFCAKE_CATALOGUE, RUNBOOK_CATALOGUE } from '../../../src/config/signature-catalogue.js';
import { extractIssueId, parseTelemetryLine } from '../../../src/issues/telemetry-parse.js';

const read = (p: string): string => readFileSync(new URL(`../../../fixtures/${p}`, import.meta.url), 'utf8');
const LOG = read('beefcake/swarm-orch-2317.stuck-loop.log');
const LOG_LINES = splitPhysicalLines(LOG);
const TELEMETRY_LINES = read('beefcake/.swarm-telemetry.jsonl').split('\n').filter(Boolean);
const RESUME = read('beefcake/.swarm-resume.json');
const SESSION = read('beefcake/worktree.swarm.session.jsonl');

const decoder = new TextDecoder('utf-8');
const bytesText = fc.uint8Array({ maxLength: 4096 }).map((b) => decoder.decode(b));

/** Log-ish text: real lines, cut lines, ANSI debris, CR, random junk, mixed. */
const logText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...LOG_LINES),
      fc.constantFrom(...LOG_LINES).chain((l) => fc.nat(l.length).map((n) => l.slice(0, n))),
      fc.constantFrom('\x1b[', '\x1b[2m', '\x1b]0;', '\r', '{', '}', '"', '\\', 'execute_tool{', '2026-04-16T14:02:16.259599Z  INFO ', ': '),
      fc.string({ maxLength: 200 }),
      bytesText,
    ),
    { maxLength: 60 },
  )
  .chain((parts) => fc.constantFrom('\n', '\r\n', '').map((sep) => parts.join(sep)));

function checkRecords(recs: LogRecord[], firstLine: number, physical: number): void {
  let prevEnd = firstLine - 1;
  for (const r of recs) {
    expect(Number.isInteger(r.line)).toBe(true);
    expect(r.line).toBeGreaterThan(prevEnd);
    expect(r.endLine).toBeGreaterThanOrEqual(r.line);
    expect(r.endLine).toBeLessThanOrEqual(firstLine + physical - 1);
    for (const c of r.continuation) {
      expect(c.line).toBeGreaterThan(r.line);
      expect(c.line).toBeLessThanOrEqual(r.endLine);
    }
    prevEnd = r.endLine;
  }
}

describe('splitLogRecords / tail windows (fuzz)', () => {
  it('never throws; line numbers are monotonic and within range', () => {
    fc.assert(
      fc.property(logText, fc.integer({ min: 1, max: 1_000_000 }), (text, firstLine) => {
        const recs = splitLogRecords(text, { firstLine });
        checkRecords(recs, firstLine, splitPhysicalLines(text).length);
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes never throw', () => {
    fc.assert(
      fc.property(bytesText, (text) => {
        checkRecords(splitLogRecords(text), 1, splitPhysicalLines(text).length);
      }),
      { numRuns: 300 },
    );
  });

  it('tail windows start on the line they claim', () => {
    fc.assert(
      fc.property(logText, fc.integer({ min: 0, max: 20_000 }), (text, max) => {
        const w = tailWindow(text, max);
        const lines = text.split('\n');
        expect(w.startLine).toBeGreaterThanOrEqual(1);
        expect(w.startLine).toBeLessThanOrEqual(Math.max(1, lines.length));
        if (!w.partialFirstLine && w.text.length > 0) expect(w.text.split('\n')[0]).toBe(lines[w.startLine - 1]);
        checkRecords(splitLogRecords(w.text, { firstLine: w.startLine }), w.startLine, splitPhysicalLines(w.text).length);
      }),
      { numRuns: 300 },
    );
  });

  it('tailWindowBytes agrees with the whole-buffer window for any read offset', () => {
    const buf = Buffer.from(LOG, 'utf8');
    fc.assert(
      fc.property(fc.nat(buf.length), fc.integer({ min: 1, max: 40_000 }), (offset, max) => {
        let before = 0;
        for (let i = 0; i < offset; i++) if (buf[i] === 10) before++;
        const w = tailWindowBytes(buf.subarray(offset), max, { byteOffset: offset, newlinesBefore: before });
        if (!w.partialFirstLine && w.text.length > 0) expect(w.text.split('\n')[0]).toBe(LOG.split('\n')[w.startLine - 1]);
        expect(w.startByte).toBeGreaterThanOrEqual(offset);
      }),
      { numRuns: 200 },
    );
  });

  it('a 1 MB line (with and without a timestamp) is one record, fast', () => {
    const huge = 'x'.repeat(1 << 20);
    const text = `${LOG_LINES[30]}\n2026-04-16T14:02:16.259599Z  INFO a::b: ${huge}\n${huge}\n${LOG_LINES[118]}\n`;
    const t0 = Date.now();
    const recs = splitLogRecords(text);
    const res = matchSignatures(recs, BEEFCAKE_CATALOGUE);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(recs.map((r) => [r.line, r.endLine])).toEqual([
      [1, 1],
      [2, 3],
      [4, 4],
    ]);
    expect(res[0]?.evidence.map((e) => e.line)).toEqual([4]);
    expect(res[0]?.evidence[0]?.text.length).toBeLessThanOrEqual(300);
  });
});

describe('matchSignatures / countWriteToolCalls (fuzz)', () => {
  it('never throws; evidence lines exist, are sorted and inside the records', () => {
    fc.assert(
      fc.property(logText, fc.constantFrom(BEEFCAKE_CATALOGUE, RUNBOOK_CATALOGUE), fc.integer({ min: 1, max: 500 }), (text, cat, firstLine) => {
        const recs = splitLogRecords(text, { firstLine });
        const last = firstLine + splitPhysicalLines(text).length - 1;
        const res = matchSignatures(recs, cat, { resolvedAt: '2026-04-16T14:10:00Z' });
        expect(res.map((m) => m.kind)).toEqual(cat.kinds.map((k) => k.kind));
        for (const m of res) {
          expect(m.count).toBeGreaterThanOrEqual(m.evidence.length);
          if (m.fired) expect(m.triggers.length).toBeGreaterThan(0);
          const lines = m.evidence.map((e) => e.line);
          expect([...lines].sort((a, b) => a - b)).toEqual(lines);
          for (const e of m.evidence) {
            expect(e.line).toBeGreaterThanOrEqual(firstLine);
            expect(e.line).toBeLessThanOrEqual(last);
            expect(e.text).not.toContain('\x1b[');
            expect(e.text.length).toBeLessThanOrEqual(300);
          }
        }
        const w = countWriteToolCalls(recs, cat);
        expect(w.writes).toBeGreaterThanOrEqual(0);
        expect(w.toolCalls).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('shuffled real lines never produce evidence from inside a tool result', () => {
    const payloadLines = new Set(['[…]']);
    fc.assert(
      fc.property(fc.shuffledSubarray(LOG_LINES, { minLength: 1 }), (lines) => {
        const res = matchSignatures(splitLogRecords(lines.join('\n')), BEEFCAKE_CATALOGUE);
        for (const m of res) for (const e of m.evidence) expect(payloadLines.has(e.text)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('JSON parsers (fuzz)', () => {
  const cutOrGlued = fc.oneof(
    fc.constantFrom(...TELEMETRY_LINES).chain((l) => fc.nat(l.length).map((n) => l.slice(0, n))),
    fc.tuple(fc.constantFrom(...TELEMETRY_LINES), fc.constantFrom(...TELEMETRY_LINES), fc.nat(3000)).map(([a, b, n]) => a.slice(0, n) + b),
    fc.constantFrom(...TELEMETRY_LINES).chain((l) => fc.nat(l.length).map((n) => `${l.slice(0, n)}\u0000${l.slice(n)}`)),
    bytesText,
    fc.json(),
    fc.string({ maxLength: 300 }),
  );

  it('parseTelemetryLine and extractIssueId never throw; a fast id is a real id', () => {
    fc.assert(
      fc.property(cutOrGlued, (line) => {
        const r = parseTelemetryLine(line);
        if (r.ok) expect(r.record.issueId.length).toBeGreaterThan(0);
        else expect(typeof r.error).toBe('string');
        const id = extractIssueId(line);
        if (r.ok) expect(id).toBe(r.record.issueId);
        if (id !== null) expect(id.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('a 1 MB line is rejected or parsed without throwing', () => {
    const huge = `{"issue_id":"x","session_id":"s","pad":"${'a'.repeat(1 << 20)}"`;
    expect(parseTelemetryLine(huge).ok).toBe(false);
    expect(parseTelemetryLine(`${huge}}`)).toMatchObject({ ok: true, record: { issueId: 'x' } });
    expect(extractIssueId(`${huge}}`)).toBe('x');
  });

  it('parseResumeFile, parseSessionLog, parseCheckpoint and parseMetricsFile never throw', () => {
    const docs = fc.oneof(
      fc.nat(RESUME.length).map((n) => RESUME.slice(0, n)),
      fc.nat(SESSION.length).map((n) => SESSION.slice(0, n)),
      fc.tuple(fc.nat(SESSION.length), fc.nat(SESSION.length)).map(([a, b]) => SESSION.slice(0, a) + SESSION.slice(b)),
      bytesText,
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify({ issue: v, issue_id: v, kind: v, iteration: v, transitions: v })),
    );
    fc.assert(
      fc.property(docs, (text) => {
        const r = parseResumeFile(text);
        if (r.ok) expect(r.resume.issueId.length).toBeGreaterThan(0);
        const s = parseSessionLog(text);
        expect(s.badLines).toBeGreaterThanOrEqual(0);
        expect(s.events.every((e, i, a) => i === 0 || (a[i - 1] as { line: number }).line < e.line)).toBe(true);
        expect(typeof parseCheckpoint(text).ok).toBe('boolean');
        expect(typeof parseMetricsFile(text).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
