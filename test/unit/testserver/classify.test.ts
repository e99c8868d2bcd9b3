// End-to-end-ish: answers fetched over loopback from the real test server, in every
// mode, turned into HttpObservations and fed to the pure classifiers. This checks
// that the test server and the classifiers agree on the wire shapes (a classifier
// table test alone could agree with itself). The small `observe()` below stands in
// for io/http.ts: bounded body read, timeout, error code from the fetch cause.

import { describe, afterEach, expect, it } from 'vitest';

import { classifyLlamaHealth, classifySlots, parseProps } from '../../../src/probes/llama-classify.js';
import { classifyVllmHealth } from '../../../src/probes/vllm-classify.js';
import { classifyProxyBanner, classifyProxyLiveness, classifyProxyModels } from '../../../src/probes/proxy-classify.js';
import { buildSmokeRequest, classifySmoke } from '../../../src/probes/smoke-classify.js';
import type { HttpObservation, ProbeResult } from '../../../src/core/probe.js';
import { startTestServer, type TestServerHandle, type TestServerOptions } from '../../../src/testserver/llama-test-server.js';

const KEY = 'e2e-key-0123456789abcdef';
const open: TestServerHandle[] = [];
async function serve(o: TestServerOptions = {}): Promise<TestServerHandle> {
  const s = await startTestServer(o);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

interface ObserveOpts {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBytes?: number;
  redirect?: 'follow' | 'manual' | 'error';
}

/** fetch → HttpObservation, never throws. */
async function observe(url: string, o: ObserveOpts = {}): Promise<HttpObservation> {
  const timeoutMs = o.timeoutMs ?? 2000;
  const maxBytes = o.maxBytes ?? 1024 * 1024;
  const t0 = performance.now();
  const ms = (): number => Math.round(performance.now() - t0);
  try {
    const init: RequestInit = { method: o.method ?? 'GET', redirect: o.redirect ?? 'follow', signal: AbortSignal.timeout(timeoutMs) };
    if (o.headers !== undefined) init.headers = o.headers;
    if (o.body !== undefined) init.body = o.body;
    const res = await fetch(url, init);
    const chunks: Uint8Array[] = [];
    let size = 0;
    let truncated = false;
    if (res.body !== null) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (size + value.length > maxBytes) {
          chunks.push(value.subarray(0, maxBytes - size));
          size = maxBytes;
          truncated = true;
          await reader.cancel();
          break;
        }
        chunks.push(value);
        size += value.length;
      }
    }
    const out: HttpObservation = { status: res.status, body: Buffer.concat(chunks).toString('utf8'), latencyMs: ms() };
    if (truncated) out.truncated = true;
    return out;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    let code = e.cause?.code ?? e.name;
    let message = e.cause?.message ?? e.message;
    if (e.name === 'TimeoutError') {
      code = 'ETIMEDOUT';
      message = `no answer within ${timeoutMs} ms`;
    } else if (/redirect count exceeded/i.test(message)) {
      code = 'ERR_TOO_MANY_REDIRECTS';
    }
    return { status: null, body: '', error: { code, message }, latencyMs: ms() };
  }
}

const smokeObs = (base: string, headers: Record<string, string> = {}, timeoutMs = 2000): Promise<HttpObservation> =>
  observe(`${base}/v1/chat/completions`, {
    method: 'POST',
    body: buildSmokeRequest('test-model'),
    headers: { 'content-type': 'application/json', ...headers },
    timeoutMs,
  });

function expectResult(r: ProbeResult, status: ProbeResult['status'], reason: RegExp): void {
  expect({ status: r.status, reason: r.reason }).toEqual({ status, reason: expect.stringMatching(reason) });
}

