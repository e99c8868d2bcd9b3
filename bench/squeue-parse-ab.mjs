// A/B of parseSqueue between builds, in ONE process: interleaved rounds with a full GC
// between them (not timed), medians. Each argument is a build's dist/ folder, e.g. the
// current one and an older commit's:
//   git worktree add /tmp/old <commit> && (cd /tmp/old && npm ci && npm run build)
//   npm run build && node --expose-gc bench/squeue-parse-ab.mjs /tmp/old/dist dist
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeQueue } from './squeue-queue.mjs';

const LINES = 10_000;
const ROUNDS = 40;
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const dirs = process.argv.slice(2);
if (dirs.length < 2) throw new Error('usage: node --expose-gc bench/squeue-parse-ab.mjs DIST_A DIST_B [...]');
const mods = await Promise.all(dirs.map((d) => import(pathToFileURL(resolve(d, 'src/slurm/squeue-parse.js')).href)));
const text = makeQueue(LINES);
for (const [i, m] of mods.entries()) if (m.parseSqueue(text).jobs.length !== LINES) throw new Error(`${dirs[i]}: did not parse the queue cleanly`);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const times = dirs.map(() => []);
for (let w = 0; w < 5; w++) for (const m of mods) m.parseSqueue(text);
for (let r = 0; r < ROUNDS; r++) {
  mods.forEach((m, i) => {
    globalThis.gc();
    const t0 = performance.now();
    m.parseSqueue(text);
    times[i].push(performance.now() - t0);
  });
}
const base = median(times[0]);
dirs.forEach((d, i) => console.log(`${d.padEnd(24)} median ${median(times[i]).toFixed(2)} ms, min ${Math.min(...times[i]).toFixed(2)} ms, ${(median(times[i]) / base).toFixed(2)}x the first`));
