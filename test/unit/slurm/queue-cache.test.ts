// The stale-queue cache: a good read stores squeue's stdout as printed (no JSON of the
// parsed queue on the poll path); a failed read serves it, parsed, marked stale with its
// age. Rows an older swarmctl wrote (parsed jobs as JSON in queue_cache) are still
// served when they are the newer, and a row printed with other -O fields is not parsed.
// A fake `squeue` first on PATH prints a fixture or fails like a dead controller.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readQueue } from '../../../src/slurm/queue.js';
import { realBackends } from '../../../src/console/backends.js';
import { StaleData } from '../../../src/console/monitor.js';
import { collectStatus, formatStatus } from '../../../src/cli/status.js';
import { SQUEUE_FORMAT } from '../../../src/slurm/squeue-format.js';
import { parseSqueue } from '../../../src/slurm/squeue-parse.js';
import { createSqueueParser } from '../../../src/slurm/squeue-reuse.js';
import { openStore, type Store } from '../../../src/store/db.js';
import { makeShare } from '../../support/recovery-fixtures.js';

const ALL = new TextDecoder().decode(readFileSync(new URL('../../../fixtures/squeue/slurm-22.05-all-states.txt', import.meta.url)));
const DOWN = 'squeue: error: slurm_load_jobs error: Unable to contact slurm controller (connect failure)';

let fakeBin: string;
const savedPath = process.env['PATH'];

/** The fake squeue's next answers: stdout, or a failure with the controller's message. */
function squeueAnswers(a: { stdout: string } | { fail: true }): void {
  writeFileSync(join(fakeBin, 'out'), 'stdout' in a ? a.stdout : '');
  writeFileSync(join(fakeBin, 'rc'), 'stdout' in a ? '0' : '1');
}

beforeAll(() => {
  fakeBin = mkdtempSync(join(tmpdir(), 'swarmctl-fake-squeue-'));
  writeFileSync(join(fakeBin, 'squeue'), `#!/bin/sh\ncat '${fakeBin}/out'\nrc=$(cat '${fakeBin}/rc')\n[ "$rc" = 0 ] || echo '${DOWN}' >&2\nexit "$rc"\n`);
  chmodSync(join(fakeBin, 'squeue'), 0o755);
  // readQueue spawns squeue through PATH; this worker process only.
  process.env['PATH'] = `${fakeBin}:${savedPath ?? ''}`;
});

afterAll(() => {
  process.env['PATH'] = savedPath;
});

// A share and its store per test.
let cfg: ReturnType<typeof makeShare>['cfg'];
let store: Store;
beforeEach(() => {
  const share = makeShare();
  cfg = share.cfg;
  store = openStore(join(share.root, 'db.sqlite'));
});
afterEach(() => store.close());

