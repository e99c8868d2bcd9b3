// The command runner against the real sshd on 127.0.0.1 (scripts/test-cluster.sh).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, type TestCluster } from '../support/cluster.js';
import { createRunner, isSshTransportFailure, runOnHost } from '../../src/io/run.js';
import type { NamedHost } from '../../src/config/resolve.js';

let cluster: TestCluster;
let host: NamedHost;
const controlDir = mkdtempSync(join(tmpdir(), 'swarmctl-cm-'));
const ssh = { connectTimeoutS: 5, controlDir };

beforeAll(() => {
  cluster = requireCluster();
  host = {
    name: 'local',
    address: '127.0.0.1',
    user: 'root',
    port: cluster.sshPort,
    identity_file: cluster.sshKey,
    ssh_options: [`UserKnownHostsFile=${cluster.knownHosts}`, 'StrictHostKeyChecking=yes'],
  };
});

describe('runOnHost over the real sshd', () => {
  it('runs an argv remotely with every word intact', async () => {
    const words = ['a b', "it's", '$(id)', '`id`', '$HOME', 'a;b|c', '*', '', 'ü✓', '\\n'];
    const r = await runOnHost(host, { argv: ['printf', '%s\\n', ...words], timeoutMs: 15_000 }, ssh);
    expect(r.ok).toBe(true);
    expect(r.where).toBe('local');
    expect(r.stdout).toBe(words.map((w) => `${w}\n`).join(''));
  });

  it('returns the remote exit code and stderr', async () => {
    const r = await runOnHost(host, { argv: ['sh', '-c', 'echo oops >&2; exit 7'], timeoutMs: 15_000 }, ssh);
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toContain('oops');
    expect(isSshTransportFailure(r)).toBe(false);
  });

  it('passes env and cwd to the remote process', async () => {
    const r = await runOnHost(host, { argv: ['sh', '-c', 'printf "%s|%s" "$SWARM_ISSUE_ID" "$(pwd)"'], env: { SWARM_ISSUE_ID: 'x,SWARM_USE_CLOUD=0' }, cwd: '/tmp', timeoutMs: 15_000 }, ssh);
    expect(r.stdout).toBe('x,SWARM_USE_CLOUD=0|/tmp');
  });

  it('feeds stdin to the remote process (secrets never on argv)', async () => {
    const r = await runOnHost(host, { argv: ['cat'], input: 'top-secret\n', timeoutMs: 15_000 }, ssh);
    expect(r.stdout).toBe('top-secret\n');
  });

  it('reuses one master connection per host (ControlMaster socket exists)', async () => {
    const runner = createRunner(ssh);
    const first = await runner.run({ host, argv: ['true'], timeoutMs: 15_000 });
    expect(first.ok).toBe(true);
    const sockets = readdirSync(controlDir);
    expect(sockets).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect((await runner.run({ host, argv: ['true'], timeoutMs: 15_000 })).ok).toBe(true);
    // Five calls over the shared socket: the same one master, still running (no new handshakes; checked by
    // ssh itself, not by timing, which a loaded machine makes meaningless).
    expect(readdirSync(controlDir)).toEqual(sockets);
    const check = spawnSync('ssh', ['-S', join(controlDir, sockets[0] as string), '-O', 'check', 'ignored-host'], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stderr).toMatch(/Master running/);
  });

  it('kills a remote command that outlives the timeout', async () => {
    const r = await runOnHost(host, { argv: ['sleep', '30'], timeoutMs: 1_500 }, ssh);
    expect(r.timedOut).toBe(true);
    expect(r.durationMs).toBeLessThan(5_000);
    expect(isSshTransportFailure(r)).toBe(true);
  });

  it('reports an unreachable host as an ssh transport failure', async () => {
    const dead = { ...host, name: 'dead', port: 1 };
    const r = await runOnHost(dead, { argv: ['true'], timeoutMs: 10_000 }, { connectTimeoutS: 2, controlDir });
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/refused|connect/i);
  });
});
