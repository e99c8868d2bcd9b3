// python-worker diagnose benchmark (issue 17): `swarmctl diagnose ISSUE --json` of one issue
// (a) from a 100 MB run summary, (b) from a 1 GB journal stream read through the profile's
// job_log_command (`cat FILE` standing in for `journalctl -o cat`: evidence by line number), and
// (c) the same as `journalctl -o json` entries (format journal-json: evidence by __CURSOR, no
// newline counted), each against
// `grep -F ISSUE FILE | tail -n 20` on the same file, as whole processes, net of a bare
// `node -e 0` of the same run (the target, ≤ 3x, is about swarmctl's work, not Node's start).
// Interleaved runs, medians. Files under /tmp/swarmctl-bench-pyworker (never in the repo).
// Run: npm run build && node bench/pyworker-diagnose.mjs [summaryMiB] [journalMiB] [--runs N]
// Needs the test cluster's slurm.conf (diagnose asks squeue): bash scripts/test-cluster.sh up.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const nums = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--runs').map(Number);
const SUMMARY_MIB = nums[0] ?? 100;
const JOURNAL_MIB = nums[1] ?? 1024;
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 0) || 5;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/swarmctl');
const DIR = '/tmp/swarmctl-bench-pyworker';
const REPO = join(DIR, 'repo');
const SUMMARY = join(REPO, 'logs/mini-swarm/summary.jsonl');
const JOURNAL = join(DIR, 'dogfood.journal');
const JOURNAL_JSON = join(DIR, 'dogfood.journal.json');
const ISSUE = 'beefcake-b0042';
mkdirSync(join(REPO, 'logs/mini-swarm'), { recursive: true });

function fill(path, mib, lineOf) {
  if (existsSync(path) && statSync(path).size >= mib * 1024 * 1024) return;
  const fd = openSync(path, 'w');
  let size = 0;
  let batch = [];
  for (let i = 0; size < mib * 1024 * 1024; i++) {
    const l = lineOf(i);
    batch.push(l);
    size += Buffer.byteLength(l) + 1;
    if (batch.length === 5000) {
      writeSync(fd, `${batch.join('\n')}\n`);
      batch = [];
    }
  }
  if (batch.length) writeSync(fd, `${batch.join('\n')}\n`);
  closeSync(fd);
}
const issueOf = (i) => `beefcake-b${String(i % 1000).padStart(4, '0')}`;
const STATUSES = ['resolved', 'no_change', 'changes_failed_verifier', 'failed'];
fill(SUMMARY, SUMMARY_MIB, (i) =>
  JSON.stringify({
    issue_id: issueOf(i),
    model: 'worker_code_edit',
    started_at: new Date(Date.UTC(2026, 3, 20) + i * 1000).toISOString(),
    kb_hits: {},
    worker: { status: 'no_change', exit_status: 'LimitsExceeded', iterations: null, wall_time_s: 12.5, cost_usd: 0, files_modified: [] },
    verifier: STATUSES[i % 4] === 'changes_failed_verifier' ? { all_green: false, gates: { check: { passed: false, duration_s: 60.1, stderr_tail: 'error[E0425]' } } } : null,
    status: STATUSES[i % 4],
    wall_s: 20.1,
  }),
);
const t = (i) => `[${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z]`;
fill(JOURNAL, JOURNAL_MIB, (i) =>
  i % 7 === 0
    ? `${t(i)}   → ${issueOf(i)}: no_change wall=1701.9s`
    : i % 7 === 1
      ? `${t(i)} process_issue: id=${issueOf(i)} title='x'`
      : `${t(i)} WARN KB query timed out (9ecc5027…) ${'-'.repeat(40)}`,
);

// The same lines as `journalctl -u dogfood-loop -o json` prints them (cursor, timestamps, unit, message).
fill(JOURNAL_JSON, JOURNAL_MIB, (i) =>
  JSON.stringify({
    __CURSOR: `s=5d3c0e1f2a4b4c6d8e9f0a1b2c3d4e5f;i=${i.toString(16)};b=7a2e9c1d;m=${(i * 1000).toString(16)};t=63f1a2b3c4d5e;x=${(i * 7919).toString(16)}`,
    __REALTIME_TIMESTAMP: String(1776676324000000 + i * 1000),
    _SYSTEMD_UNIT: 'dogfood-loop.service',
    PRIORITY: '6',
    MESSAGE: i % 7 === 0 ? `${t(i)}   → ${issueOf(i)}: no_change wall=1701.9s` : i % 7 === 1 ? `${t(i)} process_issue: id=${issueOf(i)} title='x'` : `${t(i)} WARN KB query timed out (9ecc5027…)`,
  }),
);

