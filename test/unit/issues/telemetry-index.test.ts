// The per-issue telemetry index scans bytes with a fast path (no decoding, no JSON) and
// falls back to extractIssueId on the decoded line when unsure. These tests hold it to
// a plain reference (split on '\n', extractIssueId per line) on nasty input, across read
// chunk boundaries, and across incremental updates that stop in the middle of a line.
import fc from 'fast-check';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issueRecords, updateTelemetryIndex } from '../../../src/issues/telemetry-index.js';
import { extractIssueId, parseTelemetryLine } from '../../../src/issues/telemetry-parse.js';
import { readLineAtSync } from '../../../src/issues/telemetry-tail.js';
import { openStore, type Store } from '../../../src/store/db.js';
import { applyScan, decodeOffsets, encodeOffsets, getIssueIndex, getOffset } from '../../../src/store/telemetry.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-tindex-'));
const store: Store = openStore(join(dir, 'db.sqlite'));
afterAll(() => store.close());
let n = 0;
const newFile = (): string => join(dir, `t${n++}.jsonl`);

interface Ref {
  end: number;
  bad: number;
  records: number;
  issues: Map<string, { records: number; offsets: number[] }>;
}

/** What the index must hold for these bytes: complete lines, extractIssueId each. */
function reference(bytes: Buffer, keep: number): Ref {
  const ref: Ref = { end: 0, bad: 0, records: 0, issues: new Map() };
  let s = 0;
  for (;;) {
    const nl = bytes.indexOf(10, s);
    if (nl === -1) break;
    const line = bytes.toString('utf8', s, nl);
    if (!/^[ \t\r]*$/.test(line)) {
      const id = extractIssueId(line);
      if (id === null) ref.bad++;
      else {
        ref.records++;
        let e = ref.issues.get(id);
        if (!e) ref.issues.set(id, (e = { records: 0, offsets: [] }));
        e.records++;
        e.offsets.push(s);
        if (e.offsets.length > keep) e.offsets.shift();
      }
    }
    s = nl + 1;
  }
  ref.end = s;
  return ref;
}

function expectIndexMatches(file: string, ref: Ref): void {
  const off = getOffset(store.db, file);
  expect(off?.offset).toBe(ref.end);
  expect(off?.bad_lines).toBe(ref.bad);
  const rows = store.db.prepare('SELECT issue_id FROM telemetry_index WHERE file = ?').all(file) as { issue_id: string }[];
  expect(rows.map((r) => r.issue_id).sort()).toEqual([...ref.issues.keys()].sort());
  for (const [id, e] of ref.issues) {
    const row = getIssueIndex(store.db, file, id);
    expect({ id, records: row?.records, offsets: row?.offsets }).toEqual({ id, records: e.records, offsets: e.offsets });
  }
}

const session = (id: string, i: number, extra = ''): string =>
  `{"session_id":"c7fde805-ec99-408d-9b5b-${String(i).padStart(12, '0')}","issue_id":"${id}","issue_title":"Issue ${i}","success":${i % 2 === 0},"total_iterations":${i % 5},"iterations":[{"iteration":1,"tier":"Worker","no_change":false}]${extra},"timestamp":"2026-04-09T03:43:33Z"}`;
const event = (id: string, i: number): string => `{"ts":"2026-02-10T02:0${i % 10}:00Z","issue_id":"${id}","phase":"implementing","iteration":${i},"outcome":"no_change"}`;

