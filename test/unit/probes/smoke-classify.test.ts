// Table tests for src/probes/smoke-classify.ts from llama-server's real chat answers:
// the OpenAI-shaped reply, the exceed_context_size_error 400 (current message with
// n_prompt_tokens/n_ctx, and the older one without numbers), the "Failed to parse
// input at pos N" 500, loading, key and transport failures. fast-check properties:
// nothing throws, every result is well formed, a passed key never leaks.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { buildSmokeRequest, classifySmoke, SMOKE_PROMPT } from '../../../src/probes/smoke-classify.js';
import type { HttpObservation, ProbeResult, ProbeStatus } from '../../../src/core/probe.js';
import { arbObservation, expectWellFormed } from '../../support/http-observations.js';

const obs = (status: number | null, body: unknown = '', extra: Partial<HttpObservation> = {}): HttpObservation => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  latencyMs: 840,
  ...extra,
});

const reply = (content: unknown, more: Record<string, unknown> = {}) => ({
  choices: [{ finish_reason: 'stop', index: 0, message: { role: 'assistant', content, ...more } }],
  created: 1757141666,
  model: 'qwen',
  object: 'chat.completion',
  usage: { completion_tokens: 2, prompt_tokens: 14, total_tokens: 16 },
  id: 'chatcmpl-ecQULm0WqPrftUqjPZO1CFYeDjGZNbDu',
});

describe('buildSmokeRequest', () => {
  it('is the exact smoke body', () => {
    expect(JSON.parse(buildSmokeRequest('qwen3-32b'))).toEqual({
      model: 'qwen3-32b',
      messages: [{ role: 'user', content: 'Reply with one word: Ready' }],
      max_tokens: 5,
    });
    expect(SMOKE_PROMPT).toBe('Reply with one word: Ready');
  });

  it('keeps odd model names intact', () => {
    expect(JSON.parse(buildSmokeRequest('../models/a "b".gguf')).model).toBe('../models/a "b".gguf');
  });
});

