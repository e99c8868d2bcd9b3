// vLLM-style probe: GET health_url or <url>/health; 200 (empty body) up, 503 down.
// The rules live in llama-classify.ts (classifyVllmHealth).
import type { NamedService } from '../config/resolve.js';
import { httpRequest } from '../io/http.js';
import { classifyVllmHealth } from './vllm-classify.js';
import { joinUrl, type ProbeContext } from './context.js';
import type { ProbeResult } from '../core/probe.js';

export async function probeVllm(svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  const url = svc.health_url ?? (svc.url !== undefined ? joinUrl(svc.url, '/health') : undefined);
  if (url === undefined) return { status: 'unknown', reason: 'no url or health_url configured', latencyMs: null };
  return classifyVllmHealth(await httpRequest({ url, timeoutMs: ctx.timeoutMs }));
}
