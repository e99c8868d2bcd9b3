// Pure status decisions for llama-server health answers.
// Exists so the llama-server probe (probes/llama.ts, which does the I/O) stays a thin
// shell: every "what does this answer mean" rule lives here, with no I/O imports, and
// is table-tested against the shapes the real server sends.
//
// Shapes confirmed in ggml-org/llama.cpp:
//   tools/server/README.md        GET /health: 200 {"status":"ok"}; 503 Loading model;
//                                 GET /slots?fail_on_no_slot=1 → 503 when no slot is idle;
//                                 GET /props: default_generation_settings.n_ctx, total_slots,
//                                 model_path, build_info.
//   tools/server/server-http.cpp  while loading, EVERY route answers
//                                 503 {"error":{"message":"Loading model","type":"unavailable_error","code":503}};
//                                 --api-key: 401 {"error":{"message":"Invalid API Key","type":"authentication_error","code":401}};
//                                 unknown route: 404 {"error":{"message":"File Not Found","type":"not_found_error","code":404}}.
//   tools/server/server-common.cpp format_error_response(): unavailable_error → 503,
//                                 exceed_context_size_error → 400, server_error → 500.
//   server-context.cpp (handle_slots): format_error_response("no slot available", ERROR_TYPE_UNAVAILABLE).
//   Builds before Aug 2024 (examples/server/README.md then): /health answered
//   {"status":"ok"|"loading model"|"error"|"no slot available","slots_idle":N,"slots_processing":M}.
//
// The helpers the classifiers share (one-line reasons, secret scrubbing, tolerant
// JSON reading, transport-error phrases) live in classify-common.ts; vLLM's health
// answer is classified in vllm-classify.ts.

import { finiteNumber, guardSecrets, httpStatusReason, isRecord, oneLine, parseJsonSafe, probeResult, readAnswer, unusable2xxBody, type ClassifyOptions, type ErrorInfo } from './classify-common.js';
import type { HttpObservation, ProbeResult } from '../core/probe.js';

function isLoadingError(info: ErrorInfo | undefined): boolean {
  if (info === undefined) return false;
  return /loading model/i.test(info.message ?? '');
}

function isNoSlotError(info: ErrorInfo | undefined): boolean {
  return /no slot available/i.test(info?.message ?? '');
}

// ---------------------------------------------------------------------------
// llama-server GET /health (also /v1/health)
// ---------------------------------------------------------------------------

/**
 * Classify a llama-server `/health` answer.
 *
 * Decisions for answers the server documentation does not cover:
 * - 200 with a non-JSON, empty, or cut-off body → degraded (something answered, but
 *   not like llama-server; an empty 200 is what vLLM sends: use classifyVllmHealth in vllm-classify.ts).
 * - 200 JSON without a known `status` → degraded "unexpected JSON".
 * - 401 → degraded "key rejected" (health is public in llama-server; a 401 comes from
 *   an auth proxy in front of it); 403 → degraded.
 * - 404 → down: nothing serving health there.
 * - 3xx → down: the health route redirects (the probe does not follow).
 * - 429 → degraded; any other status → down with the server's message.
 */
export function classifyLlamaHealth(obs: HttpObservation, opts?: ClassifyOptions): ProbeResult {
  return guardSecrets(obs, opts, llamaHealth);
}

function llamaHealth(obs: HttpObservation): ProbeResult {
  const a = readAnswer(obs);
  if (a.none !== undefined) return a.none;
  const { status, json, info, d } = a;
  const rec = isRecord(json) ? json : undefined;
  const oldStatus = typeof rec?.['status'] === 'string' ? (rec['status'] as string).trim().toLowerCase() : undefined;
  const idle = finiteNumber(rec?.['slots_idle']);
  const processing = finiteNumber(rec?.['slots_processing']);
  if (idle !== undefined) d['slotsIdle'] = idle;
  if (processing !== undefined) d['slotsProcessing'] = processing;

  if (status >= 200 && status < 300) {
    const bad = unusable2xxBody('health', obs, json);
    if (bad !== undefined) return bad;
    if (oldStatus === 'ok') return probeResult('up', 'ok', obs, d);
    if (oldStatus === 'no slot available') return probeResult('degraded', 'all slots busy', obs, d);
    if (oldStatus === 'loading model') return probeResult('loading', 'Loading model', obs, d);
    if (oldStatus === 'error') return probeResult('down', 'model failed to load', obs, d);
    if (isLoadingError(info)) return probeResult('loading', 'Loading model', obs, d);
    const what = oldStatus !== undefined ? ` (status "${oneLine(oldStatus, 40)}")` : '';
    return probeResult('degraded', `health answered HTTP ${status} with unexpected JSON${what}`, obs, d);
  }

  // Every route answers 503 Loading model while the model loads (current builds);
  // old builds answered 503 {"status":"loading model"}.
  if (isLoadingError(info) || oldStatus === 'loading model') {
    return probeResult('loading', 'Loading model', obs, d);
  }
  if (oldStatus === 'no slot available' || isNoSlotError(info)) {
    return probeResult('degraded', 'all slots busy', obs, d);
  }
  if (oldStatus === 'error') return probeResult('down', 'model failed to load', obs, d);
  if (status === 401) return probeResult('degraded', 'key rejected', obs, d);
  if (status === 403) return probeResult('degraded', httpStatusReason('access denied:', status, info, ''), obs, d);
  if (status === 404) {
    return probeResult('down', 'no health route (HTTP 404): not a llama-server at this address?', obs, d);
  }
  if (status === 429) return probeResult('degraded', httpStatusReason('rate limited:', status, info, obs.body), obs, d);
  if (status >= 300 && status < 400) {
    return probeResult('down', `health answered a redirect (HTTP ${status})`, obs, d);
  }
  return probeResult('down', httpStatusReason('health answered', status, info, obs.body), obs, d);
}