describe('stale-queue cache', () => {
  it('stores what squeue printed, and serves it parsed when squeue fails', async () => {
    squeueAnswers({ stdout: ALL });
    const good = await readQueue(cfg, store, { all: true, slurmOnly: true, now: 1_000 });
    expect(good.ok).toBe(true);
    expect(good.jobs).toHaveLength(28);
    expect(good.jobs.every((j) => j.via === 'slurm')).toBe(true);
    expect(store.db.prepare('SELECT taken_at, format, stdout FROM squeue_cache').all()).toEqual([{ taken_at: 1_000, format: SQUEUE_FORMAT, stdout: ALL }]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM queue_cache').get()).toEqual({ n: 0 });

    squeueAnswers({ fail: true });
    const bad = await readQueue(cfg, store, { all: true, slurmOnly: true, now: 61_000 });
    expect(bad.ok).toBe(false);
    expect(bad.error).toContain('Unable to contact slurm controller');
    expect(bad.stale).toEqual({ takenAt: 1_000, ageMs: 60_000 });
    expect(bad.jobs).toEqual(good.jobs);
  });

  it('with no cache at all, a failed read is UNKNOWN with no jobs and no stale mark', async () => {
    squeueAnswers({ fail: true });
    const bad = await readQueue(cfg, store, { all: true, slurmOnly: true });
    expect(bad).toMatchObject({ ok: false, jobs: [] });
    expect(bad.stale).toBeUndefined();
  });

  it('serves the JSON row an older version wrote when it is the newer, adding via', async () => {
    squeueAnswers({ stdout: ALL });
    await readQueue(cfg, store, { all: true, slurmOnly: true, now: 1_000 });
    // An older swarmctl polled later and wrote its own cache: parsed jobs, no via.
    const old = parseSqueue(ALL)
      .jobs.slice(0, 2)
      .map(({ via: _via, ...rest }) => rest);
    store.db.prepare('INSERT INTO queue_cache (source, taken_at, jobs_json) VALUES (?, ?, ?)').run('slurm', 5_000, JSON.stringify(old));
    squeueAnswers({ fail: true });
    const bad = await readQueue(cfg, store, { all: true, slurmOnly: true, now: 6_000 });
    expect(bad.stale).toEqual({ takenAt: 5_000, ageMs: 1_000 });
    expect(bad.jobs).toEqual(parseSqueue(ALL).jobs.slice(0, 2));

    // Once this version writes again, its own (newer) row wins.
    squeueAnswers({ stdout: ALL });
    await readQueue(cfg, store, { all: true, slurmOnly: true, now: 7_000 });
    squeueAnswers({ fail: true });
    const again = await readQueue(cfg, store, { all: true, slurmOnly: true, now: 8_000 });
    expect(again.stale).toEqual({ takenAt: 7_000, ageMs: 1_000 });
    expect(again.jobs).toHaveLength(28);
  });

  it('does not parse a cached output printed with other -O fields', async () => {
    store.db.prepare('INSERT INTO squeue_cache (source, taken_at, format, stdout) VALUES (?, ?, ?, ?)').run('slurm', 1_000, 'JobID:\x1f,Name:\x1f', ALL);
    squeueAnswers({ fail: true });
    const bad = await readQueue(cfg, store, { all: true, slurmOnly: true, now: 2_000 });
    expect(bad).toMatchObject({ ok: false, jobs: [] });
    expect(bad.stale).toBeUndefined();
    // An older JSON row is then the usable one, even though it is older.
    const old = parseSqueue(ALL)
      .jobs.slice(0, 1)
      .map(({ via: _via, ...rest }) => rest);
    store.db.prepare('INSERT INTO queue_cache (source, taken_at, jobs_json) VALUES (?, ?, ?)').run('slurm', 500, JSON.stringify(old));
    const legacy = await readQueue(cfg, store, { all: true, slurmOnly: true, now: 2_000 });
    expect(legacy.stale).toEqual({ takenAt: 500, ageMs: 1_500 });
    expect(legacy.jobs).toEqual(parseSqueue(ALL).jobs.slice(0, 1));
  });

  it('a read that started earlier but finished later does not replace the newer cache', async () => {
    squeueAnswers({ stdout: ALL });
    await readQueue(cfg, store, { all: true, slurmOnly: true, now: 2_000 });
    squeueAnswers({ stdout: '' });
    await readQueue(cfg, store, { all: true, slurmOnly: true, now: 1_000 });
    expect(store.db.prepare('SELECT taken_at, length(stdout) AS n FROM squeue_cache').get()).toEqual({ taken_at: 2_000, n: ALL.length });
    await readQueue(cfg, store, { all: true, slurmOnly: true, now: 3_000 });
    expect(store.db.prepare('SELECT taken_at, length(stdout) AS n FROM squeue_cache').get()).toEqual({ taken_at: 3_000, n: 0 });
  });

  it("a reusing parser hands back the previous read's job objects through readQueue", async () => {
    const parser = createSqueueParser();
    squeueAnswers({ stdout: ALL });
    await readQueue(cfg, store, { all: true, slurmOnly: true, parser });
    // From a job's second unchanged read on (see squeue-reuse.ts).
    const a = await readQueue(cfg, store, { all: true, slurmOnly: true, parser });
    const b = await readQueue(cfg, store, { all: true, slurmOnly: true, parser });
    expect(b.jobs).toHaveLength(a.jobs.length);
    b.jobs.forEach((j, i) => expect(j).toBe(a.jobs[i]));
    // Without it, every read builds new objects.
    const c = await readQueue(cfg, store, { all: true, slurmOnly: true });
    expect(c.jobs[0]).not.toBe(a.jobs[0]);
    expect(c.jobs).toEqual(a.jobs);
  });

  it("the console's queue source reuses rows of unchanged jobs between polls and builds rows for changed ones", async () => {
    const backends = realBackends(cfg, store);
    squeueAnswers({ stdout: ALL });
    await backends.queue(new AbortController().signal);
    const a = await backends.queue(new AbortController().signal);
    expect(a.length).toBeGreaterThan(2);
    // Job 25 ran one more second.
    const ran = ALL.split('\n')
      .map((l) => (l.startsWith('25\x1f') ? l.replace('\x1f0:03\x1f', '\x1f0:04\x1f') : l))
      .join('\n');
    expect(ran).not.toBe(ALL);
    squeueAnswers({ stdout: ran });
    const b = await backends.queue(new AbortController().signal);
    expect(b.map((r) => r.jobId)).toEqual(a.map((r) => r.jobId));
    b.forEach((row, i) => (row.jobId === '25' ? expect(row).not.toBe(a[i]) : expect(row).toBe(a[i])));
    expect(b.find((r) => r.jobId === '25')!.elapsed).toBe('0:04');
  });

  it("the console's queue source, started during an outage, offers the last known jobs as StaleData", async () => {
    squeueAnswers({ stdout: ALL });
    const good = await readQueue(cfg, store, { now: 1_000 }); // an earlier swarmctl run
    squeueAnswers({ fail: true });
    const err = await realBackends(cfg, store)
      .queue(new AbortController().signal)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(StaleData);
    const stale = err as StaleData;
    expect(stale.message).toContain('Unable to contact slurm controller');
    expect(stale.takenAt).toBe(1_000);
    expect((stale.data as { jobId: string }[]).map((r) => r.jobId)).toEqual(good.jobs.map((j) => j.jobId));
    expect(good.jobs.length).toBeGreaterThan(0);
  });

  it("with no copy in SQLite, the console's queue source fails plainly", async () => {
    squeueAnswers({ fail: true });
    const err = await realBackends(cfg, store)
      .queue(new AbortController().signal)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(StaleData);
  });

  it('`swarmctl status` during an outage lists the last known jobs with their age', async () => {
    squeueAnswers({ stdout: ALL });
    const good = await readQueue(cfg, store, { now: Date.now() - 120_000 });
    squeueAnswers({ fail: true });
    const st = await collectStatus(cfg, store);
    expect(st.queue.ok).toBe(false);
    expect(st.queue.error).toContain('Unable to contact slurm controller');
    expect(st.queue.jobs.map((j) => j.jobId)).toEqual(good.jobs.map((j) => j.jobId));
    expect(st.queue.stale!.ageMs).toBeGreaterThanOrEqual(120_000);
    expect(st.exit_code).toBe(2);
    const text = formatStatus(st);
    expect(text).toMatch(/queue: UNKNOWN \(.*Unable to contact slurm controller.*\)\n {2}last known jobs, from 2m\d*s? ago \(STALE\):/);
    expect(text).toContain(good.jobs[0]!.jobId);
  }, 60_000);
});
