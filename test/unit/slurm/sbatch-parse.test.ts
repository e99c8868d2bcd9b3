// sbatch --parsable output and the meaning of sbatch failures. stderr texts marked
// "captured" come from SLURM 22.05.8 on this machine; the others are SLURM's own error
// strings (slurm_errno.c) in the form sbatch prints them.
import { describe, expect, it } from 'vitest';
import { classifySbatchFailure, explainSbatchFailure, parseSbatchParsable } from '../../../src/slurm/sbatch-parse.js';

describe('parseSbatchParsable', () => {
  it('reads the captured output and the cluster form', () => {
    expect(parseSbatchParsable('34\n')).toEqual({ ok: true, jobId: '34', cluster: null });
    expect(parseSbatchParsable('1234;beefcake\n')).toEqual({ ok: true, jobId: '1234', cluster: 'beefcake' });
    expect(parseSbatchParsable('1234\r\n')).toEqual({ ok: true, jobId: '1234', cluster: null });
    expect(parseSbatchParsable('1234')).toEqual({ ok: true, jobId: '1234', cluster: null });
  });

  it('accepts the non-parsable success line', () => {
    expect(parseSbatchParsable('Submitted batch job 77\n')).toEqual({ ok: true, jobId: '77', cluster: null });
    expect(parseSbatchParsable('Submitted batch job 77 on cluster c2\n')).toEqual({ ok: true, jobId: '77', cluster: 'c2' });
  });

  it.each([
    ['', 'sbatch printed no job id'],
    ['\n\n', 'sbatch printed no job id'],
    ['abc\n', 'not a job id'],
    ['12a\n', 'not a job id'],
    ['-5\n', 'not a job id'],
    ['1234;\n', 'not a job id'],
    ['1234;clu ster\n', 'not a job id'],
    ['0\n', 'job id out of range'],
    ['99999999999\n', 'not a job id'],
    ['4294967296\n', 'job id out of range'],
    ['12\n13\n', 'printed 2 lines'],
  ])('refuses %j', (stdout, reason) => {
    const r = parseSbatchParsable(stdout);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe('classifySbatchFailure', () => {
  it('a timeout is ambiguous whatever stderr says', () => {
    expect(classifySbatchFailure('', null, true)).toBe('ambiguous');
    expect(classifySbatchFailure('sbatch: error: Batch job submission failed: Invalid account', 1, true)).toBe('ambiguous');
  });

  it.each([
    'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation',
    'sbatch: error: Batch job submission failed: Unexpected message received',
    'sbatch: error: Batch job submission failed: Zero Bytes were transmitted or received',
    'sbatch: error: Batch job submission failed: Unable to contact slurm controller (receive failure)',
    'sbatch: error: Batch job submission failed: Unable to contact slurm controller (send failure)',
    'sbatch: error: Batch job submission failed: Connection timed out reading',
  ])('ambiguous: %s', (stderr) => {
    expect(classifySbatchFailure(`${stderr}\n`, 1, false)).toBe('ambiguous');
  });

  it.each([
    // captured with slurmctld stopped, after 9 s:
    'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)',
    'sbatch: error: Batch job submission failed: Slurm backup controller in standby mode',
    // captured without any configuration source:
    'sbatch: error: resolve_ctls_from_dns_srv: res_nsearch error: Unknown host\nsbatch: error: fetch_config: DNS SRV lookup failed\nsbatch: error: _establish_config_source: failed to fetch config\nsbatch: fatal: Could not establish a configuration source',
  ])('controller_down: %s', (stderr) => {
    expect(classifySbatchFailure(`${stderr}\n`, 1, false)).toBe('controller_down');
  });

  it.each([
    // captured: -p nosuch
    ['sbatch: error: invalid partition specified: nosuch\nsbatch: error: Batch job submission failed: Invalid partition name specified', 1],
    ['sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified', 1],
    ['sbatch: error: Batch job submission failed: Requested node configuration is not available', 1],
    // captured: --dependency=afterok:abc
    ['sbatch: error: Batch job submission failed: Job dependency problem', 1],
    // captured: -t bogus, exit 255, before contacting the controller
    ['sbatch: error: Invalid --time specification', 255],
  ])('rejected: %s', (stderr, code) => {
    const f = explainSbatchFailure(`${stderr}\n`, code, false);
    expect(f.kind).toBe('rejected');
    expect(f.transient).toBe(false);
    expect(f.message).not.toMatch(/^sbatch: error: /);
  });

  it('keeps the deciding message', () => {
    const f = explainSbatchFailure('sbatch: error: invalid partition specified: nosuch\nsbatch: error: Batch job submission failed: Invalid partition name specified\n', 1, false);
    expect(f.message).toBe('Batch job submission failed: Invalid partition name specified');
  });

  it('rate limits and a full queue are refusals worth retrying later', () => {
    for (const stderr of [
      'sbatch: error: Batch job submission failed: Rate limit exceeded, please retry momentarily',
      'sbatch: error: Slurm job queue full, sleeping and retrying.\nsbatch: error: Batch job submission failed: Resource temporarily unavailable',
    ]) {
      expect(explainSbatchFailure(stderr, 1, false)).toMatchObject({ kind: 'rejected', transient: true });
    }
  });

  it('anything unreadable is ambiguous (check squeue before retrying)', () => {
    expect(classifySbatchFailure('', 1, false)).toBe('ambiguous');
    expect(classifySbatchFailure('Segmentation fault\n', 139, false)).toBe('ambiguous');
    expect(classifySbatchFailure('', null, false)).toBe('ambiguous');
    expect(explainSbatchFailure('', 0, false)).toMatchObject({ kind: 'ambiguous', message: expect.stringContaining('exited 0') });
  });
});