const slurmConf = '/tmp/swarmctl-cluster/slurm/slurm.conf';
const cfg = (name, extra) => {
  const p = join(DIR, `${name}.yaml`);
  // probe_timeout_s 30: the journal command's time cap (4x that) well above a loaded machine's 1 GiB read.
  writeFileSync(p, `version: 1\npaths:\n  shared_root: ${DIR}\n  repo: ${REPO}\nslurm:\n  conf: ${slurmConf}\nthresholds:\n  probe_timeout_s: 30\nswarm:\n  profile: python-worker\n${extra}`);
  return p;
};
const SUMMARY_CFG = cfg('summary', '');
// The journal case reads no summary (profile.paths.run_summary: []), only the command's output.
const JOURNAL_CFG = cfg('journal', `profile:\n  paths: { run_summary: [] }\n  job_log_command: { argv: [cat, ${JOURNAL}] }\n`);
const JOURNAL_JSON_CFG = cfg('journal-json', `profile:\n  paths: { run_summary: [] }\n  job_log_command: { argv: [cat, ${JOURNAL_JSON}], format: journal-json }\n`);

// Wall time, and CPU time (user + sys of the command and its children, from /usr/bin/time):
// on a machine shared with other work the wall time mostly measures the wait for a core.
const CPU_FILE = join(DIR, 'cpu.txt');
function time(argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', CPU_FILE, ...argv], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const [u, s] = readFileSync(CPU_FILE, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { ms, cpu: (u + s) * 1000, r };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** One table row: wall and CPU medians, each ratio net of `node -e 0`. */
function row(name, xs, node, grep) {
  const m = (v, k) => median(v.map((x) => x[k]));
  const r = (k) => ((m(xs, k) - m(node, k)) / m(grep, k)).toFixed(2);
  return `| ${name} | ${m(xs, 'ms').toFixed(0)} / ${m(xs, 'cpu').toFixed(0)} ms | ${m(node, 'ms').toFixed(0)} / ${m(node, 'cpu').toFixed(0)} ms | ${m(grep, 'ms').toFixed(0)} / ${m(grep, 'cpu').toFixed(0)} ms | ${r('ms')}x / ${r('cpu')}x |`;
}

const cases = [
  // The issue's runs all fail the verifier (row i of issue i % 1000 has status STATUSES[i % 4]).
  { name: `summary ${SUMMARY_MIB} MiB`, cfg: SUMMARY_CFG, file: SUMMARY, kind: 'verifier_failed' },
  { name: `journal ${JOURNAL_MIB} MiB, -o cat (file:line)`, cfg: JOURNAL_CFG, file: JOURNAL, kind: 'stuck_loop' },
  { name: `journal ${JOURNAL_MIB} MiB, -o json (cursor)`, cfg: JOURNAL_JSON_CFG, file: JOURNAL_JSON, kind: 'stuck_loop' },
];
console.log(`python-worker diagnose of ${ISSUE}, ${RUNS} interleaved runs, medians (load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ')[0]})`);
console.log('wall / CPU (user+sys) time; target: (swarmctl − node) / grep ≤ 3x');
console.log('| case | swarmctl diagnose | node -e 0 | grep -F \\| tail -n 20 | (swarmctl − node) / grep |');
console.log('| --- | --- | --- | --- | --- |');
for (const c of cases) {
  const sw = [];
  const node = [];
  const grep = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const a = time([process.execPath, BIN, '--config', c.cfg, '--db', join(DIR, 'state.db'), 'diagnose', ISSUE, '--json']);
    const doc = JSON.parse(a.r.stdout);
    if (!doc.diagnoses?.some((d) => d.kind === c.kind)) throw new Error(`${c.name}: expected ${c.kind}, got ${a.r.stdout.slice(0, 300)}`);
    const n = time([process.execPath, '-e', '0']);
    const g = time(['sh', '-c', `grep -F "${ISSUE}" "${c.file}" | tail -n 20`]);
    if (i === 0) continue; // a warm-up round: the files into the page cache
    sw.push(a);
    node.push(n);
    grep.push(g);
  }
  console.log(row(c.name, sw, node, grep));
}

// The floor the runtime sets, same rounds: Node reading the same bytes and doing nothing with them.
const READ_SUMMARY = `const fs=require('fs');const b=Buffer.allocUnsafe(4<<20);const fd=fs.openSync(process.argv[1],'r');let p=0,n;while((n=fs.readSync(fd,b,0,b.length,p))>0)p+=n`;
const floors = [
  { name: `node reads the ${SUMMARY_MIB} MiB summary (4 MiB reads, nothing else)`, argv: [process.execPath, '-e', READ_SUMMARY, SUMMARY], grepFile: SUMMARY },
  {
    name: `cat ${JOURNAL_MIB} MiB JSON journal \\| node draining the pipe`,
    argv: ['sh', '-c', `cat "${JOURNAL_JSON}" | "${process.execPath}" -e 'process.stdin.on("data",()=>{})'`],
    grepFile: JOURNAL_JSON,
  },
];
console.log('\n| runtime floor | time | node -e 0 | grep -F \\| tail -n 20 | (floor − node) / grep |');
console.log('| --- | --- | --- | --- | --- |');
for (const f of floors) {
  const fl = [];
  const node = [];
  const grep = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const a = time(f.argv);
    const n = time([process.execPath, '-e', '0']);
    const g = time(['sh', '-c', `grep -F "${ISSUE}" "${f.grepFile}" | tail -n 20`]);
    if (i === 0) continue;
    fl.push(a);
    node.push(n);
    grep.push(g);
  }
  console.log(row(f.name, fl, node, grep));
}
