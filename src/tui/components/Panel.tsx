// One bordered panel: title line, failure banner, table. Memoised on plain
// props (numbers, strings, the rows array's identity): a snapshot that
// changed only the queue re-renders only the queue panel, so React and Yoga
// skip the others. Ink still draws the whole screen each frame; that cost
// is kept down by the Table's column layout.
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { PanelId } from '../../console/view-model.js';
import type { TableColumn } from '../table-model.js';
import { Table } from './Table.js';
import { alertColumns, endpointColumns, issueColumns, queueColumns, telemetryColumns } from './panels.js';

export interface PanelProps {
  id: PanelId;
  title: string;
  width: number;
  height: number;
  focused: boolean;
  filter: string | undefined;
  /** Rows the source has (before the filter). */
  count: number;
  loading: boolean;
  /** Red line under the title when the source failed (null: healthy). */
  banner: string | null;
  rows: readonly unknown[];
  selected: number;
  empty: string;
  /** Clock for age columns; 0 for panels that show no age (keeps their memo hits). */
  now: number;
}

export const Panel = memo(function Panel(p: PanelProps): React.ReactElement {
  return (
    <Box flexDirection="column" borderStyle={p.focused ? 'double' : 'single'} borderColor={p.focused ? 'cyan' : 'gray'} width={p.width} height={p.height}>
      <Text bold wrap="truncate">
        {p.title}{' '}
        <Text dimColor>
          ({p.count}){p.filter ? ` /${p.filter}/` : ''}
          {p.loading ? ' ⟳' : ''}
        </Text>
      </Text>
      {p.banner ? (
        <Text color="red" bold wrap="truncate">
          {p.banner}
        </Text>
      ) : null}
      {/* Borders and title take 3 lines, the banner one more: the table gets the rest, never the bottom border. */}
      <Table columns={columnsFor(p.id, p.now)} rows={p.rows} selected={p.selected} width={p.width} height={p.height - 3 - (p.banner ? 1 : 0)} focused={p.focused} empty={p.empty} />
    </Box>
  );
});

/** Panels whose cells depend on the clock (they get `now`; the others get 0). */
export const CLOCKED: ReadonlySet<PanelId> = new Set(['endpoints', 'issues']);

function columnsFor(id: PanelId, now: number): readonly TableColumn<unknown>[] {
  const cols = { endpoints: endpointColumns(now), queue: queueColumns, issues: issueColumns(now), telemetry: telemetryColumns, alerts: alertColumns }[id];
  return cols as readonly TableColumn<unknown>[];
}
