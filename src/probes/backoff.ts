// Exponential backoff book for rate-limited services (the proxy's 429/503): once a
// service says "slow down", the next call waits 5 s, then 10, 20, ... up to 5 min,
// or the proxy's own reset_seconds when that is longer. The last answer is kept so
// a skipped call can still report it. Pure apart from the clock it is given.
import type { ProbeResult } from '../core/probe.js';

export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_MAX_MS = 300_000;

interface Entry {
  until: number;
  delayMs: number;
  last: ProbeResult;
}

export class BackoffBook {
  private readonly entries = new Map<string, Entry>();

  /** The kept result while `key` is backing off at `now`; undefined when a call may go out. */
  blocked(key: string, now: number): { last: ProbeResult; waitMs: number } | undefined {
    const e = this.entries.get(key);
    if (e === undefined || now >= e.until) return undefined;
    return { last: e.last, waitMs: e.until - now };
  }

  /** Record a rate-limited answer: doubles the delay (at least `minMs`, e.g. reset_seconds). */
  failed(key: string, now: number, last: ProbeResult, minMs = 0): number {
    const prev = this.entries.get(key);
    const delay = Math.min(BACKOFF_MAX_MS, Math.max(minMs, prev === undefined ? BACKOFF_BASE_MS : prev.delayMs * 2));
    this.entries.set(key, { until: now + delay, delayMs: delay, last });
    return delay;
  }

  succeeded(key: string): void {
    this.entries.delete(key);
  }
}

/** The book used by probes in this process (the watch loop, the console). */
export const processBackoff = new BackoffBook();
