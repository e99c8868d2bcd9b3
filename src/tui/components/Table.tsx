// A small table: fits columns to the width (dropping low-priority ones),
// renders ONLY the rows that fit (2,000 jobs cost the same as 20), and keeps
// the selected row in view. Each row is one <Text> line: cheap to diff.
import React from 'react';
import { Box, Text } from 'ink';
import { columnWidths, fitColumns, truncate, type Column } from '../layout.js';

export interface Cell {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
}

export interface TableColumn<T> extends Column {
  cell(row: T): Cell;
}

export interface TableProps<T> {
  columns: readonly TableColumn<T>[];
  rows: readonly T[];
  selected: number;
  width: number;
  /** Lines available for header + rows. */
  height: number;
  focused: boolean;
  empty: string;
}

/** First visible row so that `selected` is on screen (pure). */
export function windowStart(selected: number, total: number, visible: number): number {
  if (total <= visible) return 0;
  const half = Math.floor(visible / 2);
  return Math.max(0, Math.min(selected - half, total - visible));
}

const pad = (s: string, w: number) => {
  const t = truncate(s, w);
  return t + ' '.repeat(Math.max(0, w - [...t].length));
};

export function Table<T>({ columns, rows, selected, width, height, focused, empty }: TableProps<T>): React.ReactElement {
  const cols = fitColumns(columns, width) as TableColumn<T>[];
  const widths = columnWidths(cols, width);
  const visible = Math.max(0, height - 1);
  const start = windowStart(selected, rows.length, visible);
  const shown = rows.slice(start, start + visible);
  return (
    <Box flexDirection="column">
      <Text bold dimColor>
        {cols.map((c, i) => pad(c.title, widths[i]!)).join(' ')}
      </Text>
      {shown.length === 0 ? <Text dimColor>{empty}</Text> : null}
      {shown.map((row, i) => {
        const isSel = focused && start + i === selected;
        return (
          <Text key={start + i} inverse={isSel} wrap="truncate">
            {cols.map((c, j) => {
              const cell = c.cell(row);
              return (
                <Text key={c.id} {...(cell.color ? { color: cell.color } : {})} bold={cell.bold ?? false} dimColor={cell.dim ?? false}>
                  {pad(cell.text, widths[j]!)}
                  {j < cols.length - 1 ? ' ' : ''}
                </Text>
              );
            })}
          </Text>
        );
      })}
    </Box>
  );
}
