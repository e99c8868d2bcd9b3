// The pure side of confirming a cloud failure: a proxy probe result read as a verdict
// (cloudVerdict / proxyCheckOf), attached to the diagnosis by diagnose(), and turned into
// advice by the recovery plan (key rotation only when the key is rejected or missing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileOf } from '../../../src/config/profile.js';
import { cloudVerdict, diagnose, proxyCheckOf, type CloudProbeInput, type DiagnoseInput } from '../../../src/recovery/diagnose.js';
import { cloudAdvice, planRecovery } from '../../../src/recovery/plan.js';
import { splitLogRecords } from '../../../src/recovery/log-records.js';
import type { ProbeResult } from '../../../src/core/probe.js';
import { LOGS } from '../../support/recovery-fixtures.js';

const bc = profileOf({ swarm: { profile: 'beefcake' } });
const probe = (service: string, r: Partial<ProbeResult> & Pick<ProbeResult, 'status' | 'reason'>): CloudProbeInput => ({ service, result: { latencyMs: 5, ...r } });
const input = (cloudProbes?: CloudProbeInput[]): DiagnoseInput => {
  const file = join(LOGS, 'cloud-failure.beefcake.txt');
  return {
    issueId: 'beefcake-cl0d',
    catalogue: bc.catalogue,
    log: { path: file, records: splitLogRecords(readFileSync(file, 'utf8')) },
    resume: { status: 'missing' },
    session: { status: 'missing' },
    queue: { ok: true, jobs: [] },
    attempts: 0,
    maxAttempts: 3,
    ...(cloudProbes ? { cloudProbes } : {}),
  };
};

