// Telemetry benchmark (issue 5): a generated 1 GiB telemetry file of real-shaped
// SessionMetrics lines for 1,000 issues under /tmp (never in the repo). Medians of:
// `swarmctl telemetry -n 20` vs `tail -n 20`; `telemetry --issue X -n 20` cold vs
// `grep -F '"issue_id":"X"' | tail -n 20`, jq and a python loop; warm; again after
// appending 10 MB. Each swarmctl figure twice: the whole process (`bin/swarmctl`, Node's
// start included) and in process (a fresh `node` that imports dist/ and times only the
// call, so the first-call costs the CLI pays are in). grep/tail run interleaved with
// them, so ratios compare the same moments of a shared machine.
// Run: npm run build && node bench/telemetry.mjs [sizeMiB] [--runs N] [--no-slow]
// (--no-slow skips jq and python, ~1 min). The file grows by the appended 10 MB blocks
// during a run and is cut back to its generated size at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/swarmctl');
const DIST = join(ROOT, 'dist');
// The size is the bare number that is not the value of --runs (`--runs 5` is not 5 MiB).
const SIZE = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--runs') ?? 1024) * 1024 * 1024;
const RUNS = opt('--runs', 5);
const DIR = '/tmp/swarmctl-bench-telemetry';
const FILE = join(DIR, '.swarm-telemetry.jsonl');
mkdirSync(DIR, { recursive: true });
const CFG = join(DIR, 'swarmctl.yaml');
execFileSync('sh', ['-c', `printf 'version: 1\\npaths:\\n  shared_root: ${DIR}\\n  telemetry_file: ${FILE}\\n' > ${CFG}`]);

function line(i) {
  const issue = `beefcake-b${String(i % 1000).padStart(4, '0')}`;
  const iters = [];
  for (let k = 1; k <= 1 + (i % 4); k++)
    iters.push({
      iteration: k,
      tier: 'Worker',
      agent_model: 'Qwen3.5-GeneralCoder',
      agent_prompt_tokens: 18000 + k,
      agent_completion_tokens: 900 + k,
      agent_response_ms: 30000 + k,
      verifier_ms: 8000,
      no_change: k % 3 === 0,
      error_count: 0,
      escalated: false,
    });
  return (
    JSON.stringify({
      session_id: `s-${i}`,
      issue_id: issue,
      issue_title: `Issue ${i % 1000} title with some words`,
      success: i % 5 !== 0,
      total_iterations: iters.length,
      final_tier: 'Worker',
      elapsed_ms: 500000 + i,
      total_no_change_iterations: 0,
      no_change_rate: 0.0,
      iterations: iters,
      timestamp: new Date(1760000000000 + i * 1000).toISOString(),
    }) + '\n'
  );
}

function generate(bytes, start) {
  const fd = openSync(FILE, 'a');
  let written = 0;
  let i = start;
  while (written < bytes) {
    let chunk = '';
    while (chunk.length < Math.min(4 * 1024 * 1024, bytes - written)) chunk += line(i++);
    writeSync(fd, chunk);
    written += chunk.length;
  }
  closeSync(fd);
  return i;
}

let next = 0;
if (!existsSync(FILE) || statSync(FILE).size < SIZE || statSync(FILE).size > SIZE + 64 * 1024 * 1024) {
  rmSync(FILE, { force: true });
  console.error(`generating ${SIZE / 1048576} MiB in ${FILE} ...`);
  next = generate(SIZE, 0);
} else next = 5_000_000;
const baseSize = statSync(FILE).size;
execFileSync('sh', ['-c', `cat ${FILE} > /dev/null`]); // into the page cache, as for every run below

function run(argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')}: exit ${r.status} ${r.stderr}`);
  return { ms, stdout: r.stdout };
}
const time = (argv) => run(argv).ms;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `${median(xs).toFixed(1).padStart(9)} ms   (${xs.map((x) => x.toFixed(0)).join(', ')})`;
const show = (name, xs) => console.log(`${name.padEnd(52)} ${fmt(xs)}`);
const sw = (...a) => [process.execPath, BIN, '--config', CFG, ...a];
const X = 'beefcake-b0421';
const db = join(DIR, 'state.db');
const inprocDb = join(DIR, 'inproc.db');
const sh = (cmd) => ['sh', '-c', cmd];
const grepCmd = sh(`grep -F '"issue_id":"${X}"' ${FILE} | tail -n 20`);
const dropDb = (p) => {
  for (const s of ['', '-wal', '-shm']) rmSync(p + s, { force: true });
};

// In process: a fresh node imports dist/ and times one call (what the CLI runs).
const INPROC = `
const [dist, what, file, dbPath, issue] = process.argv.slice(1);
const t0 = performance.now();
if (what === 'tail') {
  const { readLastLines } = await import(dist + '/batch/telemetry-tail.js');
  const t1 = performance.now();
  const r = await readLastLines(file, 20);
  console.log(JSON.stringify({ ms: performance.now() - t1, importMs: t1 - t0, lines: r.lines.length }));
} else {
  const { openStore } = await import(dist + '/store/db.js');
  const { issueRecords } = await import(dist + '/batch/telemetry-index.js');
  const store = openStore(dbPath);
  const t1 = performance.now();
  const r = await issueRecords(store, file, issue, 20);
  const ms = performance.now() - t1;
  store.close();
  console.log(JSON.stringify({ ms, importMs: t1 - t0, records: r.records.length, total: r.total, bytesRead: r.scan.bytesRead, newRecords: r.scan.newRecords }));
}`;
function inproc(what, dbPath = inprocDb) {
  const r = run([process.execPath, '--input-type=module', '-e', INPROC, DIST, what, FILE, dbPath, X]);
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  if (what !== 'tail' && j.records !== 20) throw new Error(`in-process ${what}: ${r.stdout}`);
  return j;
}

