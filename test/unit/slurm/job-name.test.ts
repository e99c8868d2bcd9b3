// Job-name templates: render for an issue, validate, and map squeue names back to issues.
import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB_NAME_TEMPLATE, issueFromJobName, matchJobName, parseJobNameTemplate, renderJobName, shortIssueId, validateJobName } from '../../../src/slurm/job-name.js';

describe('renderJobName', () => {
  it('defaults to swarm-{issue}', () => {
    expect(DEFAULT_JOB_NAME_TEMPLATE).toBe('swarm-{issue}');
    expect(renderJobName('beefcake-7xjmj')).toEqual({ ok: true, name: 'swarm-beefcake-7xjmj' });
  });

  it("renders the real scripts' swarm-{short}", () => {
    expect(renderJobName('beefcake-7xjmj', 'swarm-{short}')).toEqual({ ok: true, name: 'swarm-7xjmj' });
    expect(renderJobName('beefcake-7xjmj.1', 'swarm-{short}')).toEqual({ ok: true, name: 'swarm-7xjmj.1' });
    expect(renderJobName('nodash', 'swarm-{short}')).toEqual({ ok: true, name: 'swarm-nodash' });
  });

  it('refuses bad issue ids before rendering', () => {
    const r = renderJobName('a,b');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/comma/) });
  });

  it('refuses templates without exactly one known placeholder or with unsafe literals', () => {
    expect(renderJobName('a', 'swarm')).toEqual({ ok: false, reason: expect.stringMatching(/exactly one/) });
    expect(renderJobName('a', '{issue}-{issue}')).toEqual({ ok: false, reason: expect.stringMatching(/exactly one/) });
    expect(renderJobName('a', 'swarm-{id}')).toEqual({ ok: false, reason: expect.stringMatching(/unknown placeholder \{id\}/) });
    expect(renderJobName('a', 'swarm,{issue}')).toEqual({ ok: false, reason: expect.stringMatching(/may only contain/) });
    expect(renderJobName('a', 'swarm {issue}')).toEqual({ ok: false, reason: expect.stringMatching(/may only contain/) });
  });

  it('refuses a result longer than 128 characters', () => {
    const r = renderJobName('x'.repeat(64), `${'p'.repeat(70)}{issue}`, '.*');
    expect(r).toEqual({ ok: false, reason: 'job name is 134 characters long (at most 128)' });
  });

  it('honours a configured issue pattern', () => {
    expect(renderJobName('other-1', 'swarm-{issue}', '^beefcake-.*$').ok).toBe(false);
  });
});

describe('shortIssueId', () => {
  it.each([
    ['beefcake-7xjmj', '7xjmj'],
    ['my-proj-abc', 'abc'],
    ['beefcake-7xjmj.1', '7xjmj.1'],
    ['plain', 'plain'],
    ['trailing-', 'trailing-'],
  ])('%j → %j', (id, short) => {
    expect(shortIssueId(id)).toBe(short);
  });
});

describe('validateJobName', () => {
  it.each([
    ['swarm-a', true],
    ['', false],
    ['comma,name', false],
    ['with space', false],
    ['tab\tname', false],
    ['new\nline', false],
    ['-lead', false],
    ['ünï', false],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
  ])('%j → %j', (name, ok) => {
    expect(validateJobName(name).ok).toBe(ok);
  });

  it('says why a comma is refused', () => {
    expect(validateJobName('a,b')).toEqual({ ok: false, reason: expect.stringMatching(/squeue --name splits on commas/) });
  });
});

describe('issueFromJobName', () => {
  it('inverts swarm-{issue} exactly', () => {
    expect(issueFromJobName('swarm-beefcake-7xjmj')).toBe('beefcake-7xjmj');
    expect(issueFromJobName('swarm-beefcake-7xjmj', 'swarm-{issue}', ['beefcake-7xjmj'])).toBe('beefcake-7xjmj');
    expect(issueFromJobName('swarm-beefcake-7xjmj', 'swarm-{issue}', ['beefcake-other'])).toBeNull();
  });

  it('returns null for names that are not ours', () => {
    expect(issueFromJobName('llama-server')).toBeNull();
    expect(issueFromJobName('swarm-')).toBeNull();
    expect(issueFromJobName('swarm-a,b')).toBeNull();
    expect(issueFromJobName('swarm-..')).toBeNull();
    expect(issueFromJobName('swarm-name with spaces')).toBeNull();
  });

  it('handles a suffix in the template', () => {
    expect(issueFromJobName('swarm-abc-job', 'swarm-{issue}-job')).toBe('abc');
    expect(matchJobName('swarm-abc-job', 'swarm-{issue}-job')).toEqual({ placeholder: 'issue', value: 'abc' });
    expect(issueFromJobName('swarm-abc', 'swarm-{issue}-job')).toBeNull();
  });

  it('maps swarm-{short} back only through known issues, and only when unique', () => {
    const known = ['beefcake-7xjmj', 'beefcake-q2nd', 'other-q2nd'];
    expect(issueFromJobName('swarm-7xjmj', 'swarm-{short}', known)).toBe('beefcake-7xjmj');
    expect(issueFromJobName('swarm-q2nd', 'swarm-{short}', known)).toBeNull(); // two candidates
    expect(issueFromJobName('swarm-zzzz', 'swarm-{short}', known)).toBeNull();
    expect(issueFromJobName('swarm-7xjmj', 'swarm-{short}')).toBeNull(); // no list, no answer
    expect(issueFromJobName('swarm-7xjmj', 'swarm-{short}', ['beefcake-7xjmj', 'beefcake-7xjmj'])).toBe('beefcake-7xjmj');
  });

  it('round-trips rendered names', () => {
    for (const id of ['beefcake-7xjmj', 'a', 'x.y_z-1']) {
      const r = renderJobName(id);
      expect(r.ok).toBe(true);
      if (r.ok) expect(issueFromJobName(r.name)).toBe(id);
    }
  });

  it('parses templates', () => {
    expect(parseJobNameTemplate('swarm-{short}')).toEqual({ ok: true, template: { prefix: 'swarm-', placeholder: 'short', suffix: '' } });
  });
});
