// Breakpoints in one pure function: what the console shows at a given terminal
// size. 80x24 (the smallest SSH window) shows one panel at a time as tabs and
// drops low-priority columns; wide terminals show panels side by side.
// Pure: no Ink, no React.
import { PANELS, type PanelId } from '../console/view-model.js';

export interface Column {
  id: string;
  title: string;
  /** Lower = more important; dropped from the highest up when space runs out. */
  priority: number;
  /** Minimum width; `flex` columns take what is left (names, reasons). */
  width: number;
  flex?: boolean;
}

export interface PanelBox {
  id: PanelId;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  mode: 'tabs' | 'split' | 'grid';
  columns: number;
  rows: number;
  /** Panels drawn this frame (tabs: only the focused one). */
  boxes: PanelBox[];
  /** Rows for the header (1), tab bar/status (1) and footer (1). */
  chrome: { header: number; status: number; footer: number };
}

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export function layoutFor(columns: number, rows: number, focused: PanelId = 'endpoints'): Layout {
  const cols = Math.max(columns, 20);
  const rws = Math.max(rows, 8);
  const chrome = { header: 1, status: 1, footer: 1 };
  const body = rws - chrome.header - chrome.status - chrome.footer;
  const top = chrome.header + chrome.status;
  if (cols < 120 || rws < 30) {
    return { mode: 'tabs', columns: cols, rows: rws, chrome, boxes: [{ id: focused, x: 0, y: top, width: cols, height: body }] };
  }
  if (cols < 200) {
    // Two columns: endpoints+alerts left, queue+issues right; telemetry under issues when focused.
    const left = Math.floor(cols * 0.42);
    const half = Math.floor(body / 2);
    const right = focused === 'telemetry' ? 'telemetry' : focused === 'issues' ? 'issues' : 'queue';
    const rightBottom = right === 'queue' ? 'issues' : 'queue';
    return {
      mode: 'split',
      columns: cols,
      rows: rws,
      chrome,
      boxes: [
        { id: 'endpoints', x: 0, y: top, width: left, height: half },
        { id: 'alerts', x: 0, y: top + half, width: left, height: body - half },
        { id: right, x: left, y: top, width: cols - left, height: half },
        { id: rightBottom, x: left, y: top + half, width: cols - left, height: body - half },
      ],
    };
  }
  const third = Math.floor(cols / 3);
  const half = Math.floor(body / 2);
  return {
    mode: 'grid',
    columns: cols,
    rows: rws,
    chrome,
    boxes: [
      { id: 'endpoints', x: 0, y: top, width: third, height: half },
      { id: 'alerts', x: 0, y: top + half, width: third, height: body - half },
      { id: 'queue', x: third, y: top, width: third, height: half },
      { id: 'issues', x: third, y: top + half, width: third, height: body - half },
      { id: 'telemetry', x: 2 * third, y: top, width: cols - 2 * third, height: body },
    ],
  };
}

/** Which columns fit in `width` (2 for borders, 1 space between columns), most important first. */
export function fitColumns(all: readonly Column[], width: number): Column[] {
  const inner = width - 2;
  const byPriority = [...all].sort((a, b) => a.priority - b.priority);
  const chosen: Column[] = [];
  let used = 0;
  for (const c of byPriority) {
    const need = c.width + (chosen.length ? 1 : 0);
    // Strict priority: once one column does not fit, no less important one is shown.
    if (used + need > inner) break;
    chosen.push(c);
    used += need;
  }
  return all.filter((c) => chosen.includes(c));
}

/** Column widths after giving the spare space to flex columns. */
export function columnWidths(cols: readonly Column[], width: number): number[] {
  const inner = width - 2;
  const base = cols.reduce((s, c) => s + c.width, 0) + Math.max(0, cols.length - 1);
  const spare = Math.max(0, inner - base);
  const flex = cols.filter((c) => c.flex).length;
  let given = 0;
  return cols.map((c) => {
    if (!c.flex || flex === 0) return c.width;
    const extra = Math.floor(spare / flex);
    given++;
    return c.width + extra + (given === flex ? spare - extra * flex : 0);
  });
}

// Wide (two-cell) characters: the East Asian scripts, CJK symbols and
// fullwidth forms, and emoji shown as pictures (checked against string-width,
// which Ink uses, for every code point up to U+3FFFF: none is counted
// narrower). Erring towards two only truncates a cell one character early;
// erring towards one would let a cell overflow its column, and Ink would
// wrap it onto the next row's line.
const WIDE = new RegExp(
  '[\\p{Script=Han}\\p{Script=Hangul}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Bopomofo}\\p{Script=Yi}\\p{Script=Tangut}' +
    '\\p{Script=Nushu}\\p{Script=Khitan_Small_Script}\\p{Emoji_Presentation}\\u2329\\u232a\\u2630-\\u2637\\u268a-\\u268f\\u2e80-\\u303e' +
    '\\u3040-\\u30ff\\u3190-\\u33ff\\u4dc0-\\u4dff\\uf900-\\ufaff\\ufe10-\\ufe19\\ufe30-\\ufe6f\\uff00-\\uff60\\uffe0-\\uffe6' +
    '\\u{16fe0}-\\u{1b2ff}\\u{1d300}-\\u{1d376}\\u{1f000}-\\u{1faff}\\u{20000}-\\u{3fffd}]',
  'u',
);
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Terminal cells one character takes (1 or 2). */
function charWidth(ch: string): number {
  return WIDE.test(ch) ? 2 : 1;
}

/** Terminal cells `text` takes (plain text, no escape sequences). */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/** Cut to `width` display cells with an ellipsis (the console's only truncation). */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (PRINTABLE_ASCII.test(text)) return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** Hard-wraps each line to `width` display cells (detail views and dialogs: nothing an operator must read is cut). */
export function wrapLines(lines: readonly string[], width: number): string[] {
  const out: string[] = [];
  const w = Math.max(1, width);
  for (const line of lines) {
    let cur = '';
    let used = 0;
    for (const ch of line) {
      const cw = charWidth(ch);
      if (used + cw > w) {
        out.push(cur);
        cur = '';
        used = 0;
      }
      cur += ch;
      used += cw;
    }
    out.push(cur);
  }
  return out;
}

/** Rows an overlay has for its lines inside `bodyHeight` (borders, title and the help's hint line excluded). */
export function overlayRows(kind: 'help' | 'detail' | 'log', bodyHeight: number): number {
  return Math.max(1, bodyHeight - (kind === 'help' ? 4 : 3));
}
