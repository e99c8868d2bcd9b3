// Console frame cost: build one full frame (200x60) from a snapshot with
// 2,000 jobs, 100 endpoints and 500 issues. Baseline: the same frame with 20
// jobs, 10 endpoints and 5 issues — the ratio shows that cost follows the
// visible rows, not the data size. Target: under 16 ms per frame.
// Usage: npm run build && node bench/tui-frame.mjs [rounds]
// The console runs React's production build (src/cli/commands/tui.ts sets
// NODE_ENV before importing it); so does this benchmark.
process.env.NODE_ENV = 'production';
delete process.env.CI; // Ink writes only the last frame when CI is set at all
// Colour as on an operator's terminal. chalk decides from the REAL stdout, so
// without this a piped or captured run (`| tee`, CI logs) silently measures a
// colourless frame, which is cheaper than the one an operator sees.
process.env.FORCE_COLOR ??= '1';
const { default: React } = await import('react');
const { render } = await import('ink');
const { EventEmitter } = await import('node:events');
const { App } = await import('../dist/tui/components/App.js');
const { Monitor } = await import('../dist/monitor/monitor.js');
const { noActions } = await import('../dist/tui/actions.js');

const rounds = Number(process.argv[2] ?? 40);
const statuses = ['up', 'loading', 'degraded', 'down', 'unknown'];
function data(nJobs, nEndpoints, nIssues) {
  return {
    endpoints: Array.from({ length: nEndpoints }, (_, i) => ({ name: `svc-${i}`, kind: 'llama-server', status: statuses[i % 5], latencyMs: i, since: Date.now() - i * 1000, reason: 'ok' })),
    queue: Array.from({ length: nJobs }, (_, i) => ({ jobId: String(10000 + i), issueId: `beefcake-${i}`, name: `swarm-beefcake-${i}`, state: i % 3 ? 'RUNNING' : 'PENDING', reason: i % 3 ? 'None' : 'Dependency', elapsed: '1:02:03', node: `vasp-0${i % 4}`, via: 'slurm' })),
    issues: Array.from({ length: nIssues }, (_, i) => ({ issueId: `beefcake-${i}`, state: 'implementing', iteration: i % 9, lastReason: 'no changes, tier → Worker', lastResult: 'failed', resume: { present: true, ageMs: 60000, corrupt: false }, silent: i % 7 === 0, diagnosis: i % 5 ? null : 'stuck_text_mode', jobId: String(10000 + i) })),
    telemetry: Array.from({ length: 50 }, (_, i) => ({ at: '2026-04-16T14:02:16Z', issueId: `beefcake-${i}`, summary: 'failed after 4 iterations (Worker)' })),
    alerts: [],
  };
}
// A persistent console, as in real use: each snapshot change re-renders the
// live tree. Ink reports its own render time per frame (onRender).
class FakeStdout extends EventEmitter {
  columns = 200;
  rows = 60;
  isTTY = true;
  frame = '';
  t0 = 0;
  times = [];
  write(s) {
    // The first write after a snapshot ends the measurement (Ink may open a
    // synchronized update first); the longest write since then is the frame.
    if (this.t0) {
      this.times.push(performance.now() - this.t0);
      this.frame = '';
    }
    this.t0 = 0;
    if (s.length > this.frame.length) this.frame = s;
    return true;
  }
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}
async function frames(d, n) {
  let version = 0;
  const sources = Object.entries(d).map(([name, rows]) => ({ name, intervalMs: 3_600_000, timeoutMs: 1000, load: async () => (name === 'queue' ? rows.map((r, i) => (i === 0 ? { ...r, elapsed: String(version) } : r)) : rows) }));
  const m = new Monitor(sources);
  const stdout = new FakeStdout();
  // Subscribed before Ink: marks the moment a new snapshot is published; the
  // frame's write marks the end (React renders store updates synchronously).
  m.subscribe(() => {
    if (m.getSnapshot().sources.queue?.loading === false) stdout.t0 = performance.now();
  });
  const inst = render(React.createElement(App, { monitor: m, actions: noActions, readOnly: false, clusterName: 'bench', size: { columns: 200, rows: 60 } }), {
    stdout, stdin: new FakeStdin(), debug: false, patchConsole: false, exitOnCtrlC: false, maxFps: 1000,
  });
  const times = stdout.times;
  m.start();
  await new Promise((r) => setTimeout(r, 150));
  times.length = 0;
  for (let i = 0; i < n; i++) {
    version++;
    m.refresh('queue'); // a new snapshot: one changed cell, as a real poll brings
    await new Promise((r) => setTimeout(r, 15));
  }
  m.stop();
  inst.unmount();
  return { times, lines: stdout.frame.split('\n').length };
}
const bigRun = await frames(data(2000, 100, 500), rounds);
const smallRun = await frames(data(20, 10, 5), rounds);
const t = { big: bigRun.times, small: smallRun.times };
const lines = bigRun.lines;
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const min = (a) => Math.min(...a);
console.log(`rounds=${rounds}  frame 200x60`);
console.log(`baseline (20 jobs, 10 endpoints, 5 issues)      median ${med(t.small).toFixed(2)} ms   (min ${min(t.small).toFixed(2)})`);
console.log(`2,000 jobs, 100 endpoints, 500 issues            median ${med(t.big).toFixed(2)} ms   ratio ${(med(t.big) / med(t.small)).toFixed(2)}x   (min ${min(t.big).toFixed(2)})`);
console.log(`frames measured: ${t.big.length}/${t.small.length}; lines in the big frame: ${lines} (terminal has 60: only visible rows are rendered)`);
console.log(`target 16 ms per frame (2,000 jobs, median): ${med(t.big) < 16 ? 'met' : 'missed'}`);
