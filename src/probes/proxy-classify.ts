// Pure decisions for the OpenAI-compatible cloud proxy (CLIProxyAPI-style, default
// port 8317). Exists because the seed probed a route the proxy does not have; these
// rules follow what router-for-me/CLIProxyAPI really answers:
//
//   internal/api/server.go   GET /healthz → 200 {"status":"ok"} (newer builds; older ones
//                            have no health route → 404, so fall back to GET /);
//                            GET / → 200 {"message":"CLI Proxy API Server","endpoints":[...]};
//                            /v1/* behind AuthMiddleware, which answers
//                            c.AbortWithStatusJSON(status, gin.H{"error": err.Message}) — error is a STRING.
//   sdk/access/errors.go     401 "Missing API key" / "Invalid API key"; 429 "API key rate limit exceeded".
//   sdk/cliproxy/auth (selector) modelCooldownError → 429
//                            {"error":{"code":"model_cooldown","message":"All credentials for model M are cooling down ...",
//                                      "model":M,"reset_time":"1m30s","reset_seconds":90,"provider":P}}.
//   sdk/cliproxy/auth        &Error{Code:"auth_unavailable", Message:"no auth available"} (503), rendered by
//   sdk/api/handlers         BuildErrorResponseBody as {"error":{"message":..,"type":"server_error",..}}.
//
// The API key never reaches these functions; server text that ends up in a reason is
// passed through oneLine(), which redacts anything that looks like a credential.

import { guardSecrets, type ClassifyOptions, finiteNumber, httpStatusReason, isRecord, oneLine, probeResult, readAnswer, unusable2xxBody } from './classify-common.js';
import type { HttpObservation, ProbeResult } from '../core/probe.js';

export const PROXY_DEFAULT_PORT = 8317;

export interface ProxyLivenessResult extends ProbeResult {
  /** true when the liveness route does not exist (404): probe `GET /` next and
   *  classify that with classifyProxyBanner. */
  needsFallback: boolean;
}

/**
 * Classify `GET /healthz` (or the configured liveness route). 200 → up. 404 means an
 * older build without the route: status `unknown` and `needsFallback: true`, so the
 * caller asks `GET /` instead. Anything else is final.
 */
export function classifyProxyLiveness(obs: HttpObservation, opts?: ClassifyOptions): ProxyLivenessResult {
  return guardSecrets(obs, opts, liveness);
}

function liveness(obs: HttpObservation): ProxyLivenessResult {
  const a = readAnswer(obs);
  if (a.none !== undefined) return { ...a.none, needsFallback: false };
  const { status, json, info, d } = a;
  if (status === 404) {
    return {
      ...probeResult('unknown', 'no liveness route (HTTP 404): fall back to GET /', obs, d),
      needsFallback: true,
    };
  }
  if (status >= 200 && status < 300) {
    // HEAD /healthz answers 200 with no body: only a GET body is checked, and an
    // empty one is accepted.
    if (obs.body.trim() === '' && obs.truncated !== true && obs.error === undefined) {
      return { ...probeResult('up', 'ok', obs, d), needsFallback: false };
    }
    const bad = unusable2xxBody('liveness', obs, json);
    if (bad !== undefined) return { ...bad, needsFallback: false };
    const st = isRecord(json) && typeof json['status'] === 'string' ? json['status'] : undefined;
    if (st === undefined || st.toLowerCase() === 'ok') return { ...probeResult('up', 'ok', obs, d), needsFallback: false };
    return {
      ...probeResult('degraded', `liveness answered status "${oneLine(st, 40)}"`, obs, d),
      needsFallback: false,
    };
  }
  if (status === 401) return { ...probeResult('degraded', 'key rejected', obs, d), needsFallback: false };
  return {
    ...probeResult('down', httpStatusReason('liveness answered', status, info, obs.body), obs, d),
    needsFallback: false,
  };
}

/**
 * Classify `GET /` on a proxy without a liveness route: any JSON object on 200 is
 * accepted as the banner (`details.banner` holds its `message`).
 */
export function classifyProxyBanner(obs: HttpObservation, opts?: ClassifyOptions): ProbeResult {
  return guardSecrets(obs, opts, banner);
}

