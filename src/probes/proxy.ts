// OpenAI-style cloud proxy probe (CLIProxyAPI, default port 8317). Liveness at
// health_url or <url>/healthz; an older build without it (404) is checked by its
// JSON banner at GET /. Then GET /v1/models with `Authorization: Bearer <key>`,
// the key read from api_key_file now (mode must be 0600: warned otherwise). A
// 429/503 starts an exponential backoff per service (backoff.ts): until it passes,
// /v1/models is not called and the last answer is reported. The key is only ever
// in a header and in the classifier's `secrets` (scrubbed from every result).
import type { NamedService } from '../config/resolve.js';
import { httpRequest } from '../io/http.js';
import { classifyProxyBanner, classifyProxyLiveness, classifyProxyModels } from './proxy-classify.js';
import { deadline, joinUrl, type ProbeContext } from './context.js';
import type { ProbeResult } from '../core/probe.js';
import { readKeyForRequest } from './key-file.js';
import { processBackoff, type BackoffBook } from './backoff.js';

export async function probeProxy(svc: NamedService, ctx: ProbeContext, book: BackoffBook = processBackoff): Promise<ProbeResult> {
  const left = deadline(ctx.timeoutMs);
  const now = ctx.now ?? Date.now;
  if (svc.url === undefined && svc.health_url === undefined) {
    return { status: 'unknown', reason: 'no url or health_url configured', latencyMs: null };
  }
  const liveUrl = svc.health_url ?? joinUrl(svc.url as string, '/healthz');
  let live: ProbeResult = classifyProxyLiveness(await httpRequest({ url: liveUrl, timeoutMs: left() }));
  let route = new URL(liveUrl).pathname;
  if ((live as { needsFallback?: boolean }).needsFallback === true && svc.url !== undefined) {
    route = '/';
    live = classifyProxyBanner(await httpRequest({ url: joinUrl(svc.url, '/'), timeoutMs: left() }));
  }
  const details: Record<string, unknown> = { ...live.details, liveness: route };
  delete details['needsFallback'];
  if (live.status !== 'up' || svc.url === undefined || svc.api_key_file === undefined) {
    const { status, reason, latencyMs } = live;
    return { status, reason: live.status === 'up' && svc.api_key_file === undefined ? `${reason} (no api_key_file: models not checked)` : reason, latencyMs, details };
  }

  const key = await readKeyForRequest(svc.api_key_file);
  if (key.key === undefined) {
    return { status: 'degraded', reason: `alive, but ${key.problem ?? 'no key'}`, latencyMs: live.latencyMs, details };
  }
  if (key.warning !== undefined) details['keyFileWarning'] = key.warning;
  const warn = key.warning !== undefined ? ` (warning: ${key.warning})` : '';

  const held = book.blocked(svc.name, now());
  if (held !== undefined) {
    const s = Math.ceil(held.waitMs / 1000);
    return {
      status: held.last.status,
      reason: `${held.last.reason} (backing off, next models check in ${s} s)${warn}`,
      latencyMs: live.latencyMs,
      details: { ...details, ...held.last.details, backoffSeconds: s },
    };
  }
  const obs = await httpRequest({
    url: joinUrl(svc.url, '/v1/models'),
    headers: { authorization: `Bearer ${key.key}` },
    timeoutMs: left(),
  });
  const models = classifyProxyModels(obs, { secrets: [key.key] });
  if (models.details?.['retryable'] === true) {
    const reset = Number(models.details['resetSeconds'] ?? 0) * 1000;
    const delay = book.failed(svc.name, now(), { status: models.status, reason: models.reason, latencyMs: models.latencyMs, ...(models.details ? { details: models.details } : {}) }, reset);
    details['backoffSeconds'] = Math.ceil(delay / 1000);
  } else {
    book.succeeded(svc.name);
  }
  return { ...models, reason: `${models.reason}${warn}`, details: { ...details, ...models.details } };
}
