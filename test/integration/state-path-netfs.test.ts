// SQLite kept off a REAL network filesystem: the test cluster mounts the test sshd's
// folder with sshfs (fuse.sshfs, scripts/test-cluster.sh hosts-up). No mountinfo
// fixture: swarmctl reads this process's own /proc/self/mountinfo.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCluster, requireHosts } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

requireCluster();
const { netfs } = requireHosts();

describe('the state DB and a real network filesystem (sshfs)', () => {
  it('an explicit --db on the sshfs mount is refused (64, nothing created); a default state path there is replaced by the local one, said on stderr and by doctor', async () => {
    const mine = /^\S+ \S+ \S+ \S+ (\S+) .* - (\S+) /m;
    const line = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => mine.exec(l))
      .find((m) => m?.[1] === netfs);
    expect(line?.[2]).toBe('fuse.sshfs');
    const d = mkdtempSync(join(netfs, 'state-'));
    mkdirSync(join(d, 'code', 'repo'), { recursive: true });
    const config = join(d, 'swarmctl.yaml');
    writeFileSync(config, `version: 1\nservices:\n  shared:\n    kind: nfs\n    mount: ${d}\npaths:\n  shared_root: ${d}\nslurm:\n  conf: /tmp/swarmctl-cluster/slurm/slurm.conf\n`);
    const refused = await runBin(['--config', config, '--db', join(d, 'state.db'), 'audit']);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain(`state database ${d}/state.db is on fuse.sshfs (${netfs}): SQLite's WAL does not work on a network filesystem`);
    expect(existsSync(join(d, 'state.db'))).toBe(false);
    const env = { XDG_STATE_HOME: join(d, 'state') };
    const moved = await runBin(['--config', config, 'audit'], { env });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toMatch(new RegExp(`default state path ${d}/state/swarmctl/swarmctl.db is on fuse.sshfs .*using the local /var/tmp/swarmctl-\\d+/swarmctl.db instead`));
    expect(existsSync(join(d, 'state', 'swarmctl', 'swarmctl.db'))).toBe(false);
    const doctor = JSON.parse((await runBin(['--config', config, 'doctor', '--json'], { env })).stdout);
    const db = (doctor.checks ?? doctor.results).find((c: any) => c.name === 'db' || c.id === 'db');
    expect(db.status).toBe('warn');
    expect(db.message ?? db.detail).toMatch(/the default .* is on fuse.sshfs .* so this local path is used/);
  }, 60_000);
});