console.log(
  `file: ${FILE} (${(baseSize / 1048576).toFixed(0)} MiB, 1,000 issues); ${RUNS} runs each; load average ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}`,
);
const R = {};
R.nodeStart = [];
R.tailCli = [];
R.tailIn = [];
R.tail = [];
for (let k = 0; k < RUNS; k++) {
  R.nodeStart.push(time([process.execPath, '-e', '0']));
  R.tailCli.push(time(sw('--db', db, 'telemetry', '-n', '20', '--json')));
  R.tailIn.push(inproc('tail').ms);
  R.tail.push(time(['tail', '-n', '20', FILE]));
}
show("node -e 0 (Node's own start)", R.nodeStart);
show('swarmctl telemetry -n 20 --json (whole process)', R.tailCli);
show('readLastLines(file, 20) (in process, first call)', R.tailIn);
show('tail -n 20', R.tail);

R.coldCli = [];
R.coldIn = [];
R.grep = [];
let coldRecords = 0;
for (let k = 0; k < RUNS; k++) {
  dropDb(db);
  R.coldCli.push(time(sw('--db', db, 'telemetry', '--issue', X, '-n', '20', '--json')));
  dropDb(inprocDb);
  const j = inproc('cold');
  coldRecords = j.newRecords;
  R.coldIn.push(j.ms);
  R.grep.push(time(grepCmd));
}
show('swarmctl telemetry --issue X -n 20, cold (whole)', R.coldCli);
show(`issueRecords, cold, ${coldRecords} records (in process)`, R.coldIn);
show('grep -F | tail -n 20', R.grep);
if (!flag('--no-slow')) {
  if (existsSync('/usr/bin/jq')) show('jq select | tail -n 20 (1 run)', [time(sh(`jq -c 'select(.issue_id=="${X}")' ${FILE} | tail -n 20`))]);
  show('python json.loads loop (1 run)', [
    time([
      'python3',
      '-c',
      `import json,sys\nout=[]\nfor l in open(sys.argv[1]):\n  try:\n    d=json.loads(l)\n  except Exception: continue\n  if d.get('issue_id')==sys.argv[2]: out.append(l)\nprint(''.join(out[-20:]))`,
      FILE,
      X,
    ]),
  ]);
}

R.warmCli = [];
R.warmIn = [];
for (let k = 0; k < RUNS; k++) {
  R.warmCli.push(time(sw('--db', db, 'telemetry', '--issue', X, '-n', '20', '--json')));
  R.warmIn.push(inproc('warm').ms);
}
show('swarmctl --issue X, warm, nothing appended (whole)', R.warmCli);
show('issueRecords, warm, nothing appended (in process)', R.warmIn);

// After appending 10 MB: both indexes are brought up to date (not timed), 10 MB are
// appended, then each reads exactly those bytes.
R.appendCli = [];
R.appendIn = [];
R.grepAfter = [];
for (let k = 0; k < RUNS; k++) {
  time(sw('--db', db, 'telemetry', '--issue', X, '-n', '20', '--json'));
  inproc('warm');
  next = generate(10 * 1024 * 1024, next);
  R.appendCli.push(time(sw('--db', db, 'telemetry', '--issue', X, '-n', '20', '--json')));
  const j = inproc('append');
  if (j.bytesRead < 10 * 1024 * 1024 || j.bytesRead > 11 * 1024 * 1024) throw new Error(`in-process append read ${j.bytesRead} bytes`);
  R.appendIn.push(j.ms);
  R.grepAfter.push(time(grepCmd));
}
show('swarmctl --issue X after appending 10 MB (whole)', R.appendCli);
show('issueRecords after appending 10 MB (in process)', R.appendIn);
show('grep -F | tail (after the appends)', R.grepAfter);
truncateSync(FILE, baseSize);
dropDb(inprocDb);

const m = (k) => median(R[k]);
const ratio = (a, b) => `${(m(a) / m(b)).toFixed(2)}x`;
console.log('\nratios (medians):');
console.log(`  telemetry -n 20 / tail -n 20: whole process ${ratio('tailCli', 'tail')}, in process ${ratio('tailIn', 'tail')}`);
console.log(`  --issue cold / grep|tail:     whole process ${ratio('coldCli', 'grep')}, in process ${ratio('coldIn', 'grep')}`);
console.log(`  --issue after a 10 MB append: whole process ${m('appendCli').toFixed(0)} ms, in process ${m('appendIn').toFixed(0)} ms (grep ${m('grepAfter').toFixed(0)} ms)`);
console.log(JSON.stringify(Object.fromEntries(Object.entries(R).map(([k, v]) => [k, +median(v).toFixed(1)]))));