describe('cloudVerdict (pure)', () => {
  it.each([
    [{ status: 'degraded', reason: 'key rejected (invalid API key)', details: { httpStatus: 401, keyError: 'invalid' } }, 'key_rejected'],
    [{ status: 'degraded', reason: 'access denied: HTTP 403', details: { httpStatus: 403 } }, 'key_rejected'],
    [{ status: 'degraded', reason: 'alive, but key file /k is missing', details: { httpStatus: 200 } }, 'key_missing'],
    [{ status: 'degraded', reason: 'quota, resets in 90 s', details: { httpStatus: 429, resetSeconds: 90, retryable: true } }, 'quota'],
    [{ status: 'degraded', reason: 'no auth available: the proxy has no usable upstream credential', details: { httpStatus: 503 } }, 'no_upstream_auth'],
    [{ status: 'down', reason: 'connection refused', details: {} }, 'proxy_down'],
    [{ status: 'degraded', reason: 'proxy lists no models', details: { httpStatus: 200, modelCount: 0 } }, 'proxy_degraded'],
    [{ status: 'up', reason: 'banner ok (no api_key_file: models not checked)', details: {} }, 'not_checked'],
    [{ status: 'unknown', reason: 'no url or health_url configured' }, 'not_checked'],
    [{ status: 'up', reason: '3 models', details: { httpStatus: 200, modelCount: 3 } }, 'healthy_now'],
  ] as const)('%o → %s', (r, verdict) => {
    const c = cloudVerdict(probe('cloud', r as ProbeResult));
    expect(c.verdict).toBe(verdict);
    expect(c.service).toBe('cloud');
    expect(c.summary).toContain('cloud');
  });

  it('keeps the reset time of a quota, also while backing off', () => {
    expect(
      cloudVerdict(probe('p', { status: 'degraded', reason: 'quota, resets in 90 s (backing off, next models check in 90 s)', details: { httpStatus: 429, resetSeconds: 90, backoffSeconds: 90 } })),
    ).toMatchObject({ verdict: 'quota', reset_seconds: 90, http_status: 429 });
  });

  it('over several proxies, the key problem wins over a healthy or down one', () => {
    const check = proxyCheckOf([
      probe('a', { status: 'up', reason: '2 models', details: { httpStatus: 200 } }),
      probe('b', { status: 'down', reason: 'timeout' }),
      probe('c', { status: 'degraded', reason: 'key rejected', details: { httpStatus: 401 } }),
    ]);
    expect(check).toMatchObject({ verdict: 'key_rejected', service: 'c' });
    expect(check?.probes.map((p) => p.verdict)).toEqual(['healthy_now', 'proxy_down', 'key_rejected']);
    expect(proxyCheckOf([])).toBeNull();
  });

  it('any probe result gives one of the verdicts and a one-line summary (fuzz)', () => {
    const status = fc.constantFrom<ProbeResult['status']>('up', 'loading', 'degraded', 'down', 'unknown');
    fc.assert(
      fc.property(
        status,
        fc.string(),
        fc.option(fc.dictionary(fc.constantFrom('httpStatus', 'resetSeconds', 'backoffSeconds'), fc.oneof(fc.integer(), fc.string(), fc.constant(null)))),
        (s, reason, details) => {
          const c = cloudVerdict({ service: 'x', result: { status: s, reason: reason.replace(/\n/g, ' '), latencyMs: null, ...(details ? { details } : {}) } });
          expect(['key_rejected', 'key_missing', 'quota', 'no_upstream_auth', 'proxy_down', 'proxy_degraded', 'not_checked', 'healthy_now']).toContain(c.verdict);
          expect(c.summary).not.toMatch(/\n/);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('diagnose attaches the proxy check; the plan advises from it', () => {
  const ctx = {
    issueId: 'beefcake-cl0d',
    profile: bc,
    recovery: { temperature: 0.1, max_turns: 4, auto_actions: ['resubmit_with_env'] },
    repo: '/s/repo',
    archiveDir: '/s/arch',
    resumePresent: false,
    recurrence: false,
    trackerCommand: 'bd',
  };

  it('not probed: no proxy_check, no note; probed with no proxy configured: a note', () => {
    const plain = diagnose(input());
    const cloud = plain.diagnoses.find((d) => d.kind === 'cloud_escalation_failed');
    expect(cloud?.details['proxy_check']).toBeUndefined();
    expect(cloud?.details['log_http_statuses']).toEqual([401, 429]);
    expect(plain.notes.join()).not.toMatch(/openai-proxy/);
    const none = diagnose(input([]));
    expect(none.notes.join()).toMatch(/no openai-proxy service is configured/);
  });

  it('a rejected key: evidence line, summary, and rotate-the-key advice naming the service', () => {
    const r = diagnose(input([probe('cloud', { status: 'degraded', reason: 'key rejected (invalid API key)', details: { httpStatus: 401 } })]));
    const d = r.diagnoses.find((x) => x.kind === 'cloud_escalation_failed');
    expect(d?.summary).toMatch(/; proxy probe now: key rejected$/);
    expect(d?.evidence.at(-1)).toEqual({ file: 'probe:cloud', text: 'confirmed: cloud rejects the key now (key rejected (invalid API key))' });
    const plan = planRecovery(d ?? null, ctx);
    expect(plan.actions.map((a) => a.type)).toEqual(['resubmit_with_env', 'advise']);
    expect(plan.actions[1]?.description).toMatch(/rotate it: swarmctl cloud-key set --stdin --service cloud < new-key-file/);
  });

  it.each(['quota', 'no_upstream_auth', 'proxy_down', 'proxy_degraded', 'healthy_now'] as const)('%s: advice without a key rotation', (verdict) => {
    const results: Record<typeof verdict, CloudProbeInput> = {
      quota: probe('cloud', { status: 'degraded', reason: 'quota, resets in 9 s', details: { httpStatus: 429, resetSeconds: 9 } }),
      no_upstream_auth: probe('cloud', { status: 'degraded', reason: 'no auth available: x', details: { httpStatus: 503 } }),
      proxy_down: probe('cloud', { status: 'down', reason: 'connection refused' }),
      proxy_degraded: probe('cloud', { status: 'degraded', reason: 'proxy lists no models', details: { httpStatus: 200 } }),
      healthy_now: probe('cloud', { status: 'up', reason: '3 models', details: { httpStatus: 200 } }),
    };
    const d = diagnose(input([results[verdict]])).diagnoses.find((x) => x.kind === 'cloud_escalation_failed');
    expect((d?.details['proxy_check'] as { verdict: string }).verdict).toBe(verdict);
    const advice = cloudAdvice(d as NonNullable<typeof d>);
    expect(advice).not.toMatch(/cloud-key set/);
    if (verdict === 'quota') expect(advice).toMatch(/resets in 9 s/);
  });
});
