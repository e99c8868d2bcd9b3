// `swarmctl probe` / `smoke` / `history` as an operator runs them (the built
// binary) against the local test cluster (ssh, slurm, the shared dir) plus
// in-process test servers on loopback: JSON shape, exit codes, Prometheus text,
// unknown service → 64, and the proxy key absent from stdout, stderr and SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { requireCluster } from '../support/cluster.js';
import { LOOPBACK_CONFIG, runBin } from '../support/bin.js';
import { startTestServer, type TestServerHandle } from '../../src/testserver/llama-test-server.js';

const KEY = 'integration-proxy-key-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-probe-it-'));
const db = join(dir, 'state.db');
const cfgPath = join(dir, 'swarmctl.yaml');
const servers: TestServerHandle[] = [];

beforeAll(async () => {
  requireCluster();
  const keyFile = join(dir, 'proxy.key');
  writeFileSync(keyFile, `${KEY}\n`);
  chmodSync(keyFile, 0o600);
  const [llama, loading, proxy, overflow] = await Promise.all([
    startTestServer(),
    startTestServer({ mode: 'loading' }),
    startTestServer({ kind: 'proxy', apiKey: KEY }),
    startTestServer({ mode: 'context-overflow', nCtx: 4096, promptTokens: 6000 }),
  ]);
  servers.push(llama!, loading!, proxy!, overflow!);
  const cfg = parse(readFileSync(LOOPBACK_CONFIG, 'utf8')) as Record<string, any>;
  cfg['paths'] = cfg['paths'];
  cfg['services'] = {
    ...cfg['services'],
    'local-llama': { kind: 'ssh', host: 'local', process_check: ['true'] },
    llama: { kind: 'llama-server', url: llama!.url },
    warming: { kind: 'llama-server', url: loading!.url },
    proxy: { kind: 'openai-proxy', url: proxy!.url, api_key_file: keyFile },
    small: { kind: 'llama-server', url: overflow!.url },
  };
  writeFileSync(cfgPath, stringify(cfg));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const bin = (...args: string[]) => runBin(['--config', cfgPath, '--db', db, ...args]);

describe('swarmctl probe against the test cluster', () => {
  it('all cluster services up: exit 0, one JSON document', async () => {
    const r = await bin('probe', 'shared', 'slurm', 'local-ssh', 'local-llama', 'llama', 'proxy', '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc.services.map((s: any) => [s.name, s.status])).toEqual([
      ['shared', 'up'],
      ['slurm', 'up'],
      ['local-ssh', 'up'],
      ['local-llama', 'up'],
      ['llama', 'up'],
      ['proxy', 'up'],
    ]);
    const slurm = doc.services.find((s: any) => s.name === 'slurm');
    expect(slurm.reason).toMatch(/^controller up, 1 node ok$/);
    expect(doc.services.find((s: any) => s.name === 'shared').reason).toBe('stat ok (plain directory, not a mount point)');
    expect(doc.summary).toMatchObject({ up: 6, total: 6, exit_code: 0 });
    expect(typeof doc.checked_at).toBe('string');
    for (const s of doc.services) expect(Object.keys(s)).toEqual(expect.arrayContaining(['name', 'kind', 'status', 'latency_ms', 'reason', 'since']));
    expect(r.code).toBe(0);
  });

  it('a loading model gives exit 1; the key never appears in output or the DB', async () => {
    const r = await bin('probe', '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc.services.find((s: any) => s.name === 'warming')).toMatchObject({ status: 'loading', reason: 'Loading model' });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(readFileSync(db).includes(KEY)).toBe(false);
    const prom = await bin('probe', '--prom');
    expect(prom.stdout).toContain('swarmctl_service_up{cluster_name="loopback",service="warming",kind="llama-server"} 0');
    expect(prom.stdout).toContain('swarmctl_service_status{cluster_name="loopback",service="warming",kind="llama-server",status="loading"} 1');
    expect(prom.stdout).not.toContain(KEY);
  });

  it('text table has symbols; unknown service exits 64', async () => {
    const t = await bin('probe', 'warming', 'llama', '--all');
    expect(t.stdout).toMatch(/^◐ {2}warming /m);
    expect(t.stdout).toMatch(/^✓ {2}llama /m);
    const bad = await bin('probe', 'no-such-service');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('unknown service: no-such-service');
  });

  it("ssh to a closed port is down with ssh's reason", async () => {
    const cfg = parse(readFileSync(cfgPath, 'utf8')) as Record<string, any>;
    cfg['hosts']['dead'] = { address: '127.0.0.1', port: 1, user: 'root' };
    cfg['services'] = { dead: { kind: 'ssh', host: 'dead' } };
    const p = join(dir, 'dead.yaml');
    writeFileSync(p, stringify(cfg));
    const r = await runBin(['--config', p, '--db', join(dir, 'dead.db'), 'probe', '--json']);
    const s = JSON.parse(r.stdout).services[0];
    expect(s.status).toBe('down');
    expect(s.reason).toMatch(/^ssh to 127\.0\.0\.1: .*Connection refused/);
    expect(r.code).toBe(2);
  });

  it('smoke reports context overflow with the numbers; history summarises', async () => {
    const r = await bin('smoke', 'llama', 'small', '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc.services.map((s: any) => [s.name, s.status, s.reason])).toEqual([
      ['llama', 'up', 'replied "Ready"'],
      ['small', 'down', 'context overflow: request 6000 tokens exceeds context 4096 tokens'],
    ]);
    expect(r.code).toBe(2);
    const h = await bin('history', 'llama', '--json');
    const hist = JSON.parse(h.stdout);
    expect(hist.services[0]).toMatchObject({ service: 'llama', uptime_percent: 100 });
    expect(hist.services[0].checks).toBeGreaterThanOrEqual(2);
    expect(hist.services[0].latency_ms.p50).toBeGreaterThan(0);
    expect(h.code).toBe(0);
  });
});
