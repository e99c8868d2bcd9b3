// The Python worker's run summary: every sample row parsed, and the run-level diagnosis
// of each sample case, with the deciding row's line number, plus the negatives.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunSummaryLine, runsForIssue } from '../../../src/issues/run-summary-parse.js';
import { diagnoseRuns } from '../../../src/recovery/run-summary-diagnose.js';

const SAMPLES = new URL('../../../fixtures/pyworker/', import.meta.url);
const summary = readFileSync(new URL('summary.jsonl', SAMPLES), 'utf8');
const mixed = readFileSync(new URL('dogfood-summary.mixed.jsonl', SAMPLES), 'utf8');

function diagnose(text: string, issue: string) {
  return diagnoseRuns(runsForIssue(text, issue).runs);
}

describe('parseRunSummaryLine', () => {
  it('parses every sample row, the legacy ones included', () => {
    const lines = [...summary.split('\n'), ...mixed.split('\n')].filter((l) => l.trim() !== '');
    const rows = lines.map((l) => parseRunSummaryLine(l));
    expect(rows.every((r) => r.ok)).toBe(true);
    const legacy = rows.flatMap((r) => (r.ok && r.row.shape === 'legacy' ? [r.row] : []));
    expect(legacy.map((r) => [r.issueId, r.status, r.exitCode, r.wallS])).toEqual([
      ['beefcake-3ogop', 'failed', 1, 1812],
      ['beefcake-yyzer', 'resolved', 0, 2406],
    ]);
  });

  it('reads the worker, verifier and merge fields of a failed-verifier row', () => {
    const line = summary.split('\n').find((l) => l.includes('beefcake-h81vn')) as string;
    const r = parseRunSummaryLine(line);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.row).toMatchObject({
      issueId: 'beefcake-h81vn',
      status: 'changes_failed_verifier',
      exitStatus: 'Submitted',
      filesModified: ['coordination/src/state/budget.rs', 'coordination/src/state/mod.rs'],
      committed: true,
      verifierGreen: false,
      failedGates: ['check'],
    });
    expect(r.row.failedGateTail).toContain('error[E0425]');
  });

  it('reports a torn line, a non-object and a row without an issue as errors, never throwing', () => {
    expect(parseRunSummaryLine('{"issue_id": "x", "sta')).toMatchObject({ ok: false });
    expect(parseRunSummaryLine('[1,2]')).toMatchObject({ ok: false });
    expect(parseRunSummaryLine('{"status": "failed"}')).toMatchObject({ ok: false, error: expect.stringContaining('issue_id') });
    expect(parseRunSummaryLine('')).toMatchObject({ ok: false });
  });

  it('an unknown status is kept as unknown, not guessed', () => {
    const r = parseRunSummaryLine('{"issue_id": "a", "status": "exploded"}');
    expect(r.ok && r.row.status).toBe('unknown');
  });
});

describe('diagnoseRuns on the sample summary', () => {
  const cases: Array<[string, string, number, string]> = [
    ['beefcake-3xkfa', 'stuck_loop', 2, 'status=no_change exit_status=LimitsExceeded'],
    ['beefcake-h81vn', 'verifier_failed', 3, 'failed_gates=check'],
    ['beefcake-zp0c4', 'context_overflow', 4, 'exit_status=error: ContextWindowExceededError'],
    ['beefcake-n5w9e', 'output_parse_failure', 5, 'exit_status=error: APIError'],
    ['beefcake-t2r6y', 'worktree_failed', 6, 'reason=worktree create:'],
    ['beefcake-r4k8p', 'budget_exhausted', 8, 'reason=rollback_no_progress: 3 consecutive compile failures'],
    ['beefcake-c0j7u', 'merge_failed', 9, 'merged=false'],
    ['beefcake-k6f1m', 'worker_crash', 11, 'exit_status=error: RuntimeError'],
  ];
  it.each(cases)('%s → %s at line %i', (issue, kind, line, text) => {
    const f = diagnose(summary, issue);
    expect(f[0]).toMatchObject({ kind, line });
    expect(f[0]?.text).toContain(text);
  });

  it('context overflow carries the token numbers from the escaped JSON', () => {
    expect(diagnose(summary, 'beefcake-zp0c4')[0]?.details).toEqual({ requested: 66211, available: 65536 });
  });

  it('a step-limited no-change run is one stuck run (the limit in its details), not a budget exhaustion', () => {
    const f = diagnose(summary, 'beefcake-3xkfa');
    expect(f.map((x) => x.kind)).toEqual(['stuck_loop']);
    expect(f[0]?.details).toMatchObject({ exit_status: 'LimitsExceeded' });
  });

  it('resolved runs, the architect ones and the --objective probe, say nothing', () => {
    for (const issue of ['beefcake-q7m2d', 'beefcake-b9d3s', 'manual-probe']) expect(diagnose(summary, issue)).toEqual([]);
  });

  it('evidence text never carries compiler output or model text', () => {
    for (const f of diagnose(summary, 'beefcake-h81vn')) expect(f.text).not.toContain('error[E0425]');
  });
});

describe('diagnoseRuns: history of one issue', () => {
  const row = (status: string, extra = '') => `{"issue_id": "beefcake-aa", "status": "${status}"${extra}}`;

  it('no_change followed by a resolved run is not stuck', () => {
    expect(diagnose([row('no_change'), row('resolved')].join('\n'), 'beefcake-aa')).toEqual([]);
  });

  it('three no_change runs in a row are counted, the last row is the evidence', () => {
    const f = diagnose([row('resolved'), row('no_change'), row('no_change'), row('no_change')].join('\n'), 'beefcake-aa');
    expect(f[0]).toMatchObject({ kind: 'stuck_loop', line: 4, details: { no_change_runs: 3 } });
  });

  it('a driver crash row from dogfood is a worker crash', () => {
    const f = diagnose(mixed, 'beefcake-w3e5q');
    expect(f[0]).toMatchObject({ kind: 'worker_crash' });
    expect(f[0]?.text).toContain('reason=driver crash: TimeoutExpired');
  });

  it('a legacy row never decides (it carries no outcome beyond an exit code)', () => {
    expect(diagnose(mixed, 'beefcake-3ogop')).toEqual([]);
  });

  it('a torn line of the issue is counted as bad and skipped', () => {
    const r = runsForIssue(`${row('no_change')}\n{"issue_id": "beefcake-aa", "sta\n`, 'beefcake-aa');
    expect(r.runs).toHaveLength(1);
    expect(r.badLines).toBe(1);
  });

  it('another issue whose id contains this one is not taken', () => {
    const r = runsForIssue(`{"issue_id": "beefcake-aab", "status": "no_change"}\n`, 'beefcake-aa');
    expect(r.runs).toHaveLength(0);
  });
});
