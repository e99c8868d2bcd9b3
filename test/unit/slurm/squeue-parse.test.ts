// squeue request argv and output parsing. The slurm-22.05-* fixtures are real bytes
// captured from SLURM 22.05.8 (see fixtures/squeue/README.md); handmade-edge-cases.bin
// covers what that controller could not produce.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SQUEUE_ENV, SQUEUE_FIELDS, SQUEUE_FORMAT, squeueArgs, squeueEnvPrefix, squeueFormatErrors } from '../../../src/slurm/squeue-format.js';
import { classifyReason, parseDependency, parseSlurmDuration, parseSlurmTimestamp, parseSqueue, selectJobs, type QueueJob } from '../../../src/slurm/squeue-parse.js';

// Decode like the client does: invalid UTF-8 becomes U+FFFD.
const read = (p: string): string => new TextDecoder('utf-8').decode(readFileSync(new URL(`../../../fixtures/squeue/${p}`, import.meta.url)));

const ALL = read('slurm-22.05-all-states.txt');
const ACTIVE = read('slurm-22.05-active.txt');
const STANDARD = read('slurm-22.05-standard-time.txt');
const EDGE = read('handmade-edge-cases.bin');

const byId = (jobs: QueueJob[], id: string): QueueJob => {
  const j = jobs.find((x) => x.jobId === id);
  if (j === undefined) throw new Error(`job ${id} not parsed`);
  return j;
};

describe('squeueArgs', () => {
  it('requests every field unpadded with a 0x1F suffix, no header', () => {
    // Exactly the -O string that was run against 22.05.8 to capture the fixtures.
    const captured =
      'JobID:\x1f,Name:\x1f,State:\x1f,Reason:\x1f,TimeUsed:\x1f,TimeLimit:\x1f,NodeList:\x1f,SubmitTime:\x1f,' +
      'StartTime:\x1f,UserName:\x1f,Partition:\x1f,WorkDir:\x1f,Dependency:\x1f,STDOUT:\x1f';
    expect(SQUEUE_FORMAT).toBe(captured);
    expect(squeueArgs()).toEqual(['-h', '-O', captured]);
    expect(SQUEUE_FIELDS).toHaveLength(14);
  });

  it('filters by user or --me on the server', () => {
    expect(squeueArgs({ user: 'brian' }).slice(3)).toEqual(['--user=brian']);
    expect(squeueArgs({ me: true }).slice(3)).toEqual(['--me']);
    expect(() => squeueArgs({ user: 'brian', me: true })).toThrow(/either user or me/);
  });

  it('never sends a name prefix (squeue matches exact names only)', () => {
    const args = squeueArgs({ me: true, namePrefix: 'swarm-' });
    expect(args).toEqual(['-h', '-O', SQUEUE_FORMAT, '--me']);
    expect(args.join(' ')).not.toContain('swarm-');
  });

  it('sends exact names as one comma list and refuses names squeue would split', () => {
    expect(squeueArgs({ names: ['swarm-a', 'swarm-b'] }).slice(3)).toEqual(['--name=swarm-a,swarm-b']);
    expect(() => squeueArgs({ names: ['comma,name'] })).toThrow(/cannot be passed/);
    expect(() => squeueArgs({ names: ['new\nline'] })).toThrow(/cannot be passed/);
    expect(() => squeueArgs({ names: [''] })).toThrow(/cannot be passed/);
    expect(() => squeueArgs({ names: [] })).toThrow(/must not be empty/);
  });

  it('validates states and accepts names, compact codes and all', () => {
    expect(squeueArgs({ states: ['pending', 'R', 'CG'] }).slice(3)).toEqual(['--states=PENDING,R,CG']);
    expect(squeueArgs({ states: ['all'] }).slice(3)).toEqual(['--states=all']);
    expect(() => squeueArgs({ states: ['RUNNING,FAILED'] })).toThrow(/unknown job state/);
    expect(() => squeueArgs({ states: [] })).toThrow(/must not be empty/);
  });

  it('refuses user names that are not plain names', () => {
    expect(() => squeueArgs({ user: 'a,b' })).toThrow(/invalid user/);
    expect(() => squeueArgs({ user: '-x' })).toThrow(/invalid user/);
    expect(() => squeueArgs({ user: '' })).toThrow(/invalid user/);
  });

  it('asks for times with their UTC offset', () => {
    expect(SQUEUE_ENV).toEqual({ SLURM_TIME_FORMAT: '%Y-%m-%dT%H:%M:%S%z' });
    expect(squeueEnvPrefix()).toEqual(['env', 'SLURM_TIME_FORMAT=%Y-%m-%dT%H:%M:%S%z']);
  });

  it('finds rejected field names in stderr (squeue still exits 0)', () => {
    // Captured: squeue -h -O 'JobID:|,Bogus:|' on 22.05.8, exit 0.
    expect(squeueFormatErrors('squeue: error: Invalid job format specification: Bogus\n')).toEqual(['Bogus']);
    expect(squeueFormatErrors('')).toEqual([]);
  });
});

