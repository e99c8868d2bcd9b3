// Job state vocabulary and decisions, plus `scontrol ping` and `sinfo` parsing. The ping
// and sinfo texts below were captured from SLURM 22.05.8 (private test controller on
// host "vm", nodes ghost[1-3] configured but never started, vm drained by hand).
import { describe, expect, it } from 'vitest';
import {
  BASE_JOB_STATES,
  FLAG_JOB_STATES,
  JOB_STATES,
  JOB_STATE_COMPACT,
  isActive,
  isFinished,
  isJobState,
  isRetryableEnd,
  jobPhase,
  parseJobState,
  parseScontrolPing,
  parseSinfoNodes,
  sinfoArgs,
  type JobState,
} from '../../../src/slurm/states.js';

const US = '\x1f';
const sinfoLine = (...f: string[]): string => f.map((x) => `${x}${US}`).join('');

// Captured: sinfo -h -N -O $'NodeList:\x1f,Partition:\x1f,StateLong:\x1f,StateComplete:\x1f,Reason:\x1f'
const SINFO_CAPTURED = [
  sinfoLine('ghost1', 'gpu', 'down*', 'down+not_responding', 'Not responding since 10:43'),
  sinfoLine('ghost2', 'gpu', 'drained*', 'unknown+drain+not_responding', 'maint: PSU swap'),
  sinfoLine('ghost3', 'gpu', 'fail*', 'unknown+fail+not_responding', 'ECC errors'),
  sinfoLine('vm', 'debug*', 'draining', 'allocated+drain', 'draining for reboot'),
  sinfoLine('vm', 'gpu', 'draining', 'allocated+drain', 'draining for reboot'),
  '',
].join('\n');

describe('job states', () => {
  it('lists the 12 base and 12 flag states of 22.05 with their compact codes', () => {
    expect(BASE_JOB_STATES).toHaveLength(12);
    expect(FLAG_JOB_STATES).toHaveLength(12);
    expect(new Set(JOB_STATES).size).toBe(24);
    expect(new Set(Object.values(JOB_STATE_COMPACT)).size).toBe(24);
    expect(JOB_STATE_COMPACT.OUT_OF_MEMORY).toBe('OOM');
    expect(JOB_STATE_COMPACT.CONFIGURING).toBe('CF');
  });

  it('parses every name and compact code back to itself', () => {
    for (const s of JOB_STATES) {
      expect(parseJobState(s)).toBe(s);
      expect(parseJobState(s.toLowerCase())).toBe(s);
      expect(parseJobState(JOB_STATE_COMPACT[s])).toBe(s);
      expect(isJobState(s)).toBe(true);
    }
  });

  it('tolerates sacct decorations and rejects the rest', () => {
    expect(parseJobState('CANCELLED by 1000')).toBe('CANCELLED');
    expect(parseJobState('CANCELLED+')).toBe('CANCELLED');
    expect(parseJobState(' RUNNING ')).toBe('RUNNING');
    expect(parseJobState('?')).toBe('UNKNOWN');
    expect(parseJobState('')).toBe('UNKNOWN');
    expect(parseJobState('RUNNINGX')).toBe('UNKNOWN');
    expect(isJobState('running')).toBe(false);
  });

  it('decides which states block a resubmit', () => {
    const blocking: JobState[] = [
      'PENDING',
      'RUNNING',
      'SUSPENDED',
      'COMPLETING',
      'CONFIGURING',
      'RESIZING',
      'REQUEUED',
      'REQUEUE_FED',
      'REQUEUE_HOLD',
      'SPECIAL_EXIT',
      'RESV_DEL_HOLD',
      'STOPPED',
      'SIGNALING',
      'STAGE_OUT',
    ];
    const free: JobState[] = ['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY', 'REVOKED'];
    expect(blocking.length + free.length).toBe(JOB_STATES.length);
    for (const s of blocking) expect([s, isActive(s)]).toEqual([s, true]);
    for (const s of free) expect([s, isActive(s), isFinished(s)]).toEqual([s, false, true]);
    expect(isActive('UNKNOWN')).toBe(true);
    expect(isFinished('UNKNOWN')).toBe(false);
  });

  it('retries only ends the job did not cause', () => {
    const retryable = JOB_STATES.filter((s) => isRetryableEnd(s));
    expect(retryable.sort()).toEqual(['BOOT_FAIL', 'NODE_FAIL', 'PREEMPTED', 'TIMEOUT']);
    expect(isRetryableEnd('FAILED')).toBe(false);
    expect(isRetryableEnd('OUT_OF_MEMORY')).toBe(false);
    expect(isRetryableEnd('UNKNOWN')).toBe(false);
  });

  it('groups states into phases', () => {
    expect(jobPhase('PENDING')).toBe('pending');
    expect(jobPhase('REQUEUE_HOLD')).toBe('held');
    expect(jobPhase('CONFIGURING')).toBe('running');
    expect(jobPhase('COMPLETING')).toBe('ending');
    expect(jobPhase('TIMEOUT')).toBe('finished');
    expect(jobPhase('UNKNOWN')).toBe('unknown');
  });
});

