// What one console queue poll costs past squeue itself: squeue's text to the console's
// rows (parseSqueue, then jobRow per job), and the monitor's "did anything change" check
// (sameData against the previous poll's rows), at 100, 2,000 and 10,000 jobs.
// The queue moves as a real one does: each poll the RUNNING jobs (a fifth) have run 5 s
// more. Baseline, in the same process and the same polls: a split that checks nothing
// (text.split('\n'), then each line on the delimiter). Polls 100 ms apart, no forced GC,
// each poll's rows kept until the next replaces them (what the monitor does); medians of
// 20 polls after 4 warm-up polls.
//   npm run build && node bench/queue-poll-path.mjs [jobs ...] [--dist DIR]
// Targets (issue 14): squeue text to rows ≤ 20 ms at 2,000 jobs, ≤ 100 ms at 10,000.
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeQueue } from './squeue-queue.mjs';

const args = process.argv.slice(2);
const di = args.indexOf('--dist');
const dist = resolve(di >= 0 ? args[di + 1] : new URL('../dist', import.meta.url).pathname);
const sizes = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--dist').map(Number);
const SIZES = sizes.length ? sizes : [100, 2_000, 10_000];
const mod = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { parseSqueue } = await mod('batch/squeue-parse.js');
const { jobRow } = await mod('monitor/backends.js');
const { sameData } = await mod('monitor/monitor.js');

const WARMUP = 4;
const POLLS = 20;
const TEMPLATE = 'swarm-{issue}';
const US = '\x1f';
const pause = () => new Promise((res) => setTimeout(res, 100));
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(`queue poll path (${dist}), medians of ${POLLS} polls 100 ms apart; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
// cpu: the process's CPU time over parse + rows (all threads): on a loaded machine the wall
// time includes waiting for a core, the CPU time does not.
console.log('  jobs    split (baseline)   parse     rows   change   text→rows   total   text→rows/split   text→rows cpu');
for (const n of SIZES) {
  const texts = Array.from({ length: WARMUP + POLLS }, (_, i) => makeQueue(n, 5 * i));
  const t = { split: [], parse: [], rows: [], change: [], cpu: [] };
  let kept = null;
  let lastRows = [];
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    const s0 = performance.now();
    kept = text.split('\n').map((l) => l.split(US));
    const s1 = performance.now();
    await pause();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { jobs, skipped } = parseSqueue(text);
    const t1 = performance.now();
    const rows = jobs.map((j) => jobRow(j, TEMPLATE));
    const t2 = performance.now();
    const c = process.cpuUsage(c0);
    const same = sameData(lastRows, rows);
    lastRows = rows;
    const t3 = performance.now();
    if (jobs.length !== n || skipped.length !== 0) throw new Error(`parsed ${jobs.length} of ${n} jobs`);
    if (same) throw new Error('a moving queue must change');
    if (i >= WARMUP) {
      t.split.push(s1 - s0), t.parse.push(t1 - t0), t.rows.push(t2 - t1), t.change.push(t3 - t2), t.cpu.push((c.user + c.system) / 1000);
    }
    await pause();
  }
  if (kept.length < n) throw new Error('split lost lines');
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, med(v)]));
  const toRows = med(t.parse.map((p, i) => p + t.rows[i]));
  const total = med(t.parse.map((p, i) => p + t.rows[i] + t.change[i]));
  const f = (x) => `${x.toFixed(1).padStart(6)} ms`;
  console.log(`  ${String(n).padStart(6)} ${f(m.split).padStart(14)}   ${f(m.parse)} ${f(m.rows)} ${f(m.change)} ${f(toRows).padStart(11)} ${f(total)} ${(toRows / m.split).toFixed(1).padStart(10)}x ${f(m.cpu).padStart(15)}`);
}
