// Property tests: the batch parsers take whatever a broken queue, a half-written NFS file
// or an operator's typo produces without throwing, and accepted issue ids are always safe.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDiscovery } from '../../../src/discovery/parse.js';
import { issueFromJobName, renderJobName } from '../../../src/slurm/job-name.js';
import { classifySbatchFailure, parseSbatchParsable } from '../../../src/slurm/sbatch-parse.js';
import { parseScontrolPing, parseSinfoNodes } from '../../../src/slurm/states.js';
import { SQUEUE_FIELDS } from '../../../src/slurm/squeue-format.js';
import { parseSlurmDuration, parseSlurmTimestamp, parseSqueue } from '../../../src/slurm/squeue-parse.js';
import { parseEnvAssignment, validateIssueId } from '../../../src/config/validate.js';

const RUNS = { numRuns: 500 };
const US = '\x1f';

// Text made mostly of the characters that matter to the parsers.
const tokenText = fc
  .array(
    fc.oneof(
      fc.constantFrom(US, '\n', '\r\n', '\r', '\uFFFD', '(null)', 'N/A', 'RUNNING', 'PENDING', '1-02:03:04', '12:34', '{', '}', '"', ':', ','),
      fc.string({ maxLength: 8 }),
      fc.stringMatching(/^\d{1,6}$/),
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

const anyText = fc.oneof(fc.string({ maxLength: 400, unit: 'binary' }), tokenText);
const bytesAsUtf8 = fc.uint8Array({ maxLength: 600 }).map((b) => new TextDecoder('utf-8').decode(b));

describe('parseSqueue', () => {
  it('never throws and accounts for every non-empty line', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, bytesAsUtf8), (text) => {
        const r = parseSqueue(text);
        const lines = text.split('\n').filter((l) => l !== '' && l !== '\r').length;
        expect(r.jobs.length + r.skipped.length).toBe(lines);
        for (const j of r.jobs) {
          expect(j.jobId).not.toBe('');
          expect(j.jobId).not.toContain('\uFFFD');
          expect(j.jobId).toMatch(/^\d/);
        }
      }),
      RUNS,
    );
  });

  it('keeps any name without 0x1F or a line break exactly', () => {
    const name = fc.string({ maxLength: 40, unit: 'grapheme' }).filter((s) => !/[\x1f\n\r]/.test(s));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), name, (id, jobName) => {
        const fields = SQUEUE_FIELDS.map(() => 'x');
        fields[0] = String(id);
        fields[1] = jobName;
        fields[2] = 'RUNNING';
        const r = parseSqueue(`${fields.map((f) => `${f}${US}`).join('')}\n`);
        expect(r.skipped).toEqual([]);
        expect(r.jobs[0]!.name).toBe(jobName);
        expect(r.jobs[0]!.jobId).toBe(String(id));
      }),
      RUNS,
    );
  });
});