// ---------------------------------------------------------------------------
// llama-server GET /slots?fail_on_no_slot=1
// ---------------------------------------------------------------------------

/**
 * Classify `/slots?fail_on_no_slot=1`. All slots busy is the one case where
 * llama-server answers 503 while healthy → degraded "all slots busy". A 200 lists
 * the slots; `details.totalSlots` / `details.busySlots` count them. A disabled
 * endpoint (`--no-slots` → 501, or 404 on old builds) gives `unknown`: the check is
 * optional and says nothing about the model.
 */
export function classifySlots(obs: HttpObservation, opts?: ClassifyOptions): ProbeResult {
  return guardSecrets(obs, opts, slots);
}

function slots(obs: HttpObservation): ProbeResult {
  const a = readAnswer(obs);
  if (a.none !== undefined) return a.none;
  const { status, json, info, d } = a;

  if (status >= 200 && status < 300) {
    const bad = unusable2xxBody('slots', obs, json);
    if (bad !== undefined) return bad;
    if (!Array.isArray(json)) {
      return probeResult('degraded', 'slots answered HTTP 200 but the body is not a slot list', obs, d);
    }
    const total = json.length;
    const busy = json.filter((s) => isRecord(s) && s['is_processing'] === true).length;
    d['totalSlots'] = total;
    d['busySlots'] = busy;
    if (total > 0 && busy >= total) return probeResult('degraded', 'all slots busy', obs, d);
    return probeResult('up', `${total - busy} of ${total} slots idle`, obs, d);
  }
  if (isLoadingError(info)) return probeResult('loading', 'Loading model', obs, d);
  if (status === 503 && isNoSlotError(info)) {
    return probeResult('degraded', 'all slots busy', obs, d);
  }
  if (status === 401) return probeResult('degraded', 'key rejected', obs, d);
  if (status === 501 || status === 404) {
    return probeResult('unknown', `slots endpoint not available (HTTP ${status})`, obs, d);
  }
  return probeResult('down', httpStatusReason('slots answered', status, info, obs.body), obs, d);
}

// ---------------------------------------------------------------------------
// llama-server GET /props
// ---------------------------------------------------------------------------

export interface LlamaProps {
  n_ctx: number | null;
  total_slots: number | null;
  build_info: string | null;
  /** model_alias when set, else model_path. */
  model: string | null;
}

/**
 * Pull the facts worth recording out of a `/props` body. Tolerant: missing fields,
 * a non-JSON body or a JSON array give nulls, never an exception. `n_ctx` is read
 * from the top level when present, else from `default_generation_settings.n_ctx`
 * (where current builds put it).
 */
export function parseProps(body: string): LlamaProps {
  const json = parseJsonSafe(body);
  const out: LlamaProps = { n_ctx: null, total_slots: null, build_info: null, model: null };
  if (!isRecord(json)) return out;
  const dgs = isRecord(json['default_generation_settings']) ? json['default_generation_settings'] : undefined;
  const nCtx = finiteNumber(json['n_ctx']) ?? finiteNumber(dgs?.['n_ctx']);
  if (nCtx !== undefined) out.n_ctx = nCtx;
  const slots = finiteNumber(json['total_slots']);
  if (slots !== undefined) out.total_slots = slots;
  if (typeof json['build_info'] === 'string' && json['build_info'] !== '') out.build_info = json['build_info'];
  const alias = json['model_alias'];
  const path = json['model_path'];
  if (typeof alias === 'string' && alias !== '') out.model = alias;
  else if (typeof path === 'string' && path !== '') out.model = path;
  return out;
}