describe('parseSqueue on real 22.05.8 output (all states)', () => {
  const r = parseSqueue(ALL);

  it('keeps 28 of 30 jobs and skips the 3 lines broken by names with 0x1F and a newline', () => {
    expect(ALL.split('\n').filter((l) => l !== '')).toHaveLength(31);
    expect(r.jobs).toHaveLength(28);
    expect(r.skipped).toHaveLength(3);
    expect(r.skipped[0]).toEqual({ line: expect.stringMatching(/^10\x1funit\x1fsep/), reason: 'expected 14 fields, got 15' });
    expect(r.skipped[1]).toEqual({ line: '11\x1fnew', reason: 'line does not end with the field delimiter (2 parts)' });
    expect(r.skipped[2]!.line.startsWith('line\x1fCANCELLED')).toBe(true);
    expect(r.skipped[2]!.reason).toBe('expected 14 fields, got 13');
    expect(r.jobs.map((j) => j.jobId)).not.toContain('10');
    expect(r.jobs.map((j) => j.jobId)).not.toContain('11');
  });

  it('reads a running job completely', () => {
    expect(byId(r.jobs, '25')).toEqual({
      jobId: '25',
      name: 'swarm-beefcake-7xjmj',
      state: 'RUNNING',
      stateRaw: 'RUNNING',
      phase: 'running',
      active: true,
      reason: null,
      reasonCode: null,
      reasonKind: 'none',
      timeUsedSeconds: 3,
      timeUsedRaw: '0:03',
      timeLimitSeconds: 7200,
      timeLimitUnlimited: false,
      timeLimitRaw: '2:00:00',
      nodeList: 'vm',
      submitTime: '2026-11-23T10:42:13.000Z',
      submitTimeRaw: '2026-11-23T10:42:13+0000',
      startTime: '2026-11-23T10:42:14.000Z',
      startTimeRaw: '2026-11-23T10:42:14+0000',
      user: 'root',
      partition: 'debug',
      workDir: '/tmp/batchparse-slurm/work',
      dependency: null,
      dependencies: [],
      stdout: '/tmp/batchparse-slurm/work/swarm-orch-%j.log',
      via: 'slurm',
    });
    expect(byId(r.jobs, '26').timeLimitSeconds).toBe(86_400);
  });

  it('reads the pending reasons of a sequential batch', () => {
    const dep = byId(r.jobs, '27');
    expect([dep.state, dep.reason, dep.reasonKind, dep.nodeList, dep.startTime]).toEqual(['PENDING', 'Dependency', 'dependency', null, null]);
    expect(dep.startTimeRaw).toBe('N/A');
    expect(dep.dependencies).toEqual([{ type: 'afterany', jobIds: ['26'], status: 'unfulfilled' }]);
    expect(dep.timeLimitUnlimited).toBe(true);
    expect(dep.timeLimitSeconds).toBeNull();
    const never = byId(r.jobs, '30');
    expect([never.reasonCode, never.reasonKind, never.dependency]).toEqual(['DependencyNeverSatisfied', 'dependency_never_satisfied', 'afterok:18(failed)']);
    expect(byId(r.jobs, '29').reasonKind).toBe('resources');
  });

  it('classifies the free-text reasons slurmctld stores instead of codes', () => {
    const held = byId(r.jobs, '23');
    expect([held.state, held.reason, held.reasonCode, held.reasonKind]).toEqual(['PENDING', 'job requeued in held state', null, 'held']);
    const nodes = byId(r.jobs, '3');
    expect(nodes.reason).toBe('Nodes required for job are DOWN, DRAINED or reserved for jobs in higher priority partitions');
    expect(nodes.reasonKind).toBe('nodes_unavailable');
  });

  it('reads finished states and their reasons', () => {
    const summary = (id: string): [string, string | null, boolean] => {
      const j = byId(r.jobs, id);
      return [j.state, j.reason, j.active];
    };
    expect(summary('19')).toEqual(['TIMEOUT', 'TimeLimit', false]);
    expect(summary('24')).toEqual(['NODE_FAIL', 'NodeDown', false]);
    expect(summary('18')).toEqual(['FAILED', 'NonZeroExitCode', false]);
    expect(summary('17')).toEqual(['COMPLETED', null, false]);
    expect(summary('21')).toEqual(['CANCELLED', 'JobHeldUser', false]);
    expect(byId(r.jobs, '19').timeUsedSeconds).toBe(62);
    expect(byId(r.jobs, '2').name).toBe('name with spaces');
  });
});

