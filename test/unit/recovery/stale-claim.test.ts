// stale_claim: in_progress with no live run and no recent run is stale; unknown liveness never is.
import { describe, expect, it } from 'vitest';
import { decideStaleClaim, runEndMs, trackerIssueFromJson } from '../../../src/recovery/stale-claim.js';

const NOW = Date.parse('2026-04-20T12:00:00Z');
const claimed = { id: 'beefcake-aa', status: 'in_progress', assignee: 'swarm-ai-proxy' };

describe('stale claim', () => {
  it('reads bd show --json (object or list of one)', () => {
    expect(trackerIssueFromJson('[{"id":"beefcake-aa","status":"in_progress","assignee":"swarm-ai-proxy","title":"t"}]')).toEqual(claimed);
    expect(trackerIssueFromJson('{"id":"x","status":"open","assignee":""}')).toEqual({ id: 'x', status: 'open', assignee: null });
    expect(trackerIssueFromJson('not json')).toBeNull();
    expect(trackerIssueFromJson('{"id":"x"}')).toBeNull();
  });

  it('in_progress, nothing live, last run long ago: stale, naming the claimant', () => {
    const v = decideStaleClaim({ tracker: claimed, live: false, lastRunEndMs: NOW - 3 * 3600_000, nowMs: NOW, thresholdS: 3600 });
    expect(v).toEqual({ stale: true, reason: 'in_progress (claimed by swarm-ai-proxy) with no live run; the last run ended 10800 s ago' });
  });

  it('never run: stale; a recent run, a live run, another status: not stale', () => {
    expect(decideStaleClaim({ tracker: claimed, live: false, lastRunEndMs: null, nowMs: NOW, thresholdS: 3600 }).stale).toBe(true);
    expect(decideStaleClaim({ tracker: claimed, live: false, lastRunEndMs: NOW - 60_000, nowMs: NOW, thresholdS: 3600 }).stale).toBe(false);
    expect(decideStaleClaim({ tracker: claimed, live: true, lastRunEndMs: null, nowMs: NOW, thresholdS: 3600 }).stale).toBe(false);
    expect(decideStaleClaim({ tracker: { ...claimed, status: 'open' }, live: false, lastRunEndMs: null, nowMs: NOW, thresholdS: 3600 }).stale).toBe(false);
  });

  it('an unreadable queue or tracker is unknown, never stale', () => {
    expect(decideStaleClaim({ tracker: claimed, live: 'unknown', lastRunEndMs: null, nowMs: NOW, thresholdS: 3600 }).stale).toBe('unknown');
    expect(decideStaleClaim({ tracker: null, live: false, lastRunEndMs: null, nowMs: NOW, thresholdS: 3600 }).stale).toBe('unknown');
  });

  it('a run ends at started_at + wall_s', () => {
    expect(runEndMs('2026-04-20T09:12:04.518233+00:00', 742.6)).toBe(Date.parse('2026-04-20T09:12:04.518Z') + 742_600);
    expect(runEndMs(undefined, 1)).toBeNull();
    expect(runEndMs('garbage', 1)).toBeNull();
  });
});
