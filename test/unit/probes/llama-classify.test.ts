// Table tests for src/probes/llama-classify.ts, built from the answers llama-server
// really gives (tools/server/README.md, server-http.cpp, server-common.cpp, the
// pre-Aug-2024 /health shapes), plus fast-check properties: no status/body/error
// combination throws, and every result has a valid status and a one-line reason.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { classifyLlamaHealth, classifySlots, parseProps } from '../../../src/probes/llama-classify.js';
import { classifyVllmHealth } from '../../../src/probes/vllm-classify.js';
import { oneLine, redactSecrets, scrubText, transportReason } from '../../../src/probes/classify-common.js';
import type { HttpObservation, ProbeResult, ProbeStatus } from '../../../src/core/probe.js';
import { arbObservation, expectWellFormed } from '../../support/http-observations.js';

const obs = (status: number | null, body: unknown = '', extra: Partial<HttpObservation> = {}): HttpObservation => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  latencyMs: 12,
  ...extra,
});
const fail = (code: string, message = `connect ${code} 10.0.0.5:8080`): HttpObservation => ({
  status: null,
  body: '',
  error: { code, message },
  latencyMs: 5000,
});

const LOADING = { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } };

describe('classifyLlamaHealth', () => {
  const table: Array<[string, HttpObservation, ProbeStatus, RegExp]> = [
    ['200 {"status":"ok"}', obs(200, { status: 'ok' }), 'up', /^ok$/],
    ['503 Loading model (current builds, every route)', obs(503, LOADING), 'loading', /^Loading model$/],
    ['old: 200 ok with slot counts', obs(200, { status: 'ok', slots_idle: 1, slots_processing: 2 }), 'up', /^ok$/],
    ['old: 503 loading model', obs(503, { status: 'loading model' }), 'loading', /^Loading model$/],
    ['old: 500 error', obs(500, { status: 'error' }), 'down', /^model failed to load$/],
    ['old: 200 no slot available', obs(200, { status: 'no slot available', slots_idle: 0, slots_processing: 32 }), 'degraded', /^all slots busy$/],
    ['old: 503 no slot available (fail_on_no_slot)', obs(503, { status: 'no slot available', slots_idle: 0, slots_processing: 32 }), 'degraded', /^all slots busy$/],
    ['401 Invalid API Key', obs(401, { error: { message: 'Invalid API Key', type: 'authentication_error', code: 401 } }), 'degraded', /^key rejected$/],
    ['403', obs(403, 'Forbidden'), 'degraded', /^access denied/],
    ['404 File Not Found', obs(404, { error: { message: 'File Not Found', type: 'not_found_error', code: 404 } }), 'down', /no health route \(HTTP 404\)/],
    ['200 non-JSON', obs(200, '<html><body>It works!</body></html>'), 'degraded', /^health answered HTTP 200 but the body is not JSON$/],
    ['200 empty', obs(200, ''), 'degraded', /^health answered HTTP 200 with an empty body$/],
    ['200 whitespace only', obs(200, ' \n'), 'degraded', /empty body/],
    ['200 truncated', obs(200, '{"status":"ok","padding":"xxxx', { truncated: true }), 'degraded', /exceeded the read limit/],
    ['200 truncated even if it parses', obs(200, { status: 'ok' }, { truncated: true }), 'degraded', /exceeded the read limit/],
    ['200 body read failed', obs(200, '{"sta', { error: { code: 'UND_ERR_BODY_TIMEOUT', message: 'Body Timeout Error' } }), 'degraded', /reading the body failed: timed out reading the response body/],
    ['200 JSON without status', obs(200, { hello: 'world' }), 'degraded', /unexpected JSON$/],
    ['200 JSON unknown status', obs(200, { status: 'warming' }), 'degraded', /unexpected JSON \(status "warming"\)/],
    ['200 JSON array', obs(200, [1, 2]), 'degraded', /unexpected JSON/],
    ['302 redirect (not followed)', obs(302, ''), 'down', /redirect \(HTTP 302\)/],
    ['429', obs(429, { error: { message: 'slow down' } }), 'degraded', /^rate limited: HTTP 429: slow down$/],
    ['500 plain text (httplib exception handler)', obs(500, 'std::bad_alloc\nmore'), 'down', /^health answered HTTP 500: std::bad_alloc$/],
    ['502 from a reverse proxy', obs(502, '<html>Bad Gateway</html>'), 'down', /HTTP 502/],
    ['503 from something else', obs(503, ''), 'down', /^health answered HTTP 503$/],
    ['ECONNREFUSED', fail('ECONNREFUSED'), 'down', /^connection refused$/],
    ['ETIMEDOUT', fail('ETIMEDOUT', 'no answer within 5000 ms'), 'down', /^timed out$/],
    ['TimeoutError from AbortSignal', fail('TimeoutError', 'The operation was aborted due to timeout'), 'down', /^timed out$/],
    ['ENOTFOUND', fail('ENOTFOUND', 'getaddrinfo ENOTFOUND gpu-node-7.local'), 'down', /^DNS lookup failed: name not found \(ENOTFOUND\)$/],
    ['EAI_AGAIN', fail('EAI_AGAIN'), 'down', /^DNS lookup failed: temporary resolver failure \(EAI_AGAIN\)$/],
    ['EHOSTUNREACH', fail('EHOSTUNREACH'), 'down', /^host unreachable$/],
    ['ECONNRESET', fail('ECONNRESET'), 'down', /^connection reset by peer$/],
    ['redirect loop', fail('ERR_TOO_MANY_REDIRECTS', 'redirect count exceeded'), 'down', /^too many redirects \(redirect loop\)$/],
    ['unknown transport code', fail('EWEIRD', 'something odd\nhappened'), 'down', /^EWEIRD: something odd happened$/],
    ['TLS', fail('CERT_HAS_EXPIRED', 'certificate has expired'), 'down', /^TLS error \(CERT_HAS_EXPIRED\)$/],
    ['no status and no error', { status: null, body: '', latencyMs: null }, 'unknown', /no answer/],
  ];

  it.each(table)('%s', (_name, o, status, reason) => {
    const r = classifyLlamaHealth(o);
    expect(r.status).toBe(status);
    expect(r.reason).toMatch(reason);
    expectWellFormed(r);
  });

  it('keeps latency and records the HTTP status and old slot counts', () => {
    const r = classifyLlamaHealth(obs(200, { status: 'ok', slots_idle: 1, slots_processing: 2 }));
    expect(r.latencyMs).toBe(12);
    expect(r.details).toEqual({ httpStatus: 200, slotsIdle: 1, slotsProcessing: 2 });
    expect(classifyLlamaHealth(fail('ECONNREFUSED')).details).toEqual({ errorCode: 'ECONNREFUSED' });
    expect(classifyLlamaHealth({ ...obs(200, { status: 'ok' }), latencyMs: Number.NaN }).latencyMs).toBeNull();
  });

  it('never throws and always gives a valid status and a one-line reason', () => {
    fc.assert(
      fc.property(arbObservation, (o) => {
        expectWellFormed(classifyLlamaHealth(o));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('classifyVllmHealth', () => {
  it.each<[string, HttpObservation, ProbeStatus, RegExp]>([
    ['200 empty body', obs(200, ''), 'up', /^ok$/],
    ['200 with a cut body is still up', obs(200, 'x', { truncated: true }), 'up', /^ok$/],
    ['503', obs(503, ''), 'down', /^engine not ready: HTTP 503$/],
    ['503 with FastAPI detail', obs(503, { detail: 'engine dead' }), 'down', /^engine not ready: HTTP 503: engine dead$/],
    ['404', obs(404, { detail: 'Not Found' }), 'down', /no health route/],
    ['401', obs(401, ''), 'degraded', /^key rejected$/],
    ['500', obs(500, 'boom'), 'down', /^health answered HTTP 500: boom$/],
    ['refused', fail('ECONNREFUSED'), 'down', /^connection refused$/],
  ])('%s', (_n, o, status, reason) => {
    const r = classifyVllmHealth(o);
    expect(r.status).toBe(status);
    expect(r.reason).toMatch(reason);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(arbObservation, (o) => expectWellFormed(classifyVllmHealth(o))),
      { numRuns: 1000 },
    );
  });
});

describe('classifySlots (GET /slots?fail_on_no_slot=1)', () => {
  const slot = (busy: boolean) => ({ id: 0, n_ctx: 4096, is_processing: busy, params: {} });

  it.each<[string, HttpObservation, ProbeStatus, RegExp, Record<string, unknown>?]>([
    ['503 no slot available', obs(503, { error: { code: 503, message: 'no slot available', type: 'unavailable_error' } }), 'degraded', /^all slots busy$/],
    ['200 idle slots', obs(200, [slot(false), slot(true)]), 'up', /^1 of 2 slots idle$/, { httpStatus: 200, totalSlots: 2, busySlots: 1 }],
    ['200 all busy (no fail_on_no_slot)', obs(200, [slot(true), slot(true)]), 'degraded', /^all slots busy$/],
    ['503 Loading model', obs(503, LOADING), 'loading', /^Loading model$/],
    ['501 --no-slots', obs(501, { error: { code: 501, message: 'This server does not support slots endpoint.', type: 'not_supported_error' } }), 'unknown', /not available \(HTTP 501\)/],
    ['404 old build', obs(404, ''), 'unknown', /not available \(HTTP 404\)/],
    ['401 key', obs(401, { error: { message: 'Invalid API Key', type: 'authentication_error', code: 401 } }), 'degraded', /^key rejected$/],
    ['200 not a list', obs(200, { slots: [] }), 'degraded', /not a slot list/],
    ['200 garbage', obs(200, 'nope'), 'degraded', /not JSON/],
    ['503 from a proxy', obs(503, 'Service Unavailable'), 'down', /^slots answered HTTP 503: Service Unavailable$/],
    ['timeout', fail('ETIMEDOUT'), 'down', /^timed out$/],
  ])('%s', (_n, o, status, reason, details) => {
    const r = classifySlots(o);
    expect(r.status).toBe(status);
    expect(r.reason).toMatch(reason);
    if (details !== undefined) expect(r.details).toEqual(details);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(arbObservation, (o) => expectWellFormed(classifySlots(o))),
      { numRuns: 1000 },
    );
  });
});

describe('parseProps', () => {
  it('reads the current /props shape (n_ctx under default_generation_settings)', () => {
    const body = JSON.stringify({
      default_generation_settings: { id: 0, n_ctx: 65536, params: {} },
      total_slots: 4,
      model_path: '../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf',
      build_info: 'b8681-Debian',
      chat_template: '...',
      modalities: { vision: false },
    });
    expect(parseProps(body)).toEqual({
      n_ctx: 65536,
      total_slots: 4,
      build_info: 'b8681-Debian',
      model: '../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf',
    });
  });

  it('prefers model_alias and a top-level n_ctx', () => {
    expect(parseProps(JSON.stringify({ n_ctx: 2048, model_alias: 'qwen', model_path: '/m.gguf' }))).toEqual({
      n_ctx: 2048,
      total_slots: null,
      build_info: null,
      model: 'qwen',
    });
  });

  it.each(['', 'not json', '[]', 'null', '{"total_slots":"two","build_info":7}', '{"default_generation_settings":5}'])('is tolerant of %j', (body) => {
    const p = parseProps(body);
    expect(p.n_ctx).toBeNull();
    expect(p.total_slots).toBeNull();
    expect(p.build_info).toBeNull();
    expect(p.model).toBeNull();
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (b) => {
        const p = parseProps(b);
        expect(Object.keys(p).sort()).toEqual(['build_info', 'model', 'n_ctx', 'total_slots']);
      }),
    );
  });
});

describe('helpers', () => {
  it('oneLine flattens, collapses and cuts', () => {
    expect(oneLine('a\r\nb\tc\u2028d')).toBe('a b c d');
    expect(oneLine('word '.repeat(100), 20)).toHaveLength(20);
    expect(oneLine('word '.repeat(100), 20).endsWith('…')).toBe(true);
  });

  it('redactSecrets hides bearer tokens, sk- keys and long blobs but keeps model names', () => {
    expect(redactSecrets('got Authorization: Bearer abc.def-123')).toBe('got Authorization: Bearer [redacted]');
    expect(redactSecrets('key sk-proj-abcdef123456 bad')).toBe('key [redacted] bad');
    expect(redactSecrets(`tok ${'A1'.repeat(20)} end`)).toBe('tok [redacted] end');
    expect(redactSecrets('model Meta-Llama-3.1-8B-Instruct-Q4_K_M failed')).toBe('model Meta-Llama-3.1-8B-Instruct-Q4_K_M failed');
  });

  it('scrubText removes exact secrets, even adversarial ones', () => {
    expect(scrubText('the key is hunter2hunter2!', ['hunter2hunter2'])).toBe('the key is ***!');
    // a secret made of the marks' characters is deleted instead
    expect(scrubText('x*#~…x', ['*#~…'])).toBe('xx');
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string(), (secret, a, b) => {
        fc.pre(secret.trim() !== '');
        expect(scrubText(`${a}${secret}${b}${secret}`, [secret]).includes(secret)).toBe(false);
      }),
    );
  });

  it('transportReason handles empty and prototype-named codes', () => {
    expect(transportReason('valueOf', '')).toBe('valueOf');
    expect(transportReason('__proto__', 'x')).toBe('__proto__: x');
    expect(transportReason('', '')).toBe('request failed');
    expect(transportReason('', 'fetch failed')).toBe('request failed: fetch failed');
  });

  it('a probe key passed as a secret never shows up, whatever the server echoes', () => {
    fc.assert(
      fc.property(arbObservation, fc.stringMatching(/^[A-Za-z0-9._-]{8,40}$/), (o, key) => {
        const echoed: HttpObservation = { ...o, body: o.body.replace(/a/, key) + key };
        if (echoed.error !== undefined) echoed.error = { ...echoed.error, message: `${key} ${echoed.error.message}` };
        for (const r of [classifyLlamaHealth(echoed, { secrets: [key] }), classifySlots(echoed, { secrets: [key] }), classifyVllmHealth(echoed, { secrets: [key] })] as ProbeResult[]) {
          expect(JSON.stringify(r)).not.toContain(key);
        }
      }),
      { numRuns: 500 },
    );
  });
});