describe('parseSqueue on real 22.05.8 output (default states)', () => {
  const r = parseSqueue(ACTIVE);

  it('keeps names with tabs, commas, shell characters, UTF-8 and 300 characters intact', () => {
    expect(r.jobs).toHaveLength(13);
    expect(r.skipped).toHaveLength(3);
    expect(byId(r.jobs, '7').name).toBe('tab\tname');
    expect(byId(r.jobs, '12').name).toBe('comma,name');
    expect(byId(r.jobs, '13').name).toBe('semi;colon $(x) `y`');
    expect(byId(r.jobs, '14').name).toBe('x'.repeat(300));
    expect(byId(r.jobs, '15').name).toBe('ünï');
    for (const j of r.jobs) expect(j.user).toBe('root');
  });

  it('gives the expected start of a BeginTime job and the held reason', () => {
    const begin = byId(r.jobs, '6');
    expect([begin.reasonKind, begin.startTime]).toEqual(['begin_time', '2026-11-23T11:38:17.000Z']);
    expect(byId(r.jobs, '5').reasonKind).toBe('held_user');
    expect(r.jobs.every((j) => j.active)).toBe(true);
  });
});

describe('parseSqueue with times printed without an offset', () => {
  it('matches the offset-carrying capture when told the host offset', () => {
    const withZone = parseSqueue(ALL).jobs;
    const noZone = parseSqueue(STANDARD, { utcOffsetMinutes: 0 }).jobs;
    expect(noZone.map((j) => j.jobId)).toEqual(withZone.map((j) => j.jobId));
    expect(noZone.map((j) => j.submitTime)).toEqual(withZone.map((j) => j.submitTime));
    expect(noZone.map((j) => j.startTime)).toEqual(withZone.map((j) => j.startTime));
    expect(byId(noZone, '25').submitTimeRaw).toBe('2026-11-23T10:42:13');
  });

  it('applies a non-zero host offset', () => {
    const j = byId(parseSqueue(STANDARD, { utcOffsetMinutes: -300 }).jobs, '25');
    expect(j.submitTime).toBe('2026-11-23T15:42:13.000Z');
  });

  it('converts afresh on each call: the same text with another offset gives other times', () => {
    // The previous line's conversion is reused within a call; a call must not reuse the
    // last call's (the first line of the next call repeats the last line's raw time).
    const line = STANDARD.split('\n').find((l) => l.startsWith('25\x1f'))!;
    const a = parseSqueue(`${line}\n`, { utcOffsetMinutes: 0 }).jobs[0]!;
    const b = parseSqueue(`${line}\n`, { utcOffsetMinutes: -300 }).jobs[0]!;
    expect([a.submitTime, b.submitTime]).toEqual(['2026-11-23T10:42:13.000Z', '2026-11-23T15:42:13.000Z']);
  });

  it('gives equal values for repeated columns, whichever line they came from', () => {
    const twice = parseSqueue(`${STANDARD}${STANDARD}`, { utcOffsetMinutes: 0 }).jobs;
    const once = parseSqueue(STANDARD, { utcOffsetMinutes: 0 }).jobs;
    expect(twice).toEqual([...once, ...once]);
  });
});

