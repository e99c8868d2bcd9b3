// Telemetry JSONL lines in both shapes: the real SessionMetrics (one per finished
// session) and the runbook's phase events; corrupt lines are rejected, not thrown.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractIssueId, parseTelemetryLine } from '../../../src/issues/telemetry-parse.js';

const read = (p: string): string => readFileSync(new URL(`../../../fixtures/${p}`, import.meta.url), 'utf8');
const REAL = read('beefcake/.swarm-telemetry.jsonl');
const REAL_LINES = REAL.split('\n').filter((l) => l.length > 0);

describe('real SessionMetrics lines', () => {
  it('all 30 lines of the sample parse as sessions', () => {
    expect(REAL_LINES).toHaveLength(30);
    for (const line of REAL_LINES) {
      const r = parseTelemetryLine(line);
      expect(r.ok, line.slice(0, 80)).toBe(true);
      if (!r.ok) continue;
      const raw = JSON.parse(line) as Record<string, unknown>;
      expect(r.record.shape).toBe('session');
      expect(r.record.issueId).toBe(raw['issue_id']);
      expect(r.record.sessionId).toBe(raw['session_id']);
      expect(r.record.success).toBe(raw['success']);
      expect(r.record.iterations).toBe(raw['total_iterations']);
      expect(r.record.timestamp).toBe(raw['timestamp']);
      expect(r.record.raw).toEqual(raw);
      expect(r.record.summary).not.toContain('\n');
      expect(r.record.summary.length).toBeLessThanOrEqual(200);
    }
  });

  it('normalises the fields of the first line', () => {
    const r = parseTelemetryLine(REAL_LINES[0]!);
    expect(r).toMatchObject({
      ok: true,
      record: {
        shape: 'session',
        issueId: 'beefcake-swarm-a8m',
        issueTitle: 'Remove unused get_info helper from harness tools',
        success: true,
        iterations: 1,
        finalTier: 'Worker',
        elapsedMs: 512331,
        noChangeIterations: 0,
        noChangeRate: 0,
        timestamp: '2026-04-09T03:43:33.026019476+00:00',
        iterationDetails: [{ iteration: 1, tier: 'Worker', model: 'Qwen3.5-GeneralCoder', noChange: false, responseMs: 301442, errorCount: 0 }],
      },
    });
    if (r.ok) {
      expect(r.record.summary).toContain('resolved');
      expect(r.record.summary).toContain('iterations=1');
      expect(r.record.raw['harness_trace']).toBeTypeOf('object'); // unknown fields kept
    }
  });

  it('keeps a failed session with no iterations (optional fields come and go)', () => {
    const r = parseTelemetryLine(REAL_LINES[1]!);
    expect(r).toMatchObject({ ok: true, record: { success: false, iterations: 0, iterationDetails: [] } });
    const minimal = parseTelemetryLine('{"session_id":"s","issue_id":"x","success":false}');
    expect(minimal).toMatchObject({ ok: true, record: { shape: 'session', issueId: 'x', success: false } });
    const wrongTypes = parseTelemetryLine('{"session_id":"s","issue_id":"x","success":"no","total_iterations":"3"}');
    expect(wrongTypes.ok && wrongTypes.record.success === undefined && wrongTypes.record.iterations === undefined).toBe(true);
  });

  it('extractIssueId agrees with the full parse on every real line, with CRLF too', () => {
    for (const line of REAL_LINES) {
      const id = (JSON.parse(line) as { issue_id: string }).issue_id;
      expect(extractIssueId(line)).toBe(id);
      expect(extractIssueId(`${line}\r`)).toBe(id);
    }
  });
});

