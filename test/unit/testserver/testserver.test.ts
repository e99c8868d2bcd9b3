// Tests for the llama-server-compatible test server (src/testserver): every mode is
// hit over real loopback HTTP with node's fetch, the loopback-only rule is enforced,
// and main.ts is run as a real process (compiled on the fly) to check its ready line
// and clean exit on SIGTERM / SIGINT.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { isLoopbackHost, LLAMA_MODES, PROXY_MODES, startTestServer, type TestServerHandle, type TestServerOptions } from '../../../src/testserver/llama-test-server.js';
import { parseMainArgs, runMain, ServerArgError } from '../../../src/testserver/main.js';

const KEY = 'k3y-for-tests-0123456789';

const open: TestServerHandle[] = [];
async function serve(opts: TestServerOptions = {}): Promise<TestServerHandle> {
  const s = await startTestServer(opts);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

interface Got {
  status: number;
  body: string;
  headers: Headers;
}
async function get(url: string, init: RequestInit = {}, timeoutMs = 3000): Promise<Got> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...init });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
async function chat(base: string, headers: Record<string, string> = {}): Promise<Got> {
  return get(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Reply with one word: Ready' }], max_tokens: 5 }),
  });
}

describe('loopback only', () => {
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'localhost', 'example.com', ''])('refuses to bind %j', async (host) => {
    await expect(startTestServer({ host })).rejects.toThrow(/loopback only/);
  });

  it('accepts 127.0.0.0/8 addresses and reports where it listens', async () => {
    const s = await serve({ host: '127.0.0.2' });
    expect(s.host).toBe('127.0.0.2');
    expect(s.url).toBe(`http://127.0.0.2:${s.port}`);
    expect((await get(`${s.url}/health`)).status).toBe(200);
  });

  it('classifies hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.255.0.9')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost')).toBe(false);
  });

  it('rejects a mode of the other kind and bad numbers', async () => {
    await expect(startTestServer({ kind: 'llama', mode: 'quota' })).rejects.toThrow(/not a llama mode/);
    await expect(startTestServer({ kind: 'proxy', mode: 'busy' })).rejects.toThrow(/not a proxy mode/);
    await expect(startTestServer({ port: -1 })).rejects.toThrow(/non-negative/);
    const s = await serve();
    expect(() => s.setMode('no-auth')).toThrow(/not a llama mode/);
  });
});

