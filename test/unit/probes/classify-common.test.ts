// Direct tests of src/probes/classify-common.ts, the pure helpers every probe
// classifier shares: tolerant JSON reading, the error part of an answer in each
// dialect (object, string, FastAPI detail), the common opening readAnswer(), and
// the no-answer / unusable-2xx-body rules. The classifiers' own table tests cover
// these through the classifiers; here the edge cases are pinned one by one.

import { describe, expect, it } from 'vitest';

import { classifyNoAnswer, errorInfo, parseJsonSafe, readAnswer, unusable2xxBody } from '../../../src/probes/classify-common.js';
import * as llama from '../../../src/probes/llama-classify.js';
import type { HttpObservation } from '../../../src/core/probe.js';

const obs = (status: number | null, body = '', extra: Partial<HttpObservation> = {}): HttpObservation => ({
  status,
  body,
  latencyMs: 7,
  ...extra,
});

describe('parseJsonSafe', () => {
  it('gives undefined, never throws, for empty, blank, non-JSON and cut-off bodies', () => {
    expect(parseJsonSafe('')).toBeUndefined();
    expect(parseJsonSafe(' \r\n\t')).toBeUndefined();
    expect(parseJsonSafe('<html><body>Bad Gateway</body></html>')).toBeUndefined();
    expect(parseJsonSafe('{"status":"ok"')).toBeUndefined();
    expect(parseJsonSafe('std::bad_alloc')).toBeUndefined();
  });

  it('parses any JSON value, including ones that are not objects', () => {
    expect(parseJsonSafe('{"error":{"code":503}}')).toEqual({ error: { code: 503 } });
    expect(parseJsonSafe(' [1,2] ')).toEqual([1, 2]);
    expect(parseJsonSafe('null')).toBeNull();
    expect(parseJsonSafe('0')).toBe(0);
    expect(parseJsonSafe('"text"')).toBe('text');
  });
});

describe('errorInfo', () => {
  it('nested error object (llama-server, OpenAI): message, type, numeric code as a string, the fields', () => {
    const e = { message: 'Loading model', type: 'unavailable_error', code: 503 };
    expect(errorInfo({ error: e })).toEqual({ message: 'Loading model', type: 'unavailable_error', code: '503', fields: e });
  });

  it('string error (CLIProxyAPI auth): the string is the message, no type, code or fields', () => {
    expect(errorInfo({ error: 'Invalid API key' })).toEqual({ message: 'Invalid API key' });
    expect(errorInfo({ error: '' })).toEqual({ message: '' });
  });

  it('error object with odd members keeps only the well-typed ones', () => {
    const e = { message: 42, type: null, code: { nested: true }, reset_seconds: 90 };
    const info = errorInfo({ error: e });
    expect(info).toEqual({ fields: e });
    expect(info?.message).toBeUndefined();
    expect(info?.code).toBeUndefined();
    expect(errorInfo({ error: { code: 'model_cooldown' } })?.code).toBe('model_cooldown');
  });

  it('FastAPI/vLLM detail string; the error member wins over detail', () => {
    expect(errorInfo({ detail: 'engine not ready' })).toEqual({ message: 'engine not ready' });
    expect(errorInfo({ error: 'first', detail: 'second' })).toEqual({ message: 'first' });
  });

  it('undefined when there is no error: non-objects, arrays, null error, non-string detail', () => {
    for (const json of [undefined, null, 'text', 3, [{ error: 'x' }], {}, { status: 'ok' }, { error: null }, { error: 5 }, { error: ['x'] }, { detail: { msg: 'x' } }]) {
      expect(errorInfo(json)).toBeUndefined();
    }
  });
});

describe('readAnswer', () => {
  it('no HTTP answer: `none` is the final down result with the transport reason', () => {
    const a = readAnswer(obs(null, '', { error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.5:8080' } }));
    expect(a.none).toEqual({ status: 'down', reason: 'connection refused', latencyMs: 7, details: { errorCode: 'ECONNREFUSED' } });
    expect(a).toEqual({ none: classifyNoAnswer(obs(null, '', { error: { code: 'ECONNREFUSED', message: 'x' } })) });
  });

  it('a NaN status counts as no answer; no error recorded → unknown', () => {
    expect(readAnswer(obs(Number.NaN)).none).toMatchObject({ status: 'unknown', reason: 'no answer and no error recorded' });
  });

  it('non-JSON and empty bodies: json and info undefined, details hold only httpStatus', () => {
    for (const body of ['<html>Bad Gateway</html>', '', '   ']) {
      expect(readAnswer(obs(502, body))).toEqual({ status: 502, json: undefined, info: undefined, d: { httpStatus: 502 } });
    }
  });

  it('nested error object vs string error', () => {
    const nested = readAnswer(obs(503, '{"error":{"message":"no slot available","type":"unavailable_error","code":503}}'));
    expect(nested.none).toBeUndefined();
    if (nested.none === undefined) {
      expect(nested.status).toBe(503);
      expect(nested.info).toMatchObject({ message: 'no slot available', type: 'unavailable_error', code: '503' });
      expect(nested.info?.fields).toEqual({ message: 'no slot available', type: 'unavailable_error', code: 503 });
    }
    const flat = readAnswer(obs(401, '{"error":"Missing API key"}'));
    expect(flat).toEqual({ status: 401, json: { error: 'Missing API key' }, info: { message: 'Missing API key' }, d: { httpStatus: 401 } });
  });

  it('a 2xx success body: json parsed, no error info', () => {
    expect(readAnswer(obs(200, '{"status":"ok"}'))).toEqual({ status: 200, json: { status: 'ok' }, info: undefined, d: { httpStatus: 200 } });
  });

  it('details are a fresh object each call (rules add to them)', () => {
    const o = obs(200, '{}');
    const a = readAnswer(o);
    const b = readAnswer(o);
    if (a.none !== undefined || b.none !== undefined) throw new Error('expected answers');
    a.d['extra'] = 1;
    expect(b.d).toEqual({ httpStatus: 200 });
  });
});

describe('unusable2xxBody', () => {
  it('names the problem: empty, not JSON, cut off, read failed; undefined for usable JSON', () => {
    expect(unusable2xxBody('health', obs(200, ' '), undefined)?.reason).toBe('health answered HTTP 200 with an empty body');
    expect(unusable2xxBody('smoke', obs(200, 'OK'), undefined)?.reason).toBe('smoke answered HTTP 200 but the body is not JSON');
    expect(unusable2xxBody('models', obs(200, '{"da', { truncated: true }), undefined)?.details).toEqual({ httpStatus: 200, truncated: true });
    expect(unusable2xxBody('slots', obs(200, '[', { error: { code: 'ECONNRESET', message: 'x' } }), undefined)?.reason).toBe(
      'slots answered HTTP 200 but reading the body failed: connection reset by peer',
    );
    expect(unusable2xxBody('health', obs(200, 'null'), null)).toBeUndefined();
  });
});

describe('the shared helpers have one home', () => {
  it('llama-classify exports its classifiers only, not copies of the helpers', () => {
    expect(Object.keys(llama).sort()).toEqual(['classifyLlamaHealth', 'classifySlots', 'parseProps']);
    expect(typeof parseJsonSafe).toBe('function');
    expect(typeof errorInfo).toBe('function');
    expect(typeof classifyNoAnswer).toBe('function');
  });
});
