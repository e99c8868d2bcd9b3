// Telemetry benchmark (issue 5): a generated 1 GiB telemetry file of real-shaped
// SessionMetrics lines for 1,000 issues under /tmp (never in the repo). Medians of:
// `swarmctl telemetry -n 20` vs `tail -n 20`; `telemetry --issue X -n 20` cold vs
// `grep -F '"issue_id":"X"' | tail -n 20`, jq and a python loop; again after appending
// 10 MB. Run: npm run build && node bench/telemetry.mjs [sizeMiB]
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/swarmctl');
const SIZE = Number(process.argv[2] ?? 1024) * 1024 * 1024;
const DIR = '/tmp/swarmctl-bench-telemetry';
const FILE = join(DIR, '.swarm-telemetry.jsonl');
mkdirSync(DIR, { recursive: true });
const CFG = join(DIR, 'swarmctl.yaml');
execFileSync('sh', ['-c', `printf 'version: 1\\npaths:\\n  shared_root: ${DIR}\\n  telemetry_file: ${FILE}\\n' > ${CFG}`]);

function line(i) {
  const issue = `beefcake-b${String(i % 1000).padStart(4, '0')}`;
  const iters = [];
  for (let k = 1; k <= 1 + (i % 4); k++) iters.push({ iteration: k, tier: 'Worker', agent_model: 'Qwen3.5-GeneralCoder', agent_prompt_tokens: 18000 + k, agent_completion_tokens: 900 + k, agent_response_ms: 30000 + k, verifier_ms: 8000, no_change: k % 3 === 0, error_count: 0, escalated: false });
  return JSON.stringify({ session_id: `s-${i}`, issue_id: issue, issue_title: `Issue ${i % 1000} title with some words`, success: i % 5 !== 0, total_iterations: iters.length, final_tier: 'Worker', elapsed_ms: 500000 + i, total_no_change_iterations: 0, no_change_rate: 0.0, iterations: iters, timestamp: new Date(1760000000000 + i * 1000).toISOString() }) + '\n';
}

function generate(bytes, start) {
  const fd = openSync(FILE, 'a');
  let written = 0;
  let i = start;
  while (written < bytes) {
    let chunk = '';
    while (chunk.length < 4 * 1024 * 1024) chunk += line(i++);
    writeSync(fd, chunk);
    written += chunk.length;
  }
  closeSync(fd);
  return i;
}

let next = 0;
if (!existsSync(FILE) || statSync(FILE).size < SIZE) {
  rmSync(FILE, { force: true });
  console.error(`generating ${SIZE / 1048576} MiB in ${FILE} ...`);
  next = generate(SIZE, 0);
} else next = 5_000_000;

function time(argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')}: exit ${r.status} ${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function bench(name, argv, runs = 5, opts = {}) {
  const xs = [];
  for (let k = 0; k < runs; k++) xs.push(time(argv, opts));
  const m = median(xs);
  console.log(`${name.padEnd(44)} ${m.toFixed(1).padStart(9)} ms`);
  return m;
}
const sw = (...a) => [process.execPath, BIN, '--config', CFG, ...a];
const X = 'beefcake-b0421';
const db = () => join(DIR, 'state.db');
const sh = (cmd) => ['sh', '-c', cmd];

console.log(`file: ${FILE} (${(statSync(FILE).size / 1048576).toFixed(0)} MiB, 1,000 issues)`);
const results = {};
results.tailOurs = bench('swarmctl telemetry -n 20', sw('--db', db(), 'telemetry', '-n', '20', '--json'));
results.tail = bench('tail -n 20', ['tail', '-n', '20', FILE]);
const cold = [];
for (let k = 0; k < 3; k++) {
  rmSync(db(), { force: true });
  rmSync(`${db()}-wal`, { force: true });
  rmSync(`${db()}-shm`, { force: true });
  cold.push(time(sw('--db', db(), 'telemetry', '--issue', X, '-n', '20', '--json')));
}
results.issueCold = median(cold);
console.log(`${'swarmctl telemetry --issue X -n 20 (cold)'.padEnd(44)} ${results.issueCold.toFixed(1).padStart(9)} ms`);
results.grep = bench(`grep -F | tail -n 20`, sh(`grep -F '"issue_id":"${X}"' ${FILE} | tail -n 20`), 3);
if (existsSync('/usr/bin/jq')) results.jq = bench('jq select | tail -n 20', sh(`jq -c 'select(.issue_id=="${X}")' ${FILE} | tail -n 20`), 1);
results.python = bench('python loop', ['python3', '-c', `import json,sys\nout=[]\nfor l in open(sys.argv[1]):\n  try:\n    d=json.loads(l)\n  except Exception: continue\n  if d.get('issue_id')==sys.argv[2]: out.append(l)\nprint(''.join(out[-20:]))`, FILE, X], 1);
results.issueWarm = bench('swarmctl telemetry --issue X (warm, no append)', sw('--db', db(), 'telemetry', '--issue', X, '-n', '20', '--json'));
generate(10 * 1024 * 1024, next);
results.issueAfterAppend = time(sw('--db', db(), 'telemetry', '--issue', X, '-n', '20', '--json'));
console.log(`${'swarmctl --issue X after appending 10 MB'.padEnd(44)} ${results.issueAfterAppend.toFixed(1).padStart(9)} ms`);
results.grepAfter = bench('grep -F | tail (after append)', sh(`grep -F '"issue_id":"${X}"' ${FILE} | tail -n 20`), 3);
console.log('\nratios:');
console.log(`  telemetry -n 20 / tail -n 20         ${(results.tailOurs / results.tail).toFixed(2)}x`);
console.log(`  --issue cold / grep|tail             ${(results.issueCold / results.grep).toFixed(2)}x`);
console.log(`  --issue after 10 MB append / grep    ${(results.issueAfterAppend / results.grepAfter).toFixed(3)}x`);
if (results.jq) console.log(`  jq / --issue cold                    ${(results.jq / results.issueCold).toFixed(2)}x`);
console.log(`  python / --issue cold                ${(results.python / results.issueCold).toFixed(2)}x`);
console.log(JSON.stringify(results));
