// Two alerts as an operator sees them at 80x24, in tmux, screen-exact against
// the app's frame (SWARMCTL_TUI_FRAME_FILE): SLURM UNKNOWN (squeue really
// failing: the console gets a copy of slurm.conf whose controller port is dead;
// the shared controller is never stopped) and the shared folder down (the
// share's folder moved away). Each alert line shows severity, since-when and
// the key that acts, and the header keeps the crit count (and STALE) at 80 columns.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { BIN } from '../support/bin.js';

const session = `swarmctl-alerts${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, pred: (s: string) => boolean, ms = 45_000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const s = screen();
    if (pred(s)) return s;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
}

/** The terminal shows exactly the app's frame (one row short of the terminal). */
async function exact(frameFile: string, rows: number): Promise<string[]> {
  const fit = (l: string[]) => {
    const out = l.map((x) => x.trimEnd());
    while (out.length < rows) out.push('');
    return out.slice(0, rows);
  };
  const end = Date.now() + 10_000;
  let last = '';
  while (Date.now() < end) {
    const read = () => (existsSync(frameFile) ? readFileSync(frameFile, 'utf8') : '');
    const before = read();
    await sleep(150);
    const got = fit(screen().replace(/\n$/, '').split('\n'));
    const after = read();
    if (before && before === after) {
      const want = fit(stripVTControlCharacters(after.slice(after.indexOf('\n') + 1)).split('\n'));
      last = want.map((w, i) => (w === got[i] ? `  ${w}` : `- ${w}\n+ ${got[i]}`)).join('\n');
      if (JSON.stringify(want) === JSON.stringify(got)) return got;
    }
    await sleep(100);
  }
  throw new Error(`the terminal does not show the app's frame:\n${last}`);
}

function setup(slurmConf: string): { root: string; cfg: string; db: string; frame: string; share: string } {
  const root = mkdtempSync(join(tmpdir(), 'swarmctl-tui-alerts-'));
  const share = join(root, 'share');
  mkdirSync(share);
  const cfg = join(root, 'swarmctl.yaml');
  writeFileSync(
    cfg,
    [
      'version: 1',
      'cluster_name: alerts',
      'services:',
      '  share:',
      '    kind: nfs',
      `    mount: ${share}`,
      'paths:',
      `  shared_root: ${share}`,
      'slurm:',
      `  conf: ${slurmConf}`,
      '  command_timeout_s: 6',
      'thresholds:',
      '  probe_interval_s: 1',
      '  probe_timeout_s: 2',
      '  down_interval_s: 1',
      '  failure_threshold: 1',
      '',
    ].join('\n'),
  );
  return { root, cfg, db: join(root, 'db.sqlite'), frame: join(root, 'frame.txt'), share };
}

function open(s: { cfg: string; db: string; frame: string }): void {
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '80',
    '-y',
    '24',
    '-e',
    `SWARMCTL_TUI_FRAME_FILE=${s.frame}`,
    '-e',
    'TERM=xterm-256color',
    process.execPath,
    BIN,
    '--config',
    s.cfg,
    '--db',
    s.db,
    'tui',
  );
}

afterEach(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    /* gone */
  }
});

describe('alerts at 80x24 (tmux, whole screen)', () => {
  it('SLURM UNKNOWN: squeue really fails; the alert has crit, since-when and r; the header keeps the crit count and STALE', async () => {
    const cluster = requireCluster();
    const s = setup(cluster.slurmConf);
    // One good read first: the console then has a last known queue to show as STALE.
    execFileSync(process.execPath, [BIN, '--config', s.cfg, '--db', s.db, 'queue', '--json'], { env: slurmEnv(), encoding: 'utf8' });
    // A copy of slurm.conf whose controller port nobody listens on, answering fast.
    const dead = join(s.root, 'dead.conf');
    const conf = readFileSync(cluster.slurmConf, 'utf8')
      .replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=16999')
      .replace(/^MessageTimeout=.*$/m, '');
    writeFileSync(dead, `${conf}\nMessageTimeout=2\n`);
    writeFileSync(s.cfg, readFileSync(s.cfg, 'utf8').replace(`conf: ${cluster.slurmConf}`, `conf: ${dead}`));
    open(s);
    await until('the SLURM UNKNOWN alert', (x) => x.includes('queue STALE'), 60_000);
    tmux('send-keys', '-t', session, '5');
    const shown = await until('the alerts panel', (x) => /✗ crit SLURM UNKNOWN for \d/.test(x));
    const lines = await exact(s.frame, 24);
    // Header: the crit count and the STALE marker, at 80 columns.
    expect(lines[0]).toMatch(/^ swarmctl {2}alerts {2}alerts 1 crit {2}queue STALE \d+(m\d+)?s/);
    const alert = lines.find((l) => l.includes('SLURM UNKNOWN'))!;
    // Severity, since-when and the key, inside 80 columns; then the reason, not squeue's argv.
    expect(alert).toMatch(/✗ crit SLURM UNKNOWN for \d+s \(r: retry\): squeue failed: Unable to conta/);
    expect(alert).not.toContain('--noheader');
    expect(shown.split('\n').filter((l) => l.includes(' swarmctl ')).length).toBe(1);
    // The queue panel names the reason first (the stale line of the reviewer's finding).
    tmux('send-keys', '-t', session, '2');
    const q = await until('the stale queue line', (x) => x.includes('STALE: squeue failed: Unable to contact slurm controller'));
    expect(q).not.toMatch(/STALE: squeue -/);
    await exact(s.frame, 24);
  }, 120_000);

  it('shared folder down: the share moved away; crit alert with since-when and its command; header counts it', async () => {
    const cluster = requireCluster();
    const s = setup(cluster.slurmConf);
    open(s);
    await until('the share up', (x) => /alerts 0 crit/.test(x) && /endpoints ✓1 ✗0/.test(x));
    renameSync(s.share, `${s.share}.gone`);
    tmux('send-keys', '-t', session, '5');
    await until('the shared-folder alert', (x) => x.includes('shared folder down for'));
    const lines = await exact(s.frame, 24);
    // Two crit alerts: the share (an endpoint) down, and the shared folder down.
    expect(lines[0]).toMatch(/^ swarmctl {2}alerts {2}alerts 2 crit {2}endpoints ✓0 ✗1/);
    const alert = lines.find((l) => l.includes('shared folder down'))!;
    expect(alert).toMatch(/✗ crit shared folder down for \d+s \(swarmctl restart --only nfs\): NFS share is /);
    const endpoint = lines.find((l) => l.includes('endpoint share down'))!;
    expect(endpoint).toMatch(/✗ crit endpoint share down for \d+s: stat -f failed/);
  }, 120_000);
});
