// The signature catalogue and matcher: every kind fires on its real and runbook
// shapes, and the negatives (a stray line, quoted tool output, an old occurrence
// followed by success, unrelated words) do not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitLogRecords } from '../../../src/recovery/log-records.js';
import { countWriteToolCalls, findSessionStarts, matchSignatures, type KindMatch, type MatchOptions } from '../../../src/recovery/signature-match.js';
import { BEEFCAKE_CATALOGUE, RUNBOOK_CATALOGUE } from '../../../src/config/signature-catalogue.js';
import { LOG_DIAGNOSIS_KINDS, signatureCatalogueOverrideSchema, signatureCatalogueSchema, type SignatureCatalogue } from '../../../src/config/signatures.js';
import { mergeCatalogue } from '../../../src/config/signatures-merge.js';

const read = (p: string): string => readFileSync(new URL(`../../../fixtures/${p}`, import.meta.url), 'utf8');

function run(file: string, cat: SignatureCatalogue = BEEFCAKE_CATALOGUE, opts: MatchOptions = {}): Record<string, KindMatch> {
  const out: Record<string, KindMatch> = {};
  for (const m of matchSignatures(splitLogRecords(read(file)), cat, opts)) out[m.kind] = m;
  return out;
}

function fired(res: Record<string, KindMatch>): string[] {
  return Object.values(res)
    .filter((m) => m.fired)
    .map((m) => m.kind);
}