// Ids: plain, unicode, with escapes (the JSON text differs from the id), numbers.
const ID_TEXT = ['beefcake-b0001', 'beefcake-b0002', 'x', 'beefcake-\u00e9t\u00e9', 'a\\"b', 'tab\\there', 'beefcake-b0001 '];
const idText = fc.constantFrom(...ID_TEXT);
// Things before the key that could hide an earlier "issue_id" (nested, in a string after
// an escaped quote, right after a closing quote...), then valid JSON, broken JSON or a
// duplicate key after it (extractIssueId then parses the whole line).
const HAZARDS = (a: string): string[] => [
  `"message":"saw \\"issue_id\\":\\"${a}\\""`,
  `"meta":{"issue_id":"${a}"}`,
  `"name":"issue_id"`,
  `"list":["issue_id"]`,
  `"k":"v\\\\"`,
  `"q":"x"`,
  `"m":"see \\"issue_id"`,
  `"a":"b"issue_id"x"`,
];
const AFTER = ['', ',', ',"issue_id":"dup"', ' '];
const hazardLine = (hazard: string, id: string, after: string): string => `{${hazard},"issue_id":"${id}","phase":"p"${after}}`;
const lineArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(idText, fc.nat(99)).map(([id, i]) => session(id, i)) },
  { weight: 3, arbitrary: fc.tuple(idText, fc.nat(99)).map(([id, i]) => event(id, i)) },
  fc.nat(99).map((i) => `{"issue_id":${i},"phase":"x"}`),
  // an id-like string inside another field, before and after the real key
  fc.tuple(idText, idText).map(([a, b]) => `{"message":"saw \\"issue_id\\":\\"${a}\\" in a log","issue_id":"${b}","phase":"p"}`),
  fc.tuple(idText, idText).map(([a, b]) => `{"issue_id":"${b}","message":"\\"issue_id\\":\\"${a}\\"","phase":"p"}`),
  // nested first, then top level; duplicate keys; key with spaces
  fc.tuple(idText, idText).map(([a, b]) => `{"meta":{"issue_id":"${a}"},"issue_id":"${b}","phase":"p"}`),
  fc.tuple(idText, idText).map(([a, b]) => `{"issue_id":"${a}","issue_id":"${b}","phase":"p"}`),
  idText.map((a) => `{"ts":"t", "issue_id" : "${a}" ,"phase":"p"}`),
  idText.map((a) => `{"name":"issue_id","issue_id":"${a}","phase":"p"}`),
  idText.map((a) => `{"a":"b"issue_id":"${a}","phase":"p"}`),
  // something before the key that could hide an earlier "issue_id", then valid JSON,
  // broken JSON or a duplicate key after it (extractIssueId then parses the whole line)
  fc
    .tuple(
      idText.chain((a) => fc.constantFrom(...HAZARDS(a))),
      idText,
      fc.constantFrom(...AFTER),
    )
    .map(([hazard, b, after]) => hazardLine(hazard, b, after)),
  idText.map((a) => `{"pad":"${'p'.repeat(700)}","issue_id":"${a}","phase":"p"}`),
  // the key twice (both take the first; see extractIssueId), an id-like key nested after the real one,
  // whitespace that String.prototype.trim removes (BOM, NBSP, U+2028, \v)
  fc.tuple(idText, idText).map(([a, b]) => `{"session_id":"s","issue_id":"${a}","x":1,"issue_id":"${b}"}`),
  fc.tuple(idText, idText).map(([a, b]) => `{"issue_id":"${a}","meta":{"issue_id":"${b}"},"phase":"p"}`),
  fc.tuple(fc.constantFrom('\ufeff', '\u00a0', '\u2028', '\v', '\x01'), idText).map(([w, a]) => `${w}${event(a, 2)}${w}`),
  // malformed / torn / not telemetry
  fc.constant('{"ts":"2026-02-10T02:04:00Z","issue_id":"beefcake-rb0{"ts":"2026-02-10T02:04:30Z","issue_id":"beefcake-rb01"}'),
  fc.tuple(idText, fc.nat(200)).map(([id, cut]) => session(id, 1).slice(0, cut)),
  fc.constantFrom('not json', '[1,2]', '{}', '{"issue_id":""}', '{"issue_id":null}', '{"session_id":"s"}', '\u0000\u0001', 'garbage "issue_id":"x"}'),
  fc.tuple(idText, fc.nat(10_000)).map(([id, i]) => `{"issue_id":"${id}","phase":"p","broken":${i}`),
  // blank and whitespace-only lines, leading/trailing whitespace
  fc.constantFrom('', ' ', '\t', '\r', ' \t\r', '\v', '\u00a0'),
  idText.map((a) => `  ${event(a, 1)}  `),
  fc.string({ maxLength: 40 }),
);
const corpus = fc
  .tuple(fc.array(fc.tuple(lineArb, fc.constantFrom('\n', '\n', '\n', '\r\n')), { maxLength: 60 }), fc.constantFrom('', '{"issue_id":"partial', '\r'))
  .map(([ls, tail]) => ls.map(([l, eol]) => l + eol).join('') + tail);

