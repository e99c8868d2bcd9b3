// What one console queue poll costs past squeue itself: squeue's text to the console's
// rows, at 100, 2,000 and 10,000 jobs, two ways on the same texts, alternating poll by
// poll: plain (parseSqueue, then jobRow per job) and the console's (its reusing parser,
// createSqueueParser, and a row kept per reused job, as console/backends.ts does); then
// the monitor's "did anything change" check (sameData against the previous rows).
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
const { parseSqueue } = await mod('src/slurm/squeue-parse.js');
const { createSqueueParser } = await mod('src/slurm/squeue-reuse.js');
const { jobRow } = await mod('src/console/backends.js');
const { sameData } = await mod('src/console/monitor.js');

const WARMUP = 4;
const POLLS = 20;
const TEMPLATE = 'swarm-{issue}';
const US = '\x1f';
const pause = () => new Promise((res) => setTimeout(res, 100));
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(
  `queue poll path (${dist}), medians of ${POLLS} polls 100 ms apart; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
// cpu: the process's CPU time over parse + rows (all threads): on a loaded machine the wall
// time includes waiting for a core, the CPU time does not.
console.log('  jobs    split (baseline)   plain: parse     rows  text→rows    cpu   console: text→rows    cpu   change   console/split');
for (const n of SIZES) {
  const texts = Array.from({ length: WARMUP + POLLS }, (_, i) => makeQueue(n, 5 * i));
  const t = { split: [], parse: [], rows: [], cpu: [], con: [], conCpu: [], change: [] };
  const held = createSqueueParser();
  const rowOf = new WeakMap();
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
    if (jobs.length !== n || skipped.length !== 0 || rows.length !== n) throw new Error(`parsed ${jobs.length} of ${n} jobs`);
    await pause();
    const d0 = process.cpuUsage();
    const u0 = performance.now();
    const conRows = held(text).jobs.map((j) => {
      let row = rowOf.get(j);
      if (row === undefined) rowOf.set(j, (row = jobRow(j, TEMPLATE)));
      return row;
    });
    const u1 = performance.now();
    const d = process.cpuUsage(d0);
    const same = sameData(lastRows, conRows);
    lastRows = conRows;
    const u2 = performance.now();
    if (same) throw new Error('a moving queue must change');
    if (i >= WARMUP) {
      (t.split.push(s1 - s0), t.parse.push(t1 - t0), t.rows.push(t2 - t1), t.cpu.push((c.user + c.system) / 1000));
      (t.con.push(u1 - u0), t.conCpu.push((d.user + d.system) / 1000), t.change.push(u2 - u1));
    }
    await pause();
  }
  if (kept.length < n) throw new Error('split lost lines');
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, med(v)]));
  const toRows = med(t.parse.map((p, i) => p + t.rows[i]));
  const f = (x) => `${x.toFixed(1).padStart(6)} ms`;
  console.log(
    `  ${String(n).padStart(6)} ${f(m.split).padStart(14)}   ${f(m.parse).padStart(15)} ${f(m.rows)} ${f(toRows)} ${f(m.cpu)} ${f(m.con).padStart(19)} ${f(m.conCpu)} ${f(m.change)} ${(m.con / m.split).toFixed(2).padStart(12)}x`,
  );
}