function banner(obs: HttpObservation): ProbeResult {
  const a = readAnswer(obs);
  if (a.none !== undefined) return a.none;
  const { status, json, info, d } = a;
  if (status >= 200 && status < 300) {
    const bad = unusable2xxBody('GET /', obs, json);
    if (bad !== undefined) return bad;
    if (!isRecord(json)) return probeResult('degraded', 'GET / answered JSON but not a banner object', obs, d);
    const msg = typeof json['message'] === 'string' ? oneLine(json['message'], 80) : '';
    if (msg !== '') d['banner'] = msg;
    return probeResult('up', msg !== '' ? `banner: ${msg}` : 'banner ok', obs, d);
  }
  if (status === 404) return probeResult('down', 'no liveness route and no banner (HTTP 404 on GET /)', obs, d);
  return probeResult('down', httpStatusReason('GET / answered', status, info, obs.body), obs, d);
}

/**
 * Classify `GET /v1/models` sent with `Authorization: Bearer <key>`.
 * - 200 with a model list → up, `details.modelCount`; an empty list → degraded
 *   (the proxy works but has nothing to route to).
 * - 401 (string error "Invalid API key" / "Missing API key", or any 401) → degraded "key rejected".
 * - 429 model_cooldown with reset_seconds → degraded "quota, resets in N s",
 *   `details.resetSeconds`; other 429 → degraded "rate limited".
 * - 503 "no auth available" → degraded (no usable upstream credential); other 503 → down.
 * - `details.retryable` is true for 429/503 (the caller backs off exponentially).
 */
export function classifyProxyModels(obs: HttpObservation, opts?: ClassifyOptions): ProbeResult {
  return guardSecrets(obs, opts, models);
}

function models(obs: HttpObservation): ProbeResult {
  const a = readAnswer(obs);
  if (a.none !== undefined) return a.none;
  const { status, json, info, d } = a;

  if (status >= 200 && status < 300 && info === undefined) {
    const bad = unusable2xxBody('models', obs, json);
    if (bad !== undefined) return bad;
    const data = isRecord(json) ? json['data'] : Array.isArray(json) ? json : undefined;
    if (!Array.isArray(data)) return probeResult('degraded', 'models answered HTTP 200 without a model list', obs, d);
    d['modelCount'] = data.length;
    if (data.length === 0) return probeResult('degraded', 'proxy lists no models', obs, d);
    return probeResult('up', `${data.length} model${data.length === 1 ? '' : 's'}`, obs, d);
  }

  if (status === 401) {
    // Fixed wording only: nothing from a 401 body is echoed.
    const m = (info?.message ?? '').toLowerCase();
    const which = m.includes('missing') ? 'missing' : m.includes('invalid') ? 'invalid' : undefined;
    if (which !== undefined) d['keyError'] = which;
    return probeResult('degraded', which === undefined ? 'key rejected' : `key rejected (${which} API key)`, obs, d);
  }
  if (status === 403) return probeResult('degraded', httpStatusReason('access denied:', status, info, ''), obs, d);

  if (status === 429) {
    d['retryable'] = true;
    const f = info?.fields;
    const reset = finiteNumber(f?.['reset_seconds']);
    if (info?.code === 'model_cooldown' || reset !== undefined) {
      if (typeof f?.['model'] === 'string' && f['model'] !== '') d['model'] = oneLine(f['model'], 80);
      if (typeof f?.['provider'] === 'string' && f['provider'] !== '') d['provider'] = oneLine(f['provider'], 40);
      if (reset !== undefined) {
        const s = Math.max(0, Math.ceil(reset));
        d['resetSeconds'] = s;
        return probeResult('degraded', `quota, resets in ${s} s`, obs, d);
      }
      return probeResult('degraded', 'quota: model cooling down', obs, d);
    }
    return probeResult('degraded', httpStatusReason('rate limited:', status, info, obs.body), obs, d);
  }

  if (status === 503) {
    d['retryable'] = true;
    if (/no auth available/i.test(info?.message ?? obs.body.slice(0, 2000))) {
      return probeResult('degraded', 'no auth available: the proxy has no usable upstream credential', obs, d);
    }
    return probeResult('down', httpStatusReason('proxy unavailable:', status, info, obs.body), obs, d);
  }
  if (status === 404) return probeResult('down', 'no /v1/models route (HTTP 404)', obs, d);
  if (status >= 300 && status < 400) return probeResult('down', `models answered a redirect (HTTP ${status})`, obs, d);
  if (status >= 400 && status < 500) {
    return probeResult('degraded', httpStatusReason('models refused:', status, info, obs.body), obs, d);
  }
  if (status >= 200 && status < 300) {
    return probeResult('degraded', httpStatusReason('models answered', status, info, obs.body), obs, d);
  }
  return probeResult('down', httpStatusReason('models answered', status, info, obs.body), obs, d);
}
