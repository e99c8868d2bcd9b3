import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { buildRemoteCommand, quoteForRemoteShell, quoteWord, UnquotableError } from '../../../src/io/remote-quote.js';

// The real check: what a remote shell makes of our string. We run the quoted
// words through `sh -c` and `bash -c` locally and compare the argv the program
// receives with what we meant to pass.
function roundTrip(shell: string, words: string[]): string[] {
  // A sentinel first word: printf with no arguments would still print once.
  const script = quoteForRemoteShell(['printf', '%s\\0', 'BEGIN', ...words]);
  const out = execFileSync(shell, ['-c', script], { encoding: 'utf8' });
  return out.split('\0').slice(1, -1);
}

describe('quoteWord', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(quoteWord('beefcake-7xjmj')).toBe('beefcake-7xjmj');
    expect(quoteWord('/cluster/shared/wt')).toBe('/cluster/shared/wt');
    expect(quoteWord('')).toBe("''");
    expect(quoteWord("it's")).toBe(`'it'\\''s'`);
    expect(quoteWord('$(rm -rf /)')).toBe("'$(rm -rf /)'");
    expect(quoteWord('~root')).toBe("'~root'");
    expect(quoteWord('=cmd')).toBe("'=cmd'");
  });
  it('refuses NUL', () => {
    expect(() => quoteWord('a\0b')).toThrow(UnquotableError);
  });
  it('round-trips nasty words through sh and bash', () => {
    const nasty = ['a b', "it's", '$(id)', '`id`', '$HOME', 'a;b', 'a|b', '*', '~', '!', '\n', '\\', '"', "'", '', '-n', 'x=y z', '{a,b}', 'ü✓'];
    for (const sh of ['sh', 'bash']) expect(roundTrip(sh, nasty)).toEqual(nasty);
  });
  it('round-trips any string without NUL (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'binary', minLength: 0, maxLength: 20 }).filter((s) => !s.includes('\0')),
          { maxLength: 6 },
        ),
        (words) => {
          // printf's own %s never interprets its argument; the shell is what we test.
          expect(roundTrip('sh', words)).toEqual(words);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('buildRemoteCommand', () => {
  it('passes env through `env`, quoted, with cd first', () => {
    expect(buildRemoteCommand({ argv: ['ls', '-l'], env: { A: '1', B: 'two words' }, cwd: '/tmp/my dir' })).toBe("cd -- '/tmp/my dir' && exec env A=1 'B=two words' ls -l");
  });
  it('refuses a bad env name', () => {
    expect(() => buildRemoteCommand({ argv: ['true'], env: { 'A;rm': '1' } })).toThrow(/invalid environment variable name/);
  });
  it('really runs in a shell with the intended env and cwd', () => {
    const cmd = buildRemoteCommand({ argv: ['sh', '-c', 'printf "%s|%s" "$X" "$(pwd)"'], env: { X: "a'b $(id)" }, cwd: '/tmp' });
    expect(execFileSync('sh', ['-c', cmd], { encoding: 'utf8' })).toBe("a'b $(id)|/tmp");
  });
});
