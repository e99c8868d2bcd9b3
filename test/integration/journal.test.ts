// The cluster-wide action record and the state DB's place: every audited action is
// appended to <shared_root>/ai/swarmctl/journal/<host>.jsonl; `audit` and the
// recovery budget read every host's file; SQLite is kept off network filesystems.
// No NFS can be mounted in this sandbox (the kernel has no nfs), so the mount table
// is a mountinfo fixture given through SWARMCTL_MOUNTINFO.
import { describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

requireCluster();

function share() {
  const d = mkdtempSync(join(tmpdir(), 'swarmctl-journal-'));
  mkdirSync(join(d, 'ai', 'logs'), { recursive: true });
  mkdirSync(join(d, 'code', 'repo'), { recursive: true });
  const config = join(d, 'swarmctl.yaml');
  writeFileSync(config, `version: 1\nservices:\n  shared:\n    kind: nfs\n    mount: ${d}\npaths:\n  shared_root: ${d}\nslurm:\n  conf: /tmp/swarmctl-cluster/slurm/slurm.conf\n`);
  return { d, config, db: join(d, 'local', 'state.db'), journal: join(d, 'ai', 'swarmctl', 'journal') };
}
const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_');

describe('the journal on the share', () => {
  it("this host's actions are appended as whole lines; audit shows them with another host's, skipping its torn last line", async () => {
    const s = share();
    const r = await runBin(['--config', s.config, '--db', s.db, 'restart', '--yes', '--only', 'shared']);
    expect(r.code).toBe(0);
    const mine = readFileSync(join(s.journal, `${host}.jsonl`), 'utf8');
    expect(mine.endsWith('\n')).toBe(true);
    expect(JSON.parse(mine.trim().split('\n').at(-1)!)).toMatchObject({ host, action: 'restart.run', outcome: 'ok' });
    // login-02's swarmctl crashed in the middle of its last line
    writeFileSync(
      join(s.journal, 'login-02.jsonl'),
      JSON.stringify({ at: Date.now() - 1000, host: 'login-02', actor: 'ops@login-02', action: 'recover.attempt', issue_id: 'beefcake-q1', outcome: 'ok', detail: 'resubmit' }) +
        '\n' +
        '{"at":17000,"host":"login-02","act',
    );
    const a = JSON.parse((await runBin(['--config', s.config, '--db', s.db, 'audit', '--json'])).stdout).rows;
    expect(a.map((x: any) => [x.host, x.action])).toEqual([
      [host, 'restart.run'],
      ['login-02', 'recover.attempt'],
    ]);
  }, 60_000);

  it('the recovery budget counts attempts from every host (fails without the journal)', async () => {
    const s = share();
    copyFileSync(join(REPO_ROOT, 'fixtures', 'beefcake', 'swarm-orch-2317.stuck-loop.log'), join(s.d, 'ai', 'logs', 'swarm-orch-2317.log'));
    const kinds = async () => JSON.parse((await runBin(['--config', s.config, '--db', s.db, 'diagnose', 'beefcake-q1', '--job', '2317', '--json'])).stdout).diagnoses.map((d: any) => d.kind);
    expect(await kinds()).not.toContain('budget_exhausted');
    mkdirSync(s.journal, { recursive: true });
    for (const h of ['login-01', 'login-02'])
      for (let i = 0; i < (h === 'login-01' ? 2 : 1); i++)
        appendFileSync(join(s.journal, `${h}.jsonl`), JSON.stringify({ at: Date.now(), host: h, actor: `ops@${h}`, action: 'recover.attempt', issue_id: 'beefcake-q1', outcome: 'ok' }) + '\n');
    expect(await kinds()).toContain('budget_exhausted');
  }, 60_000);

  it('an explicit --db on a network filesystem is refused; the default state path there is replaced by a local one, said on stderr', async () => {
    const s = share();
    const mountinfo = join(s.d, 'mountinfo');
    const real = readFileSync('/proc/self/mountinfo', 'utf8');
    writeFileSync(mountinfo, `${real}999 1 0:99 / ${s.d} rw,relatime - nfs4 10.0.0.5:/export/home rw,vers=4.2\n`);
    const env = { SWARMCTL_MOUNTINFO: mountinfo };
    const refused = await runBin(['--config', s.config, '--db', join(s.d, 'state.db'), 'audit'], { env });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(new RegExp(`state database ${s.d}/state.db is on nfs4 \\(${s.d}\\): SQLite's WAL does not work on a network filesystem`));
    expect(existsSync(join(s.d, 'state.db'))).toBe(false);
    const moved = await runBin(['--config', s.config, 'audit'], { env: { ...env, XDG_STATE_HOME: join(s.d, 'state') } });
    expect(moved.code).toBe(0);
    expect(moved.stderr).toMatch(new RegExp(`default state path ${s.d}/state/swarmctl/swarmctl.db is on nfs4 .*using the local /var/tmp/swarmctl-\\d+/swarmctl.db instead`));
    expect(existsSync(join(s.d, 'state', 'swarmctl', 'swarmctl.db'))).toBe(false);
    const doctor = JSON.parse((await runBin(['--config', s.config, 'doctor', '--json'], { env: { ...env, XDG_STATE_HOME: join(s.d, 'state') } })).stdout);
    const db = (doctor.checks ?? doctor.results).find((c: any) => c.name === 'db' || c.id === 'db');
    expect(db.status).toBe('warn');
    expect(db.message ?? db.detail).toMatch(/the default .* is on nfs4 .* so this local path is used/);
    // a local path is untouched
    expect((await runBin(['--config', s.config, '--db', join(tmpdir(), `swarmctl-local-${process.pid}.db`), 'audit'], { env })).code).toBe(0);
  }, 60_000);
});
