// llama-server probe: GET health (health_url, else <url>/health, falling back to
// /v1/health on a 404), then — when the model is up — /slots?fail_on_no_slot=1 and
// /props in parallel within what is left of the budget. Every decision is made by
// llama-classify.ts; this file only does the HTTP and keeps the whole probe inside
// one timeout. Probes the configured URL as given: use an IP, not a `.local` name
// (mDNS may resolve IPv6-first and hang).
import type { NamedService } from '../config/resolve.js';
import { httpRequest } from '../io/http.js';
import { classifyLlamaHealth, classifySlots, parseProps } from './llama-classify.js';
import { deadline, joinUrl, type ProbeContext } from './context.js';
import type { ProbeResult } from '../core/probe.js';
import { readKeyForRequest } from './key-file.js';

export async function probeLlama(svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  const left = deadline(ctx.timeoutMs);
  if (svc.url === undefined && svc.health_url === undefined) {
    return { status: 'unknown', reason: 'no url or health_url configured', latencyMs: null };
  }
  const key = svc.api_key_file !== undefined ? await readKeyForRequest(svc.api_key_file) : undefined;
  const secrets = key?.key !== undefined ? [key.key] : [];
  const headers: Record<string, string> = key?.key !== undefined ? { authorization: `Bearer ${key.key}` } : {};
  const healthUrl = svc.health_url ?? joinUrl(svc.url as string, '/health');
  let obs = await httpRequest({ url: healthUrl, timeoutMs: left(), headers });
  let route = healthUrl;
  if (obs.status === 404 && svc.health_url === undefined) {
    route = joinUrl(svc.url as string, '/v1/health');
    obs = await httpRequest({ url: route, timeoutMs: left(), headers });
  }
  const health = classifyLlamaHealth(obs, { secrets });
  const details: Record<string, unknown> = { ...health.details, route: new URL(route).pathname };
  if (health.status !== 'up' || svc.url === undefined) return { ...health, details };

  const base = svc.url;
  const [slotsObs, propsObs] = await Promise.all([
    httpRequest({ url: joinUrl(base, '/slots?fail_on_no_slot=1'), timeoutMs: left(), headers }),
    httpRequest({ url: joinUrl(base, '/props'), timeoutMs: left(), headers }),
  ]);
  if (propsObs.status === 200) {
    const p = parseProps(propsObs.body);
    details['n_ctx'] = p.n_ctx;
    details['total_slots'] = p.total_slots;
    details['build_info'] = p.build_info;
    if (p.model !== null) details['model'] = p.model;
  }
  const slots = classifySlots(slotsObs, { secrets });
  if (slots.details?.['totalSlots'] !== undefined) details['slotsTotal'] = slots.details['totalSlots'];
  if (slots.details?.['busySlots'] !== undefined) details['slotsBusy'] = slots.details['busySlots'];
  // /slots is optional: only "all slots busy" changes the verdict.
  if (slots.status === 'degraded' && slots.reason === 'all slots busy') {
    return { status: 'degraded', reason: 'all slots busy', latencyMs: health.latencyMs, details };
  }
  return { ...health, details };
}
