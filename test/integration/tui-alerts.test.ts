// Two alerts as an operator sees them at 80x24, in tmux, screen-exact against
// the app's frame (SWARMCTL_TUI_FRAME_FILE): SLURM UNKNOWN (squeue really
// failing: the console gets a copy of slurm.conf whose controller port is dead;
// the shared controller is never stopped) and the shared folder down (the
// share's folder moved away). Each alert line shows severity, since-when and
// the key that acts, and the header keeps the crit count (and STALE) at 80 columns.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { BIN } from '../support/bin.js';
import { killConsoles, startConsole } from '../support/tmux-console.js';

const session = `swarmctl-alerts${process.pid}`;

function setup(slurmConf: string): { root: string; cfg: string; db: string; share: string } {
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
  return { root, cfg, db: join(root, 'db.sqlite'), share };
}

const open = (s: { root: string; cfg: string; db: string }) => startConsole({ session, dir: s.root, config: s.cfg, db: s.db, columns: 80, rows: 24, untilMs: 45_000 });

afterEach(killConsoles);

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
    const c = open(s);
    await c.until('the SLURM UNKNOWN alert', (x) => x.includes('queue STALE'), 60_000);
    c.press('5');
    const shown = await c.until('the alerts panel', (x) => /✗ crit SLURM UNKNOWN for \d/.test(x));
    const lines = await c.exact('80x24 the SLURM UNKNOWN alert', 10_000);
    // Header: the crit count and the STALE marker, at 80 columns.
    expect(lines[0]).toMatch(/^ swarmctl {2}alerts {2}alerts 1 crit {2}queue STALE \d+(m\d+)?s/);
    const alert = lines.find((l) => l.includes('SLURM UNKNOWN'))!;
    // Severity, since-when and the key, inside 80 columns; then the reason, not squeue's argv.
    expect(alert).toMatch(/✗ crit SLURM UNKNOWN for \d+s \(r: retry\): squeue failed: Unable to conta/);
    expect(alert).not.toContain('--noheader');
    expect(shown.split('\n').filter((l) => l.includes(' swarmctl ')).length).toBe(1);
    // The queue panel names the reason first (the stale line of the reviewer's finding).
    c.press('2');
    const q = await c.until('the stale queue line', (x) => x.includes('STALE: squeue failed: Unable to contact slurm controller'));
    expect(q).not.toMatch(/STALE: squeue -/);
    await c.exact('80x24 the stale queue', 10_000);
  }, 120_000);

  it('shared folder down: the share moved away; crit alert with since-when and its command; header counts it', async () => {
    const cluster = requireCluster();
    const s = setup(cluster.slurmConf);
    const c = open(s);
    await c.until('the share up', (x) => /alerts 0 crit/.test(x) && /endpoints ✓1 ✗0/.test(x));
    renameSync(s.share, `${s.share}.gone`);
    c.press('5');
    await c.until('the shared-folder alert', (x) => x.includes('shared folder down for'));
    const lines = await c.exact('80x24 the shared-folder alert', 10_000);
    // Two crit alerts: the share (an endpoint) down, and the shared folder down.
    expect(lines[0]).toMatch(/^ swarmctl {2}alerts {2}alerts 2 crit {2}endpoints ✓0 ✗1/);
    const alert = lines.find((l) => l.includes('shared folder down'))!;
    expect(alert).toMatch(/✗ crit shared folder down for \d+s \(swarmctl restart --only nfs\): NFS share is /);
    const endpoint = lines.find((l) => l.includes('endpoint share down'))!;
    expect(endpoint).toMatch(/✗ crit endpoint share down for \d+s: stat -f failed/);
  }, 120_000);
});
