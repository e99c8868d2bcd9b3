import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { columnWidths, fitColumns, layoutFor, truncate, type Column } from '../../src/tui/layout.js';
import { commandFor, footerText, KEYMAP, visibleBindings } from '../../src/tui/keymap.js';

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
        for (const a of l.boxes)
          for (const b of l.boxes)
            if (a !== b) expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y).toBe(true);
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
