// The console's reusing squeue parser: an unchanged line gives back the previous poll's
// job; the result always equals parseSqueue's; and jobs kept for many polls do not keep
// old stdouts alive (measured with a real GC).
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSqueue, type QueueJob } from '../../../src/slurm/squeue-parse.js';
import { createSqueueParser } from '../../../src/slurm/squeue-reuse.js';

const ALL = new TextDecoder().decode(readFileSync(new URL('../../../fixtures/squeue/slurm-22.05-all-states.txt', import.meta.url)));
const lines = ALL.split('\n').filter((l) => l !== '');
const text = (ls: string[]): string => `${ls.join('\n')}\n`;
const byId = (jobs: QueueJob[], id: string): QueueJob => jobs.find((j) => j.jobId === id)!;
/** Job 25 ran `s` seconds (its TimeUsed is 0:03 in the fixture). */
const job25At = (s: number): string => text(lines.map((l) => (l.startsWith('25\x1f') ? l.replace('\x1f0:03\x1f', `\x1f0:${String(s).padStart(2, '0')}\x1f`) : l)));

describe('createSqueueParser', () => {
  it('reuses a job from its second unchanged poll on, and parses a changed line afresh', () => {
    const parse = createSqueueParser();
    const p1 = parse(ALL);
    expect(p1.skipped).toHaveLength(3); // the fixture's malformed lines, parsed (and skipped) at every poll
    expect(p1.jobs).toEqual(parseSqueue(ALL).jobs);
    // First time unchanged: parsed once more, from a copy of the line (nothing reused yet).
    const p2 = parse(ALL);
    expect(p2.reused).toBe(0);
    expect(p2.jobs).toEqual(p1.jobs);
    // From then on the same objects, except job 25, which ran one more second.
    const p3 = parse(job25At(4));
    expect(p3.reused).toBe(p1.jobs.length - 1);
    expect(p3.jobs).toEqual(parseSqueue(job25At(4)).jobs);
    for (const j of p3.jobs) {
      if (j.jobId === '25') {
        expect(j).not.toBe(byId(p2.jobs, '25'));
        expect(j.timeUsedSeconds).toBe(4);
      } else expect(j).toBe(byId(p2.jobs, j.jobId));
    }
    const p4 = parse(job25At(4));
    expect(p4.reused).toBe(p1.jobs.length - 1);
    const p5 = parse(job25At(4));
    expect(p5.reused).toBe(p1.jobs.length);
    expect(byId(p5.jobs, '25')).toBe(byId(p4.jobs, '25'));
  });

  it('forgets a job that one poll did not list', () => {
    const parse = createSqueueParser();
    parse(ALL);
    parse(ALL);
    const without = parse(text(lines.filter((l) => !l.startsWith('25\x1f'))));
    expect(without.reused).toBe(without.jobs.length);
    const back = parse(ALL);
    expect(back.reused).toBe(back.jobs.length - 1);
    expect(byId(back.jobs, '25')).toEqual(byId(parseSqueue(ALL).jobs, '25'));
  });

  it('hands out its own array: a caller sorting the result does not change the next poll', () => {
    const parse = createSqueueParser();
    parse(ALL);
    const r = parse(ALL);
    r.jobs.reverse();
    expect(parse(ALL).jobs).toEqual(parseSqueue(ALL).jobs);
  });

  it('matches parseSqueue over any sequence of polls (lines kept, changed, moved, dropped, malformed, CRLF)', () => {
    const pool = fc.constantFrom(
      ...lines,
      ...lines.map((l) => l.replace(/\x1f(\d+):(\d\d)\x1f/, '\x1f$1:59\x1f')),
      ...lines.map((l) => `${l}\r`),
      '12\x1fshort\x1f',
      '\uFFFD\x1f'.repeat(14),
      `77\x1f${'x\x1f'.repeat(13)}trailing`,
      'no delimiter at all',
      '',
    );
    fc.assert(
      fc.property(fc.array(fc.array(pool, { maxLength: 30 }), { minLength: 1, maxLength: 8 }), (polls) => {
        const parse = createSqueueParser();
        for (const poll of polls) {
          const t = poll.join('\n');
          const r = parse(t);
          const fresh = parseSqueue(t);
          expect(r.jobs).toEqual(fresh.jobs);
          expect(r.skipped).toEqual(fresh.skipped);
        }
      }),
      { numRuns: 400 },
    );
  });

  // The order matters: a job parsed from its own copy must not take strings from the
  // line parsed before it (the parser shares equal values between neighbouring lines).
  it.each([
    ['stable, new, running', ['stable', 'new', 'running']],
    ['running first', ['running', 'stable', 'new']],
    ['newest pending first', ['newNewestFirst', 'running', 'stable']],
  ] as const)('jobs kept for many polls do not keep the old stdouts alive (%s)', (_name, order) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // 300 pending jobs that never change, 100 running ones that change at every poll, and
    // one new pending job per poll that stays. Every line carries the same 2,000-character
    // work dir, so one stdout is ~0.8 MB; 60 polls would keep ~48 MB if old stdouts stayed.
    const dir = `/scratch/${'w'.repeat(2000)}`;
    const row = (id: number, state: string, used: string): string =>
      [
        String(id),
        `swarm-job-${id}`,
        state,
        state === 'PENDING' ? 'Priority' : 'None',
        used,
        '1:00:00',
        state === 'PENDING' ? '' : 'n1',
        '2026-11-23T10:00:00+0000',
        'N/A',
        'u',
        'p',
        dir,
        '(null)',
        '/x/%j.log',
      ]
        .map((f) => `${f}\x1f`)
        .join('');
    const stdoutAt = (poll: number): string => {
      const parts: Record<string, string[]> = { stable: [], new: [], newNewestFirst: [], running: [] };
      for (let i = 0; i < 300; i++) parts['stable']!.push(row(1000 + i, 'PENDING', '0:00'));
      for (let i = 0; i < poll; i++) parts['new']!.push(row(5000 + i, 'PENDING', '0:00'));
      parts['newNewestFirst'] = [...parts['new']!].reverse();
      for (let i = 0; i < 100; i++) parts['running']!.push(row(9000 + i, 'RUNNING', `${Math.floor(poll / 60)}:${String(poll % 60).padStart(2, '0')}`));
      return text(order.flatMap((k) => parts[k]!));
    };
    const oneStdout = stdoutAt(60).length * 2; // bytes, at worst two-byte characters
    const parse = createSqueueParser();
    gc();
    const before = process.memoryUsage().heapUsed;
    let last = parse(stdoutAt(0));
    for (let p = 1; p <= 60; p++) last = parse(stdoutAt(p));
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    expect(last.jobs).toHaveLength(300 + 60 + 100);
    // The newest pending job is new; the one before is on its first unchanged poll (parsed again, from its copy).
    expect(last.reused).toBe(300 + 58);
    expect(last.jobs).toEqual(parseSqueue(stdoutAt(60)).jobs);
    // The current and previous stdouts, the private copies of the 360 stable lines, the
    // jobs: well under 6 stdouts. Keeping each poll's stdout would be ~60.
    expect(kept, `${kept} bytes kept; one stdout ${oneStdout} bytes`).toBeLessThan(6 * oneStdout);
  });
});
