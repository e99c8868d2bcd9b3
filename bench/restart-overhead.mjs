// The restart run's own overhead beyond the services' start times, for a 20-service
// graph of real test servers (each `start` launches dist/testserver/main.js, loading
// for LOADING_MS, then healthy), as a ratio against the sum of the steps' verify waits.
//   overhead = wall time of `swarmctl restart --yes --json`
//              - Σ action durations (the start commands themselves)
//              - Σ verify waits (first verify probe to the healthy one, backoff included)
// Usage: node bench/restart-overhead.mjs [services=20] [loading_ms=400] [runs=3]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [N = 20, LOADING = 400, RUNS = 3] = process.argv.slice(2).map(Number);
const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (let run = 0; run < RUNS; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'swarmctl-restart-bench-'));
  mkdirSync(join(dir, 'ai', 'logs'), { recursive: true });
  const services = {};
  for (let i = 0; i < N; i++) {
    const port = await freePort();
    // a graph, not a chain: each service after the one or two before it
    const deps = i === 0 ? [] : i % 3 === 0 ? [`s${i - 1}`, `s${i - 2}`] : [`s${i - 1}`];
    services[`s${i}`] = {
      kind: 'llama-server',
      url: `http://127.0.0.1:${port}`,
      depends_on: deps,
      start: [process.execPath, join(root, 'dist/testserver/main.js'), '--port', String(port), '--mode', 'loading', '--loading-ms', String(LOADING)],
    };
  }
  const cfg = join(dir, 'swarmctl.yaml');
  writeFileSync(cfg, JSON.stringify({ version: 1, services, paths: { shared_root: dir }, thresholds: { probe_timeout_s: 2 } }));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/swarmctl'), '--config', cfg, '--db', join(dir, 's.db'), 'restart', '--yes', '--json', '--skip', 'swarm-jobs'], { encoding: 'utf8' });
  const wall = performance.now() - t0;
  const ev = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const act = ev.filter((e) => e.event === 'action').reduce((s, e) => s + e.duration_ms, 0);
  let verify = 0;
  for (let i = 0; i < N; i++) {
    const v = ev.filter((e) => e.event === 'verify' && e.step === `s${i}`);
    if (v.length) verify += v.at(-1).elapsed_ms;
  }
  const done = ev.filter((e) => e.event === 'step_done').length;
  // stop the servers (their pid is on the first line of each log)
  for (let i = 0; i < N; i++) {
    try {
      const m = /"pid":(\d+)/.exec(readFileSync(join(dir, 'ai', 'logs', `restart-s${i}.log`), 'utf8'));
      if (m) process.kill(Number(m[1]));
    } catch {}
  }
  const overhead = wall - act - verify;
  rows.push({ wall, act, verify, overhead, ratio: overhead / verify, done, code: r.status });
  console.log(
    `run ${run + 1}: exit ${r.status}, ${done}/${N} done; wall ${wall.toFixed(0)} ms = start commands ${act.toFixed(0)} + verify waits ${verify.toFixed(0)} + overhead ${overhead.toFixed(0)} ms (ratio ${(overhead / verify).toFixed(3)})`,
  );
}
console.log(
  `median over ${RUNS}: overhead ${median(rows.map((r) => r.overhead)).toFixed(0)} ms, verify waits ${median(rows.map((r) => r.verify)).toFixed(0)} ms, ratio ${median(rows.map((r) => r.ratio)).toFixed(3)}`,
);
