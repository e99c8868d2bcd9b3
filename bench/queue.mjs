// Benchmark: wall time of `swarmctl queue --json` against `squeue` alone on the same
// queue (the same server-side filter and -O format), and against Node's bare start.
// Target from the batch issue: swarmctl / squeue < 1.5x once Node's start is taken out.
// A second baseline shows what any Node CLI can reach here: the floor, a
// ten-line ES module that runs the same squeue and prints its output as JSON
// (no config, no SQLite, no parsing).
//
// Needs the local test cluster (bash scripts/test-cluster.sh up) and a build:
//   npm run build && node bench/queue.mjs [JOBS=40] [ROUNDS=15]
// Submits JOBS held jobs (they never run), measures, and cancels them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { squeueArgs, SQUEUE_ENV } from '../dist/slurm/squeue-format.js';

const JOBS = Number(process.argv[2] ?? 40);
const ROUNDS = Number(process.argv[3] ?? 15);
const SLURM_CONF = '/tmp/swarmctl-cluster/slurm/slurm.conf';
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-bench-'));
const config = join(dir, 'c.yaml');
writeFileSync(config, `version: 1\npaths:\n  shared_root: ${dir}\nslurm:\n  conf: ${SLURM_CONF}\nswarm:\n  job_name_template: 'benchq-{issue}'\n`);
const env = { ...process.env, SLURM_CONF, NO_COLOR: '1' };

const ids = [];
for (let i = 0; i < JOBS; i++) {
  ids.push(execFileSync('sbatch', ['--parsable', '--hold', `--job-name=benchq-${i}`, '--output=/dev/null', '--wrap', 'sleep 1'], { env, encoding: 'utf8' }).trim());
}

function time(file, args, extraEnv = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(file, args, { env: { ...env, ...extraEnv }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out: r.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const sq = [],
    cli = [],
    node = [],
    floor = [];
  const floorSrc = `import { execFile } from 'node:child_process';
execFile('squeue', ${JSON.stringify(squeueArgs({ me: true }))}, { env: { ...process.env, ...${JSON.stringify(SQUEUE_ENV)} } }, (e, out) => {
  if (e) { process.exitCode = 2; return; }
  process.stdout.write(JSON.stringify({ lines: out.split('\\n').length }) + '\\n');
});`;
  const sqArgs = squeueArgs({ me: true });
  const swarmctl = [join(root, 'bin/swarmctl'), '--config', config, '--db', join(dir, 'db.sqlite'), 'queue', '--json'];
  time(process.execPath, swarmctl); // warm-up (creates the DB)
  for (let r = 0; r < ROUNDS; r++) {
    sq.push(time('squeue', sqArgs, SQUEUE_ENV).ms);
    const c = time(process.execPath, swarmctl);
    cli.push(c.ms);
    if (r === 0 && JSON.parse(c.out).jobs.length !== JOBS) throw new Error(`swarmctl saw ${JSON.parse(c.out).jobs.length} jobs, expected ${JOBS}`);
    node.push(time(process.execPath, ['-e', '']).ms);
    floor.push(time(process.execPath, ['--input-type=module', '-e', floorSrc]).ms);
  }
  // The batch layer alone, in process (config loaded once): squeue + parse + cache write.
  const { findAndLoadConfig } = await import('../dist/config/load.js');
  const { openStore } = await import('../dist/store/db.js');
  const { readQueue } = await import('../dist/slurm/queue.js');
  const cfgR = findAndLoadConfig(config);
  const store = openStore(join(dir, 'db.sqlite'));
  const inproc = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    const q = await readQueue(cfgR.config, store);
    inproc.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (!q.ok) throw new Error(q.error);
  }
  store.close();
  const s = median(sq),
    c = median(cli),
    n = median(node),
    i = median(inproc),
    f = median(floor);
  console.log(
    JSON.stringify({
      jobs: JOBS,
      rounds: ROUNDS,
      squeue_ms: +s.toFixed(1),
      swarmctl_queue_ms: +c.toFixed(1),
      node_start_ms: +n.toFixed(1),
      floor_script_ms: +f.toFixed(1),
      ratio: +(c / s).toFixed(2),
      ratio_without_node_start: +((c - n) / s).toFixed(2),
      floor_ratio_without_node_start: +((f - n) / s).toFixed(2),
      swarmctl_over_floor: +(c / f).toFixed(2),
      readQueue_in_process_ms: +i.toFixed(1),
      readQueue_over_squeue: +(i / s).toFixed(2),
    }),
  );
} finally {
  execFileSync('scancel', ids, { env });
}
