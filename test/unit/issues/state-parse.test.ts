// Per-issue state files: the resume file (real and runbook shapes), the session log,
// the checkpoint and the metrics file, from the samples and from truncated copies.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResumeFile } from '../../../src/issues/resume-parse.js';
import { parseCheckpoint, parseMetricsFile, parseSessionLog } from '../../../src/issues/session-parse.js';

const read = (p: string): string => readFileSync(new URL(`../../../fixtures/${p}`, import.meta.url), 'utf8');

describe('parseResumeFile', () => {
  it('reads the real shared resume file (issue.id says whose)', () => {
    const r = parseResumeFile(read('beefcake/.swarm-resume.json'));
    expect(r).toMatchObject({
      ok: true,
      resume: {
        shape: 'beefcake',
        issueId: 'beefcake-7xjmj',
        issueTitle: 'See beads issue beefcake-7xjmj for full spec',
        issueStatus: 'open',
        iteration: 4,
        totalIterations: 4,
        savedAt: '2026-04-16T14:14:21.281104571+00:00',
        currentTier: 'Worker',
        worktreePath: '/cluster/shared/wt/beefcake-7xjmj',
        escalationSummary: 'bead=beefcake-7xjmj tier=worker iter=4 failures=4 resolved=false stuck=false',
      },
    });
    if (r.ok) expect((r.resume.raw['issue'] as Record<string, unknown>)['priority']).toBe(1);
  });

  it('reads the runbook shape (top-level issue_id, in the worktree)', () => {
    const r = parseResumeFile(read('state/resume.runbook.json'));
    expect(r).toMatchObject({
      ok: true,
      resume: {
        shape: 'runbook',
        issueId: 'beefcake-rb01',
        phase: 'implementing',
        iteration: 3,
        savedAt: '2026-02-10T02:14:00Z',
        worktreePath: '/cluster/shared/wt/beefcake-rb01',
        currentTier: 'worker',
      },
    });
  });

  it('reports truncated, empty, id-less and non-object files as corrupt', () => {
    const trunc = parseResumeFile(read('state/resume.truncated.json'));
    expect(trunc.ok).toBe(false);
    if (!trunc.ok) expect(trunc.error).toMatch(/^invalid JSON:/);
    expect(parseResumeFile('')).toEqual({ ok: false, error: 'empty file' });
    expect(parseResumeFile(read('state/resume.no-id.json'))).toEqual({ ok: false, error: 'no issue id (neither issue.id nor issue_id)' });
    expect(parseResumeFile('[]').ok).toBe(false);
    expect(parseResumeFile('\uFEFF{"issue_id":"b"}')).toMatchObject({ ok: true, resume: { issueId: 'b' } });
  });

  it('every cut of the real file either parses to the same issue or is corrupt', () => {
    const full = read('beefcake/.swarm-resume.json');
    for (let n = 0; n <= full.length; n++) {
      const r = parseResumeFile(full.slice(0, n));
      if (r.ok) expect(r.resume.issueId).toBe('beefcake-7xjmj');
      else expect(r.error.length).toBeGreaterThan(0);
    }
  });
});

