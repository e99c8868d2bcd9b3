import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { columnWidths, displayWidth, fitColumns, layoutFor, truncate, type Column } from '../../../src/tui/layout.js';
import { commandFor, footerText, KEYMAP, visibleBindings } from '../../../src/tui/keymap.js';
import { cellText, tableView, type TableColumn } from '../../../src/tui/table-model.js';
import { applyFilter, initialUi, uiReducer } from '../../../src/tui/state.js';
import { bannerLines, LOADING_ALERT_MS, stateAlerts, type EndpointRow, type IssueRow } from '../../../src/console/view-model.js';

describe('layoutFor', () => {
  it('shows one panel as tabs at 80x24', () => {
    const l = layoutFor(80, 24, 'queue');
    expect(l.mode).toBe('tabs');
    expect(l.boxes).toEqual([{ id: 'queue', x: 0, y: 2, width: 80, height: 21 }]);
  });
  it('splits at 120x40 and shows a grid at 250x70', () => {
    expect(layoutFor(120, 40).mode).toBe('split');
    expect(layoutFor(120, 40).boxes).toHaveLength(4);
    const g = layoutFor(250, 70);
    expect(g.mode).toBe('grid');
    expect(g.boxes.map((b) => b.id).sort()).toEqual(['alerts', 'endpoints', 'issues', 'queue', 'telemetry']);
  });
  it('never draws outside the terminal or overlaps boxes (any size)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 400 }), fc.integer({ min: 8, max: 150 }), (c, r) => {
        const l = layoutFor(c, r);
        for (const b of l.boxes) {
          expect(b.x + b.width).toBeLessThanOrEqual(c);
          expect(b.y + b.height).toBeLessThanOrEqual(r - l.chrome.footer);
          expect(b.width).toBeGreaterThan(0);
        }
        for (const a of l.boxes) for (const b of l.boxes) if (a !== b) expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y).toBe(true);
      }),
    );
  });
});

describe('columns', () => {
  const cols: Column[] = [
    { id: 'job', title: 'JOB', priority: 0, width: 8 },
    { id: 'issue', title: 'ISSUE', priority: 1, width: 16, flex: true },
    { id: 'state', title: 'STATE', priority: 0, width: 10 },
    { id: 'node', title: 'NODE', priority: 3, width: 10 },
    { id: 'reason', title: 'REASON', priority: 2, width: 20, flex: true },
  ];
  it('drops low-priority columns first and keeps the original order', () => {
    expect(fitColumns(cols, 50).map((c) => c.id)).toEqual(['job', 'issue', 'state']);
    expect(fitColumns(cols, 200).map((c) => c.id)).toEqual(['job', 'issue', 'state', 'node', 'reason']);
  });
  it('gives spare width to flex columns, filling the row exactly', () => {
    const fit = fitColumns(cols, 100);
    const w = columnWidths(fit, 100);
    expect(w.reduce((a, b) => a + b, 0) + fit.length - 1).toBe(98);
  });
  it('truncates with an ellipsis', () => {
    expect(truncate('beefcake-7xjmj', 8)).toBe('beefcak…');
    expect(truncate('short', 8)).toBe('short');
  });
  it('truncates by terminal cells: wide characters and emoji count two', () => {
    expect(displayWidth('日本語')).toBe(6);
    expect(truncate('日本語テキスト', 6)).toBe('日本…');
    expect(truncate('job 🚀 launched', 6)).toBe('job …'); // the rocket would take cells 5-6, the ellipsis needs 6
    expect(truncate('job 🚀 launched', 7)).toBe('job 🚀…');
    // The status symbols stay one cell wide: the STATUS column does not lose a character.
    expect(displayWidth('✓ up ◐ ✗ ! ? … →')).toBe(16);
  });
});

