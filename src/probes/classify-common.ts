// The pieces every probe classifier shares (llama-classify.ts, proxy-classify.ts,
// smoke-classify.ts; http.ts, slurm.ts and ssh-host.ts use a few): one-line,
// redacted reasons; secret scrubbing (guardSecrets); tolerant JSON reading
// (parseJsonSafe, errorInfo); transport-error phrases; ProbeResult building; the
// common no-answer and unusable-2xx-body rules; and readAnswer(), the opening every
// classifier starts with.
//
// Pure: no I/O, no imports with side effects (types only). llama-classify.ts
// re-exports the names that lived there before, so its callers are unchanged.

import type { HttpObservation, ProbeResult, ProbeStatus } from '../core/probe.js';

/** Longest reason we produce; server messages are cut to fit. */
export const MAX_REASON_CHARS = 200;

const SECRET_PATTERNS: RegExp[] = [
  // "Authorization: Bearer abc", "Bearer abc" echoed back by some server
  /\b(Bearer)\s+[^\s"',;]+/gi,
  // OpenAI-style keys
  /\bsk-[A-Za-z0-9_-]{6,}/g,
  // long high-entropy blobs (keys, tokens); model names carry separators and survive
  /\b[A-Za-z0-9]{32,}\b/g,
];

/** Remove things that look like credentials from text a server sent us. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (_m, word: unknown) => (typeof word === 'string' && /^bearer$/i.test(word) ? `${word} [redacted]` : '[redacted]'));
  }
  return out;
}

/**
 * One line an operator can read: control characters (newlines included) become
 * spaces, runs of whitespace collapse, credentials are redacted, and the text is
 * cut to `max` characters. Never returns an empty string unless given one.
 */
export function oneLine(text: string, max: number = MAX_REASON_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const flat = redactSecrets(text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length <= max) return flat;
  return `${flat.slice(0, Math.max(1, max - 1)).trimEnd()}…`;
}

/** JSON.parse that never throws; undefined when the text is not JSON. */
export function parseJsonSafe(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function finiteNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

/** The error part of an answer, whatever dialect it speaks. */
export interface ErrorInfo {
  /** error.message, or error itself when it is a string (CLIProxyAPI auth errors). */
  message?: string;
  type?: string;
  /** error.code as a string ("model_cooldown", "503", ...). */
  code?: string;
  /** The error object when it is one (for kind-specific fields). */
  fields?: Record<string, unknown>;
}

/**
 * Reads `{"error":{"message","type","code",...}}` (llama-server, OpenAI),
 * `{"error":"text"}` (CLIProxyAPI auth), `{"detail":"text"}` (FastAPI/vLLM) and
 * `{"message":"text"}`. Undefined when the JSON carries no error.
 */
export function errorInfo(json: unknown): ErrorInfo | undefined {
  if (!isRecord(json)) return undefined;
  const e = json['error'];
  if (typeof e === 'string') return { message: e };
  if (isRecord(e)) {
    const info: ErrorInfo = { fields: e };
    if (typeof e['message'] === 'string') info.message = e['message'];
    if (typeof e['type'] === 'string') info.type = e['type'];
    const code = e['code'];
    if (typeof code === 'string' || typeof code === 'number') info.code = String(code);
    return info;
  }
  if (typeof json['detail'] === 'string') return { message: json['detail'] };
  return undefined;
}

const TRANSPORT_REASONS = new Map<string, string>(
  Object.entries({
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by peer',
    EPIPE: 'connection closed while sending',
    ECONNABORTED: 'connection aborted',
    UND_ERR_SOCKET: 'connection closed unexpectedly',
    UND_ERR_CLOSED: 'connection closed unexpectedly',
    ETIMEDOUT: 'timed out',
    ESOCKETTIMEDOUT: 'timed out',
    TIMEOUT: 'timed out',
    TimeoutError: 'timed out',
    ABORT_ERR: 'timed out',
    AbortError: 'timed out',
    UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
    UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for response headers',
    UND_ERR_BODY_TIMEOUT: 'timed out reading the response body',
    ENOTFOUND: 'DNS lookup failed: name not found (ENOTFOUND)',
    EAI_NONAME: 'DNS lookup failed: name not found (EAI_NONAME)',
    EAI_AGAIN: 'DNS lookup failed: temporary resolver failure (EAI_AGAIN)',
    EAI_FAIL: 'DNS lookup failed (EAI_FAIL)',
    EHOSTUNREACH: 'host unreachable',
    EHOSTDOWN: 'host down',
    ENETUNREACH: 'network unreachable',
    ENETDOWN: 'network down',
    EADDRNOTAVAIL: 'address not available',
    EPROTO: 'protocol error',
    ERR_TOO_MANY_REDIRECTS: 'too many redirects (redirect loop)',
    ERR_FR_TOO_MANY_REDIRECTS: 'too many redirects (redirect loop)',
    REDIRECT_LOOP: 'too many redirects (redirect loop)',
    UND_ERR_REDIRECT: 'too many redirects (redirect loop)',
    ERR_BODY_TOO_LARGE: 'response body exceeded the read limit',
  }),
);

/** Options every classifier accepts. */
export interface ClassifyOptions {
  /**
   * Exact strings (the API key sent with the request) that must never appear in a
   * reason or detail. They are scrubbed from the observation before classifying and
   * from the result after. The pattern redaction in oneLine() applies regardless.
   */
  secrets?: readonly string[];
}

const SCRUB_MARKS = ['***', '###', '~~~', '\u2026'];

function usableSecrets(secrets: readonly string[] | undefined): string[] {
  if (secrets === undefined) return [];
  return secrets.filter((s) => typeof s === 'string' && s.trim() !== '');
}

/**
 * Replace every occurrence of each secret. The mark shares no character with any
 * secret, so a replacement can never help form a new occurrence; when every mark
 * does, occurrences are deleted instead (each pass shrinks the text, so it ends).
 */
export function scrubText(text: string, secrets: readonly string[]): string {
  const mark = SCRUB_MARKS.find((m) => secrets.every((s) => ![...m].some((c) => s.includes(c)))) ?? '';
  let out = text;
  for (let changed = true; changed;) {
    changed = false;
    for (const s of secrets) {
      if (s !== '' && out.includes(s)) {
        out = out.split(s).join(mark);
        changed = true;
      }
    }
  }
  return out;
}

function scrubDeep(v: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof v === 'string') return scrubText(v, secrets);
  if (depth > 8) return v;
  if (Array.isArray(v)) return v.map((x) => scrubDeep(x, secrets, depth + 1));
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[scrubText(k, secrets)] = scrubDeep(x, secrets, depth + 1);
    return out;
  }
  return v;
}

