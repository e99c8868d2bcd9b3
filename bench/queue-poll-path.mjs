// What one queue poll costs past squeue itself, for a 10,000-job queue that moves as a
// real one does (each poll the 2,000 RUNNING jobs have run 5 s more), step by step.
//   before (the session-4 path, the baseline): parseSqueue, a copy of every job to add
//     `via`, and the whole parsed queue as JSON into SQLite (queue_cache) for when the
//     controller is down;
//   now: the console's monitor-held parser (createSqueueParser: an unchanged line gives
//     back the previous poll's job), `via` set by the parser (no copy), and squeue's
//     stdout stored as printed (squeue_cache), parsed only if it is ever served.
// Then the console's own steps: the rows (jobRow; now cached per job object) and the
// monitor's "did anything change" check (before: JSON of all rows compared with the
// last; now: sameData, row by row, identical rows free).
// Polls 100 ms apart, no forced GC, the two paths alternating poll by poll on the same
// texts, each with its own database file; medians of 20 after 4 warm-up polls.
//   npm run build && node bench/queue-poll-path.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSqueue } from '../dist/batch/squeue-parse.js';
import { createSqueueParser } from '../dist/batch/squeue-reuse.js';
import { writeSqueueCache } from '../dist/batch/jobs-store.js';
import { SQUEUE_FORMAT } from '../dist/batch/squeue-format.js';
import { openStore } from '../dist/store/db.js';
import { jobRow } from '../dist/monitor/backends.js';
import { sameData } from '../dist/monitor/monitor.js';
import { makeQueue } from './squeue-queue.mjs';

const WARMUP = 4;
const POLLS = 20;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-poll-path-'));
// One database per path: a write's WAL checkpoint must not land on the other path's poll.
const storeBefore = openStore(join(dir, 'before.db'));
const store = openStore(join(dir, 'now.db'));
const texts = Array.from({ length: WARMUP + POLLS }, (_, i) => makeQueue(10_000, 5 * i));
const held = createSqueueParser();

// The session-4 cache write, as jobs-store.ts did it then.
const writeJsonCache = (jobs, now) =>
  storeBefore.write((db) =>
    db
      .prepare('INSERT INTO queue_cache (source, taken_at, jobs_json) VALUES (?, ?, ?) ON CONFLICT (source) DO UPDATE SET taken_at = excluded.taken_at, jobs_json = excluded.jobs_json')
      .run('slurm', now, JSON.stringify(jobs)),
  );

const t = { before: { parse: [], copy: [], cache: [], rows: [], change: [], total: [] }, now: { parse: [], copy: [], cache: [], rows: [], change: [], total: [] } };
let keepBefore = null;
let keepNow = null;
const TEMPLATE = 'swarm-{issue}';
let lastText = '';
let lastRows = [];
const rowCache = new WeakMap();
const pause = () => new Promise((res) => setTimeout(res, 100));
for (let i = 0; i < WARMUP + POLLS; i++) {
  const text = texts[i];
  {
    const t0 = performance.now();
    const r = parseSqueue(text);
    const t1 = performance.now();
    keepBefore = r.jobs.map((j) => ({ ...j, via: 'slurm' }));
    const t2 = performance.now();
    writeJsonCache(r.jobs, Date.now());
    const t3 = performance.now();
    const rows = keepBefore.map((j) => jobRow(j, TEMPLATE));
    const t4 = performance.now();
    const json = JSON.stringify(rows);
    const changed = json !== lastText;
    lastText = json;
    const t5 = performance.now();
    if (!changed) throw new Error('a moving queue must change');
    if (i >= WARMUP) {
      t.before.parse.push(t1 - t0), t.before.copy.push(t2 - t1), t.before.cache.push(t3 - t2);
      t.before.rows.push(t4 - t3), t.before.change.push(t5 - t4), t.before.total.push(t5 - t0);
    }
  }
  await pause();
  {
    const t0 = performance.now();
    const r = held(text);
    const t1 = performance.now();
    keepNow = r.jobs;
    const t2 = performance.now();
    writeSqueueCache(store, 'slurm', SQUEUE_FORMAT, text, Date.now());
    const t3 = performance.now();
    const rows = keepNow.map((j) => {
      let row = rowCache.get(j);
      if (row === undefined) rowCache.set(j, (row = jobRow(j, TEMPLATE)));
      return row;
    });
    const t4 = performance.now();
    const same = sameData(lastRows, rows);
    lastRows = rows;
    const t5 = performance.now();
    if (same) throw new Error('a moving queue must change');
    if (i >= WARMUP) {
      t.now.parse.push(t1 - t0), t.now.copy.push(t2 - t1), t.now.cache.push(t3 - t2);
      t.now.rows.push(t4 - t3), t.now.change.push(t5 - t4), t.now.total.push(t5 - t0);
    }
  }
  await pause();
}
store.close();
storeBefore.close();
rmSync(dir, { recursive: true, force: true });
if (keepBefore.length !== keepNow.length) throw new Error('the two paths disagree on the queue');
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`queue poll path, ${keepNow.length} jobs (2,000 changed per poll), medians of ${POLLS} polls, 100 ms apart, paths alternating:`);
console.log('  step    before (baseline)   now       now/before');
for (const k of ['parse', 'copy', 'cache', 'rows', 'change', 'total']) {
  const b = med(t.before[k]);
  const n = med(t.now[k]);
  console.log(`  ${k.padEnd(6)} ${b.toFixed(1).padStart(8)} ms ${n.toFixed(1).padStart(11)} ms ${(n / b).toFixed(2).padStart(9)}x`);
}
