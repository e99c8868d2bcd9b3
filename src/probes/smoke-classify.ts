// Pure decisions for the model smoke test (`swarmctl smoke`): the request body we send
// and what the answer to it means. Exists so the smoke probe only does I/O, and so
// the two failure modes operators actually hit are reported as what they are:
//
//   context overflow  400 {"error":{"code":400,"type":"exceed_context_size_error",
//                          "message":"request (N tokens) exceeds the available context size (M tokens), try increasing it",
//                          "n_prompt_tokens":N,"n_ctx":M}}
//                     (llama.cpp tools/server/server-task.cpp server_task_result_error::to_json adds
//                     n_prompt_tokens/n_ctx; server-common.cpp maps the type to 400. Builds before
//                     PR #18174 (Dec 2025) said "the request exceeds the available context size,
//                     try increasing it", sometimes without the numeric fields.)
//   parser failure    500 {"error":{"code":500,"message":"Failed to parse input at pos N: ...","type":"server_error"}}
//                     (the chat output parser rejecting what the model generated; seen in
//                     ggml-org/llama.cpp issue #20532 and friends).
//
// Decisions: a context overflow on a 5-token prompt means the server cannot serve
// this model → down. A parse failure means the model is loaded and generating but its
// output does not fit the chat template's parser (a template/--jinja problem; other
// requests may pass) → degraded.

import { guardSecrets, type ClassifyOptions, finiteNumber, httpStatusReason, isRecord, oneLine, probeResult, readAnswer, unusable2xxBody } from './classify-common.js';
import type { HttpObservation, ProbeResult } from '../core/probe.js';

export const SMOKE_PROMPT = 'Reply with one word: Ready';
export const SMOKE_MAX_TOKENS = 5;

/** The JSON body POSTed to `/v1/chat/completions` by the smoke test. */
export function buildSmokeRequest(model: string): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: SMOKE_PROMPT }],
    max_tokens: SMOKE_MAX_TOKENS,
  });
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    // OpenAI "content parts"
    return content.map((p) => (isRecord(p) && typeof p['text'] === 'string' ? p['text'] : '')).join('');
  }
  return '';
}

interface Reply {
  text: string;
  reasoning: string;
  finishReason?: string;
  usage?: { promptTokens?: number; completionTokens?: number };
}

function readReply(json: unknown): Reply | undefined {
  if (!isRecord(json) || !Array.isArray(json['choices'])) return undefined;
  const first: unknown = json['choices'][0];
  const reply: Reply = { text: '', reasoning: '' };
  if (isRecord(first)) {
    const msg = first['message'];
    if (isRecord(msg)) {
      reply.text = contentText(msg['content']);
      if (typeof msg['reasoning_content'] === 'string') reply.reasoning = msg['reasoning_content'];
    } else if (typeof first['text'] === 'string') {
      reply.text = first['text']; // /v1/completions shape
    }
    if (typeof first['finish_reason'] === 'string') reply.finishReason = first['finish_reason'];
  }
  const usage = json['usage'];
  if (isRecord(usage)) {
    const u: { promptTokens?: number; completionTokens?: number } = {};
    const p = finiteNumber(usage['prompt_tokens']);
    const c = finiteNumber(usage['completion_tokens']);
    if (p !== undefined) u.promptTokens = p;
    if (c !== undefined) u.completionTokens = c;
    reply.usage = u;
  }
  return reply;
}

const OVERFLOW_MESSAGE = /exceeds? the available context size|is larger than the max context size/i;
const PARSE_FAILURE = /failed to parse input at pos(?:ition)?\s+(\d+)/i;

/** Numbers from "request (N tokens) exceeds the available context size (M tokens)". */
function overflowNumbersFromMessage(message: string): { prompt?: number; ctx?: number } {
  const out: { prompt?: number; ctx?: number } = {};
  const p = /\((\d+)\s+tokens?\)\s*(?:exceeds|is larger)/i.exec(message);
  const c = /context size\s*\((\d+)\s+tokens?\)/i.exec(message);
  if (p?.[1] !== undefined) out.prompt = Number(p[1]);
  if (c?.[1] !== undefined) out.ctx = Number(c[1]);
  return out;
}