/**
 * Run a classifier with `opts.secrets` scrubbed from its input and its output.
 * Every exported classifier goes through this.
 */
export function guardSecrets<R extends ProbeResult>(obs: HttpObservation, opts: ClassifyOptions | undefined, classify: (obs: HttpObservation) => R): R {
  const secrets = usableSecrets(opts?.secrets);
  if (secrets.length === 0) return classify(obs);
  const clean: HttpObservation = { ...obs, body: scrubText(String(obs.body ?? ''), secrets) };
  if (obs.error !== undefined) {
    clean.error = {
      code: scrubText(String(obs.error.code ?? ''), secrets),
      message: scrubText(String(obs.error.message ?? ''), secrets),
    };
  }
  return scrubDeep(classify(clean), secrets) as R;
}

/** A one-line phrase for a transport failure code (ECONNREFUSED → "connection refused"). */
export function transportReason(code: string, message: string): string {
  const known = TRANSPORT_REASONS.get(code); // a Map: codes like "valueOf" must not hit Object.prototype
  if (known !== undefined) return known;
  if (/^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO_VERIFY|DEPTH_ZERO|SELF_SIGNED)/.test(code)) {
    return oneLine(`TLS error (${code})`);
  }
  if (/^HPE_/.test(code)) return oneLine(`malformed HTTP response (${code})`);
  const msg = oneLine(message, 120);
  if (code.trim() === '') return msg === '' ? 'request failed' : `request failed: ${msg}`;
  return oneLine(msg === '' || msg === code ? code : `${code}: ${msg}`);
}