describe('telemetry index vs the reference (extractIssueId per line)', () => {
  it('agrees on every line, with any read size and keep', async () => {
    await fc.assert(
      fc.asyncProperty(corpus, fc.integer({ min: 16, max: 3000 }), fc.constantFrom(1, 3, 200), async (text, chunkBytes, keep) => {
        const f = newFile();
        writeFileSync(f, text);
        const scan = await updateTelemetryIndex(store, f, keep, { chunkBytes });
        const ref = reference(Buffer.from(text), keep);
        expect(scan.newRecords).toBe(ref.records);
        expect(scan.newBadLines).toBe(ref.bad);
        expectIndexMatches(f, ref);
      }),
      { numRuns: 150 },
    );
  });

  it('agrees on every hazard line (all combinations, several read sizes)', async () => {
    const lines = ID_TEXT.flatMap((a) => HAZARDS(a).flatMap((h) => ID_TEXT.flatMap((b) => AFTER.map((after) => hazardLine(h, b, after)))));
    const text = lines.join('\n') + '\n';
    const ref = reference(Buffer.from(text), 200);
    expect(ref.bad).toBeGreaterThan(0);
    expect(ref.records).toBeGreaterThan(0);
    for (const chunkBytes of [16, 97, 4096, 1 << 20]) {
      const f = newFile();
      writeFileSync(f, text);
      const scan = await updateTelemetryIndex(store, f, 200, { chunkBytes });
      expect([scan.newRecords, scan.newBadLines]).toEqual([ref.records, ref.bad]);
      expectIndexMatches(f, ref);
    }
  });

  it('agrees after updates that stop anywhere, even mid-line', async () => {
    await fc.assert(
      fc.asyncProperty(corpus, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.integer({ min: 16, max: 600 }), async (text, cuts, chunkBytes) => {
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const f = newFile();
        writeFileSync(f, '');
        let at = 0;
        for (const p of [...points, bytes.length]) {
          appendFileSync(f, bytes.subarray(at, p));
          at = p;
          const scan = await updateTelemetryIndex(store, f, 3, { chunkBytes });
          expect(scan.reset === undefined || scan.reset === 'new').toBe(true);
        }
        expectIndexMatches(f, reference(bytes, 3));
      }),
      { numRuns: 100 },
    );
  });
});

