// The console as an operator runs it (real binary, tmux 120x40, test cluster):
// time to first frame, CPU used while idle, and resident memory.
// Baselines: `node -e 0` for start time (Node's floor) and one core for CPU.
// Usage: npm run build && bash scripts/test-cluster.sh up && node bench/tui-idle.mjs [idle-seconds]
// NODE_ENV is cleared for the console, as an operator's shell has it: a tmux server that a
// vitest run started carries NODE_ENV=test, which would load React's development build.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const idleS = Number(process.argv[2] ?? 60);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-idle-'));
const session = `swarmctl-idle-${process.pid}`;
const tmux = (...a) => execFileSync('tmux', a, { encoding: 'utf8' });
const env = readFileSync('/tmp/swarmctl-cluster/env', 'utf8').match(/^SLURM_CONF=(.*)$/m)?.[1];
const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const statFields = (pid) => {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return st.slice(st.lastIndexOf(')') + 2).split(' ');
};
const cpuTicks = (pid) => {
  const f = statFields(pid);
  return Number(f[11]) + Number(f[12]); // utime + stime
};
// The child processes it ran and reaped (squeue, sinfo, ssh, stat -f): cutime + cstime.
const childTicks = (pid) => {
  const f = statFields(pid);
  return Number(f[13]) + Number(f[14]);
};
const rssMb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;

const n0 = performance.now();
spawnSync(process.execPath, ['-e', '0']);
const nodeMs = performance.now() - n0;

tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', 'bash', '--norc', '--noprofile');
const t0 = performance.now();
tmux('send-keys', '-t', session, `exec env -u NODE_ENV SLURM_CONF=${env} node ${root}bin/swarmctl --config ${root}fixtures/config/loopback.yaml --db ${join(dir, 'db')} tui`, 'Enter');
let firstFrame = null;
while (performance.now() - t0 < 15000) {
  if (tmux('capture-pane', '-p', '-t', session).includes('1 Endpoints')) {
    firstFrame = performance.now() - t0;
    break;
  }
  await new Promise((r) => setTimeout(r, 20));
}
const pid = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
await new Promise((r) => setTimeout(r, 5000)); // let the first loads settle
const c0 = cpuTicks(pid);
const k0 = childTicks(pid);
const w0 = performance.now();
let rssMax = 0;
// Per 30 s window too: the first minute includes V8's optimising compiler warming up.
const windows = [];
let wTicks = c0;
let wAt = w0;
while (performance.now() - w0 < idleS * 1000) {
  rssMax = Math.max(rssMax, rssMb(pid));
  if (performance.now() - wAt >= 30_000) {
    const t = cpuTicks(pid);
    windows.push((((t - wTicks) / hz / ((performance.now() - wAt) / 1000)) * 100).toFixed(2));
    wTicks = t;
    wAt = performance.now();
  }
  await new Promise((r) => setTimeout(r, 1000));
}
const cpuS = (cpuTicks(pid) - c0) / hz;
const childS = (childTicks(pid) - k0) / hz;
const jobs = execFileSync('squeue', ['-h', '-o', '%i'], { env: { ...process.env, SLURM_CONF: env }, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean).length;
const wallS = (performance.now() - w0) / 1000;
tmux('send-keys', '-t', session, 'q');
await new Promise((r) => setTimeout(r, 500));
try {
  tmux('kill-session', '-t', session);
} catch {}
console.log(`time to first frame: ${firstFrame?.toFixed(0)} ms (node -e 0: ${nodeMs.toFixed(0)} ms, ratio ${(firstFrame / nodeMs).toFixed(1)}x)`);
console.log(`idle CPU over ${wallS.toFixed(0)} s: ${((cpuS / wallS) * 100).toFixed(2)}% of one core (${cpuS.toFixed(2)} s CPU)`);
if (windows.length > 1) console.log(`idle CPU per 30 s window: ${windows.map((w) => `${w}%`).join(', ')}`);
console.log(`with its child processes (squeue, sinfo, ssh, …): ${(((cpuS + childS) / wallS) * 100).toFixed(2)}% of one core (${(cpuS + childS).toFixed(2)} s CPU)`);
console.log(`RSS max: ${rssMax.toFixed(0)} MB; jobs in the queue at the end: ${jobs}`);
