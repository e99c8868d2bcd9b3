// Probe sweep with dead services mixed in (issue 13 point 15): 200 services (20
// hang past the timeout, 20 refuse, 10 loading, 150 up) in a shuffled config
// order, a FRESH database per run (no history to start the slow ones first), the
// default probe_concurrency. Reports, from one run, `node -e 0`, the sweep wall,
// and (sweep - node -e 0) / timeout: about 1.0 when a sweep costs one timeout.
// Usage: npm run build && node bench/probe-sweep-mixed.mjs [--timeout 2] [--runs 5] [--bin other/bin/swarmctl]
// (--bin: another build, e.g. an older commit's, measured in the same run for comparison)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numArg, probeServices, timed as timedChild } from './lib/probe-services.mjs';

const T = numArg('timeout', 2);
const RUNS = numArg('runs', 5);
const binIdx = process.argv.indexOf('--bin');
const bins = [fileURLToPath(new URL('../bin/swarmctl', import.meta.url)), ...(binIdx > 0 ? [process.argv[binIdx + 1]] : [])];
const { services, close } = await probeServices();

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-bench-mixed-'));
function writeConfig(run) {
  const order = [...services];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const cfg = join(dir, `swarmctl-${run}.yaml`);
  writeFileSync(
    cfg,
    ['version: 1', `paths: { shared_root: ${dir} }`, `thresholds: { probe_timeout_s: ${T} }`, 'services:', ...order.map(([n, u]) => `  ${n}: { kind: llama-server, url: "${u}" }`)].join('\n') + '\n',
  );
  return cfg;
}

const timed = (args) => timedChild(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' } });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const nodes = [];
const sweeps = bins.map(() => []);
for (let run = 0; run < RUNS; run++) {
  nodes.push((await timed(['-e', '0'])).ms);
  const cfg = writeConfig(run);
  for (const [b, bin] of bins.entries()) {
    const r = await timed([bin, '--config', cfg, '--db', join(dir, `fresh-${run}-${b}.db`), 'probe', '--json']);
    const s = JSON.parse(r.out).summary;
    if (s.total !== 200 || s.down !== 40) console.log(`note: ${bin}: expected 40 down, got ${JSON.stringify(s)}`);
    sweeps[b].push(r.ms);
  }
}
const n0 = median(nodes);
console.log(`timeout ${T} s, ${RUNS} runs, shuffled order, fresh db, default probe_concurrency; load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
console.log(`node -e 0 (median)          ${n0.toFixed(0)} ms`);
for (const [b, bin] of bins.entries()) {
  const net = sweeps[b].map((ms) => ms - n0);
  console.log(`${bin}`);
  console.log(`  probe sweep walls           ${sweeps[b].map((x) => x.toFixed(0)).join(', ')} ms`);
  console.log(`  net of node -e 0 / timeout  ${net.map((x) => (x / (T * 1000)).toFixed(2)).join(', ')} (median ${(median(net) / (T * 1000)).toFixed(2)}x)`);
  console.log(`  sweep / node -e 0           ${(median(sweeps[b]) / n0).toFixed(1)}x`);
}
await close();