describe('telemetry index cases', () => {
  it('records straddling read boundaries: every offset points at its line', async () => {
    const f = newFile();
    const lines = Array.from({ length: 500 }, (_, i) => session(`beefcake-b${i % 7}`, i));
    writeFileSync(f, lines.join('\n') + '\n');
    for (const chunkBytes of [64, 100, 333, 4096]) {
      const g = newFile();
      writeFileSync(g, readFileSync(f));
      await updateTelemetryIndex(store, g, 200, { chunkBytes });
      const row = getIssueIndex(store.db, g, 'beefcake-b3');
      expect(row?.records).toBe(lines.filter((_, i) => i % 7 === 3).length);
      const fd = openSync(g, 'r');
      try {
        for (const off of row?.offsets ?? []) expect(readLineAtSync(fd, off)).toMatch(/"issue_id":"beefcake-b3"/);
      } finally {
        closeSync(fd);
      }
    }
  });

  it('a line without issue_id and a malformed line are counted and skipped; an id in a quoted message is not the issue', async () => {
    const f = newFile();
    const text = [
      event('beefcake-a', 1),
      '{"ts":"2026-02-10T02:05:00Z","phase":"planning"}', // no issue_id
      '{"ts":"2026-02-10T02:05:00Z","issue_id":"beefcake-b","phase":', // torn
      '{"message":"retry of \\"issue_id\\":\\"beefcake-c\\"","issue_id":"beefcake-a","phase":"p"}',
      '{"issue_id":"beefcake-a","message":"see \\"issue_id\\":\\"beefcake-c\\"","phase":"p"}',
      '',
    ].join('\r\n');
    writeFileSync(f, text);
    const r = await issueRecords(store, f, 'beefcake-a', 10);
    expect(r.scan.newBadLines).toBe(2);
    expect(r.total).toBe(3);
    expect(r.records.map((x) => x.issueId)).toEqual(['beefcake-a', 'beefcake-a', 'beefcake-a']);
    expect(getIssueIndex(store.db, f, 'beefcake-c')).toBeUndefined();
    expect(getIssueIndex(store.db, f, 'beefcake-b')).toBeUndefined();
    expect(r.latest).toMatchObject({ shape: 'event', phase: 'p' });
  });

  it('reads CRLF files, and ids that need the slow path (escapes, unicode, numbers, spaces)', async () => {
    const f = newFile();
    writeFileSync(f, [session('plain', 1), session('caf\u00e9', 2), session('a\\"b', 3), '{"issue_id":42,"phase":"p"}', '{ "issue_id" : "plain" , "phase":"p" }', ''].join('\r\n'));
    await updateTelemetryIndex(store, f, 200, { chunkBytes: 50 });
    expect(getIssueIndex(store.db, f, 'plain')?.records).toBe(2);
    expect(getIssueIndex(store.db, f, 'caf\u00e9')?.records).toBe(1);
    expect(getIssueIndex(store.db, f, 'a"b')?.records).toBe(1);
    expect(getIssueIndex(store.db, f, '42')?.records).toBe(1);
    expect(getOffset(store.db, f)?.bad_lines).toBe(0);
  });

  it('a line longer than the longest kept is one malformed line; the lines around it are indexed', async () => {
    const f = newFile();
    writeFileSync(f, `${event('a', 1)}\n{"issue_id":"a","pad":"${'x'.repeat(5000)}"}\n${event('a', 2)}\n`);
    const r = await updateTelemetryIndex(store, f, 200, { chunkBytes: 256, maxLineBytes: 1024 });
    expect(r.newBadLines).toBe(1);
    expect(r.newRecords).toBe(2);
    expect(r.toOffset).toBe(readFileSync(f).length);
    // Up to the limit, the buffer grows and the long line is a record.
    const g = newFile();
    writeFileSync(g, readFileSync(f));
    const ok = await updateTelemetryIndex(store, g, 200, { chunkBytes: 256, maxLineBytes: 8192 });
    expect([ok.newRecords, ok.newBadLines]).toEqual([3, 0]);
  });

  it('a long line still being written at the end is not skipped past', async () => {
    const f = newFile();
    writeFileSync(f, `${event('a', 1)}\n{"issue_id":"a","pad":"${'x'.repeat(3000)}`);
    const r = await updateTelemetryIndex(store, f, 200, { chunkBytes: 256, maxLineBytes: 1024 });
    expect(r.toOffset).toBe(event('a', 1).length + 1);
    appendFileSync(f, `"}\n${event('a', 2)}\n`);
    const r2 = await updateTelemetryIndex(store, f, 200, { chunkBytes: 256, maxLineBytes: 1024 });
    expect([r2.reset, r2.newBadLines, r2.newRecords]).toEqual([undefined, 1, 1]);
  });

  it('truncation, truncation then regrowth past the old offset, and rotation between updates rebuild the index', async () => {
    const f = newFile();
    writeFileSync(f, [1, 2, 3].map((i) => event('a', i)).join('\n') + '\n');
    expect((await issueRecords(store, f, 'a', 10)).total).toBe(3);
    // shrink
    truncateSync(f, 0);
    writeFileSync(f, event('a', 7) + '\n');
    const t = await issueRecords(store, f, 'a', 10);
    expect([t.scan.reset, t.total, t.records.map((x) => x.iterations)]).toEqual(['truncated', 1, [7]]);
    // rewritten in place, longer than before: the byte before the old offset is no '\n'
    writeFileSync(f, `{"issue_id":"b","phase":"${'p'.repeat(300)}"}\n`);
    const g = await issueRecords(store, f, 'b', 10);
    expect([g.scan.reset, g.total]).toEqual(['truncated', 1]);
    expect(getIssueIndex(store.db, f, 'a')).toBeUndefined();
    // rotated
    const other = join(dir, 'rotated.jsonl');
    writeFileSync(other, event('c', 1) + '\n');
    renameSync(other, f);
    const r = await issueRecords(store, f, 'c', 10);
    expect([r.scan.reset, r.total]).toEqual(['rotated', 1]);
    expect(getIssueIndex(store.db, f, 'b')).toBeUndefined();
    // and then appends are read incrementally again
    appendFileSync(f, event('c', 2) + '\n');
    const a = await issueRecords(store, f, 'c', 10);
    expect([a.scan.reset, a.scan.bytesRead, a.total]).toEqual([undefined, event('c', 2).length + 1, 2]);
  });

  it('keeps the last `keep` offsets per issue across updates, and the latest summary follows appends', async () => {
    const f = newFile();
    writeFileSync(f, Array.from({ length: 30 }, (_, i) => session('k', i)).join('\n') + '\n');
    await updateTelemetryIndex(store, f, 5, { chunkBytes: 128 });
    appendFileSync(f, session('k', 30) + '\n' + session('k', 31) + '\n');
    const r = await issueRecords(store, f, 'k', 5, 5, { chunkBytes: 128 });
    expect(r.total).toBe(32);
    expect(r.limited).toBe(false);
    expect(r.records.map((x) => x.sessionId?.slice(-2))).toEqual(['27', '28', '29', '30', '31']);
    expect(r.latest).toMatchObject({ shape: 'session', iterations: 31 % 5 });
    expect((await issueRecords(store, f, 'k', 50, 5)).limited).toBe(true);
  });
});

