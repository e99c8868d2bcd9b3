// Counts real squeue invocations while the console's monitor runs with ALL its
// consumers (endpoints join, issues join, status header) against the local
// test cluster. Target: exactly one squeue per queue interval. Baseline: the
// number of queue intervals that elapsed (the ratio should be 1.00).
// A wrapper `squeue` first on PATH logs each call, then runs the real one.
// Usage: npm run build && bash scripts/test-cluster.sh up && node bench/queue-poll-count.mjs [seconds] [queue-interval-s]
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const seconds = Number(process.argv[2] ?? 60);
const intervalS = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-pollcount-'));
const log = join(dir, 'calls.log');
writeFileSync(join(dir, 'squeue'), `#!/bin/sh\necho "$$" >> ${log}\nexec /usr/bin/squeue "$@"\n`);
chmodSync(join(dir, 'squeue'), 0o755);
process.env.PATH = `${dir}:${process.env.PATH}`;

const { loadConfigFile } = await import('../dist/config/load.js');
const { openStore } = await import('../dist/store/db.js');
const { realBackends, consoleIntervals } = await import('../dist/console/backends.js');
const { createConsoleMonitor } = await import('../dist/console/sources.js');
const cfgR = loadConfigFile(new URL('../fixtures/config/loopback.yaml', import.meta.url).pathname);
if (!cfgR.ok) throw new Error('config');
const store = openStore(join(dir, 'state.db'));
const iv = { ...consoleIntervals(cfgR.config), queueMs: intervalS * 1000, issuesMs: 1000, endpointsMs: 2000, telemetryMs: 1000, alertsMs: 1000 };
const monitor = createConsoleMonitor(realBackends(cfgR.config, store), iv);
let reads = 0;
monitor.subscribe(() => reads++); // every panel reads the snapshot on every change
const t0 = Date.now();
monitor.start();
await new Promise((r) => setTimeout(r, seconds * 1000));
monitor.stop();
const elapsedS = (Date.now() - t0) / 1000;
const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length : 0;
const expected = Math.floor(elapsedS / intervalS) + 1; // the first load, then one per interval
console.log(`ran ${elapsedS.toFixed(1)} s, queue interval ${intervalS} s, snapshot reads by consumers: ${reads}`);
console.log(`squeue invocations: ${calls}   queue intervals elapsed (baseline): ${expected}   ratio ${(calls / expected).toFixed(2)}`);
store.close();
