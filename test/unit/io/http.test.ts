// The probe HTTP client against real loopback servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest } from '../../../src/io/http.js';

let server: http.Server;
let base = '';
const sockets = new Set<import('node:net').Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/ok') return void res.end('{"status":"ok"}');
    if (req.url === '/huge') {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      for (let i = 0; i < 160; i++) res.write(chunk); // 10 MB
      return void res.end();
    }
    if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return void res.end();
    }
    if (req.url === '/echo') {
      let b = '';
      req.on('data', (d) => (b += d)).on('end', () => res.end(JSON.stringify({ auth: req.headers.authorization ?? null, body: b })));
      return;
    }
    // /hang: never answer
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const s of sockets) s.destroy();
  server.close();
});

describe('httpRequest', () => {
  it('returns status, body and latency', async () => {
    const r = await httpRequest({ url: `${base}/ok`, timeoutMs: 2000 });
    expect(r).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });
  it('gives up at the deadline on a server that never answers', async () => {
    const t0 = Date.now();
    const r = await httpRequest({ url: `${base}/hang`, timeoutMs: 300 });
    expect(r.status).toBeNull();
    expect(r.error?.code).toBe('ETIMEDOUT');
    expect(Date.now() - t0).toBeLessThan(1500);
  });
  it('reads at most the body cap of a 10 MB answer', async () => {
    const r = await httpRequest({ url: `${base}/huge`, timeoutMs: 5000, maxBodyBytes: 1000 });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(1000);
    expect(r.truncated).toBe(true);
  });
  it('reports a redirect instead of following it', async () => {
    const r = await httpRequest({ url: `${base}/loop`, timeoutMs: 2000 });
    expect(r.status).toBe(302);
  });
  it('reports connection refused with its code', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const r = await httpRequest({ url: `http://127.0.0.1:${port}/health`, timeoutMs: 2000 });
    expect(r.error?.code).toBe('ECONNREFUSED');
    expect(r.error?.message).toContain('connection refused');
  });
  it('reports a name that does not resolve', async () => {
    const r = await httpRequest({ url: 'http://no-such-host.invalid/health', timeoutMs: 3000 });
    expect(r.status).toBeNull();
    expect(['ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']).toContain(r.error?.code);
  });
  it('sends headers and a body (the key travels in a header, not argv)', async () => {
    const r = await httpRequest({ url: `${base}/echo`, method: 'POST', body: '{"a":1}', headers: { authorization: 'Bearer k' }, timeoutMs: 2000 });
    expect(JSON.parse(r.body)).toEqual({ auth: 'Bearer k', body: '{"a":1}' });
  });
  it('rejects a malformed URL as a value', async () => {
    expect((await httpRequest({ url: 'not a url', timeoutMs: 100 })).error?.code).toBe('EBADURL');
  });
});
