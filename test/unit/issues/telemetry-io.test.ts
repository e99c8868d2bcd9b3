import { appendFileSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLastLines } from '../../../src/issues/telemetry-tail.js';
import { issueRecords, updateTelemetryIndex } from '../../../src/issues/telemetry-index.js';
import { followFile, type FollowEvent } from '../../../src/issues/telemetry-follow.js';
import { classifySilence } from '../../../src/issues/silent-worker.js';
import { openStore } from '../../../src/store/db.js';
import { BEEF, STATE, makeShare } from '../../support/recovery-fixtures.js';

const sample = readFileSync(join(BEEF, '.swarm-telemetry.jsonl'), 'utf8');
const line = (issue: string, i: number): string => `{"session_id":"s${i}","issue_id":"${issue}","success":false,"total_iterations":${i},"timestamp":"2026-04-16T14:00:00Z","iterations":[]}\n`;

describe('telemetry tail (backwards read)', () => {
  it('returns the last N complete lines with offsets, leaving a partial last line out', async () => {
    const { root } = makeShare();
    const f = join(root, 't.jsonl');
    let text = '';
    for (let i = 0; i < 5000; i++) text += line(`b-${i % 7}`, i);
    writeFileSync(f, `${text}{"issue_id":"b-partial`);
    const t = await readLastLines(f, 3, 100);
    expect(t.lines).toEqual([4997, 4998, 4999].map((i) => line(`b-${i % 7}`, i).trimEnd()));
    expect(t.partialBytes).toBe('{"issue_id":"b-partial'.length);
    expect(
      readFileSync(f)
        .subarray(t.offsets[0] as number, (t.offsets[0] as number) + 10)
        .toString(),
    ).toBe(line('b-6', 4997).slice(0, 10));
    const all = await readLastLines(f, 100_000);
    expect(all.lines.length).toBe(5000);
  });

  it('reads back to an empty first line (no wrap-around to the end of the file)', async () => {
    const { root } = makeShare();
    const f = join(root, 'e.jsonl');
    writeFileSync(f, '\nabc\n');
    expect(await readLastLines(f, 5)).toMatchObject({ lines: ['', 'abc'], offsets: [0, 1] });
    writeFileSync(f, '\n\n');
    expect((await readLastLines(f, 5)).lines).toEqual(['', '']);
    expect((await readLastLines(f, 1, 1)).lines).toEqual(['']);
  });

  it('handles CRLF, no trailing newline, and empty files', async () => {
    const { root } = makeShare();
    const f = join(root, 'c.jsonl');
    writeFileSync(f, 'a\r\nb\r\n');
    expect((await readLastLines(f, 5)).lines).toEqual(['a', 'b']);
    writeFileSync(f, '');
    expect((await readLastLines(f, 5)).lines).toEqual([]);
    writeFileSync(f, 'only-partial');
    expect((await readLastLines(f, 5)).lines).toEqual([]);
  });
});

describe('telemetry index', () => {
  it('finds an issue’s records anywhere in the file, counts malformed lines, and reads only appended bytes later', async () => {
    const { root } = makeShare();
    const store = openStore(join(root, 'db.sqlite'));
    const f = join(root, 'tel.jsonl');
    const runbook = readFileSync(join(STATE, 'telemetry.runbook.jsonl'), 'utf8');
    let busy = '';
    for (let i = 0; i < 3000; i++) busy += line(`busy-${i % 50}`, i);
    writeFileSync(f, sample + runbook + busy);
    const first = await issueRecords(store, f, 'beefcake-rb01', 20);
    expect(first.scan.reset).toBe('new');
    expect(first.records.length).toBeGreaterThan(0);
    expect(first.records.every((r) => r.issueId === 'beefcake-rb01')).toBe(true);
    expect(first.scan.newBadLines).toBeGreaterThan(0); // the torn line in the runbook sample
    const sampleIssue = (JSON.parse(sample.split('\n')[0] as string) as { issue_id: string }).issue_id;
    const s = await issueRecords(store, f, sampleIssue, 5);
    expect(s.total).toBe(sample.split('\n').filter((l) => l.includes(`"issue_id":"${sampleIssue}"`)).length);
    expect(s.scan.bytesRead).toBe(0);

    appendFileSync(f, line('beefcake-rb01', 99999) + '{"issue_id":"torn');
    const after = await issueRecords(store, f, 'beefcake-rb01', 1);
    expect(after.scan.reset).toBeUndefined();
    expect(after.scan.bytesRead).toBe(line('beefcake-rb01', 99999).length);
    expect(after.records[0]?.iterations).toBe(99999);
    // The torn tail is not indexed until its newline arrives.
    appendFileSync(f, '","success":true,"total_iterations":1,"session_id":"x"}\n');
    const done = await updateTelemetryIndex(store, f);
    expect(done.newRecords + done.newBadLines).toBe(1);
    store.close();
  });

  it('rebuilds from byte 0 after truncation or rotation and says so', async () => {
    const { root } = makeShare();
    const store = openStore(join(root, 'db.sqlite'));
    const f = join(root, 'tel.jsonl');
    writeFileSync(f, line('a-1', 1) + line('a-1', 2));
    expect((await issueRecords(store, f, 'a-1', 10)).total).toBe(2);
    truncateSync(f, 0);
    writeFileSync(f, line('a-1', 3));
    const t = await issueRecords(store, f, 'a-1', 10);
    expect(t.scan.reset).toBe('truncated');
    expect(t.total).toBe(1);
    writeFileSync(join(root, 'new.jsonl'), line('a-1', 4) + line('a-1', 5) + line('a-1', 6) + line('a-1', 7));
    renameSync(join(root, 'new.jsonl'), f);
    const r = await issueRecords(store, f, 'a-1', 10);
    expect(r.scan.reset).toBe('rotated');
    expect(r.records.map((x) => x.iterations)).toEqual([4, 5, 6, 7]);
    store.close();
  });
});

