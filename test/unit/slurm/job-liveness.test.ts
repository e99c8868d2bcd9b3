// The pure "is the job maybe running" decision (issue 13, point 1).
import { describe, expect, it } from 'vitest';
import { decideLiveness, livenessRefusal, type LivenessInput } from '../../../src/slurm/job-liveness.js';

const base: LivenessInput = { subject: 'issue x', squeue: { status: 'known', jobs: [] }, ssh: { status: 'known', jobs: [] }, sacct: [] };

describe('decideLiveness', () => {
  it('a good read with no active job: not running', () => {
    expect(decideLiveness(base).verdict).toBe('not_running');
    expect(decideLiveness({ ...base, squeue: { status: 'known', jobs: [{ jobId: '1', state: 'COMPLETED' }] }, sacct: [{ jobId: '1', state: 'COMPLETED' }] }).verdict).toBe('not_running');
  });
  it('squeue failed or partial: unknown, even when sacct says the named job ended', () => {
    for (const status of ['failed', 'partial'] as const) {
      const l = decideLiveness({ ...base, squeue: { status, error: 'boom' }, sacct: [{ jobId: '1', state: 'COMPLETED' }] });
      expect(l.verdict).toBe('unknown');
      expect(livenessRefusal(l, 'recover x')).toMatch(/--assume-not-running/);
      expect(livenessRefusal(l, 'recover x', { assumeNotRunning: true })).toBeNull();
    }
  });
  it('sacct RUNNING while squeue does not list the job: running, and the override does not help', () => {
    const l = decideLiveness({ ...base, sacct: [{ jobId: '2317', state: 'RUNNING' }] });
    expect(l).toMatchObject({ verdict: 'running', jobs: [{ jobId: '2317', source: 'sacct' }] });
    expect(livenessRefusal(l, 'recover x', { assumeNotRunning: true })).toMatch(/job 2317 is RUNNING \(sacct\)/);
  });
  it('sacct without an answer does not make a good read unknown', () => {
    expect(decideLiveness({ ...base, sacct: [{ jobId: '1', state: null }] }).verdict).toBe('not_running');
  });
  it('squeue PENDING / held: running; ssh check failed: unknown; ssh job alive: running', () => {
    expect(decideLiveness({ ...base, squeue: { status: 'known', jobs: [{ jobId: '5', state: 'PENDING' }] } }).verdict).toBe('running');
    expect(decideLiveness({ ...base, ssh: { status: 'failed', error: 'no route', jobs: [{ jobId: 'ssh:h:9', state: 'UNKNOWN' }] } }).verdict).toBe('unknown');
    expect(decideLiveness({ ...base, ssh: { status: 'known', jobs: [{ jobId: 'ssh:h:9', state: 'RUNNING' }] } }).verdict).toBe('running');
  });
});