/** Build a ProbeResult; the reason is always one non-empty line. */
export function probeResult(status: ProbeStatus, reason: string, obs: Pick<HttpObservation, 'latencyMs'>, details?: Record<string, unknown>): ProbeResult {
  const line = oneLine(reason);
  const latency = typeof obs.latencyMs === 'number' && Number.isFinite(obs.latencyMs) ? obs.latencyMs : null;
  const out: ProbeResult = { status, reason: line === '' ? status : line, latencyMs: latency };
  if (details !== undefined) out.details = details;
  return out;
}

/**
 * When no HTTP answer arrived (obs.status === null): down, with the transport
 * reason. Returns undefined when there is an HTTP status to classify.
 */
export function classifyNoAnswer(obs: HttpObservation): ProbeResult | undefined {
  if (obs.status !== null && Number.isFinite(obs.status)) return undefined;
  if (obs.error === undefined) return probeResult('unknown', 'no answer and no error recorded', obs);
  const code = String(obs.error.code ?? '');
  return probeResult('down', transportReason(code, String(obs.error.message ?? '')), obs, {
    errorCode: code,
  });
}

/**
 * For a 2xx answer whose body cannot be trusted (read error, cut at the read
 * limit, empty, not JSON): a degraded result naming the problem. `what` names
 * the route ("health", "smoke", ...). Undefined when the body is usable JSON.
 */
export function unusable2xxBody(what: string, obs: HttpObservation, json: unknown): ProbeResult | undefined {
  const status = obs.status ?? 0;
  const d = { httpStatus: status };
  if (obs.error !== undefined) {
    const why = transportReason(String(obs.error.code ?? ''), String(obs.error.message ?? ''));
    return probeResult('degraded', `${what} answered HTTP ${status} but reading the body failed: ${why}`, obs, d);
  }
  if (obs.truncated === true) {
    return probeResult('degraded', `${what} answered HTTP ${status} but the body exceeded the read limit`, obs, {
      ...d,
      truncated: true,
    });
  }
  if (obs.body.trim() === '') {
    return probeResult('degraded', `${what} answered HTTP ${status} with an empty body`, obs, d);
  }
  if (json === undefined) {
    return probeResult('degraded', `${what} answered HTTP ${status} but the body is not JSON`, obs, d);
  }
  return undefined;
}

/** "HTTP 502: upstream died" — the status plus the server's own message, if any. */
export function httpStatusReason(prefix: string, status: number, info: ErrorInfo | undefined, body: string): string {
  let msg = info?.message;
  if (msg === undefined && body.trim() !== '' && parseJsonSafe(body) === undefined) {
    // plain-text error bodies (httplib's exception handler, proxies): first line only
    msg = body.trim().split(/\r?\n/, 1)[0];
  }
  const tail = msg !== undefined && oneLine(msg) !== '' ? `: ${oneLine(msg, 140)}` : '';
  return `${prefix} HTTP ${status}${tail}`;
}

/** What a classifier has read of an HTTP answer before it decides. */
export interface Answer {
  /** The HTTP status (an answer arrived). */
  status: number;
  /** The body as JSON; undefined when it is empty or not JSON. */
  json: unknown;
  /** The error part of `json`, whatever dialect it speaks (errorInfo). */
  info: ErrorInfo | undefined;
  /** The result details, started with `httpStatus`; the rules add to it. */
  d: Record<string, unknown>;
  none?: undefined;
}

/**
 * The opening of every classifier: when no HTTP answer arrived, `none` is the final
 * result (classifyNoAnswer); otherwise the status, the parsed body, its error part
 * and fresh details holding `httpStatus`.
 */
export function readAnswer(obs: HttpObservation): Answer | { none: ProbeResult } {
  const none = classifyNoAnswer(obs);
  if (none !== undefined) return { none };
  const status = obs.status as number;
  const json = parseJsonSafe(obs.body);
  return { status, json, info: errorInfo(json), d: { httpStatus: status } };
}
