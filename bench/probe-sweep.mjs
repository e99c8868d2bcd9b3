// Probe sweep wall time: `swarmctl probe --json` against the seed's sequential
// loop (`curl -fsS --max-time T` per service in bash) on the same 200 loopback
// services: 20 hang past the timeout, 20 refuse, 10 are loading, 150 are healthy
// (in-process test servers, several instances). Reports both walls and the ratio
// from one run, swarmctl as the median of a few runs.
// The runs share one state DB, as cron or an operator's repeated `probe` do: the
// first sweep (empty history, config cache cold) is reported on its own; later
// sweeps start the services that failed last time first (probes/scheduler.ts).
// A second baseline, the floor: a 20-line Node script (bench/probe-floor.mjs) that
// sends the same 200 GETs with the same concurrency, the failing services first,
// and prints a count: no config, no history, no classification. It shows how close
// to the timeout any Node process gets here, which bounds loop/sweep (the loop
// costs 20*T + c, so loop/sweep >= 20 needs everything but the wait under c/20).
// Usage: npm run build && node bench/probe-sweep.mjs [--timeout 2] [--runs 3]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numArg, probeServices, timed } from './lib/probe-services.mjs';

const T = numArg('timeout', 2);
const RUNS = numArg('runs', 3);
const bin = fileURLToPath(new URL('../bin/swarmctl', import.meta.url));
const { services, close } = await probeServices();

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-bench-probe-'));
const cfg = join(dir, 'swarmctl.yaml');
writeFileSync(
  cfg,
  [
    'version: 1',
    `paths: { shared_root: ${dir} }`,
    `thresholds: { probe_timeout_s: ${T}, probe_concurrency: 64 }`,
    'services:',
    ...services.map(([n, u]) => `  ${n}: { kind: llama-server, url: "${u}" }`),
  ].join('\n') + '\n',
);

const sweep = async () => {
  const r = await timed(process.execPath, [bin, '--config', cfg, '--db', join(dir, 'state.db'), 'probe', '--json'], { env: { ...process.env, NO_COLOR: '1' } });
  const doc = JSON.parse(r.out);
  return { ms: r.ms, code: r.code, summary: doc.summary };
};
const urlsFile = join(dir, 'floor-urls.json');
// Failing ones first, as swarmctl's own start order does once it has a history.
writeFileSync(urlsFile, JSON.stringify([...services.slice(150), ...services.slice(0, 150)].map(([, u]) => `${u}/health`)));
const floorScript = fileURLToPath(new URL('./probe-floor.mjs', import.meta.url));
const floor = async () => (await timed(process.execPath, [floorScript, urlsFile, String(T), '64'])).ms;
const firstSweep = await sweep();
const sweeps = [];
const floors = [];
for (let i = 0; i < RUNS; i++) {
  sweeps.push(await sweep());
  floors.push(await floor());
}
const urls = services.map(([, u]) => `${u}/health`);
const loopScript = `for u in ${urls.map((u) => `'${u}'`).join(' ')}; do curl -fsS --max-time ${T} -o /dev/null "$u" 2>/dev/null && echo up || echo fail; done`;
const loop = await timed('bash', ['-c', loopScript]);
const loopUp = loop.out.split('\n').filter((l) => l === 'up').length;

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const sweepMs = median(sweeps.map((s) => s.ms));
console.log(`services=200 (150 healthy, 20 hang, 20 refused, 10 loading) timeout=${T}s node ${process.version}`);
console.log(`swarmctl probe --json: runs=${sweeps.map((s) => Math.round(s.ms)).join(',')} ms median=${Math.round(sweepMs)} ms exit=${sweeps[0].code} summary=${JSON.stringify(sweeps[0].summary)}`);
console.log(`first sweep (empty history, cold config cache): ${Math.round(firstSweep.ms)} ms = ${(firstSweep.ms / (T * 1000)).toFixed(2)}x the timeout`);
console.log(`sequential curl loop:  ${Math.round(loop.ms)} ms (${loopUp} up)`);
console.log(`sweep / timeout = ${(sweepMs / (T * 1000)).toFixed(2)}x (target <= 1.3x)`);
console.log(`loop / sweep    = ${(loop.ms / sweepMs).toFixed(1)}x (target >= 20x)`);
const floorMs = median(floors);
console.log(
  `floor script: runs=${floors.map(Math.round).join(',')} ms median=${Math.round(floorMs)} ms = ${(floorMs / (T * 1000)).toFixed(3)}x the timeout; loop / floor = ${(loop.ms / floorMs).toFixed(1)}x`,
);
console.log(`overhead beyond the timeout: swarmctl ${Math.round(sweepMs - T * 1000)} ms, floor ${Math.round(floorMs - T * 1000)} ms; 20x needs <= ${Math.round(loop.ms / 20 - T * 1000)} ms`);
await close();
