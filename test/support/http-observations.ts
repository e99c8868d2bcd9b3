// fast-check inputs for the probe classifiers' property tests: real llama.cpp
// and CLIProxyAPI response shapes, near-misses and noise, plus the invariant
// every ProbeResult must keep (a valid status and a one-line, trimmed reason).
import fc from 'fast-check';
import { expect } from 'vitest';
import type { HttpObservation, ProbeResult, ProbeStatus } from '../../src/core/probe.js';

const arbErrorObject = fc.record(
  {
    message: fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('Loading model', 'no slot available', 'Failed to parse input at pos 7: x', 'no auth available')),
    type: fc.oneof(fc.string(), fc.constantFrom('unavailable_error', 'exceed_context_size_error', 'server_error', 'authentication_error')),
    code: fc.oneof(fc.integer(), fc.string(), fc.constant('model_cooldown')),
    n_prompt_tokens: fc.oneof(fc.integer(), fc.string(), fc.anything()),
    n_ctx: fc.oneof(fc.integer(), fc.double(), fc.anything()),
    reset_seconds: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    model: fc.anything(),
    provider: fc.anything(),
  },
  { requiredKeys: [] },
);
const arbBody = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.record({ error: fc.oneof(fc.string({ unit: 'binary' }), arbErrorObject) }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        status: fc.oneof(fc.constantFrom('ok', 'loading model', 'error', 'no slot available'), fc.string()),
        slots_idle: fc.anything(),
        slots_processing: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        choices: fc.array(
          fc.oneof(
            fc.anything(),
            fc.record(
              { message: fc.record({ content: fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), reasoning_content: fc.anything() }, { requiredKeys: [] }), finish_reason: fc.anything() },
              { requiredKeys: [] },
            ),
          ),
        ),
        usage: fc.anything(),
        data: fc.oneof(fc.array(fc.anything()), fc.anything()),
        message: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);
export const arbObservation: fc.Arbitrary<HttpObservation> = fc.record(
  {
    status: fc.oneof(
      fc.constant(null),
      fc.constantFrom(200, 204, 302, 400, 401, 403, 404, 429, 500, 501, 503),
      fc.integer({ min: 100, max: 599 }),
      fc.integer({ min: -10, max: 5000 }),
      fc.constant(Number.NaN),
    ),
    body: arbBody,
    truncated: fc.boolean(),
    error: fc.record({
      code: fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ERR_TOO_MANY_REDIRECTS')),
      message: fc.string({ unit: 'binary' }),
    }),
    latencyMs: fc.oneof(fc.constant(null), fc.nat(), fc.double()),
  },
  { requiredKeys: ['status', 'body', 'latencyMs'] },
);

const STATUSES: readonly ProbeStatus[] = ['up', 'loading', 'degraded', 'down', 'unknown'];
export function expectWellFormed(r: ProbeResult): void {
  expect(STATUSES).toContain(r.status);
  expect(typeof r.reason).toBe('string');
  expect(r.reason.length).toBeGreaterThan(0);
  expect(r.reason.length).toBeLessThanOrEqual(200);
  expect(r.reason).not.toMatch(/[\r\n\u2028\u2029\u0085]/);
  expect(r.reason).toBe(r.reason.trim());
  expect(r.latencyMs === null || Number.isFinite(r.latencyMs)).toBe(true);
}
