// The streaming filter behind command logs: the lines with their numbers in the whole
// output, whatever the chunking; bounded in lines kept and line length.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { journalEntry, LineFilter } from '../../../src/recovery/job-log-command.js';

function run(text: string, cuts: number[], needle: string, maxLines = 1000) {
  const f = new LineFilter(needle, maxLines);
  const b = Buffer.from(text);
  let at = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < b.length)].sort((x, y) => x - y)) {
    f.push(b.subarray(at, c));
    at = c;
  }
  f.push(b.subarray(at));
  f.end();
  return f;
}

function expected(text: string, needle: string) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { count: lines.length, kept: lines.flatMap((l, i) => (l.includes(needle) ? [{ line: i + 1, text: l.replace(/\r$/, '') }] : [])) };
}

describe('LineFilter', () => {
  it('keeps the same lines with the same numbers as splitting the whole text, for any chunking', () => {
    const line = fc.oneof(
      fc.constant('[09:12:04Z] process_issue: id=bee-1 title=x'),
      fc.constant('other line'),
      fc.constant('→ bee-1: no_change\r'),
      fc.constant(''),
      fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), fc.array(fc.nat(400), { maxLength: 8 }), (lines, finalNl, cuts) => {
        const text = lines.join('\n') + (finalNl && lines.length ? '\n' : '');
        const f = run(text, cuts, 'bee-1');
        const want = expected(text, 'bee-1');
        expect(f.kept).toEqual(want.kept);
        expect(f.lines).toBe(want.count);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only the newest lines past the bound and says how many it dropped', () => {
    const text = Array.from({ length: 50 }, (_, i) => `x ${i} bee-1`).join('\n');
    const f = run(text, [7, 100], 'bee-1', 10);
    expect(f.kept.map((k) => k.line)).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    expect(f.dropped).toBe(40);
  });

  it('a huge line without the needle costs nothing kept; one with it is cut', () => {
    const f = run(`${'a'.repeat(300_000)}\nbee-1 ${'b'.repeat(300_000)}\n`, [1000, 200_000], 'bee-1');
    expect(f.kept).toHaveLength(1);
    expect(f.kept[0]?.line).toBe(2);
    expect(f.kept[0]?.text.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('without line counting (journal JSON) it keeps the same lines, numbered in the order kept', () => {
    const text = Array.from({ length: 30 }, (_, i) => (i % 3 ? `x ${i}` : `y ${i} bee-1`)).join('\n');
    const f = new LineFilter('bee-1', 100, false);
    const b = Buffer.from(text);
    for (let at = 0; at < b.length; at += 7) f.push(b.subarray(at, at + 7));
    f.end();
    expect(f.kept.map((k) => k.text)).toEqual(expected(text, 'bee-1').kept.map((k) => k.text));
    expect(f.kept.map((k) => k.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(f.lines).toBe(0);
  });
});

describe('journalEntry', () => {
  it('reads the cursor and the message (a byte array when journald stored it so)', () => {
    expect(journalEntry('{"__CURSOR":"s=ab;i=1f","MESSAGE":"[09:12:04Z]   → bee-1: no_change wall=1.0s","_SYSTEMD_UNIT":"dogfood-loop.service"}')).toEqual({
      cursor: 's=ab;i=1f',
      message: '[09:12:04Z]   → bee-1: no_change wall=1.0s',
    });
    expect(journalEntry(JSON.stringify({ __CURSOR: 'c', MESSAGE: [...Buffer.from('bee-1 \u00e9')] }))?.message).toBe('bee-1 \u00e9');
  });
  it('anything else is not an entry', () => {
    for (const l of ['not json', '[1,2]', '{"MESSAGE":"x"}', '{"__CURSOR":"","MESSAGE":"x"}', '{"__CURSOR":"c","MESSAGE":[300]}', '{"__CURSOR":"c"}']) expect(journalEntry(l)).toBeNull();
  });
});
