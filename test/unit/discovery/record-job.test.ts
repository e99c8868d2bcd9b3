// Whether a discovery record's job still runs: SLURM ids against the queue, `local:PID` against
// the process table of this machine only, and nothing guessed when the queue is unknown.
import { describe, expect, it } from 'vitest';
import { localPid, recordJob } from '../../../src/discovery/record-job.js';
import { parseDiscovery } from '../../../src/discovery/parse.js';

const env = (o: Partial<Parameters<typeof recordJob>[1]> = {}) => ({ activeIds: new Set(['4242']), hostName: 'login1', pidAlive: (p: number) => p === 777, ...o });

describe('recordJob', () => {
  it('a SLURM id is active while in the queue, gone once out of it, unknown when the queue is unknown', () => {
    expect(recordJob({ jobId: '4242', host: 'vasp-01' }, env())).toEqual({ state: 'active', reason: 'job 4242 in queue' });
    expect(recordJob({ jobId: '4243', host: 'vasp-01' }, env())).toEqual({ state: 'gone', reason: 'job 4243 is not in the queue' });
    expect(recordJob({ jobId: '4243', host: 'vasp-01' }, env({ activeIds: null })).state).toBe('unknown');
  });

  it('local:PID on this machine follows the process, whatever the queue says', () => {
    expect(recordJob({ jobId: 'local:777', host: '127.0.0.1' }, env({ activeIds: null }))).toEqual({ state: 'active', reason: 'process 777 is running' });
    expect(recordJob({ jobId: 'local:778', host: 'login1' }, env())).toEqual({ state: 'gone', reason: 'process 778 is gone' });
  });

  it('local:PID on another host is unknown, never stale (its pid says nothing here)', () => {
    expect(recordJob({ jobId: 'local:778', host: 'vasp-02' }, env())).toEqual({ state: 'unknown', reason: 'process 778 runs on vasp-02, not here' });
  });

  it('localPid accepts only local:<pid> with a plausible pid', () => {
    expect(localPid('local:1234')).toBe(1234);
    for (const bad of ['1234', 'local:', 'local:1', 'local:0', 'local:-5', 'local:12a', 'ssh:h:12', 'local:99999999999']) expect(localPid(bad)).toBeNull();
  });

  it('a record named local:PID-tag.json with job_id local:PID parses, without a mismatch warning', () => {
    const text = JSON.stringify({ job_id: 'local:777', host: '127.0.0.1', port: 8080, tier: 'fast', model: 'm', started_at: '2026-12-05T06:00:00Z' });
    const r = parseDiscovery('local:777-14b.json', text);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.record.jobId).toBe('local:777');
      expect(r.record.warnings.filter((w) => w.includes('differs'))).toEqual([]);
    }
  });
});