describe('llama kind', () => {
  it('healthy: the real routes and shapes', async () => {
    const s = await serve({ nCtx: 8192, totalSlots: 2, modelAlias: 'qwen-test' });
    expect(s.port).toBeGreaterThan(0);
    const h = await get(`${s.url}/health`);
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body)).toEqual({ status: 'ok' });
    expect(h.headers.get('server')).toBe('llama.cpp');
    expect(JSON.parse((await get(`${s.url}/v1/health`)).body)).toEqual({ status: 'ok' });

    const props = JSON.parse((await get(`${s.url}/props`)).body) as Record<string, any>;
    expect(props['default_generation_settings'].n_ctx).toBe(8192);
    expect(props['total_slots']).toBe(2);
    expect(props['model_alias']).toBe('qwen-test');
    expect(typeof props['build_info']).toBe('string');
    expect(typeof props['model_path']).toBe('string');

    const slots = JSON.parse((await get(`${s.url}/slots`)).body) as any[];
    expect(slots).toHaveLength(2);
    expect(slots.every((x) => x.is_processing === false && x.n_ctx === 8192)).toBe(true);
    expect((await get(`${s.url}/slots?fail_on_no_slot=1`)).status).toBe(200);

    const models = JSON.parse((await get(`${s.url}/v1/models`)).body) as any;
    expect(models.object).toBe('list');
    expect(models.data[0].id).toBe('qwen-test');

    const c = await chat(s.url);
    expect(c.status).toBe(200);
    const reply = JSON.parse(c.body) as any;
    expect(reply.choices[0].message).toEqual({ role: 'assistant', content: 'Ready' });
    expect(reply.object).toBe('chat.completion');
    expect(reply.usage.prompt_tokens).toBeGreaterThan(0);
    expect(reply.usage.total_tokens).toBe(reply.usage.prompt_tokens + reply.usage.completion_tokens);

    const nf = await get(`${s.url}/nope`);
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body)).toEqual({ error: { message: 'File Not Found', type: 'not_found_error', code: 404 } });

    const st = s.stats();
    expect(st.routes['/health']?.requests).toBe(1);
    expect(st.routes['/slots']?.requests).toBe(2);
    expect(st.routes['/v1/chat/completions']?.requests).toBe(1);
    expect(st.total).toBe(8);
    s.resetStats();
    expect(s.stats().total).toBe(0);
  });

  it('loading: every route answers 503 Loading model', async () => {
    const s = await serve({ mode: 'loading' });
    const want = { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } };
    for (const path of ['/health', '/v1/health', '/props', '/slots', '/v1/models']) {
      const r = await get(`${s.url}${path}`);
      expect(r.status, path).toBe(503);
      expect(JSON.parse(r.body)).toEqual(want);
    }
    const c = await chat(s.url);
    expect(c.status).toBe(503);
    expect(s.mode()).toBe('loading');
  });

  it('loading with loadingForMs turns healthy by itself; setMode switches at run time', async () => {
    const s = await serve({ mode: 'loading', loadingForMs: 150 });
    expect((await get(`${s.url}/health`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 200));
    expect((await get(`${s.url}/health`)).status).toBe(200);
    expect(s.mode()).toBe('healthy');
    s.setMode('loading', { loadingForMs: 100 });
    expect((await get(`${s.url}/health`)).status).toBe(503);
    s.setMode('healthy');
    expect((await get(`${s.url}/health`)).status).toBe(200);
  });

  it('hang: accepts the connection and never answers; close() still ends promptly', async () => {
    const s = await serve({ mode: 'hang' });
    const t0 = Date.now();
    const err = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(s.stats().routes['/health']?.requests).toBe(1);
    // a request still hanging when the server closes
    const pending = fetch(`${s.url}/health`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const c0 = Date.now();
    await s.close();
    expect(Date.now() - c0).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('slow: answers after delayMs', async () => {
    const s = await serve({ mode: 'slow', delayMs: 300 });
    const t0 = Date.now();
    const r = await get(`${s.url}/health`);
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    const c = await chat(s.url);
    expect(JSON.parse(c.body).choices[0].message.content).toBe('Ready');
  });

  it('old-health: the four pre-Aug-2024 /health shapes', async () => {
    const ok = await serve({ mode: 'old-health', oldHealth: 'ok', totalSlots: 3 });
    const r1 = await get(`${ok.url}/health`);
    expect([r1.status, JSON.parse(r1.body)]).toEqual([200, { status: 'ok', slots_idle: 3, slots_processing: 0 }]);

    const loading = await serve({ mode: 'old-health', oldHealth: 'loading model' });
    const r2 = await get(`${loading.url}/health`);
    expect([r2.status, JSON.parse(r2.body)]).toEqual([503, { status: 'loading model' }]);
    expect((await get(`${loading.url}/props`)).status).toBe(503);

    const error = await serve({ mode: 'old-health', oldHealth: 'error' });
    const r3 = await get(`${error.url}/health`);
    expect([r3.status, JSON.parse(r3.body)]).toEqual([500, { status: 'error' }]);

    const busy = await serve({ mode: 'old-health', oldHealth: 'no slot available', totalSlots: 2 });
    const r4 = await get(`${busy.url}/health`);
    expect([r4.status, JSON.parse(r4.body)]).toEqual([200, { status: 'no slot available', slots_idle: 0, slots_processing: 2 }]);
    expect((await get(`${busy.url}/health?fail_on_no_slot=1`)).status).toBe(503);
  });

  it('busy: /health stays 200, /slots?fail_on_no_slot=1 answers 503 no slot available', async () => {
    const s = await serve({ mode: 'busy', totalSlots: 2 });
    expect((await get(`${s.url}/health`)).status).toBe(200);
    const r = await get(`${s.url}/slots?fail_on_no_slot=1`);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 503, message: 'no slot available', type: 'unavailable_error' } });
    const all = JSON.parse((await get(`${s.url}/slots`)).body) as any[];
    expect(all.map((x) => x.is_processing)).toEqual([true, true]);
    expect((await chat(s.url)).status).toBe(200);
  });

  it('context-overflow: 400 exceed_context_size_error with the real message and fields', async () => {
    const s = await serve({ mode: 'context-overflow', nCtx: 4096, promptTokens: 9412 });
    const r = await chat(s.url);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({
      error: {
        code: 400,
        message: 'request (9412 tokens) exceeds the available context size (4096 tokens), try increasing it',
        type: 'exceed_context_size_error',
        n_prompt_tokens: 9412,
        n_ctx: 4096,
      },
    });
    expect((await get(`${s.url}/health`)).status).toBe(200);

    const legacy = await serve({ mode: 'context-overflow', legacyOverflowMessage: true });
    const l = JSON.parse((await chat(legacy.url)).body) as any;
    expect(l.error.message).toBe('the request exceeds the available context size, try increasing it');
    expect(l.error.n_ctx).toBeUndefined();
  });

  it('parse-failure: 500 Failed to parse input at pos N', async () => {
    const s = await serve({ mode: 'parse-failure', parseFailurePos: 184 });
    const r = await chat(s.url);
    expect(r.status).toBe(500);
    const e = (JSON.parse(r.body) as any).error;
    expect(e.type).toBe('server_error');
    expect(e.code).toBe(500);
    expect(e.message).toMatch(/^Failed to parse input at pos 184: /);
  });

  it('api-key: 401 Invalid API Key without the right Bearer; public routes stay open', async () => {
    const s = await serve({ mode: 'api-key', apiKey: KEY });
    const denied = await get(`${s.url}/props`);
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body)).toEqual({
      error: { message: 'Invalid API Key', type: 'authentication_error', code: 401 },
    });
    expect((await get(`${s.url}/props`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await get(`${s.url}/props`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect((await chat(s.url)).status).toBe(401);
    expect((await chat(s.url, { authorization: `Bearer ${KEY}` })).status).toBe(200);
    expect((await get(`${s.url}/health`)).status).toBe(200);
    expect((await get(`${s.url}/v1/models`)).status).toBe(200);
    const st = s.stats();
    expect(st.routes['/props']).toEqual({ requests: 3, withBearer: 2, withValidKey: 1 });
    expect(st.routes['/v1/chat/completions']).toEqual({ requests: 2, withBearer: 1, withValidKey: 1 });
    expect(st.keyInUrl).toBe(0);
  });

  it('garbage / empty: 200 with a non-JSON or empty body', async () => {
    const g = await serve({ mode: 'garbage' });
    const r = await get(`${g.url}/health`);
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.body) as unknown).toThrow();
    const e = await serve({ mode: 'empty' });
    const r2 = await get(`${e.url}/health`);
    expect([r2.status, r2.body]).toEqual([200, '']);
  });

  it('huge: 200 with a 10 MB body', async () => {
    const s = await serve({ mode: 'huge' });
    const res = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(10 * 1024 * 1024);
    const buf = Buffer.from(await res.arrayBuffer());
    expect(buf.length).toBe(10 * 1024 * 1024);
    expect(buf.subarray(0, 26).toString()).toBe('{"status":"ok","padding":"');
  });

  it('redirect-loop: 302 to itself, fetch gives up', async () => {
    const s = await serve({ mode: 'redirect-loop' });
    const r = await fetch(`${s.url}/health?x=1`, { redirect: 'manual', signal: AbortSignal.timeout(3000) });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/health?x=1');
    const err = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(3000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(String((err as Error & { cause?: Error }).cause?.message)).toMatch(/redirect/);
    expect(s.stats().routes['/health']?.requests).toBeGreaterThan(10);
  });

  it('vllm: /health 200 with an empty body, no /props', async () => {
    const s = await serve({ mode: 'vllm' });
    const r = await get(`${s.url}/health`);
    expect([r.status, r.body]).toEqual([200, '']);
    expect((await get(`${s.url}/props`)).status).toBe(404);
    expect(JSON.parse((await get(`${s.url}/v1/models`)).body).data[0].owned_by).toBe('vllm');
    expect((await chat(s.url)).status).toBe(200);
  });

  it('reset: the connection is dropped without an answer', async () => {
    const s = await serve({ mode: 'reset' });
    const t0 = Date.now();
    const err = (await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(3000) }).catch((e: unknown) => e)) as Error & {
      cause?: { code?: string };
    };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.cause?.code).toBe('UND_ERR_SOCKET');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(s.stats().routes['/health']?.requests).toBe(1);
  });

  it('a closed server refuses connections', async () => {
    const s = await startTestServer();
    const url = s.url;
    await s.close();
    await s.close(); // idempotent
    const err = (await fetch(`${url}/health`).catch((e: unknown) => e)) as Error & { cause?: { code?: string } };
    expect(err.cause?.code).toBe('ECONNREFUSED');
  });

  it('every llama mode can be set at run time', async () => {
    const s = await serve();
    for (const m of LLAMA_MODES) {
      s.setMode(m);
      expect(s.mode()).toBe(m);
    }
  });
});

