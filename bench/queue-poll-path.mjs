// What one queue poll costs past squeue itself, for a 10,000-job queue, split into the
// three steps readQueue() takes: parseSqueue, the copy that adds `via` to every job, and
// writeQueueCache (the whole queue as JSON into SQLite, kept for when the controller is
// down). Polls 100 ms apart, no forced GC; medians of 10 after 2 warm-up polls.
// Baseline: the parse (the step the batch issue sets a target for).
//   npm run build && node bench/queue-poll-path.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSqueue } from '../dist/batch/squeue-parse.js';
import { writeQueueCache } from '../dist/batch/jobs-store.js';
import { openStore } from '../dist/store/db.js';
import { makeQueue } from './squeue-queue.mjs';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-poll-path-'));
const store = openStore(join(dir, 'state.db'));
const text = makeQueue(10_000);
const t = { parse: [], copy: [], cache: [] };
let keep = null;
for (let i = 0; i < 12; i++) {
  const t0 = performance.now();
  const r = parseSqueue(text);
  const t1 = performance.now();
  keep = r.jobs.map((j) => ({ ...j, via: 'slurm' }));
  const t2 = performance.now();
  writeQueueCache(store, 'slurm', r.jobs, Date.now());
  const t3 = performance.now();
  if (i >= 2) {
    t.parse.push(t1 - t0);
    t.copy.push(t2 - t1);
    t.cache.push(t3 - t2);
  }
  await new Promise((res) => setTimeout(res, 100));
}
store.close();
rmSync(dir, { recursive: true, force: true });
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p = med(t.parse);
console.log(`queue poll path, ${keep.length} jobs, medians of ${t.parse.length} polls 100 ms apart:`);
for (const [k, v] of Object.entries(t)) console.log(`  ${k.padEnd(6)} ${med(v).toFixed(1).padStart(6)} ms  ${(med(v) / p).toFixed(2)}x the parse`);