/** The physical line (1-based) of a fixture, ANSI-free. */
function lineOf(file: string, n: number): string {
  return (read(file).split(/\r?\n/)[n - 1] ?? '').replace(/\x1b\[[0-9;]*m/g, '');
}

describe('catalogues', () => {
  it('both defaults validate, are JSON-serialisable and cover every log kind', () => {
    for (const cat of [RUNBOOK_CATALOGUE, BEEFCAKE_CATALOGUE]) {
      const roundTrip = JSON.parse(JSON.stringify(cat)) as unknown;
      expect(roundTrip).toEqual(cat);
      const parsed = signatureCatalogueSchema.safeParse(roundTrip);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      if (parsed.success) {
        const typed: SignatureCatalogue = parsed.data; // the schema's output is a catalogue
        expect(matchSignatures([], typed)).toHaveLength(5);
      }
      expect(cat.kinds.map((k) => k.kind)).toEqual([...LOG_DIAGNOSIS_KINDS]);
    }
  });

  it('the beefcake catalogue carries every runbook pattern too', () => {
    const beef = new Set(BEEFCAKE_CATALOGUE.kinds.flatMap((k) => k.evidence.map((e) => `${k.kind}/${e.pattern}`)));
    for (const k of RUNBOOK_CATALOGUE.kinds) for (const e of k.evidence) expect(beef.has(`${k.kind}/${e.pattern}`), e.id).toBe(true);
  });

  it('rejects bad regexps, g flags, duplicate ids and unknown requires', () => {
    const bad = (mut: (c: SignatureCatalogue) => void): boolean => {
      const c = JSON.parse(JSON.stringify(BEEFCAKE_CATALOGUE)) as SignatureCatalogue;
      mut(c);
      return signatureCatalogueSchema.safeParse(c).success;
    };
    expect(bad((c) => (c.kinds[0]!.evidence[0]!.pattern = '(unclosed'))).toBe(false);
    expect(bad((c) => (c.kinds[0]!.evidence[0]!.flags = 'g'))).toBe(false);
    expect(bad((c) => c.kinds[0]!.evidence.push({ ...c.kinds[0]!.evidence[0]! }))).toBe(false);
    expect(bad((c) => (c.kinds[0]!.evidence[0]!.requires = ['nope']))).toBe(false);
    expect(bad(() => undefined)).toBe(true);
    // optional lists may be left out
    expect(signatureCatalogueSchema.parse({ name: 'min', version: 1, kinds: [] })).toMatchObject({ resolved: [], payload: [], signals: { write_tool_calls: [] } });
  });

  it('a site override replaces, adds and disables entries by id', () => {
    const over = signatureCatalogueOverrideSchema.parse({
      name: 'site',
      kinds: [
        { kind: 'stuck_loop', evidence: [{ id: 'circuit_breaker', pattern: 'NEVER-MATCHES', enabled: false }] },
        { kind: 'budget_exhausted', evidence: [{ id: 'site_budget', pattern: 'Site budget gone', source: 'site' }] },
      ],
    });
    const cat = mergeCatalogue(BEEFCAKE_CATALOGUE, over);
    expect(signatureCatalogueSchema.safeParse(cat).success).toBe(true);
    expect(cat.name).toBe('site');
    const text = '2026-04-16T14:14:19.888702Z ERROR swarm_agents::driver: No-change circuit breaker (state driver) iteration=4\nSite budget gone';
    const res = matchSignatures(splitLogRecords(text), cat);
    expect(res.find((m) => m.kind === 'stuck_loop')?.fired).toBe(false);
    expect(res.find((m) => m.kind === 'budget_exhausted')?.evidence).toMatchObject([{ id: 'site_budget', line: 2 }]);
    // the base catalogue is untouched
    expect(matchSignatures(splitLogRecords(text), BEEFCAKE_CATALOGUE).find((m) => m.kind === 'stuck_loop')?.fired).toBe(true);
  });
});

describe('stuck_loop on the real sample (swarm-orch-2317)', () => {
  const file = 'beefcake/swarm-orch-2317.stuck-loop.log';
  const res = run(file);
  const stuck = res['stuck_loop']!;

  it('fires via the circuit breaker, the repeated no-change lines and the write-deadline pair', () => {
    expect(fired(res)).toEqual(['stuck_loop']);
    expect(stuck.triggers).toEqual(expect.arrayContaining(['circuit_breaker', 'no_change', 'write_deadline_cancelled']));
    expect(stuck.groups).toEqual(expect.arrayContaining(['circuit_breaker', 'no_change', 'write_deadline']));
  });

  it('cites the right lines with captures', () => {
    const at = (line: number) => stuck.evidence.find((e) => e.line === line);
    expect(at(75)).toMatchObject({ id: 'write_deadline_exceeded', role: 'support', captures: { turn: '9', max_turns: '8' } });
    expect(at(78)).toMatchObject({ id: 'write_deadline_cancelled', role: 'trigger', captures: { turns: '9', limit: '8' } });
    expect(at(91)).toMatchObject({ id: 'no_change', captures: { iteration: '2', consecutive: '1' } });
    expect(at(104)).toMatchObject({ id: 'no_change', captures: { consecutive: '2' } });
    expect(at(118)).toMatchObject({ id: 'no_change', captures: { consecutive: '3', terminated_without_writing: 'false' } });
    expect(at(119)).toMatchObject({ id: 'circuit_breaker', captures: { iteration: '4' } });
    for (const e of stuck.evidence) {
      expect(e.text).not.toContain('\x1b');
      expect(lineOf(file, e.line)).toContain(e.text.split(' ').slice(3).join(' ').slice(0, 40));
    }
    expect(stuck.evidence.map((e) => e.line)).toEqual([75, 77, 78, 91, 104, 118, 119]);
  });

  it('the circuit breaker alone is enough; the write-deadline pair alone is enough', () => {
    const lines = read(file).split('\n');
    const only = (ns: number[]) => matchSignatures(splitLogRecords(ns.map((n) => lines[n - 1]).join('\n')), BEEFCAKE_CATALOGUE)[0]!;
    expect(only([119]).fired).toBe(true);
    expect(only([75, 78])).toMatchObject({ fired: true, triggers: ['write_deadline_cancelled'] });
    expect(only([78]).fired).toBe(false); // half of the pair
    expect(only([75]).fired).toBe(false);
    expect(only([91]).fired).toBe(false); // one no-change line, consecutive=1
    expect(only([104]).fired).toBe(true); // consecutive_no_change=2 says it repeated
  });

  it('finds no successful writes (text mode) but seven tool calls', () => {
    const w = countWriteToolCalls(splitLogRecords(read(file)));
    expect(w).toMatchObject({ writes: 0, toolCalls: 7, toolCallsFrom: 'tool_call_completed', adapterReports: { written: 0, notWritten: 4 } });
  });

  it('finds the session start', () => {
    expect(findSessionStarts(splitLogRecords(read(file)))).toEqual([{ line: 8, issueId: 'beefcake-7xjmj' }]);
  });

  it('matches the same on CRLF and on a tail window numbered from its first line', () => {
    const crlf = matchSignatures(splitLogRecords(read(file).replace(/\n/g, '\r\n')), BEEFCAKE_CATALOGUE)[0]!;
    expect(crlf.evidence).toEqual(stuck.evidence);
    const lines = read(file).split('\n');
    const tail = lines.slice(99).join('\n');
    const win = matchSignatures(splitLogRecords(tail, { firstLine: 100 }), BEEFCAKE_CATALOGUE)[0]!;
    expect(win.fired).toBe(true);
    expect(win.evidence.map((e) => e.line)).toEqual([104, 118, 119]);
  });

  it('the runbook catalogue does not see this incident (the runbook string is not printed)', () => {
    expect(fired(run(file, RUNBOOK_CATALOGUE))).toEqual([]);
  });
});

describe('stuck_loop, other shapes', () => {
  it('older sandbox wording "No meaningful changes after agent response", no ANSI', () => {
    const s = run('logs/no-meaningful-change.beefcake.txt')['stuck_loop']!;
    expect(s).toMatchObject({ fired: true, triggers: ['no_meaningful_change'], count: 2 });
    expect(s.evidence.map((e) => e.captures['consecutive'])).toEqual(['1', '2']);
  });

  it('writes happened but nothing changed: stuck, with successful edit_file calls counted once each', () => {
    const file = 'logs/stuck-with-writes.beefcake.txt';
    const res = run(file);
    expect(fired(res)).toEqual(['stuck_loop']);
    const w = countWriteToolCalls(splitLogRecords(read(file)));
    expect(w).toMatchObject({ writes: 3, writesFrom: 'tool_call_completed_write', adapterReports: { written: 3, notWritten: 0 } });
    expect(lineOf(file, w.evidence[0]!.line)).toContain('Tool call completed');
    // the tool result quotes the runbook phrase; it must not add evidence
    expect(res['stuck_loop']!.evidence.every((e) => !e.text.includes('would be wrong'))).toBe(true);
  });

  it('runbook shape (legacy orchestrator line) fires in both catalogues', () => {
    for (const cat of [RUNBOOK_CATALOGUE, BEEFCAKE_CATALOGUE]) {
      const s = run('logs/stuck.runbook.txt', cat)['stuck_loop']!;
      expect(s.fired).toBe(true);
      expect(s.triggers).toEqual(['runbook_no_change']);
      expect(s.evidence.map((e) => e.line)).toEqual([3, 5, 7]);
    }
    expect(countWriteToolCalls(splitLogRecords(read('logs/stuck.runbook.txt')), RUNBOOK_CATALOGUE)).toMatchObject({ writes: 0, toolCalls: 3 });
  });

  it('runbook shape as plain lines (no timestamps) fires on repetition; write tool_call lines count', () => {
    const file = 'logs/stuck-plain.runbook.txt';
    const s = run(file, RUNBOOK_CATALOGUE)['stuck_loop']!;
    expect(s).toMatchObject({ fired: true, count: 2 });
    expect(s.evidence.map((e) => e.line)).toEqual([2, 4]);
    expect(countWriteToolCalls(splitLogRecords(read(file)), RUNBOOK_CATALOGUE)).toMatchObject({ writes: 2, writesFrom: 'runbook_tool_call_write' });
  });
});

describe('output_parse_failure', () => {
  it('real: the 500 wrapper with "Failed to parse input at pos N", the retry, then Agent failed', () => {
    const file = 'logs/parse-failure.beefcake.txt';
    const res = run(file);
    expect(fired(res)).toEqual(['output_parse_failure']);
    const p = res['output_parse_failure']!;
    expect(p.triggers).toEqual(['parse_input_pos']);
    expect(p.evidence.map((e) => [e.line, e.id, e.captures['pos']])).toEqual([
      [11, 'parse_input_pos', '18234'],
      [13, 'parse_input_pos', '18234'],
    ]);
    expect(p.evidence[0]!.captures['attempt']).toBe('1'); // merged from the retry entry on the same line
    expect(lineOf(file, 11)).toContain('category=parse_failure');
    expect(lineOf(file, 13)).toContain('Agent failed (state driver)');
    expect(p.evidence[0]!.text.length).toBeLessThanOrEqual(300);
  });

  it('real, newer llama.cpp: "does not match the expected peg-native format"', () => {
    const res = run('logs/peg-native.beefcake.txt');
    expect(fired(res)).toEqual(['output_parse_failure']);
    expect(res['output_parse_failure']!.triggers).toEqual(['peg_native_format']);
  });

  it('runbook shape: "HTTP 500 Failed to parse input at pos N" (not a context overflow)', () => {
    for (const cat of [RUNBOOK_CATALOGUE, BEEFCAKE_CATALOGUE]) {
      const res = run('logs/http500.runbook.txt', cat);
      expect(fired(res)).toEqual(['output_parse_failure']);
      expect(res['output_parse_failure']!.evidence).toMatchObject([{ line: 3, captures: { pos: '18234' } }]);
    }
  });

  it('an old parse failure followed by a successful iteration is not current', () => {
    const p = run('logs/neg-parse-then-success.beefcake.txt')['output_parse_failure']!;
    expect(p.fired).toBe(false);
    expect(p.staleCount).toBe(1);
    expect(p.ruledOutBy).toMatchObject({ id: 'verifier_passed', reason: 'rule_out' });
    expect(lineOf('logs/neg-parse-then-success.beefcake.txt', p.ruledOutBy!.line)).toContain('Verifier passed');
  });
});

describe('context_overflow', () => {
  it('real: the 400 with N and M tokens', () => {
    const res = run('logs/context-overflow.beefcake.txt');
    expect(fired(res)).toEqual(['context_overflow']);
    const c = res['context_overflow']!;
    expect(c.evidence).toHaveLength(1);
    expect(c.evidence[0]).toMatchObject({ line: 11, captures: { requested: '215873', available: '196608' } });
  });

  it('unrelated messages containing "context", "cloud" or "budget" do not fire anything', () => {
    const res = run('logs/neg-context-words.beefcake.txt');
    expect(fired(res)).toEqual([]);
    expect(Object.values(res).every((m) => m.count === 0)).toBe(true);
  });
});

describe('cloud_escalation_failed', () => {
  it('real: script echo without timestamp, validation error, external judgment, fallback failed', () => {
    const file = 'logs/cloud-failure.beefcake.txt';
    const c = run(file)['cloud_escalation_failed']!;
    expect(c.fired).toBe(true);
    expect(c.triggers).toEqual(expect.arrayContaining(['cloud_model_unavailable', 'cloud_validation_error', 'harness_judgment_rejected', 'fallback_failed', 'http_auth_quota']));
    const echo = c.evidence.find((e) => e.id === 'cloud_model_unavailable')!;
    expect(echo).toMatchObject({ line: 2, captures: { model: 'claude-sonnet-4-6', http: '401', fallback: 'Qwen3.5-27B-Distilled' } });
    expect(c.evidence.find((e) => e.id === 'cloud_validation_error')?.captures['model']).toBe('gemini-3-pro-preview');
    expect(c.evidence.find((e) => e.id === 'harness_judgment_rejected')?.captures).toEqual({ iteration: '1', required: '1', observed: '0' });
    expect(c.evidence.find((e) => e.id === 'fallback_failed')?.captures['model']).toBe('gpt-5.2-codex');
    for (const e of c.evidence) expect(lineOf(file, e.line).length).toBeGreaterThan(0);
  });

  it('real, CRLF: owned_by echo and the cloud-only abort', () => {
    const c = run('logs/cloud-only.beefcake.crlf.txt')['cloud_escalation_failed']!;
    expect(c.fired).toBe(true);
    expect(c.evidence.map((e) => [e.line, e.id])).toEqual([
      [2, 'cloud_model_owned_by'],
      [5, 'cloud_only_unreachable'],
    ]);
    expect(c.evidence[0]!.captures).toEqual({ model: 'claude-opus-4-6', owner: 'openrouter', fallback: 'Qwen3.5-27B-Distilled' });
    expect(c.evidence[1]!.captures['url']).toBe('http://10.0.0.5:8317/v1');
    expect(c.evidence[1]!.text).not.toContain('\r');
  });

  it('runbook shape: "Cloud preflight failed"', () => {
    for (const cat of [RUNBOOK_CATALOGUE, BEEFCAKE_CATALOGUE]) {
      const res = run('logs/cloud-preflight.runbook.txt', cat);
      expect(fired(res)).toEqual(['cloud_escalation_failed']);
      expect(res['cloud_escalation_failed']!.evidence[0]).toMatchObject({ id: 'runbook_cloud_preflight', line: 2 });
    }
  });

  it('a script echo printed after the binary started (a continuation line) still counts', () => {
    const text = [
      '2026-04-16T14:14:21.588019Z  INFO swarm_agents::driver: ',
      '=== Swarm Self-Improvement Dashboard ===',
      'Cloud model claude-sonnet-4-6 unavailable (http=403); falling back to Qwen3.5-27B-Distilled',
    ].join('\n');
    const c = matchSignatures(splitLogRecords(text), BEEFCAKE_CATALOGUE).find((m) => m.kind === 'cloud_escalation_failed')!;
    expect(c.evidence).toMatchObject([{ line: 3, captures: { http: '403' } }]);
  });
});

describe('budget_exhausted', () => {
  it('real: Global budget exhausted, Max iterations reached, Budget exhausted (state driver)', () => {
    const res = run('logs/budget.beefcake.txt');
    expect(fired(res)).toEqual(['budget_exhausted']);
    const b = res['budget_exhausted']!;
    expect(b.evidence.map((e) => e.id)).toEqual(['global_budget_exhausted', 'max_iterations', 'budget_exhausted_state']);
    expect(b.evidence[0]!.captures).toEqual({ used: '11', limit: '10' });
    expect(b.evidence[2]!.captures).toEqual({ state: 'implementing', reason: 'iteration budget exhausted: 11/10 (Worker)' });
  });
});

describe('negatives', () => {
  it('a single stray no-change line does not fire (real and runbook)', () => {
    const real = run('logs/neg-single-no-change.beefcake.txt')['stuck_loop']!;
    expect(real).toMatchObject({ fired: false, count: 1 });
    const rb = run('logs/neg-single-no-change.runbook.txt', RUNBOOK_CATALOGUE)['stuck_loop']!;
    expect(rb).toMatchObject({ fired: false, count: 1 });
  });

  it('phrases quoted in tool output, tool arguments, span fields or the model answer never count', () => {
    for (const cat of [BEEFCAKE_CATALOGUE, RUNBOOK_CATALOGUE]) {
      for (const file of ['logs/neg-quoted-tool-output.beefcake.txt', 'logs/neg-quoted-tool-output.runbook.txt']) {
        const res = run(file, cat);
        expect(fired(res), `${cat.name} ${file}`).toEqual([]);
        expect(
          Object.values(res).reduce((n, m) => n + m.count, 0),
          `${cat.name} ${file}`,
        ).toBe(0);
      }
    }
    // …but the very same text outside a payload does
    const bare = read('logs/neg-quoted-tool-output.beefcake.txt')
      .split('\n')
      .filter((l) => /^\d+: /.test(l))
      .map((l) => l.replace(/^\d+: /, ''))
      .join('\n');
    const res = matchSignatures(splitLogRecords(bare), BEEFCAKE_CATALOGUE);
    expect(
      res
        .filter((m) => m.fired)
        .map((m) => m.kind)
        .sort(),
    ).toEqual(['budget_exhausted', 'cloud_escalation_failed', 'context_overflow', 'output_parse_failure', 'stuck_loop']);
  });

  it('old no-change lines followed by a successful iteration and a resolved session are not current', () => {
    const file = 'logs/neg-resolved-after.beefcake.txt';
    const res = run(file);
    expect(fired(res)).toEqual([]);
    const s = res['stuck_loop']!;
    expect(s.staleCount).toBe(2);
    expect(s.evidence).toEqual([]);
    expect(s.ruledOutBy?.reason).toBe('resolved');
    expect(lineOf(file, s.ruledOutBy!.line)).toContain('Issue closed');
  });

  it('a later resolution known from the session log (resolvedAt) makes occurrences old', () => {
    const file = 'beefcake/swarm-orch-2317.stuck-loop.log';
    expect(run(file, BEEFCAKE_CATALOGUE, { resolvedAt: '2026-04-16T14:20:00.000000000Z' })['stuck_loop']).toMatchObject({
      fired: false,
      ruledOutBy: { id: 'resolved_at', reason: 'resolved_at' },
    });
    // resolved between the write-deadline failure and the no-change lines: only the later ones count
    const mid = run(file, BEEFCAKE_CATALOGUE, { resolvedAt: '2026-04-16T14:05:00Z' })['stuck_loop']!;
    expect(mid.fired).toBe(true);
    expect(mid.evidence.map((e) => e.line)).toEqual([91, 104, 118, 119]);
  });

  it('an occurrence after the rule-out is current again', () => {
    const text = [
      '2026-04-16T14:07:32.912582Z  WARN swarm_agents::driver: No file changes (state driver) iteration=2 consecutive_no_change=1',
      '2026-04-16T14:08:32.912582Z  INFO swarm_agents::driver: Verifier report (state driver) iteration=3 all_green=false',
      '2026-04-16T14:09:32.912582Z  WARN swarm_agents::driver: No file changes (state driver) iteration=4 consecutive_no_change=1',
      '2026-04-16T14:10:32.912582Z  WARN swarm_agents::driver: No file changes (state driver) iteration=5 consecutive_no_change=2',
    ].join('\n');
    const s = matchSignatures(splitLogRecords(text), BEEFCAKE_CATALOGUE)[0]!;
    expect(s).toMatchObject({ fired: true, staleCount: 1, count: 2 });
    expect(s.evidence.map((e) => e.line)).toEqual([3, 4]);
  });
});

describe('options', () => {
  const recs = splitLogRecords(read('beefcake/swarm-orch-2317.stuck-loop.log'));

  it('caps evidence count and text length; fromLine scopes to a session', () => {
    const s = matchSignatures(recs, BEEFCAKE_CATALOGUE, { maxEvidence: 2, maxTextLength: 40 })[0]!;
    expect(s.evidence.map((e) => e.line)).toEqual([118, 119]);
    expect(s.count).toBe(7);
    for (const e of s.evidence) {
      expect(e.text.length).toBeLessThanOrEqual(40);
      expect(e.text.endsWith('…')).toBe(true);
    }
    const late = matchSignatures(recs, BEEFCAKE_CATALOGUE, { fromLine: 100 })[0]!;
    expect(late.evidence.map((e) => e.line)).toEqual([104, 118, 119]);
  });
});