describe('llama modes through the classifiers', () => {
  it('healthy', async () => {
    const s = await serve({ nCtx: 8192, totalSlots: 2, modelAlias: 'qwen-e2e', buildInfo: 'b7000-abc' });
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'up', /^ok$/);
    expectResult(classifyLlamaHealth(await observe(`${s.url}/v1/health`)), 'up', /^ok$/);
    const slots = classifySlots(await observe(`${s.url}/slots?fail_on_no_slot=1`));
    expectResult(slots, 'up', /^2 of 2 slots idle$/);
    expect(parseProps((await observe(`${s.url}/props`)).body)).toEqual({
      n_ctx: 8192,
      total_slots: 2,
      build_info: 'b7000-abc',
      model: 'qwen-e2e',
    });
    const smoke = classifySmoke(await smokeObs(s.url));
    expectResult(smoke, 'up', /^replied "Ready"$/);
    expect(smoke.details?.['reply']).toBe('Ready');
    expect(smoke.latencyMs).toEqual(expect.any(Number));
  });

  it('loading (forever, then timed)', async () => {
    const s = await serve({ mode: 'loading' });
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'loading', /^Loading model$/);
    expectResult(classifySlots(await observe(`${s.url}/slots?fail_on_no_slot=1`)), 'loading', /^Loading model$/);
    expectResult(classifySmoke(await smokeObs(s.url)), 'loading', /^Loading model$/);
    expect(parseProps((await observe(`${s.url}/props`)).body).n_ctx).toBeNull();

    s.setMode('loading', { loadingForMs: 100 });
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'loading', /Loading model/);
    await new Promise((r) => setTimeout(r, 150));
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'up', /^ok$/);
  });

  it('hang → down "timed out" within the timeout', async () => {
    const s = await serve({ mode: 'hang' });
    const o = await observe(`${s.url}/health`, { timeoutMs: 300 });
    expectResult(classifyLlamaHealth(o), 'down', /^timed out$/);
    expect(o.latencyMs).toBeGreaterThanOrEqual(280);
    expect(o.latencyMs).toBeLessThan(2000);
    expectResult(classifySmoke(await smokeObs(s.url, {}, 300)), 'down', /^timed out$/);
  });

  it('slow: up when the timeout allows it, down when it does not', async () => {
    const s = await serve({ mode: 'slow', delayMs: 250 });
    const ok = await observe(`${s.url}/health`, { timeoutMs: 2000 });
    expectResult(classifyLlamaHealth(ok), 'up', /^ok$/);
    expect(ok.latencyMs).toBeGreaterThanOrEqual(230);
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`, { timeoutMs: 100 })), 'down', /^timed out$/);
  });

  it.each([
    ['ok', 'up', /^ok$/],
    ['loading model', 'loading', /^Loading model$/],
    ['error', 'down', /^model failed to load$/],
    ['no slot available', 'degraded', /^all slots busy$/],
  ] as const)('old-health %s', async (oldHealth, status, reason) => {
    const s = await serve({ mode: 'old-health', oldHealth });
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), status, reason);
  });

  it('busy: health up, slots degraded "all slots busy"', async () => {
    const s = await serve({ mode: 'busy', totalSlots: 4 });
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'up', /^ok$/);
    expectResult(classifySlots(await observe(`${s.url}/slots?fail_on_no_slot=1`)), 'degraded', /^all slots busy$/);
    const listed = classifySlots(await observe(`${s.url}/slots`));
    expectResult(listed, 'degraded', /^all slots busy$/);
    expect(listed.details).toMatchObject({ totalSlots: 4, busySlots: 4 });
  });

  it('context-overflow: down with both numbers (and the legacy message without)', async () => {
    const s = await serve({ mode: 'context-overflow', nCtx: 4096, promptTokens: 4476 });
    const r = classifySmoke(await smokeObs(s.url));
    expectResult(r, 'down', /^context overflow: request 4476 tokens exceeds context 4096 tokens$/);
    expect(r.details).toMatchObject({ promptTokens: 4476, contextTokens: 4096 });
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'up', /^ok$/);

    const legacy = await serve({ mode: 'context-overflow', legacyOverflowMessage: true });
    expectResult(classifySmoke(await smokeObs(legacy.url)), 'down', /^context overflow: request exceeds the available context size$/);
  });

  it('parse-failure: degraded "output parse failure at pos N"', async () => {
    const s = await serve({ mode: 'parse-failure', parseFailurePos: 288 });
    const r = classifySmoke(await smokeObs(s.url));
    expectResult(r, 'degraded', /^output parse failure at pos 288$/);
    expect(r.details?.['pos']).toBe(288);
  });

  it('api-key: key rejected without it, up with it sent as a Bearer header', async () => {
    const s = await serve({ mode: 'api-key', apiKey: KEY });
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'up', /^ok$/); // public route
    expectResult(classifySlots(await observe(`${s.url}/slots?fail_on_no_slot=1`)), 'degraded', /^key rejected$/);
    expectResult(classifySmoke(await smokeObs(s.url)), 'degraded', /^key rejected$/);
    const auth = { authorization: `Bearer ${KEY}` };
    expectResult(classifySmoke(await smokeObs(s.url, auth), { secrets: [KEY] }), 'up', /^replied "Ready"$/);
    expectResult(classifySlots(await observe(`${s.url}/slots?fail_on_no_slot=1`, { headers: auth })), 'up', /idle/);
    expect(s.stats().routes['/v1/chat/completions']).toEqual({ requests: 2, withBearer: 1, withValidKey: 1 });
    expect(s.stats().keyInUrl).toBe(0);
  });

  it('garbage / empty / huge: degraded with a clear reason, the huge body read only to the cap', async () => {
    const g = await serve({ mode: 'garbage' });
    expectResult(classifyLlamaHealth(await observe(`${g.url}/health`)), 'degraded', /^health answered HTTP 200 but the body is not JSON$/);
    expectResult(classifySmoke(await smokeObs(g.url)), 'degraded', /not JSON/);

    const e = await serve({ mode: 'empty' });
    expectResult(classifyLlamaHealth(await observe(`${e.url}/health`)), 'degraded', /^health answered HTTP 200 with an empty body$/);
    expectResult(classifyVllmHealth(await observe(`${e.url}/health`)), 'up', /^ok$/);

    const h = await serve({ mode: 'huge' });
    const o = await observe(`${h.url}/health`, { maxBytes: 64 * 1024 });
    expect(o.truncated).toBe(true);
    expect(o.body.length).toBe(64 * 1024);
    expectResult(classifyLlamaHealth(o), 'degraded', /exceeded the read limit/);
  });

  it('redirect-loop: down, followed or not', async () => {
    const s = await serve({ mode: 'redirect-loop' });
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'down', /^too many redirects \(redirect loop\)$/);
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`, { redirect: 'manual' })), 'down', /redirect \(HTTP 302\)/);
  });

  it('vllm: vLLM health up, llama health degraded (empty body)', async () => {
    const s = await serve({ mode: 'vllm' });
    expectResult(classifyVllmHealth(await observe(`${s.url}/health`)), 'up', /^ok$/);
    expectResult(classifyLlamaHealth(await observe(`${s.url}/health`)), 'degraded', /empty body/);
    expectResult(classifySmoke(await smokeObs(s.url)), 'up', /Ready/);
  });

  it('reset and refused: down with the transport reason', async () => {
    const s = await serve({ mode: 'reset' });
    const o = await observe(`${s.url}/health`);
    expect(o.error?.code).toBe('UND_ERR_SOCKET');
    expectResult(classifyLlamaHealth(o), 'down', /^connection closed unexpectedly$/);

    const gone = await startTestServer();
    const url = gone.url;
    await gone.close();
    expectResult(classifyLlamaHealth(await observe(`${url}/health`)), 'down', /^connection refused$/);
  });
});