describe('proxy kind (CLIProxyAPI-style)', () => {
  it('healthy: /healthz, GET / banner, /health 404, /v1/models behind a Bearer key', async () => {
    const s = await serve({ kind: 'proxy', apiKey: KEY });
    const hz = await get(`${s.url}/healthz`);
    expect([hz.status, JSON.parse(hz.body)]).toEqual([200, { status: 'ok' }]);
    expect((await get(`${s.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    const banner = JSON.parse((await get(`${s.url}/`)).body) as any;
    expect(banner.message).toBe('CLI Proxy API Server');
    expect(banner.endpoints).toContain('GET /v1/models');
    const h = await get(`${s.url}/health`);
    expect([h.status, h.body]).toEqual([404, '404 page not found']);

    const missing = await get(`${s.url}/v1/models`);
    expect([missing.status, JSON.parse(missing.body)]).toEqual([401, { error: 'Missing API key' }]);
    const wrong = await get(`${s.url}/v1/models`, { headers: { authorization: 'Bearer nope' } });
    expect([wrong.status, JSON.parse(wrong.body)]).toEqual([401, { error: 'Invalid API key' }]);
    const ok = await get(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as any).data.length).toBe(3);

    const c = await chat(s.url, { authorization: `Bearer ${KEY}` });
    expect(JSON.parse(c.body).choices[0].message.content).toBe('Ready');
    expect((await chat(s.url)).status).toBe(401);

    const st = s.stats();
    expect(st.routes['/v1/models']).toEqual({ requests: 3, withBearer: 2, withValidKey: 1 });
    expect(st.keyInUrl).toBe(0);
  });

  it('counts a key put in the URL (what a probe must never do)', async () => {
    const s = await serve({ kind: 'proxy', apiKey: KEY });
    await get(`${s.url}/v1/models?key=${KEY}`);
    expect(s.stats().keyInUrl).toBe(1);
  });

  it('older build: no /healthz route', async () => {
    const s = await serve({ kind: 'proxy', proxyHealthz: false });
    expect((await get(`${s.url}/healthz`)).status).toBe(404);
    expect((await get(`${s.url}/`)).status).toBe(200);
  });

  it('quota: 429 model_cooldown with reset_seconds and a Go-style reset_time', async () => {
    const s = await serve({ kind: 'proxy', mode: 'quota', apiKey: KEY, resetSeconds: 90 });
    const r = await get(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(r.status).toBe(429);
    const e = (JSON.parse(r.body) as any).error;
    expect(e).toMatchObject({ code: 'model_cooldown', reset_seconds: 90, reset_time: '1m30s', provider: 'gemini' });
    expect(e.message).toMatch(/^All credentials for model .+ are cooling down/);
    const c = await chat(s.url, { authorization: `Bearer ${KEY}` });
    expect(c.status).toBe(429);
    expect(JSON.parse(c.body).error.model).toBe('m');
    // auth is checked before the cooldown
    expect((await get(`${s.url}/v1/models`)).status).toBe(401);
  });

  it('no-auth: 503 no auth available', async () => {
    const s = await serve({ kind: 'proxy', mode: 'no-auth', apiKey: KEY });
    const r = await get(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body).error).toMatchObject({ message: expect.stringMatching(/no auth available/), type: 'server_error' });
    expect((await get(`${s.url}/healthz`)).status).toBe(200);
  });

  it('shared modes work for the proxy too, and every proxy mode can be set', async () => {
    const s = await serve({ kind: 'proxy', mode: 'garbage' });
    expect((await get(`${s.url}/healthz`)).body).toMatch(/<html>/);
    s.setMode('hang');
    const err = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(200) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    for (const m of PROXY_MODES) {
      s.setMode(m);
      expect(s.mode()).toBe(m);
    }
  });
});

describe('main.ts arguments', () => {
  it('parses the documented flags', () => {
    const reads: string[] = [];
    const opts = parseMainArgs(['--port', '0', '--mode', 'loading', '--loading-ms', '500', '--api-key-file', '/k', '--n-ctx', '2048', '--slots', '4'], (p) => {
      reads.push(p);
      return `${KEY}\n`;
    });
    expect(opts).toMatchObject({ kind: 'llama', mode: 'loading', port: 0, loadingForMs: 500, apiKey: KEY, nCtx: 2048, totalSlots: 4, host: '127.0.0.1' });
    expect(reads).toEqual(['/k']);
    expect(parseMainArgs(['--kind', 'proxy', '--mode', 'quota', '--no-healthz', '--reset-seconds', '5'])).toMatchObject({
      kind: 'proxy',
      mode: 'quota',
      proxyHealthz: false,
      resetSeconds: 5,
    });
    expect(parseMainArgs(['--mode', 'old-health', '--old-health', 'no-slot-available']).oldHealth).toBe('no slot available');
  });

  it.each([[['--mode', 'quota']], [['--kind', 'vllm']], [['--port', 'abc']], [['--port', '70000']], [['--loading-ms', '-5']], [['--bogus']], [['positional']], [['--old-health', 'maybe']]])(
    'rejects %j with a usage error',
    (argv) => {
      expect(() => parseMainArgs(argv)).toThrow(ServerArgError);
    },
  );

  it('reports an unreadable or empty key file without the path contents', () => {
    expect(() =>
      parseMainArgs(['--api-key-file', '/nope'], () => {
        throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
      }),
    ).toThrow(/cannot read --api-key-file: ENOENT/);
    expect(() => parseMainArgs(['--api-key-file', '/k'], () => '\n')).toThrow(/empty/);
  });

  it('runMain prints one JSON ready line and serves', async () => {
    const lines: string[] = [];
    const s = await runMain(['--port', '0'], { stdout: (l) => lines.push(l), stderr: () => undefined });
    open.push(s);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({ port: s.port, pid: process.pid });
    expect((await get(`${s.url}/health`)).status).toBe(200);
  });

  it('runMain refuses a non-loopback --host', async () => {
    await expect(runMain(['--host', '0.0.0.0'], { stdout: () => undefined, stderr: () => undefined })).rejects.toThrow(/loopback only/);
  });
});

describe('main.ts as a process', () => {
  let outDir = '';
  const root = resolve(import.meta.dirname, '../../..');

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'swarmctl-testserver-'));
    await promisify(execFile)(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        '--outDir',
        outDir,
        '--rootDir',
        join(root, 'src'),
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        '--target',
        'ES2022',
        '--types',
        'node',
        '--skipLibCheck',
        '--strict',
        join(root, 'src/testserver/main.ts'),
      ],
      { cwd: root },
    );
    writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  }, 60_000);

  afterAll(() => {
    if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
  });

  async function startProcess(args: string[]): Promise<{
    child: ReturnType<typeof spawn>;
    ready: { port: number; pid: number };
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  }> {
    const child = spawn(process.execPath, [join(outDir, 'testserver/main.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
    const rl = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((res, rej) => {
      rl.once('line', res);
      child.once('exit', (code) => rej(new Error(`exited ${String(code)} before the ready line`)));
    });
    rl.close();
    return { child, ready: JSON.parse(first) as { port: number; pid: number }, exited };
  }

  it.each(['SIGTERM', 'SIGINT'] as const)('prints {"port","pid"} and exits 0 on %s', async (sig) => {
    const { child, ready, exited } = await startProcess(['--port', '0', '--mode', 'busy']);
    expect(ready.pid).toBe(child.pid);
    expect(ready.port).toBeGreaterThan(0);
    const r = await get(`http://127.0.0.1:${ready.port}/slots?fail_on_no_slot=1`);
    expect(r.status).toBe(503);
    child.kill(sig);
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it('exits promptly on SIGTERM even with a hung request open', async () => {
    const { child, ready, exited } = await startProcess(['--mode', 'hang']);
    const pending = fetch(`http://127.0.0.1:${ready.port}/health`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await pending).toBeInstanceOf(Error);
  });

  it('reads the proxy key from a file and exits 64 on a usage error', async () => {
    const keyFile = join(outDir, 'key');
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    const { child, ready, exited } = await startProcess(['--kind', 'proxy', '--api-key-file', keyFile]);
    const ok = await get(`http://127.0.0.1:${ready.port}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.status).toBe(200);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);

    const bad = spawn(process.execPath, [join(outDir, 'testserver/main.js'), '--mode', 'nonsense'], { stdio: 'ignore' });
    const code = await new Promise<number | null>((res) => bad.once('exit', (c) => res(c)));
    expect(code).toBe(64);
  });
});
