// A llama-server-compatible (and CLIProxyAPI-compatible) HTTP server for tests,
// benchmarks and the sandbox. It exists so probes, the smoke test and the sbatch
// wrapper can be exercised against every answer the real software gives (healthy,
// loading, hung, slow, old health shapes, busy slots, context overflow, parser
// failure, bad key, quota cooldown, garbage, a 10 MB body, a redirect loop) without
// a GPU or a model. Response shapes follow ggml-org/llama.cpp tools/server
// (README.md, server-http.cpp, server-common.cpp, server-task.cpp) and
// router-for-me/CLIProxyAPI (internal/api/server.go, sdk/access/errors.go,
// sdk/cliproxy/auth selector modelCooldownError).
//
// It only ever binds a loopback address (127.0.0.0/8 or ::1): any other host is refused.
// node built-ins only.

import http from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export type ServerKind = 'llama' | 'proxy';

export const LLAMA_MODES = [
  'healthy',
  'loading',
  'hang',
  'slow',
  'old-health',
  'busy',
  'context-overflow',
  'parse-failure',
  'api-key',
  'garbage',
  'empty',
  'huge',
  'redirect-loop',
  'vllm',
  'reset',
] as const;
export type LlamaMode = (typeof LLAMA_MODES)[number];

export const PROXY_MODES = ['healthy', 'quota', 'no-auth', 'hang', 'slow', 'garbage', 'empty', 'reset'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

export type TestServerMode = LlamaMode | ProxyMode;

/** The `status` an old (pre-Aug-2024) llama-server put in its /health body. */
export type OldHealthStatus = 'ok' | 'loading model' | 'error' | 'no slot available';
export const OLD_HEALTH_STATUSES: readonly OldHealthStatus[] = ['ok', 'loading model', 'error', 'no slot available'];

export interface TestServerOptions {
  /** 'llama' (default) or 'proxy' (CLIProxyAPI-style). */
  kind?: ServerKind;
  /** Starting mode; 'healthy' by default. Switch later with setMode(). */
  mode?: TestServerMode;
  /** Loopback only: 127.x.y.z or ::1. Default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** In 'loading' mode, turn healthy after this many ms (default: stay loading). */
  loadingForMs?: number;
  /** 'slow' mode: answer after this many ms (default 1000). */
  delayMs?: number;
  /** 'old-health' mode: which old /health status to answer (default 'ok'). */
  oldHealth?: OldHealthStatus;
  /** Key for llama 'api-key' mode and for the proxy's /v1 routes (default 'swarmctl-test-key'). */
  apiKey?: string;
  /** n_ctx reported by /props and /slots, and used by 'context-overflow' (default 4096). */
  nCtx?: number;
  /** Number of slots (default 1). */
  totalSlots?: number;
  modelPath?: string;
  /** When set, /props carries model_alias and /v1/models uses it as id. */
  modelAlias?: string;
  buildInfo?: string;
  /** Chat completion reply text (default "Ready"). */
  reply?: string;
  /** 'context-overflow': the prompt size reported (default nCtx + 1000). */
  promptTokens?: number;
  /** 'context-overflow': answer the pre-Dec-2025 message without numbers. */
  legacyOverflowMessage?: boolean;
  /** 'parse-failure': the position in "Failed to parse input at pos N" (default 13). */
  parseFailurePos?: number;
  /** Proxy: newer builds have GET /healthz (default true); false = older build, 404. */
  proxyHealthz?: boolean;
  /** Proxy 'quota' mode: reset_seconds (default 90). */
  resetSeconds?: number;
  /** Proxy model ids listed by /v1/models. */
  proxyModels?: string[];
  /** 'huge' mode body size in bytes (default 10 MiB). */
  hugeBytes?: number;
}

export interface RouteStats {
  requests: number;
  /** requests that carried `Authorization: Bearer ...` */
  withBearer: number;
  /** requests whose Bearer / X-Api-Key matched the configured key */
  withValidKey: number;
}

export interface TestServerStats {
  total: number;
  /** keyed by path without the query string ("/health", "/v1/models", ...) */
  routes: Record<string, RouteStats>;
  /** requests whose URL (path or query) contained the API key: should stay 0 */
  keyInUrl: number;
}

export interface TestServerHandle {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  /** http://127.0.0.1:PORT (no trailing slash) */
  readonly url: string;
  /** The mode in effect now (a timed 'loading' reports 'healthy' once it ends). */
  mode(): TestServerMode;
  /** Switch mode at run time. For 'loading', `loadingForMs` overrides the start option. */
  setMode(mode: TestServerMode, opts?: { loadingForMs?: number }): void;
  stats(): TestServerStats;
  resetStats(): void;
  /** Stops listening and drops every open connection (hung ones included). */
  close(): Promise<void>;
}

const DEFAULT_KEY = 'swarmctl-test-key';
const MAX_REQUEST_BODY = 1024 * 1024;
const LLAMA_PUBLIC = new Set(['/health', '/v1/health', '/models', '/v1/models', '/']);

/** true for 127.0.0.0/8 and ::1 written as IP literals; everything else is refused. */
export function isLoopbackHost(host: string): boolean {
  if (host === '::1') return true;
  return isIP(host) === 4 && host.split('.')[0] === '127';
}

function isMode(kind: ServerKind, mode: string): mode is TestServerMode {
  return kind === 'llama' ? (LLAMA_MODES as readonly string[]).includes(mode) : (PROXY_MODES as readonly string[]).includes(mode);
}

function nonNegInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${String(v)}`);
  return v;
}

/** Go's time.Duration.String() for whole seconds: 90 → "1m30s". */
function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function errorJson(code: number, message: string, type: string): Record<string, unknown> {
  // llama.cpp server-common.cpp format_error_response(), wrapped in {"error": ...}
  return { error: { code, message, type } };
}

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  path: string;
  body: string;
}

/** Start a test server; resolves once it listens. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServerHandle> {
  const kind: ServerKind = opts.kind ?? 'llama';
  if (kind !== 'llama' && kind !== 'proxy') throw new Error(`unknown kind: ${String(kind)}`);
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new Error(`test server binds loopback only (127.x.y.z or ::1); refusing host ${JSON.stringify(host)}`);
  }
  const port = nonNegInt('port', opts.port, 0);
  if (port > 65535) throw new Error(`port out of range: ${port}`);
  const startMode = opts.mode ?? 'healthy';
  if (!isMode(kind, startMode)) throw new Error(`mode ${JSON.stringify(startMode)} is not a ${kind} mode`);
  const oldHealth = opts.oldHealth ?? 'ok';
  if (!OLD_HEALTH_STATUSES.includes(oldHealth)) throw new Error(`unknown oldHealth: ${String(oldHealth)}`);

  const cfg = {
    delayMs: nonNegInt('delayMs', opts.delayMs, 1000),
    apiKey: opts.apiKey ?? DEFAULT_KEY,
    nCtx: nonNegInt('nCtx', opts.nCtx, 4096),
    totalSlots: Math.max(1, nonNegInt('totalSlots', opts.totalSlots, 1)),
    modelPath: opts.modelPath ?? '/models/test-model-Q4_K_M.gguf',
    modelAlias: opts.modelAlias,
    buildInfo: opts.buildInfo ?? 'b6500-0123abc',
    reply: opts.reply ?? 'Ready',
    parseFailurePos: nonNegInt('parseFailurePos', opts.parseFailurePos, 13),
    legacyOverflowMessage: opts.legacyOverflowMessage === true,
    proxyHealthz: opts.proxyHealthz !== false,
    resetSeconds: nonNegInt('resetSeconds', opts.resetSeconds, 90),
    proxyModels: opts.proxyModels ?? ['gpt-5', 'claude-sonnet-4-5', 'gemini-2.5-pro'],
    hugeBytes: nonNegInt('hugeBytes', opts.hugeBytes, 10 * 1024 * 1024),
    oldHealth,
  };
  if (cfg.apiKey === '') throw new Error('apiKey must not be empty');
  const promptTokensOpt = opts.promptTokens;

  let mode: TestServerMode = startMode;
  let loadingUntil: number | undefined;
  const armLoading = (ms: number | undefined): void => {
    loadingUntil = ms === undefined ? undefined : Date.now() + nonNegInt('loadingForMs', ms, 0);
  };
  if (mode === 'loading') armLoading(opts.loadingForMs);

  const currentMode = (): TestServerMode => {
    if (mode === 'loading' && loadingUntil !== undefined && Date.now() >= loadingUntil) {
      mode = 'healthy';
      loadingUntil = undefined;
    }
    return mode;
  };

  let stats: TestServerStats = { total: 0, routes: {}, keyInUrl: 0 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const bearerOf = (req: http.IncomingMessage): string | undefined => {
    const h = req.headers['authorization'];
    if (typeof h !== 'string') return undefined;
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    return m?.[1];
  };
  const keyOf = (req: http.IncomingMessage): string | undefined => {
    const b = bearerOf(req);
    if (b !== undefined) return b;
    const x = req.headers['x-api-key'];
    return typeof x === 'string' ? x : undefined;
  };

  const record = (req: http.IncomingMessage, path: string): void => {
    stats.total += 1;
    const r = (stats.routes[path] ??= { requests: 0, withBearer: 0, withValidKey: 0 });
    r.requests += 1;
    if (bearerOf(req) !== undefined) r.withBearer += 1;
    if (keyOf(req) === cfg.apiKey) r.withValidKey += 1;
    if ((req.url ?? '').includes(cfg.apiKey) || (req.url ?? '').includes(encodeURIComponent(cfg.apiKey))) {
      stats.keyInUrl += 1;
    }
  };

  // ----- response helpers -------------------------------------------------

  const send = (res: http.ServerResponse, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void => {
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string | number> = {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      ...extra,
    };
    if (kind === 'llama') headers['Server'] = 'llama.cpp';
    res.writeHead(status, headers);
    res.end(body);
  };
  const sendJson = (res: http.ServerResponse, status: number, obj: unknown): void => send(res, status, JSON.stringify(obj), 'application/json; charset=utf-8');

  const sendHuge = (res: http.ServerResponse): void => {
    const prefix = '{"status":"ok","padding":"';
    const suffix = '"}';
    const total = Math.max(cfg.hugeBytes, prefix.length + suffix.length);
    let padLeft = total - prefix.length - suffix.length;
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': total });
    const chunk = 'x'.repeat(64 * 1024);
    let wrotePrefix = false;
    const pump = (): void => {
      if (res.destroyed) return;
      if (!wrotePrefix) {
        wrotePrefix = true;
        if (!res.write(prefix)) {
          res.once('drain', pump);
          return;
        }
      }
      while (padLeft > 0) {
        const n = Math.min(padLeft, chunk.length);
        padLeft -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.slice(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end(suffix);
    };
    pump();
  };

  // ----- llama-server routes ---------------------------------------------

  const loadingBody = errorJson(503, 'Loading model', 'unavailable_error');
  const modelId = (): string => cfg.modelAlias ?? cfg.modelPath;

  const slotJson = (id: number, busy: boolean): Record<string, unknown> => ({
    id,
    id_task: busy ? 100 + id : -1,
    n_ctx: cfg.nCtx,
    speculative: false,
    is_processing: busy,
    params: { n_predict: -1, seed: 4294967295, temperature: 0.8, top_k: 40, top_p: 0.95, min_p: 0.05, max_tokens: -1 },
    next_token: { has_next_token: busy, has_new_line: false, n_remain: -1, n_decoded: busy ? 17 : 0 },
  });

  const propsJson = (): Record<string, unknown> => {
    const props: Record<string, unknown> = {
      default_generation_settings: { ...slotJson(0, false), prompt: '' },
      total_slots: cfg.totalSlots,
      model_path: cfg.modelPath,
      chat_template: '{% for message in messages %}{{ message.content }}{% endfor %}',
      chat_template_caps: {},
      modalities: { vision: false, audio: false },
      build_info: cfg.buildInfo,
      is_sleeping: false,
    };
    if (cfg.modelAlias !== undefined) props['model_alias'] = cfg.modelAlias;
    return props;
  };

  const chatReply = (ctx: Ctx, ownedModel: string): Record<string, unknown> => {
    let model = ownedModel;
    let chars = 0;
    try {
      const parsed = JSON.parse(ctx.body) as unknown;
      if (typeof parsed === 'object' && parsed !== null) {
        const p = parsed as Record<string, unknown>;
        if (typeof p['model'] === 'string' && p['model'] !== '') model = p['model'];
        if (Array.isArray(p['messages'])) chars = JSON.stringify(p['messages']).length;
      }
    } catch {
      /* tolerate a bad body: answer anyway */
    }
    const promptTokens = Math.ceil(chars / 4) + 8;
    const completionTokens = Math.max(1, Math.ceil(cfg.reply.length / 4));
    return {
      choices: [{ finish_reason: 'stop', index: 0, message: { role: 'assistant', content: cfg.reply } }],
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: cfg.buildInfo,
      object: 'chat.completion',
      usage: { completion_tokens: completionTokens, prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens },
      id: `chatcmpl-test${Date.now().toString(36)}`,
    };
  };

  const isChatPath = (path: string): boolean => path === '/v1/chat/completions' || path === '/chat/completions';

  const oldHealthAnswer = (ctx: Ctx): void => {
    const failOnNoSlot = (ctx.url.searchParams.get('fail_on_no_slot') ?? '') !== '';
    switch (cfg.oldHealth) {
      case 'ok':
        sendJson(ctx.res, 200, { status: 'ok', slots_idle: cfg.totalSlots, slots_processing: 0 });
        return;
      case 'loading model':
        sendJson(ctx.res, 503, { status: 'loading model' });
        return;
      case 'error':
        sendJson(ctx.res, 500, { status: 'error' });
        return;
      case 'no slot available':
        sendJson(ctx.res, failOnNoSlot ? 503 : 200, {
          status: 'no slot available',
          slots_idle: 0,
          slots_processing: cfg.totalSlots,
        });
        return;
    }
  };

  const llamaRoute = (ctx: Ctx, m: LlamaMode): void => {
    const { req, res, path } = ctx;
    const method = req.method ?? 'GET';

    if (m === 'old-health') {
      if (path === '/health' || path === '/v1/health') return oldHealthAnswer(ctx);
      // an old server that is loading / failed answers every route the same way
      if (cfg.oldHealth === 'loading model' || cfg.oldHealth === 'error') return oldHealthAnswer(ctx);
    }
    if (m === 'api-key' && !LLAMA_PUBLIC.has(path) && keyOf(req) !== cfg.apiKey) {
      // llama.cpp server-http.cpp middleware_validate_api_key
      sendJson(res, 401, { error: { message: 'Invalid API Key', type: 'authentication_error', code: 401 } });
      return;
    }

    const busy = m === 'busy';
    if (method === 'GET' && (path === '/health' || path === '/v1/health')) {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (method === 'GET' && path === '/props') {
      sendJson(res, 200, propsJson());
      return;
    }
    if (method === 'GET' && path === '/slots') {
      const failOnNoSlot = (ctx.url.searchParams.get('fail_on_no_slot') ?? '') !== '';
      if (busy && failOnNoSlot) {
        sendJson(res, 503, errorJson(503, 'no slot available', 'unavailable_error'));
        return;
      }
      sendJson(
        res,
        200,
        Array.from({ length: cfg.totalSlots }, (_, i) => slotJson(i, busy)),
      );
      return;
    }
    if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
      sendJson(res, 200, {
        object: 'list',
        data: [
          {
            id: modelId(),
            object: 'model',
            created: Math.floor(Date.now() / 1000),
            owned_by: 'llamacpp',
            meta: { vocab_type: 2, n_vocab: 128256, n_ctx_train: 131072, n_embd: 4096, n_params: 8030261312, size: 4912898304 },
          },
        ],
      });
      return;
    }
    if (method === 'POST' && isChatPath(path)) {
      if (m === 'context-overflow') {
        const n = promptTokensOpt ?? cfg.nCtx + 1000;
        // server-context.cpp send_error(... ERROR_TYPE_EXCEED_CONTEXT_SIZE);
        // server-task.cpp adds n_prompt_tokens / n_ctx to the error object.
        const body = cfg.legacyOverflowMessage
          ? errorJson(400, 'the request exceeds the available context size, try increasing it', 'exceed_context_size_error')
          : {
              error: {
                code: 400,
                message: `request (${n} tokens) exceeds the available context size (${cfg.nCtx} tokens), try increasing it`,
                type: 'exceed_context_size_error',
                n_prompt_tokens: n,
                n_ctx: cfg.nCtx,
              },
            };
        sendJson(res, 400, body);
        return;
      }
      if (m === 'parse-failure') {
        sendJson(res, 500, errorJson(500, `Failed to parse input at pos ${cfg.parseFailurePos}: <tool_call>{"name": "read_file", "arguments": {"path": "README.md"}}`, 'server_error'));
        return;
      }
      sendJson(res, 200, chatReply(ctx, modelId()));
      return;
    }
    if (method === 'GET' && (path === '/' || path === '/index.html')) {
      send(res, 200, '<!doctype html><html><head><title>llama.cpp</title></head><body></body></html>', 'text/html; charset=utf-8');
      return;
    }
    // server-http.cpp set_error_handler for 404
    sendJson(res, 404, { error: { message: 'File Not Found', type: 'not_found_error', code: 404 } });
  };

  const vllmRoute = (ctx: Ctx): void => {
    const { req, res, path } = ctx;
    const method = req.method ?? 'GET';
    if (path === '/health') {
      send(res, 200, '', 'application/json');
      return;
    }
    if (method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: [
          {
            id: modelId(),
            object: 'model',
            created: Math.floor(Date.now() / 1000),
            owned_by: 'vllm',
            root: modelId(),
            parent: null,
            max_model_len: cfg.nCtx,
            permission: [],
          },
        ],
      });
      return;
    }
    if (method === 'POST' && isChatPath(path)) {
      sendJson(res, 200, chatReply(ctx, modelId()));
      return;
    }
    sendJson(res, 404, { detail: 'Not Found' });
  };

  // ----- CLIProxyAPI-style routes ----------------------------------------

  const proxyRoute = (ctx: Ctx, m: ProxyMode): void => {
    const { req, res, path } = ctx;
    const method = req.method ?? 'GET';
    const notFound = (): void => send(res, 404, '404 page not found', 'text/plain'); // gin's default NoRoute

    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      if (!cfg.proxyHealthz) return notFound();
      if (method === 'HEAD') {
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
        return;
      }
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/' && method === 'GET') {
      sendJson(res, 200, {
        message: 'CLI Proxy API Server',
        endpoints: ['POST /v1/chat/completions', 'POST /v1/completions', 'GET /v1/models'],
      });
      return;
    }
    const isModels = method === 'GET' && path === '/v1/models';
    const isChat = method === 'POST' && path === '/v1/chat/completions';
    if (!isModels && !isChat) return notFound();

    // internal/api/server.go AuthMiddleware → gin.H{"error": err.Message}; sdk/access/errors.go
    const key = keyOf(req);
    if (key === undefined || key === '') {
      sendJson(res, 401, { error: 'Missing API key' });
      return;
    }
    if (key !== cfg.apiKey) {
      sendJson(res, 401, { error: 'Invalid API key' });
      return;
    }

    let model = cfg.proxyModels[0] ?? 'gpt-5';
    if (isChat) {
      try {
        const p = JSON.parse(ctx.body) as Record<string, unknown>;
        if (typeof p['model'] === 'string' && p['model'] !== '') model = p['model'];
      } catch {
        /* keep default */
      }
    }
    if (m === 'quota') {
      // sdk/cliproxy/auth selector modelCooldownError.Error() (the real proxy raises it on
      // completions; this server also answers it on /v1/models so the probe path is testable)
      sendJson(res, 429, {
        error: {
          code: 'model_cooldown',
          message: `All credentials for model ${model} are cooling down via provider gemini`,
          model,
          reset_time: goDuration(cfg.resetSeconds),
          reset_seconds: cfg.resetSeconds,
          provider: 'gemini',
        },
      });
      return;
    }
    if (m === 'no-auth') {
      // &Error{Code:"auth_unavailable", Message:"no auth available"} → 503, rendered by
      // sdk/api/handlers BuildErrorResponseBody
      sendJson(res, 503, {
        error: { message: 'auth_unavailable: no auth available', type: 'server_error', code: 'internal_server_error' },
      });
      return;
    }
    if (isModels) {
      const created = Math.floor(Date.now() / 1000);
      sendJson(res, 200, {
        object: 'list',
        data: cfg.proxyModels.map((id) => ({ id, object: 'model', created, owned_by: 'cliproxy' })),
      });
      return;
    }
    sendJson(res, 200, chatReply(ctx, model));
  };

  // ----- dispatch ----------------------------------------------------------

  const dispatch = (ctx: Ctx, m: TestServerMode): void => {
    const { res } = ctx;
    switch (m) {
      case 'loading':
        sendJson(res, 503, loadingBody);
        return;
      case 'garbage':
        send(res, 200, '<html><body><h1>It works!</h1><p>this is not JSON</p></body></html>', 'text/html');
        return;
      case 'empty':
        send(res, 200, '', 'application/json');
        return;
      case 'huge':
        sendHuge(res);
        return;
      case 'redirect-loop':
        send(res, 302, '', 'text/plain', { Location: ctx.path + ctx.url.search });
        return;
      case 'reset':
        ctx.req.socket.destroy();
        return;
      case 'vllm':
        vllmRoute(ctx);
        return;
      default:
        if (kind === 'proxy') proxyRoute(ctx, m as ProxyMode);
        else llamaRoute(ctx, m as LlamaMode);
    }
  };

  const server = http.createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      url = new URL('http://127.0.0.1/');
    }
    const path = url.pathname;
    record(req, path);
    const m = currentMode();
    if (m === 'hang') {
      // accept, read nothing more, never answer; close() drops the socket
      return;
    }
    if (m === 'reset') {
      // read the request, then drop the connection without a byte of answer (a crash
      // mid-request). Dropping at accept time instead makes undici's first fetch of a
      // process wait for its timeout, which is a different failure.
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const ctx: Ctx = { req, res, url, path, body: Buffer.concat(chunks).toString('utf8') };
      if (m === 'slow') {
        const t = setTimeout(() => {
          timers.delete(t);
          dispatch(ctx, 'healthy');
        }, cfg.delayMs);
        timers.add(t);
        return;
      }
      dispatch(ctx, m);
    });
  });
  // hung requests must not be cut by node's own request timeout before the client's
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  server.on('connection', (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  server.on('clientError', (_err, socket) => {
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  if (!isLoopbackHost(addr.address)) {
    server.close();
    throw new Error(`test server ended up on non-loopback address ${addr.address}; closed`);
  }
  const boundPort = addr.port;
  const urlHost = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;

  let closed: Promise<void> | undefined;
  const handle: TestServerHandle = {
    kind,
    host: addr.address,
    port: boundPort,
    url: `http://${urlHost}:${boundPort}`,
    mode: () => currentMode(),
    setMode(next, o) {
      if (!isMode(kind, next)) throw new Error(`mode ${JSON.stringify(next)} is not a ${kind} mode`);
      mode = next;
      if (next === 'loading') armLoading(o?.loadingForMs ?? opts.loadingForMs);
      else loadingUntil = undefined;
    },
    stats: () => JSON.parse(JSON.stringify(stats)) as TestServerStats,
    resetStats() {
      stats = { total: 0, routes: {}, keyInUrl: 0 };
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closed;
    },
  };
  return handle;
}