describe('classifySmoke', () => {
  it('up with the reply, finish reason and usage', () => {
    const r = classifySmoke(obs(200, reply('Ready')));
    expect(r).toEqual({
      status: 'up',
      reason: 'replied "Ready"',
      latencyMs: 840,
      details: { httpStatus: 200, reply: 'Ready', finishReason: 'stop', usage: { promptTokens: 14, completionTokens: 2 } },
    });
  });

  it('accepts content parts and the /v1/completions shape', () => {
    expect(
      classifySmoke(
        obs(
          200,
          reply([
            { type: 'text', text: 'Rea' },
            { type: 'text', text: 'dy' },
          ]),
        ),
      ).details?.['reply'],
    ).toBe('Ready');
    expect(classifySmoke(obs(200, { choices: [{ text: ' Ready', finish_reason: 'length' }] })).status).toBe('up');
  });

  it('keeps a long multi-line reply on one short line', () => {
    const r = classifySmoke(obs(200, reply(`Ready\n\n${'and more '.repeat(100)}`)));
    expect(r.status).toBe('up');
    expect(String(r.details?.['reply'])).not.toMatch(/\n/);
    expect(String(r.details?.['reply']).length).toBeLessThanOrEqual(200);
  });

  const table: Array<[string, HttpObservation, ProbeStatus, RegExp, Record<string, unknown>?]> = [
    [
      'context overflow (current message + fields)',
      obs(400, {
        error: {
          code: 400,
          message: 'request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it',
          type: 'exceed_context_size_error',
          n_prompt_tokens: 9412,
          n_ctx: 8192,
        },
      }),
      'down',
      /^context overflow: request 9412 tokens exceeds context 8192 tokens$/,
      { httpStatus: 400, promptTokens: 9412, contextTokens: 8192 },
    ],
    [
      'context overflow: numbers only in the message',
      obs(400, { error: { code: 400, message: 'request (4476 tokens) exceeds the available context size (4096 tokens)', type: 'exceed_context_size_error' } }),
      'down',
      /^context overflow: request 4476 tokens exceeds context 4096 tokens$/,
      { httpStatus: 400, promptTokens: 4476, contextTokens: 4096 },
    ],
    [
      'context overflow: older message, no numbers',
      obs(400, { error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error' } }),
      'down',
      /^context overflow: request exceeds the available context size$/,
      { httpStatus: 400 },
    ],
    [
      'context overflow: older message with fields',
      obs(400, { error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 9000, n_ctx: 8192 } }),
      'down',
      /^context overflow: request 9000 tokens exceeds context 8192 tokens$/,
    ],
    ['context overflow: only the message, no type', obs(400, { error: { message: 'the request exceeds the available context size' } }), 'down', /^context overflow/],
    [
      'input larger than the max context size (embeddings wording)',
      obs(400, { error: { code: 400, message: 'input (5000 tokens) is larger than the max context size (4096 tokens)', type: 'exceed_context_size_error' } }),
      'down',
      /^context overflow: request 5000 tokens exceeds context 4096 tokens$/,
    ],
    [
      'parser failure (500 server_error)',
      obs(500, { error: { code: 500, message: 'Failed to parse input at pos 184: <tool_call>{"name":"bash"', type: 'server_error' } }),
      'degraded',
      /^output parse failure at pos 184$/,
    ],
    ['parser failure as plain text', obs(500, 'Failed to parse input at pos 0: </s>'), 'degraded', /^output parse failure at pos 0$/],
    ['503 Loading model', obs(503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } }), 'loading', /^Loading model$/],
    ['401 Invalid API Key', obs(401, { error: { message: 'Invalid API Key', type: 'authentication_error', code: 401 } }), 'degraded', /^key rejected$/],
    ['429', obs(429, { error: { message: 'Too many requests' } }), 'degraded', /^rate limited: HTTP 429: Too many requests$/],
    ['404', obs(404, { error: { message: 'File Not Found', type: 'not_found_error', code: 404 } }), 'down', /^chat completions not found: HTTP 404: File Not Found$/],
    ['400 other', obs(400, { error: { code: 400, message: "'messages' is required", type: 'invalid_request_error' } }), 'degraded', /^smoke request refused: HTTP 400: 'messages' is required$/],
    ['500 other', obs(500, { error: { code: 500, message: 'llama_decode failed', type: 'server_error' } }), 'down', /^smoke failed: HTTP 500: llama_decode failed$/],
    ['200 with an error object', obs(200, { error: { message: 'odd' } }), 'degraded', /^smoke answered HTTP 200: odd$/],
    ['200 empty reply', obs(200, reply('')), 'degraded', /^empty reply$/],
    ['200 reasoning only', obs(200, reply('', { reasoning_content: 'The user wants' })), 'degraded', /spent max_tokens on reasoning/],
    ['200 null content', obs(200, reply(null)), 'degraded', /^empty reply$/],
    ['200 no choices', obs(200, { object: 'chat.completion' }), 'degraded', /without choices/],
    ['200 non-JSON', obs(200, '<html>'), 'degraded', /^smoke answered HTTP 200 but the body is not JSON$/],
    ['200 empty', obs(200, ''), 'degraded', /^smoke answered HTTP 200 with an empty body$/],
    ['200 truncated', obs(200, '{"choices":[', { truncated: true }), 'degraded', /exceeded the read limit/],
    ['refused', { status: null, body: '', error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, latencyMs: 1 }, 'down', /^connection refused$/],
    ['timeout', { status: null, body: '', error: { code: 'ETIMEDOUT', message: 'no answer in 30 s' }, latencyMs: 30000 }, 'down', /^timed out$/],
  ];

  it.each(table)('%s', (_n, o, status, reason, details) => {
    const r = classifySmoke(o);
    expect(r.status).toBe(status);
    expect(r.reason).toMatch(reason);
    if (details !== undefined) expect(r.details).toEqual(details);
    expectWellFormed(r);
  });

  it('records the parse position and the parser message', () => {
    const r = classifySmoke(obs(500, { error: { code: 500, message: 'Failed to parse input at pos 13: <|channel>thought', type: 'server_error' } }));
    expect(r.details?.['pos']).toBe(13);
    expect(r.details?.['parserMessage']).toBe('Failed to parse input at pos 13: <|channel>thought');
  });

  it('never throws and always gives a valid status and a one-line reason', () => {
    fc.assert(
      fc.property(arbObservation, (o) => expectWellFormed(classifySmoke(o))),
      { numRuns: 2000 },
    );
  });

  it('never leaks a key passed as a secret (smoke through the proxy sends one)', () => {
    fc.assert(
      fc.property(arbObservation, fc.stringMatching(/^[A-Za-z0-9._-]{8,40}$/), (o, key) => {
        const echoed: HttpObservation = {
          ...o,
          body: JSON.stringify({ choices: [{ message: { content: `Ready ${key}` } }], error: o.status === 200 ? undefined : { message: `bad key ${key}` } }),
        };
        expect(JSON.stringify(classifySmoke(echoed, { secrets: [key] }))).not.toContain(key);
        expect(JSON.stringify(classifySmoke({ ...o, body: `${o.body}${key}` }, { secrets: [key] }))).not.toContain(key);
      }),
      { numRuns: 500 },
    );
  });
});