interface Row {
  id: string;
  state: string;
  note: string;
}
const rowCols: TableColumn<Row>[] = [
  { id: 'id', title: 'ID', priority: 0, width: 6, cell: (r) => ({ text: r.id, bold: true }) },
  { id: 'state', title: 'STATE', priority: 0, width: 8, cell: (r) => ({ text: r.state, color: r.state === 'up' ? 'green' : 'red' }) },
  { id: 'note', title: 'NOTE', priority: 1, width: 10, flex: true, cell: (r) => ({ text: r.note, dim: true }) },
];
const rowsN = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, state: i % 3 ? 'up' : 'down', note: i % 2 ? '' : `note ${i}` }));
const linesOf = (v: ReturnType<typeof tableView<Row>>, id: string) => v.columns.find((c) => c.id === id)!.runs.flatMap((r) => r.lines);

describe('table view (columns of lines, pure)', () => {
  it('holds only the rows that fit, every column with one line per shown row', () => {
    const v = tableView(rowCols, rowsN(2000), 0, 40, 11, false);
    expect(v.shown).toBe(10);
    for (const c of v.columns) expect(c.runs.flatMap((r) => r.lines)).toHaveLength(10);
    expect(linesOf(v, 'id')).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
  });
  it('keeps the selected row in the window and pads it across its columns for the inverse bar', () => {
    const v = tableView(rowCols, rowsN(2000), 1500, 40, 11, true);
    const ids = linesOf(v, 'id');
    const at = ids.findIndex((l) => l.startsWith('r1500'));
    expect(at).toBeGreaterThanOrEqual(0);
    // Column widths from columnWidths: id 6 and state 8 take a gap each; note takes the rest.
    expect(ids[at]).toBe('r1500  ');
    expect(linesOf(v, 'state')[at]).toBe('down     ');
    expect(linesOf(v, 'note')[at]).toBe('note 1500'.padEnd(38 - 7 - 9));
    const selRuns = v.columns.flatMap((c) => c.runs.filter((r) => r.style.inverse));
    expect(selRuns).toHaveLength(3);
    expect(selRuns.every((r) => r.lines.length === 1)).toBe(true);
    // Nothing else is padded: Ink's grid is already blank.
    expect(ids.filter((_, i) => i !== at).every((l) => !l.endsWith(' '))).toBe(true);
  });
  it('groups equally styled lines into runs; an empty cell does not split a run', () => {
    const v = tableView(rowCols, rowsN(6), 0, 40, 7, false);
    const note = v.columns.find((c) => c.id === 'note')!;
    expect(note.runs).toHaveLength(1);
    expect(note.runs[0]!.style.dim).toBe(true);
    const state = v.columns.find((c) => c.id === 'state')!;
    expect(state.runs.map((r) => [r.style.color, r.lines.length])).toEqual([
      ['red', 1],
      ['green', 2],
      ['red', 1],
      ['green', 2],
    ]);
  });
  it('header: titles over their columns, nothing after the last', () => {
    expect(tableView(rowCols, rowsN(1), 0, 40, 5, false).header).toBe('ID     STATE    NOTE');
  });
  it('no cell is wider than its column or holds a control character (any text)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 10, max: 120 }), (notes, width) => {
        const rows = notes.map((note, i) => ({ id: String(i), state: note.slice(0, 5), note }));
        const v = tableView(rowCols, rows, 0, width, 40, true);
        for (const c of v.columns)
          for (const line of c.runs.flatMap((r) => r.lines)) {
            expect(displayWidth(line)).toBeLessThanOrEqual(c.width);
            expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          }
      }),
    );
    expect(cellText('two\nlines\x1b[31m', 20)).toBe('two lines [31m');
  });
});

describe('filter', () => {
  it('returns the same array without a filter (an unchanged panel keeps its memo)', () => {
    const rows = [{ t: 'a' }, { t: 'b' }];
    expect(applyFilter(rows, undefined, (r) => r.t)).toBe(rows);
    expect(applyFilter(rows, '(', (r) => r.t)).toBe(rows);
    expect(applyFilter(rows, 'B', (r) => r.t)).toEqual([{ t: 'b' }]);
  });
});

