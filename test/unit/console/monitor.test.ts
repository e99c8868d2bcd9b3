import { describe, expect, it } from 'vitest';
import { backoffDelay, Monitor, realClock, StaleData, type SourceSpec } from '../../../src/console/monitor.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Monitor', () => {
  it('publishes a new immutable snapshot on each change and notifies subscribers', async () => {
    let n = 0;
    const m = new Monitor([{ name: 'q', intervalMs: 50, timeoutMs: 1000, load: async () => ({ jobs: ++n }) }], realClock);
    const seen: number[] = [];
    m.subscribe(() => seen.push(m.getSnapshot().version));
    const before = m.getSnapshot();
    m.start();
    await wait(180);
    m.stop();
    const after = m.getSnapshot();
    expect(after).not.toBe(before);
    expect(before.sources['q']!.data).toBeNull(); // the old snapshot was not mutated
    expect((after.sources['q']!.data as { jobs: number }).jobs).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('never overlaps polls of one source: a slow load skips ticks', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const spec: SourceSpec<number> = {
      name: 'slow',
      intervalMs: 5,
      timeoutMs: 1000,
      load: async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await wait(60);
        concurrent--;
        return 1;
      },
    };
    const m = new Monitor([spec as SourceSpec<unknown>], realClock);
    m.start();
    for (let i = 0; i < 10; i++) m.refresh('slow'); // hammering refresh must not start parallel loads
    await wait(200);
    m.stop();
    expect(maxConcurrent).toBe(1);
    expect(m.loadsOf('slow')).toBeLessThanOrEqual(4);
  });

  it('shows last-known data a failing loader offers (StaleData) when it has nothing newer, and never over newer data', async () => {
    let mode: 'stale' | 'ok' = 'stale';
    const m = new Monitor(
      [
        {
          name: 'queue',
          intervalMs: 20,
          timeoutMs: 1000,
          load: async () => {
            if (mode === 'stale') throw new StaleData('Unable to contact slurm controller', ['cached-job'], 1_000);
            return ['live-job'];
          },
        },
      ],
      realClock,
    );
    m.start();
    await wait(30);
    let s = m.getSnapshot().sources['queue']!;
    expect(s).toMatchObject({ data: ['cached-job'], stale: true, updatedAt: 1_000, error: 'Unable to contact slurm controller' });
    mode = 'ok';
    await wait(60);
    s = m.getSnapshot().sources['queue']!;
    expect(s).toMatchObject({ data: ['live-job'], stale: false, error: null });
    // Failing again with an older copy: the newer live data stays, marked stale.
    mode = 'stale';
    await wait(60);
    m.stop();
    s = m.getSnapshot().sources['queue']!;
    expect(s.data).toEqual(['live-job']);
    expect(s.stale).toBe(true);
    expect(s.updatedAt).toBeGreaterThan(1_000);
  });

  it('keeps the last good data, marked stale with the error, when a load fails', async () => {
    let fail = false;
    const m = new Monitor(
      [
        {
          name: 'queue',
          intervalMs: 20,
          timeoutMs: 1000,
          load: async () => {
            if (fail) throw new Error('Unable to contact slurm controller');
            return ['job1'];
          },
        },
      ],
      realClock,
    );
    m.start();
    await wait(30);
    fail = true;
    await wait(60);
    m.stop();
    const s = m.getSnapshot().sources['queue']!;
    expect(s.data).toEqual(['job1']);
    expect(s.stale).toBe(true);
    expect(s.error).toBe('Unable to contact slurm controller');
    expect(s.failures).toBeGreaterThanOrEqual(1);
    expect(s.updatedAt).not.toBeNull();
  });

  it('times out a hung load and backs off', async () => {
    const m = new Monitor([{ name: 'hung', intervalMs: 10, timeoutMs: 30, load: () => new Promise(() => {}) }], realClock);
    m.start();
    await wait(120);
    m.stop();
    const s = m.getSnapshot().sources['hung']!;
    expect(s.error).toMatch(/no answer/);
    expect(s.stale).toBe(false); // never had data: shown as failed, not stale
    expect(s.data).toBeNull();
  });

  it('notifies only on visible change: identical reloads and bookkeeping are silent', async () => {
    let value = 'a';
    const m = new Monitor([{ name: 'q', intervalMs: 10, timeoutMs: 1000, load: async () => [{ job: value }] }], realClock);
    let notified = 0;
    m.subscribe(() => notified++);
    m.start();
    await wait(120); // ~10 identical reloads
    const loadsBefore = m.loadsOf('q');
    expect(loadsBefore).toBeGreaterThanOrEqual(5);
    expect(notified).toBe(1); // the first data only
    value = 'b';
    await wait(60);
    m.stop();
    expect(notified).toBe(2);
    expect(m.getSnapshot().sources['q']!.data).toEqual([{ job: 'b' }]);
  });

  it('compares rows one by one: reused rows are the same, one changed row or a new length is a change', async () => {
    const rows = [{ job: 1 }, { job: 2 }, { job: 3 }];
    let next: unknown[] = rows.slice();
    const m = new Monitor([{ name: 'q', intervalMs: 10, timeoutMs: 1000, load: async () => next }], realClock);
    let notified = 0;
    m.subscribe(() => notified++);
    m.start();
    await wait(60);
    expect(notified).toBe(1);
    const first = m.getSnapshot().sources['q']!.data;
    next = rows.slice(); // a new array of the same row objects
    await wait(40);
    expect(notified).toBe(1);
    expect(m.getSnapshot().sources['q']!.data).toBe(first); // the previous object is kept
    next = [rows[0], { job: 2 }, rows[2]]; // an equal copy of one row
    await wait(40);
    expect(notified).toBe(1);
    next = [rows[0], { job: 22 }, rows[2]];
    await wait(40);
    expect(notified).toBe(2);
    next = [rows[0], { job: 22 }];
    await wait(40);
    m.stop();
    expect(notified).toBe(3);
    expect(m.getSnapshot().sources['q']!.data).toEqual([{ job: 1 }, { job: 22 }]);
  });

  it('a source that follows another loads right after the leader brings new data, not on its own clock', async () => {
    let jobs: string[] = [];
    const seenByIssues: string[][] = [];
    const m = new Monitor(
      [
        {
          name: 'queue',
          intervalMs: 60_000,
          timeoutMs: 1000,
          load: async () => {
            await wait(40);
            jobs = ['2317'];
            return jobs;
          },
        },
        {
          name: 'issues',
          intervalMs: 60_000,
          timeoutMs: 1000,
          follows: 'queue',
          load: async () => {
            seenByIssues.push(jobs);
            return jobs.map((j) => `issue of ${j}`);
          },
        },
      ],
      realClock,
    );
    m.start();
    await wait(150);
    m.stop();
    // The first issues load saw no jobs yet; the second ran as soon as the queue answered.
    expect(seenByIssues).toEqual([[], ['2317']]);
    expect(m.getSnapshot().sources['issues']!.data).toEqual(['issue of 2317']);
  });

  it('with a followKey, the follower reloads only when the key changes (an elapsed-time tick is not news)', async () => {
    let poll = 0;
    let followerLoads = 0;
    let renders = 0;
    const seen: number[] = [];
    const m = new Monitor(
      [
        {
          name: 'queue',
          intervalMs: 20,
          timeoutMs: 1000,
          followKey: (rows: unknown) => (rows as { id: string; state: string }[]).map((r) => `${r.id} ${r.state}`).join(','),
          // Every poll the elapsed time moves; the state changes once, at poll 4.
          load: async () => [{ id: '1', state: ++poll >= 4 ? 'COMPLETING' : 'RUNNING', elapsed: poll }],
        },
        {
          name: 'issues',
          intervalMs: 60_000,
          timeoutMs: 1000,
          follows: 'queue',
          load: async () => {
            seen.push(poll);
            return ++followerLoads;
          },
        },
      ],
      realClock,
    );
    m.subscribe(() => renders++);
    m.start();
    while (poll < 7) await wait(10);
    m.stop();
    // Its own first load (and the queue's first answer), then the state change: not one per elapsed tick.
    expect(followerLoads).toBeLessThanOrEqual(3);
    expect(seen.at(-1)).toBeGreaterThanOrEqual(4);
    expect(renders).toBeGreaterThanOrEqual(poll - 1);
  });

  it('refresh resolves when the loads it started end', async () => {
    const m = new Monitor(
      [
        {
          name: 'q',
          intervalMs: 60_000,
          timeoutMs: 1000,
          load: async () => {
            await wait(30);
            return Date.now();
          },
        },
      ],
      realClock,
    );
    m.start();
    await wait(50);
    const loads = m.loadsOf('q');
    await m.refresh();
    expect(m.loadsOf('q')).toBe(loads + 1);
    expect(m.getSnapshot().sources['q']!.loading).toBe(false);
    m.stop();
  });

  it('backoff doubles per failure up to a cap', () => {
    expect(backoffDelay(1000, 0, 60_000)).toBe(1000);
    expect(backoffDelay(1000, 1, 60_000)).toBe(2000);
    expect(backoffDelay(1000, 3, 60_000)).toBe(8000);
    expect(backoffDelay(1000, 30, 60_000)).toBe(60_000);
  });
});
