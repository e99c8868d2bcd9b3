// Pure pieces of the batch client: the sbatch argv keeps values out of --export,
// the ssh job ids round-trip, tracker titles are read from bd's JSON.
import { describe, expect, it } from 'vitest';
import { planSbatch, substituteIssue } from '../../../src/submit/plan.js';
import { parseSshJobId, sshJobId, sshStartArgv } from '../../../src/slurm/ssh-jobs.js';
import { titleFromTrackerJson, base64Title } from '../../../src/submit/issue-title.js';
import { jobControlArgv } from '../../../src/slurm/client.js';

describe('planSbatch', () => {
  const plan = planSbatch({
    jobName: 'swarm-a-1',
    issueId: 'a-1',
    logsDir: '/logs',
    script: '/s/swarm-job.sbatch',
    command: substituteIssue(['run', '--issue', '{issue}'], 'a-1'),
    dependsOn: '41',
    env: { SWARM_USE_CLOUD: '0', X: 'a,SWARM_USE_CLOUD=1' },
    titleB64: base64Title('Fix, it'),
  });
  it('puts only NAMES into --export, values into the environment', () => {
    const exp = plan.argv.find((a) => a.startsWith('--export='))!;
    expect(exp).toBe('--export=ALL,SWARM_FORWARD_ENV,SWARM_ISSUE_ID,SWARM_ISSUE_OBJECTIVE_B64,SWARM_USE_CLOUD,X');
    expect(plan.env['X']).toBe('a,SWARM_USE_CLOUD=1');
    expect(plan.env['SWARM_ISSUE_OBJECTIVE_B64']).toBe(Buffer.from('Fix, it').toString('base64'));
    expect(plan.env['SWARM_FORWARD_ENV']).toBe('SWARM_ISSUE_ID,SWARM_ISSUE_OBJECTIVE_B64,SWARM_USE_CLOUD');
  });
  it('has parsable, output, append, dependency, script and the command last', () => {
    expect(plan.argv).toEqual([
      'sbatch',
      '--parsable',
      '--job-name=swarm-a-1',
      '--output=/logs/swarm-orch-%j.log',
      '--open-mode=append',
      '--dependency=afterany:41',
      plan.argv[6],
      '/s/swarm-job.sbatch',
      'run',
      '--issue',
      'a-1',
    ]);
  });
});

describe('ssh job ids and argv', () => {
  it('round-trips ssh:<host>:<pid> and refuses other shapes', () => {
    expect(parseSshJobId(sshJobId('local', 4242))).toEqual({ host: 'local', pid: 4242 });
    expect(parseSshJobId('ssh:a b:1')).toBeNull();
    expect(parseSshJobId('ssh:h:1;x')).toBeNull();
    expect(parseSshJobId('1234')).toBeNull();
  });
  it('keeps the command as separate argv words after the constant script', () => {
    const a = sshStartArgv('/logs', 'a-1', ['sleep', '3 00; id']);
    expect(a.slice(0, 2)).toEqual(['sh', '-c']);
    expect(a.slice(3)).toEqual(['swarmctl-start', '/logs', 'a-1', 'sleep', '3 00; id']);
  });
  it('job control argv only takes numeric job ids', () => {
    expect(jobControlArgv('cancel', ['12', '13'])).toEqual(['scancel', '12', '13']);
    expect(jobControlArgv('hold', ['12'])).toEqual(['scontrol', 'hold', '12']);
    expect(() => jobControlArgv('release', ['12;x'])).toThrow(TypeError);
  });
});

describe('titleFromTrackerJson', () => {
  it('reads an object or a list of one', () => {
    expect(titleFromTrackerJson('{"id":"a-1","title":" Fix it "}')).toBe('Fix it');
    expect(titleFromTrackerJson('[{"id":"a-1","title":"T"}]')).toBe('T');
  });
  it('null for not JSON, no title, empty title', () => {
    expect(titleFromTrackerJson('Error: no such issue')).toBeNull();
    expect(titleFromTrackerJson('{"id":"a"}')).toBeNull();
    expect(titleFromTrackerJson('{"title":"  "}')).toBeNull();
  });
});
