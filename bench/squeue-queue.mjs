// The generated queue both squeue benches parse: 10,000 lines as `squeue <squeueArgs()>`
// prints them (SQUEUE_FIELDS order, 0x1f after every value), RUNNING / PENDING (with
// Dependency, Priority, Resources and a free-text reason) / COMPLETING / SUSPENDED jobs,
// some names with spaces, submit times shared in batches of four.
// `tick` (seconds) advances the TimeUsed of the RUNNING jobs (a fifth of the lines), as
// the next poll of a real queue does; every other line stays as it was. `firstId` moves
// the job ids (a queue that turned over completely).
import { SQUEUE_FIELDS } from '../dist/slurm/squeue-format.js';

const US = '\x1f';
const BASE = Date.UTC(2026, 3, 16, 13, 47, 55);
// As squeue prints it with SLURM_TIME_FORMAT=%Y-%m-%dT%H:%M:%S%z on a host at UTC-5.
function stamp(ms) {
  return `${new Date(ms - 5 * 3600_000).toISOString().slice(0, 19)}-0500`;
}

function duration(s) {
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${d}-${hh}:${mm}:${ss}`;
}

export function makeQueue(n, tick = 0, firstId = 100_000) {
  const states = ['RUNNING', 'PENDING', 'PENDING', 'COMPLETING', 'SUSPENDED'];
  const reasons = {
    RUNNING: 'None',
    PENDING: ['Dependency', 'Priority', 'Resources', 'Nodes required for job are DOWN, DRAINED or reserved for jobs in higher priority partitions'],
    COMPLETING: 'None',
    SUSPENDED: 'None',
  };
  const out = [];
  for (let i = 0; i < n; i++) {
    const state = states[i % states.length];
    const r = reasons[state];
    const reason = Array.isArray(r) ? r[i % r.length] : r;
    const running = state !== 'PENDING';
    const f = [
      String(firstId + i),
      i % 7 === 0 ? `swarm job with spaces ${i}` : `swarm-beefcake-${i.toString(36)}`,
      state,
      reason,
      running ? duration((i % 3) * 86400 + (i % 24) * 3600 + (i % 60) * 60 + 7 + (state === 'RUNNING' ? tick : 0)) : '0:00',
      i % 5 === 0 ? 'UNLIMITED' : '1-00:00:00',
      running ? `vasp-[0${i % 4}-0${(i % 4) + 1}]` : '',
      // submitted in batches of 4 per second; started up to a minute later
      stamp(BASE + Math.floor(i / 4) * 1000),
      running ? stamp(BASE + Math.floor(i / 4) * 1000 + (i % 60) * 1000) : 'N/A',
      'brian',
      'gpu',
      '/cluster/shared/code/beefcake-swarm',
      reason === 'Dependency' ? `afterany:${firstId + i - 1}(unfulfilled)` : '(null)',
      '/cluster/shared/logs/swarm-orch-%j.log',
    ];
    if (f.length !== SQUEUE_FIELDS.length) throw new Error('generator out of date with SQUEUE_FIELDS');
    out.push(f.map((x) => `${x}${US}`).join(''));
  }
  return `${out.join('\n')}\n`;
}
