// Startup cost of the non-interactive CLI, as a ratio against the baseline
// `node -e 0` (the floor any Node CLI pays). Runs each command N times,
// interleaved so machine noise hits all of them alike, and reports medians.
// Usage: npm run build && node bench/startup.mjs [rounds]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 30);
const bin = fileURLToPath(new URL('../bin/swarmctl', import.meta.url));
const cases = {
  'node -e 0 (baseline)': [process.execPath, '-e', '0'],
  'swarmctl --version': [process.execPath, bin, '--version'],
  'swarmctl doctor --help': [process.execPath, bin, 'doctor', '--help'],
  'swarmctl --help': [process.execPath, bin, '--help'],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < rounds + 3; i++) {
  for (const [name, [cmd, ...args]] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    if (i >= 3) times[name].push(ms); // first rounds warm the page cache
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(times['node -e 0 (baseline)']);
console.log(`rounds=${rounds}  node ${process.version}`);
for (const [name, t] of Object.entries(times)) {
  const m = median(t);
  console.log(`${name.padEnd(26)} median ${m.toFixed(1).padStart(6)} ms   ratio ${(m / base).toFixed(2)}x`);
}
