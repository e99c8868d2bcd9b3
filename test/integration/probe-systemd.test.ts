// The systemd service kind (issue 17): `swarmctl probe` on a unit, through the built bin.
// The test machine has no systemd as init, so (1) the REAL systemctl, here and over the real
// sshd, must say "unknown: systemd is not running there", never up or down; (2) a stand-in
// systemctl/journalctl on PATH plays a failed and an active dogfood-loop unit.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireCluster } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-systemd-'));
const fakeBin = join(dir, 'bin');
const cfgPath = join(dir, 'swarmctl.yaml');

beforeAll(() => {
  requireCluster();
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'systemctl'), '#!/bin/sh\n# stand-in: the state comes from FAKE_UNIT_STATE\necho "$FAKE_UNIT_STATE"\n[ "$FAKE_UNIT_STATE" = active ] && exit 0\nexit 3\n');
  writeFileSync(join(fakeBin, 'journalctl'), '#!/bin/sh\necho "dogfood loop starting: repo=beefcake-swarm"\necho "ERROR: Another dogfood loop is running (pid=4242). Kill it first: kill 4242"\n');
  chmodSync(join(fakeBin, 'systemctl'), 0o755);
  chmodSync(join(fakeBin, 'journalctl'), 0o755);
  writeFileSync(
    cfgPath,
    [
      'version: 1',
      'hosts:',
      '  local:',
      '    address: 127.0.0.1',
      '    user: root',
      '    port: 12222',
      '    identity_file: /tmp/swarmctl-cluster/ssh/id_ed25519',
      '    ssh_options: [UserKnownHostsFile=/tmp/swarmctl-cluster/ssh/known_hosts, StrictHostKeyChecking=yes]',
      'services:',
      '  dogfood:',
      '    kind: systemd',
      '    unit: dogfood-loop',
      '  dogfood-remote:',
      '    kind: systemd',
      '    unit: dogfood-loop',
      '    host: local',
      `paths: {shared_root: ${dir}/shared}`,
      '',
    ].join('\n'),
  );
});

let dbs = 0;
// A fresh database per call: each observation is a first one, shown raw (no debounce).
const probe = async (svc: string, env: NodeJS.ProcessEnv = {}) => {
  const r = await runBin(['--config', cfgPath, '--db', join(dir, `state-${dbs++}.db`), 'probe', svc, '--json'], { env });
  return { code: r.code, svc: JSON.parse(r.stdout).services[0] as { status: string; reason: string; details?: { journal?: string[] } } };
};

describe('probe kind systemd', () => {
  it('the real systemctl on a machine without systemd: unknown with its reason, here and over ssh', async () => {
    const here = await probe('dogfood');
    expect(here.svc).toMatchObject({ status: 'unknown', reason: expect.stringContaining('systemd is not running there') });
    const remote = await probe('dogfood-remote');
    expect(remote.svc).toMatchObject({ status: 'unknown', reason: expect.stringContaining('systemd is not running there') });
  });

  it('a failed unit is down with its last journal lines; an active one is up', async () => {
    const path = `${fakeBin}:${process.env['PATH']}`;
    const failed = await probe('dogfood', { PATH: path, FAKE_UNIT_STATE: 'failed' });
    expect(failed.svc).toMatchObject({ status: 'down', reason: 'dogfood-loop is failed' });
    expect(failed.svc.details?.journal).toEqual(['dogfood loop starting: repo=beefcake-swarm', 'ERROR: Another dogfood loop is running (pid=4242). Kill it first: kill 4242']);
    expect(failed.code).toBe(2);
    const up = await probe('dogfood', { PATH: path, FAKE_UNIT_STATE: 'active' });
    expect(up).toMatchObject({ code: 0, svc: { status: 'up' } });
  });

  it('config check: a systemd service without unit: is a config error', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `version: 1\nservices:\n  x:\n    kind: systemd\npaths: {shared_root: ${dir}/shared}\n`);
    const r = await runBin(['config', 'check', bad]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('a systemd service needs unit:');
  });
});
