// A table as Ink will draw it, built in pure code: which columns fit, which
// rows are visible, and each column's cells as runs of equally styled lines.
// Why columns and not rows: Ink re-tokenises every character it is given on
// every frame (one grapheme at a time), so the frame cost follows the
// characters written. A column written as one multi-line text needs no
// padding (Ink's grid is already blank), and a cell value that repeats down
// a column (RUNNING, a node name, a dimmed kind) is a line Ink has already
// tokenised in this frame. Pure: no Ink, no React.
import { columnWidths, displayWidth, fitColumns, truncate, type Column } from './layout.js';

export interface Cell {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
}

export interface TableColumn<T> extends Column {
  cell(row: T): Cell;
}

export interface CellStyle {
  color: string | undefined;
  bold: boolean;
  dim: boolean;
  inverse: boolean;
}

/** Consecutive lines of one column that share a style; `lines.join('\n')` is what Ink draws. */
export interface Run {
  style: CellStyle;
  lines: string[];
}

export interface ColumnView {
  id: string;
  /** Cells the column owns, including the one-space gap after it (not after the last). */
  width: number;
  runs: Run[];
}

export interface TableView {
  /** Column titles, padded between columns, nothing after the last. */
  header: string;
  columns: ColumnView[];
  /** Rows shown (0: the panel shows its empty text instead). */
  shown: number;
}

/** First visible row so that `selected` is on screen. */
export function windowStart(selected: number, total: number, visible: number): number {
  if (total <= visible) return 0;
  const half = Math.floor(visible / 2);
  return Math.max(0, Math.min(selected - half, total - visible));
}

// A newline, tab or escape in a value would break the column into extra
// lines or leak a terminal sequence: every control character becomes a space.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A cell's text made safe for one terminal line of `width` cells. */
export function cellText(text: string, width: number): string {
  return truncate(text.replace(CONTROL, ' '), width);
}

const sameStyle = (a: CellStyle, b: CellStyle) => a.color === b.color && a.bold === b.bold && a.dim === b.dim && a.inverse === b.inverse;

/**
 * The visible window of `rows` as columns. The selected row (when the table is
 * focused) is padded across its column and the gap so the inverse bar reads as
 * one row; every other cell ends where its text ends.
 */
export function tableView<T>(columns: readonly TableColumn<T>[], rows: readonly T[], selected: number, width: number, height: number, focused: boolean): TableView {
  const cols = fitColumns(columns, width) as TableColumn<T>[];
  const widths = columnWidths(cols, width);
  const visible = Math.max(0, height - 1);
  const start = windowStart(selected, rows.length, visible);
  const shown = rows.slice(start, start + visible);
  const selLine = focused ? selected - start : -1;
  const last = cols.length - 1;
  const header = cols
    .map((c, i) => (i === last ? truncate(c.title, widths[i]!) : pad(truncate(c.title, widths[i]!), widths[i]! + 1)))
    .join('')
    .trimEnd();
  const columnViews = cols.map((c, j): ColumnView => {
    const w = widths[j]!;
    const owned = j === last ? w : w + 1;
    const runs: Run[] = [];
    shown.forEach((row, i) => {
      const cell = c.cell(row);
      const isSel = i === selLine;
      const text = cellText(cell.text, w);
      const style: CellStyle = { color: cell.color, bold: cell.bold ?? false, dim: cell.dim ?? false, inverse: isSel };
      const line = isSel ? pad(text, owned) : text;
      const prev = runs.at(-1);
      // An empty cell shows no style: it joins the run above instead of splitting it.
      if (prev && (sameStyle(prev.style, style) || (line === '' && !prev.style.inverse))) prev.lines.push(line);
      else runs.push({ style, lines: [line] });
    });
    return { id: c.id, width: owned, runs };
  });
  return { header, columns: columnViews, shown: shown.length };
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