describe('parseScontrolPing', () => {
  it('reads the captured UP line', () => {
    expect(parseScontrolPing('Slurmctld(primary) at vm is UP\n')).toEqual({
      controllers: [{ role: 'primary', host: 'vm', up: true }],
      anyUp: true,
      primaryUp: true,
      unrecognized: [],
    });
  });

  it('reads the captured DOWN output with its banner (exit 1)', () => {
    const out = 'Slurmctld(primary) at vm is DOWN\n*****************************************\n' + '** RESTORE SLURMCTLD DAEMON TO SERVICE **\n*****************************************\n';
    const r = parseScontrolPing(out);
    expect(r?.anyUp).toBe(false);
    expect(r?.primaryUp).toBe(false);
    expect(r?.controllers).toEqual([{ role: 'primary', host: 'vm', up: false }]);
    expect(r?.unrecognized).toHaveLength(3);
  });

  it('reads a primary down with a backup up', () => {
    const r = parseScontrolPing('Slurmctld(primary) at ctl1 is DOWN\nSlurmctld(backup) at ctl2 is UP\n');
    expect([r?.anyUp, r?.primaryUp]).toEqual([true, false]);
  });

  it('reads the pre-20.11 combined line', () => {
    const r = parseScontrolPing('Slurmctld(primary/backup) at slurm-ctl/(NULL) are UP/DOWN\n');
    expect(r?.controllers).toEqual([{ role: 'primary', host: 'slurm-ctl', up: true }]);
  });

  it('returns null when there is no controller line', () => {
    expect(parseScontrolPing('')).toBeNull();
    expect(parseScontrolPing('scontrol: error: resolve_ctls_from_dns_srv: res_nsearch error: Unknown host\n')).toBeNull();
  });
});

describe('sinfo nodes', () => {
  it('builds the -N -O argv with 0x1F after every field', () => {
    expect(sinfoArgs()).toEqual(['-h', '-N', '-O', 'NodeList:\x1f,Partition:\x1f,StateLong:\x1f,StateComplete:\x1f,Reason:\x1f']);
    expect(sinfoArgs({ partition: 'gpu' }).at(-1)).toBe('--partition=gpu');
  });

  it('flags down, drained, draining, failing and not-responding nodes', () => {
    const { nodes, skipped } = parseSinfoNodes(SINFO_CAPTURED);
    expect(skipped).toEqual([]);
    const pick = (i: number): unknown => {
      const n = nodes[i]!;
      return [n.node, n.state, n.down, n.drained, n.draining, n.failing, n.notResponding, n.unavailable, n.reason];
    };
    expect(pick(0)).toEqual(['ghost1', 'down', true, false, false, false, true, true, 'Not responding since 10:43']);
    expect(pick(1)).toEqual(['ghost2', 'drained', false, true, false, false, true, true, 'maint: PSU swap']);
    expect(pick(2)).toEqual(['ghost3', 'fail', false, false, false, true, true, true, 'ECC errors']);
    expect(pick(3)).toEqual(['vm', 'draining', false, false, true, false, false, true, 'draining for reboot']);
    expect(nodes[3]!.partition).toBe('debug');
    expect(nodes[3]!.defaultPartition).toBe(true);
    expect(nodes[4]!.partition).toBe('gpu');
    expect(nodes[0]!.suffixes).toEqual(['*']);
    expect(nodes[1]!.stateFlags).toEqual(['unknown', 'drain', 'not_responding']);
  });

  it('reads healthy nodes with reason none as available', () => {
    // Captured before the drain: "vm debug* mixed mixed none" and "vm debug* idle idle none".
    const { nodes } = parseSinfoNodes(`${sinfoLine('vm', 'debug*', 'mixed', 'mixed', 'none')}\n${sinfoLine('vm', 'debug*', 'idle', 'idle', 'none')}\n`);
    expect(nodes.map((n) => [n.state, n.unavailable, n.reason])).toEqual([
      ['mixed', false, null],
      ['idle', false, null],
    ]);
  });

  it('treats powered-off nodes as unavailable and skips malformed lines', () => {
    const { nodes, skipped } = parseSinfoNodes(`${sinfoLine('n1', 'cloud', 'idle~', 'idle+cloud+powered_down', 'none')}\nn2${US}cloud${US}idle\n${US}${US}${US}${US}${US}\n`);
    expect(nodes.map((n) => [n.node, n.suffixes, n.unavailable])).toEqual([['n1', ['~'], true]]);
    expect(skipped.map((s) => s.reason)).toEqual(['line does not end with the field delimiter (3 parts)', 'empty or undecodable node name']);
    expect(parseSinfoNodes(`a${US}b${US}\n`).skipped[0]!.reason).toBe('expected 5 fields, got 2');
  });
});
