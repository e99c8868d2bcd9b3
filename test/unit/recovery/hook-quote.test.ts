// The failure hook quotes its own diagnosis into the job log (slurm/swarm-job.sbatch, each line
// prefixed `swarm-job: diagnose: `): a later diagnose of that log must find exactly what it
// found before, no quoted evidence counted twice, no quoted session start.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOGUES } from '../../../src/config/signature-catalogue.js';
import { splitLogRecords } from '../../../src/recovery/log-records.js';
import { findSessionStarts, matchSignatures } from '../../../src/recovery/signature-match.js';

const log = readFileSync(new URL('../../../fixtures/beefcake/swarm-orch-2317.stuck-loop.log', import.meta.url), 'utf8');

function quoted(text: string): string {
  const evidence = text.split('\n').filter((l) => /No file changes|No-change circuit breaker|Processing CLI issue|write deadline exceeded/.test(l));
  const doc = JSON.stringify({ status: 'diagnosed', diagnoses: [{ kind: 'stuck_loop', evidence: evidence.map((t) => ({ file: 'x.log', text: t })) }] }, null, 2);
  return ['swarm-job: command exited with 3 at 2026-04-16T14:40:00+00:00', ...doc.split('\n').map((l) => `swarm-job: diagnose: ${l}`), 'swarm-job: failure hook: diagnosed (above)'].join('\n');
}

describe('the failure hook quoting its diagnosis', () => {
  for (const name of ['beefcake', 'runbook', 'python-worker'] as const) {
    it(`${name}: the same matches and session starts with the quote appended`, () => {
      const cat = DEFAULT_CATALOGUES[name];
      const before = splitLogRecords(log);
      const after = splitLogRecords(`${log.replace(/\n$/, '')}\n${quoted(log)}\n`);
      const strip = (ms: ReturnType<typeof matchSignatures>) => ms.map((m) => ({ kind: m.kind, fired: m.fired, count: m.count, lines: m.evidence.map((e) => e.line) }));
      expect(strip(matchSignatures(after, cat))).toEqual(strip(matchSignatures(before, cat)));
      expect(findSessionStarts(after, cat)).toEqual(findSessionStarts(before, cat));
    });
  }

  it('without the prefix the quote WOULD count again (the test can fail)', () => {
    const cat = DEFAULT_CATALOGUES.beefcake;
    const bare = quoted(log).replaceAll('swarm-job: diagnose: ', '');
    const count = (t: string) => matchSignatures(splitLogRecords(t), cat).find((m) => m.kind === 'stuck_loop')?.count ?? 0;
    expect(count(`${log}\n${bare}\n`)).toBeGreaterThan(count(log));
  });
});
