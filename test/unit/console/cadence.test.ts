// The console's idle cadence on a fake clock: a source whose loads bring nothing
// new stretches its wait up to maxIdleMs (sinfo), new data or a failure resets it;
// the restart source reads the run and the lock every tick only while a run is
// going or the lock is held, else when the store or the lock file changed, or
// once per idle interval (on a real SQLite store and a real lock file).
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Monitor, nextDelay, type Clock, type SourceSpec } from '../../../src/console/monitor.js';
import { restartReadDue, RESTART_IDLE_READ_MS } from '../../../src/console/restart-cadence.js';
import { realBackends } from '../../../src/console/backends.js';
import { loadConfigFile } from '../../../src/config/load.js';
import { openStore } from '../../../src/store/db.js';
import { createRun, finishRun } from '../../../src/store/restart-runs.js';
import { acquireLock } from '../../../src/lock/operator-lock.js';
import { writeFileSync } from 'node:fs';

/** Timers that fire only when the test moves time on. */
function fakeClock() {
  let t = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let ids = 0;
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      timers.push({ at: t + ms, fn, id: ++ids });
      return ids;
    },
    clearTimeout: (h) => {
      timers = timers.filter((x) => x.id !== h);
    },
  };
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    clock,
    now: () => t,
    /** Moves time to the next due timer and runs it (and the loads it starts). */
    async next(): Promise<number> {
      timers.sort((a, b) => a.at - b.at);
      const due = timers.shift()!;
      t = due.at;
      due.fn();
      await settle();
      return t;
    },
    settle,
  };
}

describe('nextDelay', () => {
  const spec = { intervalMs: 15_000, maxIdleMs: 60_000 };
  it('doubles while nothing changes, up to maxIdleMs; failures back off as before', () => {
    expect([0, 1, 2, 3, 9].map((n) => nextDelay(spec, 0, n, 120_000))).toEqual([15_000, 30_000, 60_000, 60_000, 60_000]);
    expect(nextDelay(spec, 2, 5, 120_000)).toBe(60_000); // 15 s * 2^2, the failures' backoff
    expect(nextDelay({ intervalMs: 5_000 }, 0, 7, 60_000)).toBe(5_000); // no maxIdleMs: never stretched
  });
});

describe('Monitor with maxIdleMs (fake clock)', () => {
  it('polls at 15, 30, 60, 60 s while the data stays the same, and at 15 s again after a change', async () => {
    const fc = fakeClock();
    let value = 'idle';
    let fail = false;
    const spec: SourceSpec<string> = {
      name: 'nodes',
      intervalMs: 15_000,
      maxIdleMs: 60_000,
      timeoutMs: 10_000,
      load: async () => {
        if (fail) throw new Error('sinfo failed');
        return value;
      },
    };
    const m = new Monitor([spec as SourceSpec<unknown>], fc.clock);
    m.start();
    await fc.settle();
    const at: number[] = [];
    // Each poll arms a timeout timer (cleared when it loads) and the next poll's timer: follow the polls.
    const poll = async () => {
      const before = m.loadsOf('nodes');
      while (m.loadsOf('nodes') === before) await fc.next();
      at.push(fc.now());
    };
    for (let i = 0; i < 4; i++) await poll();
    expect(at).toEqual([15_000, 45_000, 105_000, 165_000]);
    value = 'drained'; // the next poll brings news: back to 15 s
    await poll();
    await poll();
    expect(at.slice(4)).toEqual([225_000, 240_000]);
    fail = true; // a failure resets the stretch too (then the failure backoff rules)
    await poll();
    fail = false;
    await poll();
    await poll();
    expect(at.slice(7).map((t, i, a) => t - (i ? a[i - 1]! : at[6]!))).toEqual([30_000, 15_000]);
    m.stop();
  });
});

describe('restartReadDue', () => {
  const last = { key: 'v1|none', at: 1_000, active: false };
  it('reads on the first tick, every tick while active, on a new key, and once per idle interval', () => {
    expect(restartReadDue(null, 'v1|none', 1_000)).toBe(true);
    expect(restartReadDue(last, 'v1|none', 3_000)).toBe(false);
    expect(restartReadDue(last, 'v1|none', 1_000 + RESTART_IDLE_READ_MS - 1)).toBe(false);
    expect(restartReadDue(last, 'v1|none', 1_000 + RESTART_IDLE_READ_MS)).toBe(true);
    expect(restartReadDue(last, 'v2|none', 3_000)).toBe(true); // another process committed
    expect(restartReadDue(last, 'v1|5|120|99', 3_000)).toBe(true); // the lock file appeared
    expect(restartReadDue({ ...last, active: true }, 'v1|none', 3_000)).toBe(true);
  });
});

describe('the restart source on a real store and lock file', () => {
  it('skips the read while nothing changed; a run started by another connection or a lock shows on the next tick', async () => {
    const root = mkdtempSync(join(tmpdir(), 'swarmctl-restart-cadence-'));
    const cfgPath = join(root, 'swarmctl.yaml');
    writeFileSync(cfgPath, `version: 1\npaths:\n  shared_root: ${root}\n`);
    const parsed = loadConfigFile(cfgPath);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const dbPath = join(root, 'db.sqlite');
    const store = openStore(dbPath);
    let t = 1_000_000;
    const b = realBackends(parsed.config, store, () => t);
    const signal = new AbortController().signal;
    const first = await b.restart!(signal);
    expect(first).toEqual({ lock: null, run: null });
    t += 2_000;
    expect(await b.restart!(signal)).toBe(first); // nothing new: the same view, nothing read
    // A CLI run (another connection) creates a run: the next tick reads it.
    const cli = openStore(dbPath);
    const run = createRun(cli, { actor: 'ops', options: {}, plan: [], steps: [{ service: 'nfs' }] });
    t += 2_000;
    const going = await b.restart!(signal);
    expect(going.run?.id).toBe(run);
    expect(going.run?.status).toBe('running');
    t += 2_000;
    const ticking = await b.restart!(signal); // a going run is read every tick (its elapsed times tick)
    expect(ticking).not.toBe(going);
    expect(ticking.polledAt).toBe(t);
    finishRun(cli, run, 'done');
    t += 2_000;
    const done = await b.restart!(signal);
    expect(done.run?.status).toBe('done');
    t += 2_000;
    expect(await b.restart!(signal)).toBe(done); // idle again
    // The lock taken (a file on the share, no store write): the next tick shows it.
    const lock = acquireLock(root, 'swarmctl restart');
    t += 2_000;
    const locked = await b.restart!(signal);
    expect(locked.lock?.command).toBe('swarmctl restart');
    lock.release();
    t += 2_000;
    expect((await b.restart!(signal)).lock).toBeNull(); // read every tick while it was held
    const idle = await b.restart!(signal);
    t += RESTART_IDLE_READ_MS;
    expect(await b.restart!(signal)).not.toBe(idle); // once per idle interval all the same
    cli.close();
    store.close();
  });
});
