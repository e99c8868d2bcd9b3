// Issue 13 point 16: the human `probe` table and `--prom` through the built
// binary, against real test servers on loopback: a head line (cluster, check
// time, timeout), problems first with their address, a first observation marked
// "first seen" (then a real SINCE), the healthy ones summed in one line unless
// --all, and Prometheus series labelled with cluster_name and kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from '../support/bin.js';
import { startTestServer, type TestServerHandle } from '../../src/testserver/llama-test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-probe-table-'));
const db = join(dir, 'state.db');
const cfgPath = join(dir, 'swarmctl.yaml');
const servers: TestServerHandle[] = [];
let refusedUrl = '';
let loadingUrl = '';

beforeAll(async () => {
  const [a, b, loading, gone] = await Promise.all([startTestServer(), startTestServer(), startTestServer({ mode: 'loading' }), startTestServer()]);
  servers.push(a!, b!, loading!);
  refusedUrl = gone!.url;
  await gone!.close();
  loadingUrl = loading!.url;
  writeFileSync(
    cfgPath,
    [
      'version: 1',
      'cluster_name: beefcake-lab',
      `paths: { shared_root: ${dir} }`,
      'thresholds: { probe_timeout_s: 3 }',
      'services:',
      `  llama-a: { kind: llama-server, url: "${a!.url}" }`,
      `  llama-b: { kind: llama-server, url: "${b!.url}" }`,
      `  warming: { kind: llama-server, url: "${loadingUrl}" }`,
      `  gone: { kind: llama-server, url: "${refusedUrl}" }`,
    ].join('\n') + '\n',
  );
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const bin = (...args: string[]) => runBin(['--config', cfgPath, '--db', db, ...args]);

describe('swarmctl probe, human table', () => {
  it('heads the table, lists problems first with address, marks first observations, sums the healthy', async () => {
    const r = await bin('probe');
    expect(r.code).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^cluster beefcake-lab · checked \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ · timeout 3 s$/);
    expect(lines[1]).toMatch(/^ {3}SERVICE +KIND +STATUS +LATENCY +SINCE +ADDRESS +REASON$/);
    expect(lines[2]).toMatch(new RegExp(`^✗  gone .* down .* first seen  ${refusedUrl.replace(/[.]/g, '\\.')} +connection refused`));
    expect(lines[3]).toMatch(new RegExp(`^◐  warming .* loading .* first seen  ${loadingUrl.replace(/[.]/g, '\\.')} +`));
    expect(lines[4]).toBe('✓  2 more up (--all lists them)');
    expect(lines[5]).toBe('2 up, 1 loading, 0 degraded, 1 down, 0 unknown');
    expect(r.stdout).not.toContain('llama-a');
  });

  it('a second sweep counts SINCE from the first; --all lists the healthy rows with their address', async () => {
    const r = await bin('probe', '--all');
    const lines = r.stdout.trimEnd().split('\n');
    expect(r.stdout).not.toContain('first seen');
    expect(lines[2]).toMatch(/^✗  gone .* down .* \d+s  http:\/\/127\.0\.0\.1:\d+ +connection refused/);
    expect(lines.filter((l) => l.startsWith('✓  llama-'))).toHaveLength(2);
    expect(r.stdout).toContain(servers[0]!.url);
    expect(r.stdout).not.toContain('more up');
  });

  it('--prom labels every series with cluster_name and kind, and stamps the sweep', async () => {
    const t0 = Date.now() / 1000;
    const r = await bin('probe', '--prom');
    expect(r.stdout).toMatch(/^swarmctl_service_up\{cluster_name="beefcake-lab",service="llama-a",kind="llama-server"\} 1$/m);
    expect(r.stdout).toMatch(/^swarmctl_service_status\{cluster_name="beefcake-lab",service="gone",kind="llama-server",status="down"\} 1$/m);
    const ts = Number(/^swarmctl_probe_sweep_timestamp_seconds\{cluster_name="beefcake-lab"\} ([\d.]+)$/m.exec(r.stdout)?.[1]);
    expect(ts).toBeGreaterThanOrEqual(Math.floor(t0) - 1);
    expect(ts).toBeLessThanOrEqual(Date.now() / 1000);
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('swarmctl_'))) expect(line).toContain('cluster_name="beefcake-lab"');
  });
});