describe('what the index files a record under', () => {
  it('the issue parseTelemetryLine reads, also for lines with a BOM, NBSP or other whitespace String.prototype.trim removes', async () => {
    const f = newFile();
    const lines = [
      `\ufeff${session('beefcake-bom', 1)}`,
      `\r${session('beefcake-cr', 2)}`,
      `\u2028${session('beefcake-ls', 3)}`,
      `${session('beefcake-nbsp', 4)}\u00a0`,
      '{"issue_id":"beefcake-top","meta":{"issue_id":"beefcake-nested"},"phase":"p"}',
    ];
    writeFileSync(f, lines.join('\n') + '\n');
    const scan = await updateTelemetryIndex(store, f);
    expect([scan.newRecords, scan.newBadLines]).toEqual([5, 0]);
    for (const l of lines) {
      const p = parseTelemetryLine(l);
      expect(p.ok).toBe(true);
      if (p.ok) expect(getIssueIndex(store.db, f, p.record.issueId)?.records).toBe(1);
    }
    expect(getIssueIndex(store.db, f, 'beefcake-nested')).toBeUndefined();
  });
});

describe('readLineAtSync', () => {
  it('reads the line at an offset (CRLF removed), grows past its first read, null without a newline', () => {
    const f = newFile();
    const long = `{"x":"${'y'.repeat(40_000)}"}`;
    writeFileSync(f, `a\r\n${long}\nlast`);
    const fd = openSync(f, 'r');
    try {
      expect(readLineAtSync(fd, 0)).toBe('a');
      expect(readLineAtSync(fd, 3)).toBe(long);
      expect(readLineAtSync(fd, 3, 1000)).toBeNull();
      expect(readLineAtSync(fd, 4 + long.length)).toBeNull();
    } finally {
      closeSync(fd);
    }
  });
});

