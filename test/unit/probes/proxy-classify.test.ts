// Table tests for src/probes/proxy-classify.ts from what router-for-me/CLIProxyAPI
// really answers: /healthz {"status":"ok"}, the GET / banner, 401 with a STRING error
// ("Missing API key" / "Invalid API key"), 429 model_cooldown with reset_seconds,
// 503 no auth available. fast-check properties: nothing throws, results are well
// formed, and the API key never appears in a reason or detail.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { classifyProxyBanner, classifyProxyLiveness, classifyProxyModels, PROXY_DEFAULT_PORT } from '../../../src/probes/proxy-classify.js';
import type { HttpObservation, ProbeResult, ProbeStatus } from '../../../src/core/probe.js';
import { arbObservation, expectWellFormed } from '../../support/http-observations.js';

const obs = (status: number | null, body: unknown = '', extra: Partial<HttpObservation> = {}): HttpObservation => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  latencyMs: 3,
  ...extra,
});
const refused: HttpObservation = { status: null, body: '', error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:8317' }, latencyMs: 1 };
const BANNER = { message: 'CLI Proxy API Server', endpoints: ['POST /v1/chat/completions', 'POST /v1/completions', 'GET /v1/models'] };
const COOLDOWN = {
  error: {
    code: 'model_cooldown',
    message: 'All credentials for model gemini-2.5-pro are cooling down via provider gemini',
    model: 'gemini-2.5-pro',
    reset_time: '1m30s',
    reset_seconds: 90,
    provider: 'gemini',
  },
};

it('knows the default port', () => {
  expect(PROXY_DEFAULT_PORT).toBe(8317);
});

describe('classifyProxyLiveness', () => {
  it.each<[string, HttpObservation, ProbeStatus, boolean, RegExp]>([
    ['200 {"status":"ok"}', obs(200, { status: 'ok' }), 'up', false, /^ok$/],
    ['HEAD-style empty 200', obs(200, ''), 'up', false, /^ok$/],
    ['404: older build without the route', obs(404, '404 page not found'), 'unknown', true, /fall back to GET \//],
    ['200 odd status', obs(200, { status: 'draining' }), 'degraded', false, /status "draining"/],
    ['200 garbage', obs(200, '<html>'), 'degraded', false, /not JSON/],
    ['200 cut', obs(200, '{"status":"ok"', { truncated: true }), 'degraded', false, /read limit/],
    ['503 heartbeat gate (empty body)', obs(503, ''), 'down', false, /^liveness answered HTTP 503$/],
    ['500', obs(500, { error: 'boom' }), 'down', false, /^liveness answered HTTP 500: boom$/],
    ['refused', refused, 'down', false, /^connection refused$/],
    ['DNS', { status: null, body: '', error: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND proxy.local' }, latencyMs: 2 }, 'down', false, /ENOTFOUND/],
  ])('%s', (_n, o, status, fallback, reason) => {
    const r = classifyProxyLiveness(o);
    expect(r.status).toBe(status);
    expect(r.needsFallback).toBe(fallback);
    expect(r.reason).toMatch(reason);
  });

  it('never throws; needsFallback only on 404', () => {
    fc.assert(
      fc.property(arbObservation, (o) => {
        const r = classifyProxyLiveness(o);
        expectWellFormed(r);
        expect(r.needsFallback).toBe(o.status === 404);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('classifyProxyBanner', () => {
  it.each<[string, HttpObservation, ProbeStatus, RegExp]>([
    ['the real banner', obs(200, BANNER), 'up', /^banner: CLI Proxy API Server$/],
    ['any JSON object', obs(200, { name: 'other proxy' }), 'up', /^banner ok$/],
    ['JSON but not an object', obs(200, [1]), 'degraded', /not a banner object/],
    ['HTML', obs(200, '<html>'), 'degraded', /not JSON/],
    ['404', obs(404, '404 page not found'), 'down', /no liveness route and no banner/],
    ['500', obs(500, ''), 'down', /HTTP 500/],
    ['refused', refused, 'down', /^connection refused$/],
  ])('%s', (_n, o, status, reason) => {
    const r = classifyProxyBanner(o);
    expect(r.status).toBe(status);
    expect(r.reason).toMatch(reason);
  });

  it('records the banner text', () => {
    expect(classifyProxyBanner(obs(200, BANNER)).details).toEqual({ httpStatus: 200, banner: 'CLI Proxy API Server' });
  });

  it('never throws', () => {
    fc.assert(
      fc.property(arbObservation, (o) => expectWellFormed(classifyProxyBanner(o))),
      { numRuns: 1000 },
    );
  });
});

describe('classifyProxyModels', () => {
  const list = (n: number) => ({ object: 'list', data: Array.from({ length: n }, (_, i) => ({ id: `m${i}`, object: 'model', owned_by: 'x' })) });

  it.each<[string, HttpObservation, ProbeStatus, RegExp, Record<string, unknown>]>([
    ['200 list', obs(200, list(3)), 'up', /^3 models$/, { httpStatus: 200, modelCount: 3 }],
    ['200 one model', obs(200, list(1)), 'up', /^1 model$/, { httpStatus: 200, modelCount: 1 }],
    ['200 empty list', obs(200, list(0)), 'degraded', /^proxy lists no models$/, { httpStatus: 200, modelCount: 0 }],
    ['401 Missing API key (string error)', obs(401, { error: 'Missing API key' }), 'degraded', /^key rejected \(missing API key\)$/, { httpStatus: 401, keyError: 'missing' }],
    ['401 Invalid API key (string error)', obs(401, { error: 'Invalid API key' }), 'degraded', /^key rejected \(invalid API key\)$/, { httpStatus: 401, keyError: 'invalid' }],
    ['401 OpenAI-shaped', obs(401, { error: { message: 'bad', type: 'authentication_error', code: 'invalid_api_key' } }), 'degraded', /^key rejected$/, { httpStatus: 401 }],
    ['429 model_cooldown', obs(429, COOLDOWN), 'degraded', /^quota, resets in 90 s$/, { httpStatus: 429, retryable: true, model: 'gemini-2.5-pro', provider: 'gemini', resetSeconds: 90 }],
    [
      '429 fractional reset rounds up',
      obs(429, { error: { code: 'model_cooldown', message: 'x', reset_seconds: 0.2 } }),
      'degraded',
      /^quota, resets in 1 s$/,
      { httpStatus: 429, retryable: true, resetSeconds: 1 },
    ],
    ['429 cooldown without seconds', obs(429, { error: { code: 'model_cooldown', message: 'x' } }), 'degraded', /^quota: model cooling down$/, { httpStatus: 429, retryable: true }],
    [
      '429 client key rate limit (string)',
      obs(429, { error: 'API key rate limit exceeded' }),
      'degraded',
      /^rate limited: HTTP 429: API key rate limit exceeded$/,
      { httpStatus: 429, retryable: true },
    ],
    [
      '503 no auth available',
      obs(503, { error: { message: 'auth_unavailable: no auth available', type: 'server_error', code: 'internal_server_error' } }),
      'degraded',
      /^no auth available/,
      { httpStatus: 503, retryable: true },
    ],
    ['503 other', obs(503, ''), 'down', /^proxy unavailable: HTTP 503$/, { httpStatus: 503, retryable: true }],
    ['404', obs(404, '404 page not found'), 'down', /^no \/v1\/models route \(HTTP 404\)$/, { httpStatus: 404 }],
    ['200 HTML', obs(200, '<html>'), 'degraded', /not JSON/, { httpStatus: 200 }],
    ['200 object without data', obs(200, { object: 'list' }), 'degraded', /without a model list/, { httpStatus: 200 }],
    ['500', obs(500, { error: { message: 'upstream exploded', type: 'server_error' } }), 'down', /^models answered HTTP 500: upstream exploded$/, { httpStatus: 500 }],
    ['refused', refused, 'down', /^connection refused$/, { errorCode: 'ECONNREFUSED' }],
  ])('%s', (_n, o, status, reason, details) => {
    const r = classifyProxyModels(o);
    expect(r.status).toBe(status);
    expect(r.reason).toMatch(reason);
    expect(r.details).toEqual(details);
    expectWellFormed(r);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(arbObservation, (o) => expectWellFormed(classifyProxyModels(o))),
      { numRuns: 2000 },
    );
  });

  it('a 401 never echoes its body, even without the key passed as a secret', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), (text) => {
        const r = classifyProxyModels(obs(401, { error: text }));
        expect(['key rejected', 'key rejected (missing API key)', 'key rejected (invalid API key)']).toContain(r.reason);
        expect(Object.keys(r.details ?? {}).every((k) => k === 'httpStatus' || k === 'keyError')).toBe(true);
      }),
    );
  });

  it('the API key never appears in any reason or detail, whatever the proxy echoes', () => {
    const templates = [
      (k: string) => ({ error: `Invalid API key: ${k}` }),
      (k: string) => ({ error: { code: 'model_cooldown', message: `cooling for ${k}`, model: k, provider: k, reset_seconds: 5 } }),
      (k: string) => ({ error: { message: `no auth available for ${k}`, type: 'server_error' } }),
      (k: string) => ({ error: { message: `upstream said Authorization: Bearer ${k}` } }),
      (k: string) => ({ object: 'list', data: [{ id: k }] }),
      (k: string) => `plain text ${k}`,
    ];
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._-]{8,48}$/),
        fc.constantFrom(200, 401, 403, 404, 429, 500, 502, 503),
        fc.nat({ max: templates.length - 1 }),
        fc.boolean(),
        (key, status, t, truncated) => {
          const body = templates[t]!(key);
          const o = obs(status, body, { truncated });
          for (const r of [classifyProxyModels(o, { secrets: [key] }), classifyProxyLiveness(o, { secrets: [key] }), classifyProxyBanner(o, { secrets: [key] })] as ProbeResult[]) {
            expect(JSON.stringify(r)).not.toContain(key);
          }
          // transport errors that quote the request URL / header
          const failed: HttpObservation = { status: null, body: '', error: { code: 'EPROTO', message: `bad header Bearer ${key}` }, latencyMs: 1 };
          expect(JSON.stringify(classifyProxyModels(failed, { secrets: [key] }))).not.toContain(key);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('redacts credential-looking text even when the key is not passed', () => {
    const k = 'sk-live-0123456789abcdef';
    const r = classifyProxyModels(obs(500, { error: { message: `upstream rejected Bearer ${k}` } }));
    expect(r.reason).not.toContain(k);
    expect(r.reason).toBe('models answered HTTP 500: upstream rejected Bearer [redacted]');
  });
});
