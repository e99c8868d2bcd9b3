// The python-worker catalogue against the worker's own logs (shared samples and the three
// built from FORMATS.md): each incident fires its kind with the evidence line, and nothing else fires.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitLogRecords } from '../../../src/recovery/log-records.js';
import { findSessionStarts, matchSignatures } from '../../../src/recovery/signature-match.js';
import { PYTHON_WORKER_CATALOGUE } from '../../../src/config/signatures-pyworker.js';
import { signatureCatalogueSchema } from '../../../src/config/signatures.js';

const SAMPLES = new URL('../../../fixtures/pyworker/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, SAMPLES), 'utf8');

function fired(file: string) {
  const text = read(file);
  const lines = text.split('\n');
  return matchSignatures(splitLogRecords(text), PYTHON_WORKER_CATALOGUE)
    .filter((k) => k.fired)
    .map((k) => ({
      kind: k.kind,
      triggers: k.triggers,
      lines: k.evidence.filter((e) => e.role === 'trigger').map((e) => e.line),
      first: lines[(k.evidence.find((e) => e.role === 'trigger')?.line ?? 1) - 1],
    }));
}

describe('PYTHON_WORKER_CATALOGUE', () => {
  it('is a valid catalogue (the schema a site override is checked with)', () => {
    expect(signatureCatalogueSchema.safeParse(PYTHON_WORKER_CATALOGUE).success).toBe(true);
  });

  it('no-change run: stuck_loop from the DONE line, the step limit as its support evidence', () => {
    const f = fired('run-swarm.no-change.log');
    expect(f.map((k) => k.kind)).toEqual(['stuck_loop']);
    expect(f[0]).toMatchObject({ triggers: ['py_done_no_change'], lines: [8] });
    const text = readFileSync(new URL('run-swarm.no-change.log', SAMPLES), 'utf8');
    const ev = matchSignatures(splitLogRecords(text), PYTHON_WORKER_CATALOGUE).find((k) => k.kind === 'stuck_loop')?.evidence ?? [];
    expect(ev.some((e) => e.role === 'support' && e.text.includes('"exit_status": "LimitsExceeded"'))).toBe(true);
  });

  it('HTTP 500 parse failure: fires from the final exit_status, not from the nine retries', () => {
    const f = fired('run-swarm.parse-failure.log');
    const parse = f.find((k) => k.kind === 'output_parse_failure');
    expect(parse?.lines).toHaveLength(1);
    expect(parse?.first).toMatch(/^\s+"exit_status": "error: APIError: .*Failed to parse input at pos 311/);
  });

  it('context overflow inside the escaped row: fires with the token numbers', () => {
    const text = read('run-swarm.context-overflow.log');
    const k = matchSignatures(splitLogRecords(text), PYTHON_WORKER_CATALOGUE).find((m) => m.kind === 'context_overflow');
    expect(k?.fired).toBe(true);
    const ev = k?.evidence.find((e) => e.role === 'trigger');
    expect(ev?.captures).toMatchObject({ requested: '66211', available: '65536' });
  });

  it('cloud model without SWARM_USE_CLOUD=1, and a missing cloud key, are cloud failures', () => {
    expect(fired('run-swarm.cloud-model-without-flag.log').find((k) => k.kind === 'cloud_escalation_failed')).toMatchObject({ triggers: ['py_cloud_without_flag'], lines: [3] });
    expect(fired('run-swarm.cloud-key-missing.log')).toEqual([expect.objectContaining({ kind: 'cloud_escalation_failed', triggers: ['py_cloud_key_missing'], lines: [1] })]);
  });

  it('SEPL rollback is budget_exhausted', () => {
    expect(fired('run-swarm.architect-sepl-rollback.log').map((k) => k.kind)).toContain('budget_exhausted');
  });

  it('negatives: a resolved run fires nothing; a survived retry decides nothing', () => {
    expect(fired('run-swarm.resolved.log')).toEqual([]);
    const survived = [
      "[10:02:11Z] process_issue: id=beefcake-aa title='x'",
      'Retrying <unknown> in 4.0 seconds as it raised APIError: {"error":"Failed to parse input at pos 12"}.',
      '[10:12:11Z] DONE status=resolved wall=600.0s merged=True closed=True',
    ].join('\n');
    expect(matchSignatures(splitLogRecords(survived), PYTHON_WORKER_CATALOGUE).filter((k) => k.fired)).toEqual([]);
    const retryOnly = survived.split('\n').slice(0, 2).join('\n');
    expect(matchSignatures(splitLogRecords(retryOnly), PYTHON_WORKER_CATALOGUE).filter((k) => k.fired)).toEqual([]);
  });

  it('finds the session start with its issue', () => {
    const starts = findSessionStarts(splitLogRecords(read('run-swarm.no-change.log')), PYTHON_WORKER_CATALOGUE);
    expect(starts.map((s) => [s.line, s.issueId])).toEqual([[1, 'beefcake-3xkfa']]);
  });
});
