// A table drawn from tableView (pure): renders ONLY the rows that fit
// (2,000 jobs cost the same as 20) and keeps the selected row in view.
// Each column is one Box holding one multi-line Text: a handful of Ink nodes
// per table and no padding characters (see table-model.ts for why).
import React from 'react';
import { Box, Text } from 'ink';
import { tableView, type CellStyle, type ColumnView, type TableColumn } from '../table-model.js';

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

export function Table<T>({ columns, rows, selected, width, height, focused, empty }: TableProps<T>): React.ReactElement {
  const view = tableView(columns, rows, selected, width, height, focused);
  return (
    <Box flexDirection="column">
      <Text bold dimColor>
        {view.header}
      </Text>
      {view.shown === 0 ? (
        <Text dimColor>{empty}</Text>
      ) : (
        <Box>
          {view.columns.map((c) => (
            <Box key={c.id} width={c.width} flexShrink={0}>
              <ColumnText column={c} />
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}

const plain = (s: CellStyle) => !s.color && !s.bold && !s.dim && !s.inverse;

function styleProps(s: CellStyle) {
  return { ...(s.color ? { color: s.color } : {}), bold: s.bold, dimColor: s.dim, inverse: s.inverse };
}

function ColumnText({ column }: { column: ColumnView }): React.ReactElement {
  const { runs } = column;
  if (runs.length === 1) return <Text {...styleProps(runs[0]!.style)}>{runs[0]!.lines.join('\n')}</Text>;
  const parts: React.ReactNode[] = [];
  runs.forEach((r, i) => {
    const text = r.lines.join('\n');
    parts.push(
      plain(r.style) ? (
        text
      ) : (
        <Text key={i} {...styleProps(r.style)}>
          {text}
        </Text>
      ),
    );
    if (i < runs.length - 1) parts.push('\n');
  });
  return <Text>{parts}</Text>;
}
