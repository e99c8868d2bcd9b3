// The one HTTP client probes use. Plain node:http so we control what fetch
// hides: a hard deadline for the WHOLE exchange (connect + headers + body), a
// bounded body (a 10 MB health answer is read to the cap and cut), redirects
// reported instead of followed (a redirect loop must not loop us), no
// connection pooling (a probe must see a dead server, not a kept-alive socket),
// and every failure returned as a value with its errno code.
import http from 'node:http';
import https from 'node:https';
import type { HttpObservation } from '../core/probe.js';

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Bytes of body kept; the rest is discarded and `truncated` set. */
  maxBodyBytes?: number;
}

export interface HttpExchange extends HttpObservation {
  headers?: Record<string, string | string[] | undefined>;
}

export const DEFAULT_MAX_BODY = 256 * 1024;

export function httpRequest(req: HttpRequest): Promise<HttpExchange> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  const max = req.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (x: HttpExchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(x);
    };
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      done({ status: null, body: '', latencyMs: null, error: { code: 'EBADURL', message: `not a valid URL: ${req.url}` } });
      return;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'swarmctl', accept: 'application/json', ...req.headers };
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const r = lib.request(url, { method: req.method ?? 'GET', headers, agent: false });
    timer = setTimeout(() => {
      r.destroy();
      done({ status: null, body: '', latencyMs: elapsed(), error: { code: 'ETIMEDOUT', message: `no answer in ${Math.round(req.timeoutMs / 100) / 10} s` } });
    }, req.timeoutMs);
    r.on('error', (e: NodeJS.ErrnoException) => {
      done({ status: null, body: '', latencyMs: elapsed(), error: { code: e.code ?? 'EHTTP', message: describeNetError(e, url) } });
    });
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      res.on('data', (c: Buffer) => {
        if (kept >= max) {
          truncated = true;
          res.destroy(); // stop reading a huge body; we have enough to classify
          finish();
          return;
        }
        const take = c.subarray(0, max - kept);
        if (take.length < c.length) truncated = true;
        chunks.push(take);
        kept += take.length;
      });
      const finish = () =>
        done({
          status: res.statusCode ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
          latencyMs: elapsed(),
          ...(truncated ? { truncated } : {}),
          headers: res.headers,
        });
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

function describeNetError(e: NodeJS.ErrnoException, url: URL): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${url.host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${url.hostname} (${e.code})`;
    case 'ECONNRESET':
      return `connection reset by ${url.host}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${url.hostname} unreachable (${e.code})`;
    default:
      return e.message;
  }
}
