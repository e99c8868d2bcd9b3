// Pure status decision for vLLM-style health answers: GET /health is 200 with an
// empty body when the engine is ready. Helpers are shared with the llama-server
// classifier (classify-common.ts).
import { classifyNoAnswer, errorInfo, guardSecrets, httpStatusReason, parseJsonSafe, probeResult, type ClassifyOptions } from './classify-common.js';
import type { HttpObservation, ProbeResult } from '../core/probe.js';

/**
 * vLLM answers `/health` with 200 and an empty body when the engine is ready and
 * 503 when it is not. The body is not looked at on 200 (so a cut-off body is fine).
 */
export function classifyVllmHealth(obs: HttpObservation, opts?: ClassifyOptions): ProbeResult {
  return guardSecrets(obs, opts, vllmHealth);
}

function vllmHealth(obs: HttpObservation): ProbeResult {
  const none = classifyNoAnswer(obs);
  if (none !== undefined) return none;
  const status = obs.status as number;
  const d = { httpStatus: status };
  if (status >= 200 && status < 300) return probeResult('up', 'ok', obs, d);
  const info = errorInfo(parseJsonSafe(obs.body));
  if (status === 503) return probeResult('down', httpStatusReason('engine not ready:', status, info, obs.body), obs, d);
  if (status === 401) return probeResult('degraded', 'key rejected', obs, d);
  if (status === 404) return probeResult('down', 'no health route (HTTP 404)', obs, d);
  return probeResult('down', httpStatusReason('health answered', status, info, obs.body), obs, d);
}
