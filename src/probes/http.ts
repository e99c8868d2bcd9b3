// Generic HTTP probe: GET health_url (else url); any 2xx is up, a redirect is
// reported (not followed), anything else is down with the status. For services
// that speak no known health dialect.
import type { NamedService } from '../config/resolve.js';
import { httpRequest } from '../io/http.js';
import { classifyNoAnswer, probeResult } from './classify-common.js';
import type { ProbeContext } from './context.js';
import type { HttpObservation, ProbeResult } from '../core/probe.js';

/** Pure: 2xx up; 3xx down "redirect"; other down "HTTP N". */
export function classifyGenericHttp(obs: HttpObservation): ProbeResult {
  const none = classifyNoAnswer(obs);
  if (none !== undefined) return none;
  const s = obs.status as number;
  const d = { httpStatus: s };
  if (s >= 200 && s < 300) return probeResult('up', `HTTP ${s}`, obs, d);
  if (s >= 300 && s < 400) return probeResult('down', `answered a redirect (HTTP ${s})`, obs, d);
  return probeResult('down', `answered HTTP ${s}`, obs, d);
}

export async function probeHttp(svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  const url = svc.health_url ?? svc.url;
  if (url === undefined) return { status: 'unknown', reason: 'no url or health_url configured', latencyMs: null };
  return classifyGenericHttp(await httpRequest({ url, timeoutMs: ctx.timeoutMs, maxBodyBytes: 4096 }));
}
