// Benchmark: parse 10,000 squeue lines (one poll of a very large queue) with parseSqueue,
// against a named baseline that only splits (no validation, no value parsing).
// Target (issue 14): the whole console poll at 10,000 jobs ≤ 100 ms (bench/queue-poll-path.mjs).
//
// Pure CPU work on generated text; no SLURM needed. Runs on the compiled output:
//   npm run build && node --expose-gc bench/squeue-parse.mjs
// Back to back, each round also pays for collecting the rounds before it (10,000
// job objects per round survive into the old generation). A real poll runs every
// few seconds and V8 collects that garbage while the process idles, so with
// --expose-gc the bench also reports rounds with a full GC between them (not
// timed): the parse alone. Both figures are printed, and a third: polls 100 ms apart
// with no forced GC, each result kept until the next one replaces it (what the monitor
// does). bench/queue-poll-path.mjs times the console's whole poll on a moving queue.
import { loadavg } from 'node:os';
import { parseSqueue } from '../dist/slurm/squeue-parse.js';
import { makeQueue } from './squeue-queue.mjs';

const US = '\x1f';

const LINES = 10_000;
const ROUNDS = 30;
const WARMUP = 5;

// Baseline: what a parser without any checks would cost.
function naiveSplit(text) {
  return text.split('\n').map((l) => l.split(US));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Wall time per round, and the process's CPU time per round (user + system, all threads,
// so GC helper threads count). On a shared machine wall time includes waiting for a core;
// CPU time does not, which makes it the steadier number to compare.
function time(fn, text, gcBetween = false) {
  for (let i = 0; i < WARMUP; i++) fn(text);
  const wall = [];
  const cpu = [];
  let sink = 0;
  for (let i = 0; i < ROUNDS; i++) {
    if (gcBetween) globalThis.gc();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = fn(text);
    const t1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    sink += Array.isArray(r) ? r.length : r.jobs.length;
    wall.push(Number(t1 - t0) / 1e6);
    cpu.push((c1.user + c1.system) / 1e3);
  }
  return { median: median(wall), min: Math.min(...wall), max: Math.max(...wall), cpu: median(cpu), sink };
}

const text = makeQueue(LINES);
const check = parseSqueue(text);
if (check.jobs.length !== LINES || check.skipped.length !== 0) {
  throw new Error(`generated queue did not parse cleanly: ${check.jobs.length} jobs, ${check.skipped.length} skipped`);
}

const parse = time(parseSqueue, text);
const naive = time(naiveSplit, text);
const fmt = (x) => x.toFixed(2);

console.log(`squeue-parse: ${LINES} lines (${(text.length / 1024).toFixed(0)} KiB), ${ROUNDS} rounds after ${WARMUP} warm-up, ` + `node ${process.version}, load average ${loadavg()[0].toFixed(2)}`);
console.log(`  parseSqueue                      wall median ${fmt(parse.median)} ms (min ${fmt(parse.min)}, max ${fmt(parse.max)}), CPU median ${fmt(parse.cpu)} ms`);
console.log(`  baseline naive split (no checks) wall median ${fmt(naive.median)} ms (min ${fmt(naive.min)}, max ${fmt(naive.max)}), CPU median ${fmt(naive.cpu)} ms`);
console.log(`  ratio parseSqueue / baseline     wall ${(parse.median / naive.median).toFixed(2)}x, CPU ${(parse.cpu / naive.cpu).toFixed(2)}x`);
if (typeof globalThis.gc === 'function') {
  const pg = time(parseSqueue, text, true);
  const ng = time(naiveSplit, text, true);
  console.log(`  with a full GC between polls (not timed):`);
  console.log(`  parseSqueue                      wall median ${fmt(pg.median)} ms (min ${fmt(pg.min)}, max ${fmt(pg.max)}), CPU median ${fmt(pg.cpu)} ms`);
  console.log(`  baseline naive split (no checks) wall median ${fmt(ng.median)} ms (min ${fmt(ng.min)}, max ${fmt(ng.max)}), CPU median ${fmt(ng.cpu)} ms`);
  console.log(`  ratio parseSqueue / baseline     wall ${(pg.median / ng.median).toFixed(2)}x`);
} else console.log('  (run with node --expose-gc for the figures with GC between polls)');

// At a poll cadence: no forced GC; each result is kept until the next replaces it.
async function cadence(fn, texts = null) {
  const wall = [];
  let keep = null;
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    keep = fn(texts ? texts[i] : text);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= WARMUP) wall.push(ms);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { median: median(wall), min: Math.min(...wall), max: Math.max(...wall), n: Array.isArray(keep) ? keep.length : keep.jobs.length };
}
const pc = await cadence(parseSqueue);
const nc = await cadence(naiveSplit);
console.log(`  polls 100 ms apart, no forced GC (previous result dropped when the next arrives):`);
console.log(`  parseSqueue                      wall median ${fmt(pc.median)} ms (min ${fmt(pc.min)}, max ${fmt(pc.max)})`);
console.log(`  baseline naive split (no checks) wall median ${fmt(nc.median)} ms (min ${fmt(nc.min)}, max ${fmt(nc.max)})`);
console.log(`  ratio parseSqueue / baseline     wall ${(pc.median / nc.median).toFixed(2)}x`);
