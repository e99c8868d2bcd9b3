// Issue ids, env names and env values are checked before anything runs; every bad input
// from the batch issue's list is refused with a reason that names the problem.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ISSUE_ID_PATTERN, parseEnvAssignment, validateEnvName, validateEnvValue, validateIssueId } from '../../../src/config/validate.js';

const reasonOf = (r: { ok: boolean; reason?: string }): string => {
  expect(r.ok).toBe(false);
  return r.reason ?? '';
};

describe('validateIssueId', () => {
  it.each(['beefcake-7xjmj', 'beefcake-7xjmj.1', 'a', 'A1_b-2.c', 'x'.repeat(64), '0abc'])('accepts %j', (id) => {
    expect(validateIssueId(id)).toEqual({ ok: true });
  });

  it.each([
    ['beefcake-1,SWARM_USE_CLOUD=0', /comma/],
    ['beefcake-1;rm -rf ~', /shell metacharacter ";"/],
    ['$(reboot)', /"\$" \(shell expansion\)/],
    ['beefcake-$(id)', /"\$"/],
    ['`id`', /backtick/],
    ['beefcake 1', /a space/],
    ['../etc/passwd', /path separator/],
    ['beefcake-1/../../x', /path separator/],
    ['beefcake-1\nSWARM_USE_CLOUD=0', /newline/],
    ['beefcake-1\r', /newline/],
    ['', /empty/],
    ['a'.repeat(200), /200 characters long \(at most 128\)/],
    ['..', /path component/],
    ['.', /path component/],
    ['a..b', /"\.\." \(path traversal\)/],
    ['-rf', /starts with "-"/],
    ['.hidden', /starts with "\."/],
    ['tab\there', /control character \(U\+0009\)/],
    ['nul\0byte', /control character \(U\+0000\)/],
    ['ünï', /non-ASCII/],
    ['a|b', /shell metacharacter "\|"/],
    ['a&b', /shell metacharacter "&"/],
    ["it's", /shell metacharacter "'"/],
    ['a*', /shell metacharacter "\*"/],
  ])('refuses %j', (id, reason) => {
    expect(reasonOf(validateIssueId(id))).toMatch(reason);
  });

  it('refuses ids longer than the default pattern allows, naming the pattern', () => {
    const r = reasonOf(validateIssueId('x'.repeat(65)));
    expect(r).toContain('65 characters');
    expect(r).toContain(DEFAULT_ISSUE_ID_PATTERN);
  });

  it('refuses non-strings', () => {
    expect(reasonOf(validateIssueId(42))).toMatch(/must be a string/);
    expect(reasonOf(validateIssueId(undefined))).toMatch(/must be a string/);
  });

  it('lets a configured pattern narrow the alphabet', () => {
    expect(validateIssueId('beefcake-7xjmj', '^beefcake-[a-z0-9]+$')).toEqual({ ok: true });
    expect(reasonOf(validateIssueId('other-7xjmj', '^beefcake-[a-z0-9]+$'))).toMatch(/does not match the pattern/);
  });

  it('keeps the fixed rules when a configured pattern is too loose', () => {
    expect(reasonOf(validateIssueId('a;b', '.*'))).toMatch(/";"/);
    expect(reasonOf(validateIssueId('a/b', '.*'))).toMatch(/path separator/);
    expect(reasonOf(validateIssueId('a b', '.*'))).toMatch(/space/);
    expect(validateIssueId('a.b', '.*')).toEqual({ ok: true });
  });

  it('anchors an unanchored pattern', () => {
    expect(reasonOf(validateIssueId('xxbeefcakexx', 'beefcake'))).toMatch(/does not match/);
  });

  it('reports an invalid pattern instead of throwing', () => {
    expect(reasonOf(validateIssueId('abc', '(['))).toMatch(/pattern .* is invalid/);
  });
});

describe('environment variables', () => {
  it.each(['SWARM_ISSUE_ID', 'SWARM_WORKER_TEMPERATURE', '_X', 'a1'])('accepts the name %j', (n) => {
    expect(validateEnvName(n)).toEqual({ ok: true });
  });

  it.each([
    ['', /empty/],
    ['1X', /starts with a digit/],
    ['A-B', /character "-"/],
    ['A B', /space/],
    ['A=B', /shell metacharacter "="/],
    ['A,B', /comma/],
    ['X'.repeat(129), /at most 128/],
  ])('refuses the name %j', (n, reason) => {
    expect(reasonOf(validateEnvName(n))).toMatch(reason);
  });

  it('allows commas, quotes, $ and spaces in values (values never go into --export=)', () => {
    for (const v of ['x,SWARM_USE_CLOUD=0', 'a b', '"q"', "it's", '$(id)', '', 'ünï', '='.repeat(10)]) {
      expect(validateEnvValue(v)).toEqual({ ok: true });
    }
  });

  it('refuses NUL, newlines and values over 4096 bytes', () => {
    expect(reasonOf(validateEnvValue('a\0b'))).toMatch(/NUL/);
    expect(reasonOf(validateEnvValue('a\nb'))).toMatch(/newline/);
    expect(reasonOf(validateEnvValue('a\rb'))).toMatch(/newline/);
    expect(validateEnvValue('x'.repeat(4096))).toEqual({ ok: true });
    expect(reasonOf(validateEnvValue('x'.repeat(4097)))).toMatch(/4097 bytes/);
    // 2 bytes per character in UTF-8
    expect(reasonOf(validateEnvValue('é'.repeat(2049)))).toMatch(/4098 bytes/);
    expect(reasonOf(validateEnvValue(5))).toMatch(/must be a string/);
  });

  it('parses NAME=VALUE at the first =', () => {
    expect(parseEnvAssignment('SWARM_WORKER_TEMPERATURE=0.1')).toEqual({
      ok: true,
      name: 'SWARM_WORKER_TEMPERATURE',
      value: '0.1',
    });
    expect(parseEnvAssignment('A=b=c,d')).toEqual({ ok: true, name: 'A', value: 'b=c,d' });
    expect(parseEnvAssignment('EMPTY=')).toEqual({ ok: true, name: 'EMPTY', value: '' });
    expect(reasonOf(parseEnvAssignment('NOVALUE'))).toMatch(/expected NAME=VALUE/);
    expect(reasonOf(parseEnvAssignment('=x'))).toMatch(/empty/);
    expect(reasonOf(parseEnvAssignment('BAD-NAME=x'))).toMatch(/character "-"/);
    expect(reasonOf(parseEnvAssignment('X=a\nY=b'))).toBe('X: variable value contains a newline');
  });
});