describe('keymap', () => {
  it('each key maps to one command', () => {
    const keys = KEYMAP.flatMap((b) => b.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });
  it('parses keys through the table', () => {
    const o = { readOnly: false, confirming: false };
    expect(commandFor('j', {}, o)).toBe('down');
    expect(commandFor('', { downArrow: true }, o)).toBe('down');
    expect(commandFor('', { tab: true, shift: true }, o)).toBe('prev-panel');
    expect(commandFor('R', {}, o)).toBe('recover');
    expect(commandFor('x', {}, o)).toBeNull();
  });
  it('hides mutating keys in read-only mode, in parsing and in the footer', () => {
    expect(commandFor('c', {}, { readOnly: true, confirming: false })).toBeNull();
    expect(visibleBindings(true).some((b) => b.mutating)).toBe(false);
    expect(footerText(true)).not.toContain('cancel');
    expect(footerText(false)).toContain('c cancel');
  });
  it('in a confirmation only y confirms; anything else cancels', () => {
    const o = { readOnly: false, confirming: true };
    expect(commandFor('y', {}, o)).toBe('confirm-yes');
    expect(commandFor('Y', {}, o)).toBe('confirm-no');
    expect(commandFor('', { return: true }, o)).toBe('confirm-no');
    expect(commandFor('c', {}, o)).toBe('confirm-no');
  });
});

describe('stateAlerts: alerts from what the panels show', () => {
  const ep = (name: string, status: EndpointRow['status'], since: number | null): EndpointRow => ({ name, kind: 'llama-server', status, latencyMs: null, since, reason: 'r' });
  const issue = (issueId: string, diagnosis: string | null, silent: boolean): IssueRow => ({
    issueId,
    state: null,
    iteration: null,
    lastReason: null,
    lastResult: null,
    resume: null,
    silent,
    diagnosis,
    jobId: null,
  });
  it('down endpoint crit, long loading warn, short loading none; diagnosed crit, silent warn; each with since and the key', () => {
    const now = 1_000_000_000;
    const a = stateAlerts(
      [ep('a', 'down', now - 90_000), ep('b', 'loading', now - LOADING_ALERT_MS - 1000), ep('c', 'loading', now - 5000), ep('d', 'up', now)],
      [issue('i1', 'stuck_text_mode', true), issue('i2', null, true), issue('i3', null, false)],
      now,
    );
    expect(a.map((x) => [x.severity, x.message])).toEqual([
      ['crit', 'endpoint a down for 1m30s: r (Enter: details)'],
      ['warn', 'endpoint b loading for 10m01s: r (Enter: details)'],
      ['crit', 'issue i1: stuck_text_mode (Enter, R: recover plan)'],
      ['warn', 'issue i2: worker silent (Enter, d: diagnose)'],
    ]);
    expect(a.map((x) => x.target)).toEqual([
      { panel: 'endpoints', key: 'a' },
      { panel: 'endpoints', key: 'b' },
      { panel: 'issues', key: 'i1' },
      { panel: 'issues', key: 'i2' },
    ]);
  });

  it('diagnosis fields (kind, cause, node) with since; budget exhausted; stale discovery record; a scancel (no diag) raises nothing', () => {
    const now = 1_000_000_000;
    const diag = (kind: string, cause: string | null, node?: string) => ({ kind, cause, ...(node ? { node } : {}), summary: 's', retryable: true, since: now - 120_000 });
    const a = stateAlerts(
      [{ ...ep('2291-27b', 'unknown', now - 3_600_000), discovery: 'stale', jobId: '2291', reason: 'job 2291 not in the queue' }],
      [
        { ...issue('t1', 'job_died TIMEOUT', false), diag: diag('job_died', 'TIMEOUT') },
        { ...issue('n1', 'job_died NODE_FAIL n3', false), diag: diag('job_died', 'NODE_FAIL', 'n3') },
        { ...issue('o1', 'out_of_memory', false), diag: diag('out_of_memory', 'OUT_OF_MEMORY') },
        { ...issue('b1', null, false), attempts: 3, maxAttempts: 3 },
        { ...issue('ok', null, false), attempts: 1, maxAttempts: 3 },
        { ...issue('cancelled', null, false), diag: null },
      ],
      now,
    );
    expect(a.map((x) => [x.severity, x.source, x.message])).toEqual([
      ['warn', 'discovery', 'discovery record 2291-27b stale for 1h00m: job 2291 not in the queue (Enter; swarmctl endpoints gc)'],
      ['crit', 'issues', 'issue t1: job_died TIMEOUT for 2m00s (Enter, R: recover plan)'],
      ['crit', 'issues', 'issue n1: job_died NODE_FAIL n3 for 2m00s (Enter, R: recover plan)'],
      ['crit', 'issues', 'issue o1: out_of_memory for 2m00s (Enter, R: recover plan)'],
      ['crit', 'recovery', 'issue b1: recovery budget exhausted (3/3 attempts): a human must look (Enter, d)'],
    ]);
    expect(a.every((x) => x.since !== undefined)).toBe(true);
  });

  it('a discovered server that is also a configured service raises no second down alert; stale it still does', () => {
    const now = 1_000_000_000;
    const a = stateAlerts(
      [
        ep('dead-host', 'down', now - 60_000),
        { ...ep('local:99-14b', 'down', null), discovery: 'unhealthy', sameAs: 'dead-host' },
        { ...ep('local:98-14b', 'unknown', now - 60_000), discovery: 'stale', sameAs: 'fast', reason: 'process 98 is gone' },
        { ...ep('4711-27b', 'down', null), discovery: 'unhealthy' },
      ],
      [],
      now,
    );
    expect(a.map((x) => [x.severity, x.message])).toEqual([
      ['crit', 'endpoint dead-host down for 1m00s: r (Enter: details)'],
      ['warn', 'discovery record local:98-14b stale for 1m00s: process 98 is gone (Enter; swarmctl endpoints gc)'],
      ['crit', 'endpoint 4711-27b down: r (Enter: details)'],
    ]);
  });
});

describe('bannerLines: the operator lock and a running restart', () => {
  it('names the holder and age, and the current step n of m; nothing when idle', () => {
    const now = 1_000_000_000;
    expect(bannerLines(null, now)).toEqual([]);
    expect(bannerLines({ lock: null, run: { id: 1, status: 'done', startedAt: now - 1000, orphaned: false, steps: [], current: null } }, now)).toEqual([]);
    const steps = [
      { seq: 0, service: 'nfs', action: 'check', status: 'done' },
      { seq: 1, service: 'hydracoder', action: 'verify', status: 'running' },
      { seq: 2, service: 'ai-proxy', action: 'check', status: 'pending' },
    ];
    expect(
      bannerLines(
        {
          lock: { holder: 'ops@login1 pid 42', command: 'swarmctl restart', ageMs: 65_000, expired: false },
          run: { id: 7, status: 'running', startedAt: now - 65_000, orphaned: false, steps, current: steps[1]! },
        },
        now,
      ),
    ).toEqual(['LOCK held by ops@login1 pid 42 (swarmctl restart) for 1m05s', 'RESTART run 7 1m05s: step 2/3 hydracoder verify (running)  [nfs:done hydracoder:running ai-proxy:pending]']);
  });
});

describe('uiReducer select: Enter on an alert lands on its row', () => {
  it('focuses the panel with that row selected', () => {
    const s = uiReducer(initialUi(), { type: 'select', panel: 'issues', index: 4 });
    expect(s.focused).toBe('issues');
    expect(s.selected.issues).toBe(4);
  });
});