describe('parseSqueue on hand-made edge cases', () => {
  const r = parseSqueue(EDGE);

  it('keeps 11 jobs and skips 5 malformed lines with reasons', () => {
    expect(r.jobs.map((j) => j.jobId)).toEqual(['4101', '4102', '4103', '4104_7', '4105_[1-5%2]', '4106+0', '4107', '4108', '4109', '4110', '4111']);
    expect(r.skipped.map((s) => s.reason)).toEqual([
      'job id is not valid UTF-8',
      'empty job id',
      'expected 14 fields, got 4',
      'line does not end with the field delimiter (14 parts)',
      'invalid job id "abc"',
    ]);
  });

  it('parses days-hours:minutes:seconds, INVALID and NOT_SET', () => {
    const long = byId(r.jobs, '4101');
    expect([long.timeUsedSeconds, long.timeLimitSeconds]).toEqual([93_784, 172_800]);
    expect(long.nodeList).toBe('vasp-[02-03]');
    expect(long.startTime).toBe('2026-04-15T12:41:00.000Z');
    const clock = byId(r.jobs, '4103');
    expect([clock.timeUsedSeconds, clock.timeUsedRaw, clock.timeLimitUnlimited]).toEqual([null, 'INVALID', true]);
    const notSet = byId(r.jobs, '4111');
    expect([notSet.timeLimitSeconds, notSet.timeLimitUnlimited, notSet.timeLimitRaw]).toEqual([null, false, 'NOT_SET']);
    expect(byId(r.jobs, '4104_7').timeUsedSeconds).toBe(754);
  });

  it('treats (null), n/a and empty node lists as none', () => {
    expect(byId(r.jobs, '4102').nodeList).toBeNull();
    expect(byId(r.jobs, '4103').nodeList).toBeNull();
    expect(byId(r.jobs, '4105_[1-5%2]').nodeList).toBeNull();
    expect(byId(r.jobs, '4103').stdout).toBeNull();
  });

  it('classifies reason codes with details and code families', () => {
    const req = byId(r.jobs, '4102');
    expect([req.reasonCode, req.reasonKind]).toEqual(['ReqNodeNotAvail', 'nodes_unavailable']);
    expect(req.reason).toBe('ReqNodeNotAvail, UnavailableNodes:vasp-04');
    expect(byId(r.jobs, '4105_[1-5%2]').reasonKind).toBe('limit');
    expect(byId(r.jobs, '4107').reasonKind).toBe('held_admin');
  });

  it('strips CR, keeps U+FFFD in names, and treats ? as an unknown but active state', () => {
    expect(byId(r.jobs, '4107').stdout).toBeNull();
    expect(byId(r.jobs, '4108').name).toBe('swarm-\uFFFDbad');
    expect([byId(r.jobs, '4108').state, byId(r.jobs, '4108').phase]).toEqual(['REQUEUE_HOLD', 'held']);
    const unknown = byId(r.jobs, '4110');
    expect([unknown.state, unknown.phase, unknown.active]).toEqual(['UNKNOWN', 'unknown', true]);
    expect(byId(r.jobs, '4106+0').phase).toBe('ending');
  });

  it('splits OR-dependencies', () => {
    expect(byId(r.jobs, '4109').dependencies).toEqual([
      { type: 'afterok', jobIds: ['4101'], status: 'failed' },
      { type: 'afterany', jobIds: ['4102'], status: 'unfulfilled' },
    ]);
  });

  it('returns nothing for empty output and a single newline', () => {
    expect(parseSqueue('')).toEqual({ jobs: [], skipped: [] });
    expect(parseSqueue('\n')).toEqual({ jobs: [], skipped: [] });
  });

  it('shortens very long skipped lines', () => {
    const out = parseSqueue(`${'y'.repeat(5000)}\n`);
    expect(out.skipped).toHaveLength(1);
    expect(out.skipped[0]!.line.length).toBeLessThanOrEqual(301);
  });
});

