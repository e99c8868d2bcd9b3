// Reading one issue's rows from a big run-summary file: the same rows and line numbers as
// parsing the whole text, across chunk boundaries; a FIFO is refused at once; a window says so.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runsForIssue } from '../../../src/issues/run-summary-parse.js';
import { readRunSummary } from '../../../src/issues/run-summary-read.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bigSummary(rows: number): string {
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const issue = i % 97 === 0 ? 'beefcake-target' : `beefcake-${i % 500}`;
    const status = i % 2 ? 'no_change' : 'failed';
    out.push(
      JSON.stringify({
        issue_id: issue,
        model: 'worker_code_edit',
        started_at: '2026-04-20T09:12:04+00:00',
        worker: { status: 'no_change', exit_status: 'Submitted', files_modified: [] },
        pad: 'x'.repeat(i % 700),
        status,
        wall_s: i,
      }),
    );
    if (i % 1000 === 5) out.push('{"issue_id": "beefcake-target", "sta'); // a torn line
  }
  return `${out.join('\n')}\n`;
}

describe('readRunSummary', () => {
  it('finds the same rows at the same lines as a whole-text parse, across 4 MiB chunks', async () => {
    const text = bigSummary(40_000);
    const path = join(dir, 'summary.jsonl');
    writeFileSync(path, text);
    const want = runsForIssue(text, 'beefcake-target');
    const got = await readRunSummary(path, 'beefcake-target');
    expect(text.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(got.status).toBe('ok');
    expect(got.runs.map((r) => [r.line, r.row.wallS])).toEqual(want.runs.map((r) => [r.line, r.row.wallS]));
    expect(got.badLines).toBe(want.badLines);
    expect(got.runs.length).toBeGreaterThan(400);
  });

  it('a row longer than the read buffer (4 MiB) is read whole, with the lines around it', async () => {
    const long = JSON.stringify({ issue_id: 'beefcake-long', status: 'failed', reason: 'y'.repeat(9 * 1024 * 1024), started_at: '2026-04-20T09:12:04+00:00', wall_s: 1 });
    const text = `${bigSummary(3000)}${long}\n${bigSummary(3000)}`;
    const path = join(dir, 'long.jsonl');
    writeFileSync(path, text);
    for (const issue of ['beefcake-long', 'beefcake-target']) {
      const want = runsForIssue(text, issue);
      const got = await readRunSummary(path, issue);
      expect(got.runs.map((r) => [r.line, r.row.wallS])).toEqual(want.runs.map((r) => [r.line, r.row.wallS]));
      expect(got.runs.length).toBeGreaterThan(0);
    }
  });

  it('a last line without a newline is read', async () => {
    const path = join(dir, 'nonl.jsonl');
    writeFileSync(path, '{"issue_id": "a", "status": "resolved"}\n{"issue_id": "b", "status": "no_change"}');
    expect((await readRunSummary(path, 'b')).runs).toEqual([expect.objectContaining({ line: 2 })]);
  });

  it('missing file is missing; a FIFO is refused without blocking', async () => {
    expect((await readRunSummary(join(dir, 'nope.jsonl'), 'a')).status).toBe('missing');
    const fifo = join(dir, 'fifo.jsonl');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    const r = await readRunSummary(fifo, 'a');
    expect(r).toMatchObject({ status: 'unreadable', error: 'not a regular file' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('over the limit, only the newest bytes are read and the window is reported', async () => {
    const path = join(dir, 'window.jsonl');
    const rows = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ issue_id: 'w', status: 'no_change', wall_s: i }));
    writeFileSync(path, `${rows.join('\n')}\n`);
    const r = await readRunSummary(path, 'w', 4096);
    expect(r.truncatedFromByte).toBeGreaterThan(0);
    expect(r.runs.at(-1)?.row.wallS).toBe(999);
    expect(r.runs.length).toBeLessThan(200);
    expect(r.badLines).toBe(0);
  });
});
