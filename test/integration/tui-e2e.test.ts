// The console end to end: the real binary in tmux against the test cluster.
// It must show live jobs and endpoints, filter with /, cancel a REAL SLURM job
// with c + y, and give the terminal back (alternate screen off) on q.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { BIN, LOOPBACK_CONFIG } from '../support/bin.js';
import { startTestServer } from '../../src/testserver/llama-test-server.js';

const tag = `e2e${process.pid}`;
const session = `swarmctl-${tag}`;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-tui-'));
const jobs: string[] = [];
let server: Awaited<ReturnType<typeof startTestServer>>;
let cfgPath = '';

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const altOn = () => tmux('display-message', '-p', '-t', session, '#{alternate_on}').trim() === '1';
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const sbatch = (name: string) => {
  const id = execFileSync('sbatch', ['--parsable', '--job-name', name, '--output', '/dev/null', '--wrap', 'sleep 300'], { env: slurmEnv(), encoding: 'utf8' }).trim().split(';')[0]!;
  jobs.push(id);
  return id;
};
const jobState = (id: string) => execFileSync('squeue', ['-h', '-j', id, '-o', '%T'], { env: slurmEnv(), encoding: 'utf8' }).trim();

async function until(what: string, pred: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
}

beforeAll(async () => {
  requireCluster();
  server = await startTestServer({ mode: 'healthy' });
  cfgPath = join(dir, 'swarmctl.yaml');
  const base = readFileSync(LOOPBACK_CONFIG, 'utf8');
  writeFileSync(cfgPath, base.replace('services:\n', `services:\n  e2e-llama:\n    kind: llama-server\n    url: ${server.url}\n`));
});

afterAll(async () => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    /* already gone */
  }
  for (const id of jobs) execFileSync('scancel', [id], { env: slurmEnv() });
  await server?.close();
});

describe('swarmctl tui in tmux', () => {
  it('shows live jobs and endpoints, filters, cancels a real job with c+y, and restores the terminal on q', async () => {
    const keep = sbatch(`swarm-${tag}-keep`);
    const victim = sbatch(`swarm-${tag}-victim`);
    await until('both jobs running', () => jobState(keep) === 'RUNNING' && jobState(victim) === 'RUNNING');

    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', 'bash', '--norc', '--noprofile');
    keys(`printf 'BEFORE-TUI\\n'; SLURM_CONF=${slurmEnv()['SLURM_CONF']} node ${BIN} --config ${cfgPath} --db ${join(dir, 'db')} tui`, 'Enter');

    await until('panels with live data', () => {
      const s = screen();
      return s.includes('2 Queue') && s.includes(victim) && s.includes(keep) && s.includes('e2e-llama') && s.includes('✓ up');
    });
    expect(altOn()).toBe(true);

    keys('2');
    keys('/');
    for (const ch of `${tag}-victim`) keys('-l', ch);
    keys('Enter');
    await until('the queue filtered to the victim', () => {
      const s = screen();
      // The keep job's row is gone from the queue (the Issues panel still lists its issue).
      return s.includes(`/${tag}-victim/`) && s.includes(victim) && !new RegExp(`[│║]${keep}\\s`).test(s);
    });

    keys('c');
    await until('the confirmation with the exact command', () => screen().includes(`scancel ${victim}`) && screen().includes('y/N'));
    keys('y');
    await until('the job cancelled in SLURM', () => !['RUNNING', 'PENDING', 'COMPLETING'].includes(jobState(victim)), 30_000);
    expect(['RUNNING']).toContain(jobState(keep));

    keys('q');
    await until('the console to exit', () => !altOn());
    expect(screen()).toContain('BEFORE-TUI');
  }, 120_000);
});