describe('stored offsets', () => {
  it('encodeOffsets/decodeOffsets round-trip any offsets (up to 2^50)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(), fc.integer({ min: 0, max: 2 ** 50 })), { maxLength: 300 }), (offsets) => {
        expect(decodeOffsets(encodeOffsets(offsets))).toEqual(offsets);
      }),
      { numRuns: 300 },
    );
    expect(encodeOffsets([1, 2 ** 50]).length).toBe(16);
    expect(decodeOffsets(encodeOffsets([7, 9]).subarray(0, 12))).toEqual([7]); // a cut value is dropped
    expect(decodeOffsets(encodeOffsets([7, 9]).subarray(3))).toHaveLength(1); // any alignment
  });

  it('applyScan appends in SQL exactly as a list would: stored + new, the last `keep` (also from a cut blob, and keep 0)', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        (stored, added, keep, cut, legacyJson) => {
          const f = `/virtual/apply-${n++}`;
          store.db.prepare('INSERT INTO telemetry_offsets (file, inode, size, offset, bad_lines, updated_at) VALUES (?, 1, 10, 10, 0, 0)').run(f);
          // A blob with `cut` stray bytes at its end stands for a row cut short; an
          // offsets_json list for a row an older swarmctl wrote (its offsets_bin stale).
          const bin = Buffer.concat([encodeOffsets(stored), Buffer.alloc(cut, 0xab)]);
          // (An older version's EMPTY list is '[]', which reads as this version's: not generated.)
          if (legacyJson && stored.length > 0)
            store.db
              .prepare('INSERT INTO telemetry_index (file, issue_id, offsets_json, offsets_bin, latest_json, records) VALUES (?, ?, ?, ?, NULL, ?)')
              .run(f, 'x', JSON.stringify(stored), encodeOffsets([1, 2, 3]), stored.length);
          else store.db.prepare("INSERT INTO telemetry_index (file, issue_id, offsets_json, offsets_bin, latest_json, records) VALUES (?, ?, '[]', ?, NULL, ?)").run(f, 'x', bin, stored.length);
          const ok = applyScan(
            store,
            f,
            { offset: 10, inode: 1 },
            { inode: 1, size: 20, offset: 20, badLines: 0, reset: false },
            new Map([['x', { offsets: added, records: added.length, latest: { offset: 7 } }]]),
            keep,
          );
          expect(ok).toBe(true);
          const row = getIssueIndex(store.db, f, 'x');
          const all = [...stored, ...added];
          expect(row?.offsets).toEqual(keep === 0 ? [] : all.slice(-keep));
          expect(row?.records).toBe(all.length);
          expect(row?.latest).toEqual({ offset: 7 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads and extends rows written before offsets_bin (offsets_json only)', async () => {
    const f = newFile();
    const first = event('old', 1) + '\n';
    writeFileSync(f, first);
    const st = readFileSync(f);
    const ino = Number((await import('node:fs')).statSync(f).ino);
    store.db.prepare('INSERT INTO telemetry_offsets (file, inode, size, offset, bad_lines, updated_at) VALUES (?, ?, ?, ?, 0, 0)').run(f, ino, st.length, st.length);
    store.db
      .prepare('INSERT INTO telemetry_index (file, issue_id, offsets_json, latest_json, records) VALUES (?, ?, ?, ?, ?)')
      .run(f, 'old', '[0]', JSON.stringify({ offset: 0, shape: 'event', summary: 'phase=implementing iteration=1 outcome=no_change' }), 1);
    expect(getIssueIndex(store.db, f, 'old')?.offsets).toEqual([0]);
    appendFileSync(f, event('old', 2) + '\n');
    const r = await issueRecords(store, f, 'old', 10);
    expect([r.scan.reset, r.scan.bytesRead, r.total]).toEqual([undefined, event('old', 2).length + 1, 2]);
    expect(r.records.map((x) => x.iterations)).toEqual([1, 2]);
    expect(getIssueIndex(store.db, f, 'old')?.offsets).toEqual([0, first.length]);
    expect(r.latest).toMatchObject({ offset: first.length, shape: 'event', iterations: 2 });
    // An older swarmctl on the same database updates offsets_json and leaves offsets_bin stale.
    const second = first.length + event('old', 2).length + 1;
    appendFileSync(f, event('old', 3) + '\n');
    store.db.prepare('UPDATE telemetry_index SET offsets_json = ?, records = 3 WHERE file = ? AND issue_id = ?').run(JSON.stringify([0, first.length, second]), f, 'old');
    store.db.prepare('UPDATE telemetry_offsets SET offset = ?, size = ? WHERE file = ?').run(second + event('old', 3).length + 1, second + event('old', 3).length + 1, f);
    expect(getIssueIndex(store.db, f, 'old')?.offsets).toEqual([0, first.length, second]);
    appendFileSync(f, event('old', 4) + '\n');
    const r4 = await issueRecords(store, f, 'old', 10, 3);
    expect(r4.records.map((x) => x.iterations)).toEqual([2, 3, 4]);
    expect(r4.total).toBe(4);
  });

  it('summarises the latest record when queried, also with -n 0, and marks it when it no longer parses', async () => {
    const f = newFile();
    writeFileSync(f, session('z', 1) + '\n' + session('other', 2) + '\n' + session('z', 3) + '\n');
    const r = await issueRecords(store, f, 'z', 0);
    expect(r.records).toEqual([]);
    const at = session('z', 1).length + session('other', 2).length + 2;
    expect(r.latest).toMatchObject({ offset: at, shape: 'session', iterations: 3, success: false });
    expect((r.latest as { summary: string }).summary).toContain('failed');
    expect(getIssueIndex(store.db, f, 'z')?.latest).toEqual({ offset: at }); // stored: only where it is
    const one = await issueRecords(store, f, 'z', 1);
    expect(one.latest).toEqual(r.latest);
  });
});