describe('squeue value parsers', () => {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

  it('timestamps with any offset give the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 11, 31) }), fc.integer({ min: -12 * 60, max: 14 * 60 }), fc.boolean(), (ms0, offsetMin, colon) => {
        const ms = Math.floor(ms0 / 1000) * 1000;
        const local = new Date(ms + offsetMin * 60_000);
        const abs = Math.abs(offsetMin);
        const zone = `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
        const text =
          `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` + `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
        expect(parseSlurmTimestamp(`${text}${zone}`)).toBe(new Date(ms).toISOString());
        expect(parseSlurmTimestamp(text, offsetMin)).toBe(new Date(ms).toISOString());
      }),
      RUNS,
    );
  });

  it('durations printed the way SLURM prints them read back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), (secs) => {
        const d = Math.floor(secs / 86_400);
        const h = Math.floor((secs % 86_400) / 3600);
        const m = Math.floor((secs % 3600) / 60);
        const s = secs % 60;
        // secs2time_str: days and hours only when needed
        const text = d > 0 ? `${d}-${pad(h)}:${pad(m)}:${pad(s)}` : h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
        expect(parseSlurmDuration(text)).toBe(secs);
      }),
      RUNS,
    );
  });

  it('never throw on junk and only return finite values', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const t = parseSlurmTimestamp(text);
        if (t !== null) expect(Number.isNaN(Date.parse(t))).toBe(false);
        const d = parseSlurmDuration(text);
        if (d !== null) expect(Number.isFinite(d) && d >= 0).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('parseDiscovery', () => {
  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.oneof(anyText, bytesAsUtf8), (file, text) => {
        const r = parseDiscovery(file, text);
        if (!r.ok) expect(typeof r.reason).toBe('string');
      }),
      RUNS,
    );
  });

  it('never throws on any JSON, and what it accepts is usable', () => {
    const obj = fc.record(
      {
        host: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('vasp-02', '10.0.0.1', '::1', 'a b', 'x/y'), fc.jsonValue()),
        port: fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.string({ maxLength: 6 }), fc.jsonValue()),
        job_id: fc.jsonValue(),
        tier: fc.jsonValue(),
        models: fc.jsonValue(),
        model: fc.jsonValue(),
        started_at: fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue()),
        health_url: fc.jsonValue(),
        pid: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.constantFrom('2288-14b.json', '1001-fast.json', 'x.json', ''), fc.oneof(obj, fc.jsonValue()), (file, value) => {
        const r = parseDiscovery(file, JSON.stringify(value) ?? '');
        if (r.ok) {
          expect(r.record.port).toBeGreaterThanOrEqual(1);
          expect(r.record.port).toBeLessThanOrEqual(65535);
          expect(r.record.host).not.toMatch(/[\s/@]/);
          expect(() => new URL(r.record.healthUrl)).not.toThrow();
          expect(typeof r.record.jobId).toBe('string');
          if (r.record.startedAt !== null) expect(Number.isNaN(Date.parse(r.record.startedAt))).toBe(false);
        }
      }),
      RUNS,
    );
  });
});

describe('validateIssueId', () => {
  const SHELL_META = /[;&|$`\\"'<>(){}[\]*?!~#=%^,]/;

  it('never throws, and accepted ids have no shell metacharacter, "/" or whitespace', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), tokenText), (id) => {
        const r = validateIssueId(id);
        if (r.ok) {
          expect(id).not.toMatch(SHELL_META);
          expect(id).not.toContain('/');
          expect(id).not.toMatch(/\s/);
          expect(id).not.toContain('..');
          expect(id.length).toBeLessThanOrEqual(64);
        } else {
          expect(r.reason.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('keeps those guarantees under any configured pattern', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('.*', '[\\s\\S]*', '(')), (id, pattern) => {
        const r = validateIssueId(id, pattern);
        if (r.ok) {
          expect(id).not.toMatch(SHELL_META);
          expect(id).not.toMatch(/[\s/]/);
        }
      }),
      RUNS,
    );
  });

  it('accepts ids drawn from the safe alphabet and renders them into names that map back', () => {
    const safeId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/);
    fc.assert(
      fc.property(safeId, (id) => {
        expect(validateIssueId(id)).toEqual({ ok: true });
        const name = renderJobName(id);
        expect(name.ok).toBe(true);
        if (name.ok) expect(issueFromJobName(name.name)).toBe(id);
      }),
      RUNS,
    );
  });
});

describe('the other parsers never throw', () => {
  it('sinfo, ping, sbatch, env assignments, job names', () => {
    fc.assert(
      fc.property(anyText, fc.option(fc.integer({ min: -1, max: 300 }), { nil: null }), fc.boolean(), (text, code, timedOut) => {
        parseSinfoNodes(text);
        parseScontrolPing(text);
        const p = parseSbatchParsable(text);
        if (p.ok) expect(p.jobId).toMatch(/^[1-9]\d*$/);
        expect(['ambiguous', 'rejected', 'controller_down']).toContain(classifySbatchFailure(text, code, timedOut));
        const e = parseEnvAssignment(text);
        if (e.ok) expect(e.value).not.toMatch(/[\n\0]/);
        issueFromJobName(text, 'swarm-{short}', ['beefcake-7xjmj']);
      }),
      RUNS,
    );
  });
});