describe('value parsers', () => {
  it.each([
    ['0:05', 5],
    ['12:34', 754],
    ['1:02:03', 3723],
    ['1-02:03:04', 93_784],
    ['30:00', 1800],
    ['1-00:00:00', 86_400],
    ['INVALID', null],
    ['UNLIMITED', null],
    ['NOT_SET', null],
    ['N/A', null],
    ['', null],
    ['1:60', null],
    ['1:61:00', null],
    ['1-05:00', null],
    ['1-24:00:00', null],
    ['-1:00', null],
    ['a:bc', null],
  ])('duration %j → %j', (raw, expected) => {
    expect(parseSlurmDuration(raw)).toBe(expected);
  });

  it('timestamps with and without offsets', () => {
    expect(parseSlurmTimestamp('2026-04-16T08:47:55-0500')).toBe('2026-04-16T13:47:55.000Z');
    expect(parseSlurmTimestamp('2026-04-16T08:47:55+05:30')).toBe('2026-04-16T03:17:55.000Z');
    expect(parseSlurmTimestamp('2026-04-16T08:47:55Z')).toBe('2026-04-16T08:47:55.000Z');
    expect(parseSlurmTimestamp('2026-04-16T08:47:55', 60)).toBe('2026-04-16T07:47:55.000Z');
    expect(parseSlurmTimestamp('N/A')).toBeNull();
    expect(parseSlurmTimestamp('Unknown')).toBeNull();
    expect(parseSlurmTimestamp('Tomorr 10:00')).toBeNull();
    expect(parseSlurmTimestamp('2026-13-01T00:00:00Z')).toBeNull();
    expect(parseSlurmTimestamp('2026-02-29T00:00:00Z')).toBeNull();
    expect(parseSlurmTimestamp('2028-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(parseSlurmTimestamp('2026-04-31T00:00:00+0000')).toBeNull();
    expect(parseSlurmTimestamp('2026-04-16T08:47:60Z')).toBeNull();
    expect(parseSlurmTimestamp('2026-04-16T08:47:55+2400')).toBeNull();
    expect(parseSlurmTimestamp('2026-04-16T08:47:55 0500')).toBeNull();
    expect(parseSlurmTimestamp('2026-04-16 08:47:55')).toBeNull();
    expect(parseSlurmTimestamp(' 2026-04-16T08:47:55Z ')).toBe('2026-04-16T08:47:55.000Z');
  });

  it('dependencies: singleton, several ids, delays', () => {
    expect(parseDependency('singleton(unfulfilled)')).toEqual([{ type: 'singleton', jobIds: [], status: 'unfulfilled' }]);
    expect(parseDependency('afterok:1:2(unfulfilled)')).toEqual([{ type: 'afterok', jobIds: ['1', '2'], status: 'unfulfilled' }]);
    expect(parseDependency('after:7+10')).toEqual([{ type: 'after', jobIds: ['7'], status: null }]);
  });

  it('a real reason code missing from the man page (PartitionConfig, captured)', () => {
    const r = parseSqueue(read('slurm-22.05-partition-config.txt'));
    expect(r.skipped).toEqual([]);
    expect(r.jobs.map((j) => [j.jobId, j.name, j.state, j.reasonCode, j.reasonKind])).toEqual([['31', 'wrap', 'PENDING', 'PartitionConfig', 'invalid_request']]);
  });

  it('reason families', () => {
    expect(classifyReason('AssocGrpCpuLimit')).toEqual({ code: 'AssocGrpCpuLimit', kind: 'limit' });
    expect(classifyReason('Priority')).toEqual({ code: 'Priority', kind: 'priority' });
    expect(classifyReason('BeginTime')).toEqual({ code: 'BeginTime', kind: 'begin_time' });
    expect(classifyReason('something new')).toEqual({ code: null, kind: 'other' });
    expect(classifyReason('BurstBufferStageIn')).toEqual({ code: 'BurstBufferStageIn', kind: 'other' });
    expect(classifyReason(null)).toEqual({ code: null, kind: 'none' });
  });
});

describe('selectJobs (client-side half of the filter)', () => {
  const jobs = parseSqueue(ALL).jobs;

  it('filters by name prefix', () => {
    const swarm = selectJobs(jobs, { namePrefix: 'swarm-beefcake-' });
    expect(swarm.map((j) => j.jobId).sort()).toEqual(['1', '25', '26', '27', '28', '29', '3', '4']);
  });

  it('combines prefix and active-only', () => {
    const active = selectJobs(jobs, { namePrefix: 'swarm-', activeOnly: true });
    expect(active.map((j) => j.jobId).sort()).toEqual(['23', '25', '26', '27', '28', '29', '30']);
  });

  it('filters by exact names and user', () => {
    expect(selectJobs(jobs, { names: ['swarm-ok', 'swarm-fail'] }).map((j) => j.jobId)).toEqual(['17', '18']);
    expect(selectJobs(jobs, { user: 'brian' })).toEqual([]);
  });
});