/**
 * Classify the answer to the smoke request.
 * - 2xx with a non-empty reply → up, `details.reply` holds it (one line, cut short).
 * - 2xx with an empty reply → degraded (a thinking model may have spent max_tokens).
 * - 400 exceed_context_size_error → down "context overflow: ...", with
 *   `details.promptTokens` / `details.contextTokens` when known.
 * - 500 Failed to parse input at pos N → degraded "output parse failure at pos N", `details.pos`.
 * - 503 Loading model → loading; 401 → degraded "key rejected"; 429 → degraded;
 *   other 4xx → degraded (our request was refused, the server is alive); 5xx → down.
 */
export function classifySmoke(obs: HttpObservation, opts?: ClassifyOptions): ProbeResult {
  return guardSecrets(obs, opts, smoke);
}

function smoke(obs: HttpObservation): ProbeResult {
  const a = readAnswer(obs);
  if (a.none !== undefined) return a.none;
  const { status, json, info, d } = a;

  if (status >= 200 && status < 300 && info === undefined) {
    const bad = unusable2xxBody('smoke', obs, json);
    if (bad !== undefined) return bad;
    const reply = readReply(json);
    if (reply === undefined) {
      return probeResult('degraded', `smoke answered HTTP ${status} without choices`, obs, d);
    }
    if (reply.finishReason !== undefined) d['finishReason'] = reply.finishReason;
    if (reply.usage !== undefined) d['usage'] = reply.usage;
    const text = oneLine(reply.text, 200);
    if (text !== '') {
      d['reply'] = text;
      return probeResult('up', `replied "${oneLine(reply.text, 60)}"`, obs, d);
    }
    if (oneLine(reply.reasoning) !== '') {
      return probeResult('degraded', 'empty reply: the model spent max_tokens on reasoning', obs, d);
    }
    return probeResult('degraded', 'empty reply', obs, d);
  }

  // Error answers. The message may sit in JSON or, for httplib's exception
  // handler, be the plain-text body itself.
  const message = info?.message ?? (json === undefined ? obs.body : '');

  if (info?.type === 'exceed_context_size_error' || OVERFLOW_MESSAGE.test(message)) {
    const fromMsg = overflowNumbersFromMessage(message);
    const prompt = finiteNumber(info?.fields?.['n_prompt_tokens']) ?? fromMsg.prompt;
    const ctx = finiteNumber(info?.fields?.['n_ctx']) ?? fromMsg.ctx;
    if (prompt !== undefined) d['promptTokens'] = prompt;
    if (ctx !== undefined) d['contextTokens'] = ctx;
    let reason: string;
    if (prompt !== undefined && ctx !== undefined) {
      reason = `context overflow: request ${prompt} tokens exceeds context ${ctx} tokens`;
    } else if (ctx !== undefined) {
      reason = `context overflow: request exceeds context ${ctx} tokens`;
    } else if (prompt !== undefined) {
      reason = `context overflow: request ${prompt} tokens exceeds the available context size`;
    } else {
      reason = 'context overflow: request exceeds the available context size';
    }
    return probeResult('down', reason, obs, d);
  }

  const parse = PARSE_FAILURE.exec(message);
  if (parse?.[1] !== undefined) {
    const pos = Number(parse[1]);
    d['pos'] = pos;
    d['parserMessage'] = oneLine(message, 200);
    return probeResult('degraded', `output parse failure at pos ${pos}`, obs, d);
  }

  if (/loading model/i.test(message)) return probeResult('loading', 'Loading model', obs, d);
  if (status === 401) return probeResult('degraded', 'key rejected', obs, d);
  if (status === 403) return probeResult('degraded', httpStatusReason('access denied:', status, info, ''), obs, d);
  if (status === 404) return probeResult('down', httpStatusReason('chat completions not found:', status, info, ''), obs, d);
  if (status === 429) return probeResult('degraded', httpStatusReason('rate limited:', status, info, obs.body), obs, d);
  if (status >= 300 && status < 400) return probeResult('down', `smoke answered a redirect (HTTP ${status})`, obs, d);
  if (status >= 400 && status < 500) {
    return probeResult('degraded', httpStatusReason('smoke request refused:', status, info, obs.body), obs, d);
  }
  if (status >= 200 && status < 300) {
    // 2xx carrying an error object
    return probeResult('degraded', httpStatusReason('smoke answered', status, info, obs.body), obs, d);
  }
  return probeResult('down', httpStatusReason('smoke failed:', status, info, obs.body), obs, d);
}
