// Every probe kind that speaks HTTP, against the REAL test server on loopback (one
// instance per mode), plus bad input (non-JSON, empty 200, redirect loop, 10 MB
// body, unreachable host name, key file missing / world-readable), the sweep's
// concurrency, the NFS probe on a temp dir, and the proxy key never leaving memory.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServerHandle, type TestServerOptions } from '../../../src/testserver/llama-test-server.js';
import type { NamedService } from '../../../src/config/resolve.js';
import type { ProbeContext } from '../../../src/probes/context.js';
import { probeLlama } from '../../../src/probes/llama.js';
import { probeVllm } from '../../../src/probes/vllm.js';
import { probeHttp } from '../../../src/probes/http.js';
import { probeSmoke } from '../../../src/probes/smoke.js';
import { probeProxy } from '../../../src/probes/proxy.js';
import { probeNfs } from '../../../src/probes/nfs.js';
import { BackoffBook } from '../../../src/probes/backoff.js';
import { runSweep } from '../../../src/probes/scheduler.js';

const open: TestServerHandle[] = [];
async function serve(o: TestServerOptions = {}): Promise<TestServerHandle> {
  const s = await startTestServer(o);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
const cfg = { hosts: {}, slurm: { command_timeout_s: 5 }, thresholds: {} } as unknown as ProbeContext['cfg'];
const ctx = (timeoutMs = 1500): ProbeContext => ({ timeoutMs, cfg });
const svc = (o: Partial<NamedService>): NamedService => ({ name: 's', kind: 'llama-server', write_check: false, depends_on: [], ...o }) as NamedService;
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-probes-'));
const KEY = 'probe-secret-key-0123456789';
function keyFile(mode: number, name = `key-${mode.toString(8)}`): string {
  const p = join(dir, name);
  writeFileSync(p, `${KEY}\n`);
  chmodSync(p, mode);
  return p;
}

describe('llama-server probe', () => {
  it('healthy → up, with /props and /slots recorded', async () => {
    const s = await serve({ nCtx: 8192, totalSlots: 2, buildInfo: 'b1234' });
    const r = await probeLlama(svc({ url: s.url }), ctx());
    expect(r.status).toBe('up');
    expect(r.details).toMatchObject({ n_ctx: 8192, total_slots: 2, build_info: 'b1234', slotsTotal: 2, route: '/health' });
  });
  it.each([
    ['loading', 'loading', 'Loading model'],
    ['busy', 'degraded', 'all slots busy'],
    ['garbage', 'degraded', 'health answered HTTP 200 but the body is not JSON'],
    ['empty', 'degraded', 'health answered HTTP 200 with an empty body'],
    ['huge', 'degraded', 'health answered HTTP 200 but the body exceeded the read limit'],
    ['redirect-loop', 'down', 'health answered a redirect (HTTP 302)'],
    ['vllm', 'degraded', 'health answered HTTP 200 with an empty body'],
  ] as const)('mode %s → %s', async (mode, status, reason) => {
    const s = await serve({ mode });
    const r = await probeLlama(svc({ url: s.url }), ctx());
    expect([r.status, r.reason]).toEqual([status, reason]);
  });
  it('old-style health answers are understood', async () => {
    const a = await serve({ mode: 'old-health', oldHealth: 'loading model' });
    const b = await serve({ mode: 'old-health', oldHealth: 'error' });
    const c = await serve({ mode: 'old-health', oldHealth: 'ok' });
    expect((await probeLlama(svc({ url: a.url }), ctx())).status).toBe('loading');
    expect((await probeLlama(svc({ url: b.url }), ctx())).reason).toBe('model failed to load');
    expect((await probeLlama(svc({ url: c.url }), ctx())).status).toBe('up');
  });
  it('hang → down within the timeout; refused → down "connection refused"', async () => {
    const h = await serve({ mode: 'hang' });
    const t0 = performance.now();
    const r = await probeLlama(svc({ url: h.url }), ctx(600));
    expect(performance.now() - t0).toBeLessThan(1100);
    expect(r.status).toBe('down');
    expect(r.reason).toMatch(/no answer|timed out/);
    const gone = await serve();
    const url = gone.url;
    await gone.close();
    const refused = await probeLlama(svc({ url }), ctx());
    expect(refused.status).toBe('down');
    expect(refused.reason).toMatch(/refused/);
  });
  it('falls back to /v1/health on a 404 at /health', async () => {
    const s = await serve({ kind: 'proxy' }); // proxy answers 404 on /health; /v1/health also 404
    const r = await probeLlama(svc({ url: s.url }), ctx());
    expect(r.details?.['route']).toBe('/v1/health');
    expect(r.status).toBe('down');
  });
  it('an unresolvable host name is down with a clear reason, within the timeout', async () => {
    const t0 = performance.now();
    const r = await probeLlama(svc({ url: 'http://no-such-host.invalid:8080' }), ctx(3000));
    expect(performance.now() - t0).toBeLessThan(3800);
    expect(r.status).toBe('down');
    expect(r.reason).toMatch(/resolve|no answer|DNS|ENOTFOUND|EAI_AGAIN/i);
  });
});

describe('vllm and generic http probes', () => {
  it('vllm: 200 empty up; loading 503 down', async () => {
    const v = await serve({ mode: 'vllm' });
    expect((await probeVllm(svc({ kind: 'vllm', url: v.url }), ctx())).status).toBe('up');
    const l = await serve({ mode: 'loading' });
    expect((await probeVllm(svc({ kind: 'vllm', url: l.url }), ctx())).status).toBe('down');
  });
  it('http: 2xx up, redirect down', async () => {
    const s = await serve();
    expect((await probeHttp(svc({ kind: 'http', url: `${s.url}/health` }), ctx())).status).toBe('up');
    const r = await serve({ mode: 'redirect-loop' });
    expect((await probeHttp(svc({ kind: 'http', url: `${r.url}/health` }), ctx())).reason).toBe('answered a redirect (HTTP 302)');
  });
});

describe('smoke probe', () => {
  it('healthy → up with the reply', async () => {
    const s = await serve();
    const r = await probeSmoke(svc({ url: s.url, model: 'm' }), ctx());
    expect(r.status).toBe('up');
    expect(r.details?.['reply']).toBe('Ready');
  });
  it('context overflow 400 and parse failure 500 are reported with their numbers', async () => {
    const o = await serve({ mode: 'context-overflow', nCtx: 4096, promptTokens: 5000 });
    const ro = await probeSmoke(svc({ url: o.url }), ctx());
    expect([ro.status, ro.reason]).toEqual(['down', 'context overflow: request 5000 tokens exceeds context 4096 tokens']);
    const p = await serve({ mode: 'parse-failure', parseFailurePos: 42 });
    const rp = await probeSmoke(svc({ url: p.url }), ctx());
    expect([rp.status, rp.reason, rp.details?.['pos']]).toEqual(['degraded', 'output parse failure at pos 42', 42]);
  });
  it('api-key mode: the key from the file is sent in a header', async () => {
    const s = await serve({ mode: 'api-key', apiKey: KEY });
    const r = await probeSmoke(svc({ url: s.url, api_key_file: keyFile(0o600) }), ctx());
    expect(r.status).toBe('up');
    expect(s.stats().keyInUrl).toBe(0);
    expect(JSON.stringify(r)).not.toContain(KEY);
  });
});

describe('openai-proxy probe', () => {
  it('healthy → up with model count; key sent only as a header, absent from the result', async () => {
    const s = await serve({ kind: 'proxy', apiKey: KEY, proxyModels: ['a', 'b'] });
    const r = await probeProxy(svc({ kind: 'openai-proxy', url: s.url, api_key_file: keyFile(0o600) }), ctx(), new BackoffBook());
    expect([r.status, r.reason]).toEqual(['up', '2 models']);
    expect(r.details).toMatchObject({ liveness: '/healthz', modelCount: 2 });
    expect(s.stats().routes['/v1/models']?.withValidKey).toBe(1);
    expect(s.stats().keyInUrl).toBe(0);
    expect(JSON.stringify(r)).not.toContain(KEY);
  });
  it('older build without /healthz falls back to the GET / banner', async () => {
    const s = await serve({ kind: 'proxy', apiKey: KEY, proxyHealthz: false });
    const r = await probeProxy(svc({ kind: 'openai-proxy', url: s.url, api_key_file: keyFile(0o600) }), ctx(), new BackoffBook());
    expect(r.status).toBe('up');
    expect(r.details?.['liveness']).toBe('/');
  });
  it('wrong key → degraded key rejected; missing key file → degraded; world-readable → warned', async () => {
    const s = await serve({ kind: 'proxy', apiKey: 'another-key' });
    const bad = await probeProxy(svc({ kind: 'openai-proxy', url: s.url, api_key_file: keyFile(0o600) }), ctx(), new BackoffBook());
    expect([bad.status, bad.reason]).toEqual(['degraded', 'key rejected (invalid API key)']);
    const missing = await probeProxy(svc({ kind: 'openai-proxy', url: s.url, api_key_file: join(dir, 'nope') }), ctx(), new BackoffBook());
    expect(missing.status).toBe('degraded');
    expect(missing.reason).toMatch(/key file .*nope is missing/);
    const ok = await serve({ kind: 'proxy', apiKey: KEY });
    const loose = await probeProxy(svc({ kind: 'openai-proxy', url: ok.url, api_key_file: keyFile(0o644) }), ctx(), new BackoffBook());
    expect(loose.status).toBe('up');
    expect(loose.reason).toMatch(/warning: key file .* mode 0644, want 0600/);
    expect(loose.details?.['keyFileWarning']).toMatch(/0644/);
  });
  it('quota 429 → degraded with reset, then backs off without calling /v1/models again', async () => {
    const s = await serve({ kind: 'proxy', apiKey: KEY, mode: 'quota', resetSeconds: 90 });
    const book = new BackoffBook();
    const service = svc({ kind: 'openai-proxy', url: s.url, api_key_file: keyFile(0o600) });
    const first = await probeProxy(service, ctx(), book);
    expect([first.status, first.reason]).toEqual(['degraded', 'quota, resets in 90 s']);
    const second = await probeProxy(service, ctx(), book);
    expect(second.status).toBe('degraded');
    expect(second.reason).toMatch(/^quota, resets in 90 s \(backing off, next models check in (89|90) s\)$/);
    expect(s.stats().routes['/v1/models']?.requests).toBe(1);
  });
  it('no-auth 503 → degraded', async () => {
    const s = await serve({ kind: 'proxy', apiKey: KEY, mode: 'no-auth' });
    const r = await probeProxy(svc({ kind: 'openai-proxy', url: s.url, api_key_file: keyFile(0o600) }), ctx(), new BackoffBook());
    expect(r.status).toBe('degraded');
    expect(r.reason).toMatch(/no auth available/);
  });
});

describe('sweep concurrency', () => {
  it('30 hanging services with a 500 ms timeout finish in about one timeout', async () => {
    const hangs = await Promise.all(Array.from({ length: 3 }, () => serve({ mode: 'hang' })));
    const services = Array.from({ length: 30 }, (_, i) => svc({ name: `h${i}`, url: hangs[i % 3]!.url }));
    const t0 = performance.now();
    const items = await runSweep(services, (s, t) => probeLlama(s, { timeoutMs: t, cfg }), { concurrency: 32, timeoutMsFor: () => 500 });
    const wall = performance.now() - t0;
    expect(items.every((i) => i.result.status === 'down')).toBe(true);
    expect(wall).toBeLessThan(1200);
  });
  it('a probe that never returns is cut at its deadline; a throwing probe is unknown', async () => {
    const items = await runSweep([svc({ name: 'never' }), svc({ name: 'throws' })], (s) => (s.name === 'never' ? new Promise(() => {}) : Promise.reject(new Error('boom'))), {
      concurrency: 2,
      timeoutMsFor: () => 100,
    });
    expect(items[0]?.result).toMatchObject({ status: 'down', reason: 'probe did not finish in 0.1 s' });
    expect(items[1]?.result).toMatchObject({ status: 'unknown', reason: 'probe failed: boom' });
  });
});

describe('nfs probe (plain directory, child processes)', () => {
  it('a plain directory is up, with write+read check', async () => {
    const r = await probeNfs(svc({ kind: 'nfs', mount: dir, write_check: true }), ctx(3000));
    expect(r.status).toBe('up');
    expect(r.reason).toBe('stat and write+read ok (plain directory, not a mount point)');
    expect(r.details).toMatchObject({ mounted: false, writeCheck: true });
  });
  it('a missing directory is down with the stat error', async () => {
    const r = await probeNfs(svc({ kind: 'nfs', mount: join(dir, 'missing') }), ctx(3000));
    expect(r.status).toBe('down');
    expect(r.reason).toMatch(/^stat -f failed: .*No such file or directory/);
  });
  it('the root filesystem is a mount point with its fstype', async () => {
    const r = await probeNfs(svc({ kind: 'nfs', mount: '/' }), ctx(3000));
    expect(r.status).toBe('up');
    expect(r.details?.['mounted']).toBe(true);
    expect(typeof r.details?.['fstype']).toBe('string');
  });
});
