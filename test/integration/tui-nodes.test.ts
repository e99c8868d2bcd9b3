// The nodes section of the console's endpoints view (issue 16 point 7) in tmux,
// screen-exact at 80x24 and 120x36, on the test cluster's one real node: D asks a
// reason, shows the exact scontrol argv, y drains it (audited as node.drain, as the
// CLI does); the row then shows sinfo's state and the reason; U, y resumes it.
// test.sh: serial — it drains the node other files' jobs run on, so scripts/test.sh
// runs it in the serial pass; the drain lasts seconds and `finally` resumes the node.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, slurmEnv } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { sleep, startConsole, type TmuxConsole } from '../support/tmux-console.js';

const cluster = requireCluster();
const tag = `nd${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-tui-nodes-'));
const config = join(dir, 'swarmctl.yaml');
const db = join(dir, 'db.sqlite');
writeFileSync(config, `version: 1\ncluster_name: nodes\npaths:\n  shared_root: ${dir}\nslurm:\n  conf: ${cluster.slurmConf}\n`);
const consoles: TmuxConsole[] = [];
const node = cluster.node;
const nodeLine = () => execFileSync('sinfo', ['-h', '-N', '-n', node, '-o', '%t|%E'], { encoding: 'utf8', env: slurmEnv() }).trim();
const reason = `swarmctl tui test ${tag}`;

afterAll(() => {
  for (const c of consoles) c.kill();
});

describe('nodes in the endpoints view (tmux)', () => {
  it('80x24 and 120x36: D, reason, y drains the node with its reason shown; U, y resumes it; both audited', async () => {
    const c = startConsole({ session: `swarmctl-${tag}`, dir, config, db, columns: 80, rows: 24 });
    consoles.push(c);
    try {
      const s0 = await c.until('the node row', (s) => new RegExp(`${node}\\s+slurm node`).test(s));
      expect(s0).toMatch(new RegExp(`✓ (idle|alloc|mixed|comp)\\S*\\s+${node}\\s+slurm node`));
      // The node is the only endpoint here; it is selected.
      c.press('D');
      await c.until('the reason prompt', (s) => s.includes(`drain ${node}, reason: █`));
      c.press(reason);
      c.press('Enter');
      const dialog = await c.until('the drain plan', (s) => s.includes('Run it? y/N'));
      expect(dialog).toContain(`drain node ${node}`);
      expect(dialog).toContain(`$ scontrol update nodename=${node} state=drain reason=${reason}`);
      expect(dialog).toContain('audited as node.drain');
      await c.exact('80x24 the drain dialog');
      expect(nodeLine()).not.toMatch(/^drain|^drng/); // nothing ran for the plan
      c.press('y');
      // The row: sinfo's state in the status column, the reason after it (cut at 80 columns).
      const drained = await c.until('the drained row', (s) => new RegExp(`! (drained|draining)\\s+${node}\\s+slurm node .*(drained|draining): swarmctl`).test(s), 15_000);
      expect(drained).toContain('alerts 0 crit'); // a drained node is a warning, not a crit
      expect(nodeLine()).toMatch(new RegExp(`^(drain|drng)\\|${reason}$`));
      await c.exact('80x24 the drained node');
      await c.resize(120, 36);
      // At 120x36 the endpoints box has no room for the reason column: the alert starts it, Enter shows it whole.
      await c.until('the drained node alert', (s) => new RegExp(`! warn node ${node} (drained|draining): swarmctl tui`).test(s) && s.includes('2 Queue'));
      await c.exact('120x36 the drained node');
      c.press('Enter');
      const det = await c.until('the node detail', (s) => s.includes(`endpoint ${node}`));
      expect(det).toContain(`drain     yes: ${reason}`);
      expect(det).toContain('U resumes it (y/N)');
      await c.exact('120x36 the drained node, detail');
      c.press('Escape');
      await sleep(200);
      c.press('U');
      const resume = await c.until('the resume plan', (s) => s.includes('Run it? y/N'));
      expect(resume).toContain(`$ scontrol update nodename=${node} state=resume`);
      await c.exact('120x36 the resume dialog');
      c.press('y');
      await c.until('the node resumed', (s) => s.includes(`✓ resume node ${node}`), 15_000);
      expect(nodeLine()).toMatch(/^(idle|mix|alloc|comp)\*?\|none$/);
    } finally {
      // Whatever happened above, the shared node takes jobs again.
      if (/^(drain|drng)/.test(nodeLine())) execFileSync('scontrol', ['update', `nodename=${node}`, 'state=resume'], { env: slurmEnv() });
    }
    const audit = JSON.parse((await runBin(['--config', config, '--db', db, 'audit', '--json'])).stdout).rows.map((x: { action: string; outcome: string; argv: string[] }) => [
      x.action,
      x.outcome,
      x.argv,
    ]);
    expect(audit).toEqual([
      ['node.resume', 'ok', ['scontrol', 'update', `nodename=${node}`, 'state=resume']],
      ['node.drain', 'ok', ['scontrol', 'update', `nodename=${node}`, 'state=drain', `reason=${reason}`]],
    ]);
    // Esc, then D on nothing: no node selected in another panel says so.
    c.press('2');
    await sleep(200);
    c.press('D');
    await c.until('the hint', (s) => s.includes('select a node (panel 1'));
    c.press('q');
  }, 120_000);
});