describe('telemetry follow', () => {
  it('emits complete lines only and survives truncation and rotation (polling only, as on NFS)', async () => {
    const { root } = makeShare();
    const f = join(root, 'f.jsonl');
    writeFileSync(f, 'old\n');
    const events: FollowEvent[] = [];
    const ac = new AbortController();
    const done = followFile(f, (e) => events.push(e), { pollMs: 20, signal: ac.signal, useWatch: false });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await wait(60);
    appendFileSync(f, 'one\ntw');
    await wait(80);
    expect(events.filter((e) => e.type === 'line').map((e) => (e as { line: string }).line)).toEqual(['one']);
    appendFileSync(f, 'o\n');
    await wait(80);
    truncateSync(f, 0);
    await wait(80);
    appendFileSync(f, 'after-truncate\n');
    await wait(80);
    writeFileSync(join(root, 'g'), 'rotated-1\n');
    renameSync(join(root, 'g'), f);
    await wait(100);
    ac.abort();
    await done;
    const lines = events.filter((e) => e.type === 'line').map((e) => (e as { line: string }).line);
    expect(lines).toEqual(['one', 'two', 'after-truncate', 'rotated-1']);
    expect(events.filter((e) => e.type === 'reset').map((e) => (e as { reason: string }).reason)).toEqual(['truncated', 'rotated']);
  });
});

describe('telemetry follow, started in the middle of a line', () => {
  it('emits that line whole once it is complete, never its second half alone', async () => {
    const { root } = makeShare();
    const f = join(root, 'm.jsonl');
    writeFileSync(f, 'whole\nabc');
    const events: FollowEvent[] = [];
    const ac = new AbortController();
    const done = followFile(f, (e) => events.push(e), { pollMs: 10, signal: ac.signal, useWatch: false });
    await new Promise((r) => setTimeout(r, 40));
    appendFileSync(f, 'def\nnext\n');
    for (let i = 0; i < 100 && !events.some((e) => e.type === 'line' && e.line === 'next'); i++) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await done;
    expect(events.filter((e) => e.type === 'line')).toEqual([
      { type: 'line', line: 'abcdef', offset: 6 },
      { type: 'line', line: 'next', offset: 13 },
    ]);
  });
});

describe('silent worker', () => {
  const now = 10_000_000;
  it('flags a RUNNING job whose newest write is older than the threshold', () => {
    expect(classifySilence('RUNNING', { sessionLogMs: now - 2000_000, jobLogMs: now - 1900_000 }, now, 1800).silent).toBe(true);
    const fresh = classifySilence('RUNNING', { sessionLogMs: now - 2000_000, telemetryMs: now - 10_000 }, now, 1800);
    expect(fresh.silent).toBe(false);
    expect(fresh.source).toBe('telemetryMs');
    expect(classifySilence('PENDING', {}, now, 1800).silent).toBe(false);
    expect(classifySilence('RUNNING', {}, now, 1800, now - 3600_000).silent).toBe(true);
    expect(classifySilence('RUNNING', {}, now, 1800).silent).toBe(false);
  });
});