describe('parseSessionLog', () => {
  it('derives state, iteration, reasons and the outcome from the real sample', () => {
    const s = parseSessionLog(read('beefcake/worktree.swarm.session.jsonl'));
    expect(s.events).toHaveLength(16);
    expect(s).toMatchObject({
      badLines: 0,
      partialLastLine: false,
      issueId: 'beefcake-7xjmj',
      objective: 'See beads issue beefcake-7xjmj for full spec',
      startedAt: '2026-04-16T14:02:16.071000203Z',
      worktreePath: '/cluster/shared/wt/beefcake-7xjmj',
      branch: 'swarm/beefcake-7xjmj',
      state: 'failed',
      iteration: 4,
      completed: true,
      resolved: false,
      failureReason: 'No-change circuit breaker',
      totalIterations: 4,
      durationMs: 730114,
      completedAt: '2026-04-16T14:14:19.881000214Z',
      lastTransition: { from: 'implementing', to: 'failed', iteration: 4, reason: 'No-change circuit breaker' },
    });
    expect(s.events[0]).toMatchObject({ id: 1, type: 'session_started', line: 1 });
  });

  it('reads a resolved session and keeps unknown fields', () => {
    const s = parseSessionLog(read('state/session.resolved.jsonl'));
    expect(s).toMatchObject({ completed: true, resolved: true, state: 'resolved', totalIterations: 3, badLines: 0 });
    expect(s.failureReason).toBeUndefined();
    expect(s.events.at(-1)?.kind['future_field']).toEqual({ x: 1 });
  });

  it('counts a torn line and a partial last line, keeps unknown event types, and tracks the running state', () => {
    const s = parseSessionLog(read('state/session.running.jsonl'));
    expect(s.badLines).toBe(2);
    expect(s.badLineNumbers).toEqual([3, 8]);
    expect(s.partialLastLine).toBe(true);
    expect(s.events.map((e) => e.type)).toContain('tool_budget_warning');
    expect(s).toMatchObject({ completed: false, state: 'implementing', iteration: 1, issueId: 'beefcake-ng03' });
    expect(s.resolved).toBeUndefined();
  });

  it('handles CRLF and empty input', () => {
    const crlf = parseSessionLog(read('beefcake/worktree.swarm.session.jsonl').replace(/\n/g, '\r\n'));
    expect(crlf).toMatchObject({ badLines: 0, state: 'failed' });
    expect(crlf.events).toHaveLength(16);
    expect(parseSessionLog('')).toMatchObject({ events: [], badLines: 0, completed: false });
  });
});

describe('parseCheckpoint', () => {
  it('reads the real checkpoint', () => {
    const r = parseCheckpoint(read('beefcake/worktree.swarm.checkpoint.json'));
    expect(r).toMatchObject({
      ok: true,
      checkpoint: {
        state: 'implementing',
        iteration: 4,
        checkpointId: 9,
        schemaVersion: 1,
        issueId: 'beefcake-7xjmj',
        createdAt: '2026-04-16T14:12:46.281337620+00:00',
        gitHash: '4d0a9b13e77c2f58a6e1b9d3c0f7a2e45b8c61d9',
        lastReason: 'iteration 4 planned, tier=Worker',
      },
    });
    if (r.ok) {
      expect(r.checkpoint.transitions).toHaveLength(9);
      expect(r.checkpoint.transitions[5]).toEqual({ from: 'implementing', to: 'planning', iteration: 2, elapsedMs: 319780, reason: 'no changes, tier → Worker' });
    }
  });

  it('reports a truncated or foreign file as corrupt', () => {
    const r = parseCheckpoint(read('state/checkpoint.truncated.json'));
    expect(r.ok).toBe(false);
    expect(parseCheckpoint('{"hello":1}')).toEqual({ ok: false, error: 'not a checkpoint (no state, iteration or transitions)' });
    expect(parseCheckpoint('  ')).toEqual({ ok: false, error: 'empty file' });
  });
});

describe('parseMetricsFile', () => {
  it('reads the pretty-printed SessionMetrics', () => {
    const r = parseMetricsFile(read('beefcake/.swarm-metrics.json'));
    expect(r).toMatchObject({
      ok: true,
      record: { shape: 'session', issueId: 'beefcake-7xjmj', success: false, iterations: 4, noChangeIterations: 3, noChangeRate: 0.75, finalTier: 'Worker', elapsedMs: 727942 },
    });
    if (r.ok) {
      expect(r.record.iterationDetails?.map((i) => i.noChange)).toEqual([false, true, true, true]);
      expect(r.record.summary).toContain('no_change=3 (75%)');
    }
  });

  it('reports a truncated file as corrupt', () => {
    const r = parseMetricsFile(read('state/metrics.truncated.json'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^invalid JSON:/);
    expect(parseMetricsFile('{"success":true}')).toEqual({ ok: false, error: 'no issue_id' });
  });
});
