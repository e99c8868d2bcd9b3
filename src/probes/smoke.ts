// Model smoke test (`swarmctl smoke`): POST /v1/chat/completions with the fixed
// one-word prompt and max_tokens 5; a non-empty reply is up. Context overflow
// (400) and output-parse failure (500) come back as what they are, with their
// numbers (smoke-classify.ts decides). Sends the key from api_key_file, if any,
// in the Authorization header only.
import type { NamedService } from '../config/resolve.js';
import { httpRequest } from '../io/http.js';
import { buildSmokeRequest, classifySmoke } from './smoke-classify.js';
import { joinUrl, type ProbeContext } from './context.js';
import type { ProbeResult } from '../core/probe.js';
import { readKeyForRequest } from './key-file.js';

export const SMOKE_DEFAULT_MODEL = 'default';

export async function probeSmoke(svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  if (svc.url === undefined) return { status: 'unknown', reason: 'no url configured', latencyMs: null };
  const headers: Record<string, string> = {};
  let secrets: string[] = [];
  if (svc.api_key_file !== undefined) {
    const k = await readKeyForRequest(svc.api_key_file);
    if (k.key === undefined) return { status: 'degraded', reason: k.problem ?? 'no key', latencyMs: null };
    headers['authorization'] = `Bearer ${k.key}`;
    secrets = [k.key];
  }
  const model = svc.model ?? SMOKE_DEFAULT_MODEL;
  const obs = await httpRequest({
    url: joinUrl(svc.url, '/v1/chat/completions'),
    method: 'POST',
    body: buildSmokeRequest(model),
    headers,
    timeoutMs: ctx.timeoutMs,
  });
  const r = classifySmoke(obs, { secrets });
  return { ...r, details: { ...r.details, model } };
}