describe('proxy modes through the classifiers', () => {
  const auth = { authorization: `Bearer ${KEY}` };

  it('healthy: liveness, banner, models with the key in a header only', async () => {
    const s = await serve({ kind: 'proxy', apiKey: KEY });
    const live = classifyProxyLiveness(await observe(`${s.url}/healthz`));
    expectResult(live, 'up', /^ok$/);
    expect(live.needsFallback).toBe(false);
    // the seed's mistake: /health does not exist on the proxy
    expect(classifyProxyLiveness(await observe(`${s.url}/health`)).needsFallback).toBe(true);

    const models = classifyProxyModels(await observe(`${s.url}/v1/models`, { headers: auth }), { secrets: [KEY] });
    expectResult(models, 'up', /^3 models$/);
    expect(models.details?.['modelCount']).toBe(3);
    expectResult(classifyProxyModels(await observe(`${s.url}/v1/models`)), 'degraded', /^key rejected \(missing API key\)$/);
    expectResult(classifyProxyModels(await observe(`${s.url}/v1/models`, { headers: { authorization: 'Bearer wrong' } })), 'degraded', /^key rejected \(invalid API key\)$/);
    expectResult(classifySmoke(await smokeObs(s.url, auth), { secrets: [KEY] }), 'up', /^replied "Ready"$/);

    const st = s.stats();
    expect(st.routes['/v1/models']).toEqual({ requests: 3, withBearer: 2, withValidKey: 1 });
    expect(st.keyInUrl).toBe(0);
  });

  it('older build: /healthz 404 → needsFallback → GET / banner up', async () => {
    const s = await serve({ kind: 'proxy', proxyHealthz: false });
    const live = classifyProxyLiveness(await observe(`${s.url}/healthz`));
    expect(live).toMatchObject({ status: 'unknown', needsFallback: true });
    expectResult(classifyProxyBanner(await observe(`${s.url}/`)), 'up', /^banner: CLI Proxy API Server$/);
  });

  it('quota: degraded "quota, resets in N s"', async () => {
    const s = await serve({ kind: 'proxy', mode: 'quota', apiKey: KEY, resetSeconds: 42 });
    const r = classifyProxyModels(await observe(`${s.url}/v1/models`, { headers: auth }), { secrets: [KEY] });
    expectResult(r, 'degraded', /^quota, resets in 42 s$/);
    expect(r.details).toMatchObject({ resetSeconds: 42, retryable: true });
    expectResult(classifyProxyLiveness(await observe(`${s.url}/healthz`)), 'up', /^ok$/);
    expect(JSON.stringify(r)).not.toContain(KEY);
  });

  it('no-auth: degraded "no auth available"', async () => {
    const s = await serve({ kind: 'proxy', mode: 'no-auth', apiKey: KEY });
    expectResult(classifyProxyModels(await observe(`${s.url}/v1/models`, { headers: auth })), 'degraded', /^no auth available/);
  });

  it('hang / slow / garbage / empty / reset', async () => {
    const s = await serve({ kind: 'proxy', mode: 'hang', apiKey: KEY, delayMs: 200 });
    expectResult(classifyProxyLiveness(await observe(`${s.url}/healthz`, { timeoutMs: 200 })), 'down', /^timed out$/);
    s.setMode('slow');
    expectResult(classifyProxyModels(await observe(`${s.url}/v1/models`, { headers: auth })), 'up', /models$/);
    s.setMode('garbage');
    expectResult(classifyProxyModels(await observe(`${s.url}/v1/models`, { headers: auth })), 'degraded', /not JSON/);
    s.setMode('empty');
    expectResult(classifyProxyLiveness(await observe(`${s.url}/healthz`)), 'up', /^ok$/);
    expectResult(classifyProxyModels(await observe(`${s.url}/v1/models`, { headers: auth })), 'degraded', /empty body/);
    s.setMode('reset');
    expect(classifyProxyLiveness(await observe(`${s.url}/healthz`)).status).toBe('down');
  });
});