describe('runbook event lines', () => {
  const lines = read('state/telemetry.runbook.jsonl').split('\n');

  it('parses events, rejects the blank and the torn line, never throws', () => {
    const results = lines.filter((l) => l.length > 0).map((l) => parseTelemetryLine(l));
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false, true, true]);
    const ok = results.flatMap((r) => (r.ok ? [r.record] : []));
    expect(ok.map((r) => [r.shape, r.issueId, r.phase, r.iterations, r.outcome])).toEqual([
      ['event', 'beefcake-rb01', 'planning', 1, 'ok'],
      ['event', 'beefcake-rb01', 'implementing', 1, 'no_change'],
      ['event', 'beefcake-rb02', 'implementing', 1, 'error'],
      ['event', 'beefcake-rb01', 'implementing', 2, 'no_change'],
    ]);
    expect(ok[0]!.timestamp).toBe('2026-02-10T02:01:00Z');
    expect(ok[3]!.timestamp).toBe('2026-02-10T02:07:00Z');
    expect(ok[1]!.summary).toBe('phase=implementing iteration=1 outcome=no_change');
  });

  it('extractIssueId reads events and refuses the torn line', () => {
    expect(lines.map((l) => extractIssueId(l))).toEqual(['beefcake-rb01', 'beefcake-rb01', null, null, 'beefcake-rb02', 'beefcake-rb01', null]);
  });
});

describe('corrupt lines', () => {
  const line = REAL_LINES[5]!;
  it.each([
    ['cut in half', line.slice(0, Math.floor(line.length / 2))],
    ['cut before the last brace', line.slice(0, -1)],
    ['two lines glued by a concurrent append', line.slice(0, 300) + line],
    ['an array', '[1,2,3]'],
    ['a string', '"issue_id"'],
    ['null', 'null'],
    ['empty', ''],
    ['whitespace', '   \r'],
    ['not JSON', 'Error: Issue beefcake-7xjmj NOT resolved'],
    ['no issue_id', '{"session_id":"s","success":true}'],
    ['issue_id of the wrong type', '{"issue_id":{"a":1},"success":true}'],
    ['neither shape', '{"issue_id":"x","hello":1}'],
    ['NUL bytes', '\u0000\u0000{"issue_id":"x"'],
  ])('rejects %s', (_name, text) => {
    const r = parseTelemetryLine(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
  });

  it('reports the JSON error', () => {
    const r = parseTelemetryLine(line.slice(0, 100));
    expect(r.ok === false && r.error.startsWith('invalid JSON:')).toBe(true);
  });
});

describe('extractIssueId', () => {
  it('takes the top-level key, not a nested one or one inside a string', () => {
    expect(extractIssueId('{"detail":{"issue_id":"inner"},"issue_id":"outer","phase":"x"}')).toBe('outer');
    expect(extractIssueId('{"note":"the \\"issue_id\\":\\"fake\\" text","issue_id":"real"}')).toBe('real');
    expect(extractIssueId('{"list":[{"issue_id":"a"}]}')).toBeNull();
  });

  it('handles spacing, escapes, numbers and pretty-printed objects', () => {
    expect(extractIssueId('{ "issue_id" : "beefcake-1" , "phase":"p"}')).toBe('beefcake-1');
    expect(extractIssueId('{"issue_id":"we\\u0069rd","phase":"p"}')).toBe('weird');
    expect(extractIssueId('{"issue_id":42,"phase":"p"}')).toBe('42');
    expect(extractIssueId('{\n  "issue_id": "pretty"\n}')).toBe('pretty');
  });

  it('reads the id parseTelemetryLine reads with whitespace trimmed as String.prototype.trim does', () => {
    expect(extractIssueId('{"issue_id":"a","meta":{"issue_id":"nested"}}')).toBe('a');
    expect(extractIssueId('{"issue_id":"a","note":"\\"issue_id\\" in text"}')).toBe('a');
    for (const ws of ['\ufeff', '\u00a0', '\u2028', '\v', '\r\n']) {
      const l = `${ws}{"issue_id":"w","session_id":"s"}${ws}`;
      expect(extractIssueId(l)).toBe('w');
      expect(parseTelemetryLine(l)).toMatchObject({ ok: true, record: { issueId: 'w' } });
    }
    // not trimmed by String.prototype.trim, so not a record for the parser either
    expect(extractIssueId('\u0001{"issue_id":"w","session_id":"s"}')).toBeNull();
  });

  it('returns null for corrupt or id-less lines', () => {
    expect(extractIssueId('{"issue_id":"x"')).toBeNull();
    expect(extractIssueId('{"a":1}')).toBeNull();
    expect(extractIssueId('')).toBeNull();
    expect(extractIssueId('{"issue_id":""}')).toBeNull();
  });
});
