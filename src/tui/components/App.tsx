// The console's root: subscribes to the monitor's snapshots, holds UI state in
// a reducer, lays panels out with layoutFor, and hands keys to the input hook.
// No backend call happens here or below.
import React, { useCallback, useEffect, useMemo, useReducer, useState, useSyncExternalStore } from 'react';
import { Box, Text, useApp, useStdout } from 'ink';
import type { Monitor } from '../../monitor/monitor.js';
import { layoutFor, type PanelBox, type PanelId } from '../layout.js';
import { applyFilter, initialUi, uiReducer } from '../state.js';
import { deriveView, formatAge, type ConsoleView, type PanelView } from '../view-model.js';
import { footerText } from '../keymap.js';
import { Table, type TableColumn } from './Table.js';
import { alertColumns, endpointColumns, issueColumns, queueColumns, rowText, telemetryColumns } from './panels.js';
import { CommandLog, ConfirmDialog, DetailView, HelpOverlay } from './Overlays.js';
import { useConsoleInput } from '../use-console-input.js';
import type { ConsoleActions } from '../actions.js';
import { detailLines } from '../detail.js';

export interface AppProps {
  monitor: Monitor;
  actions: ConsoleActions;
  readOnly: boolean;
  clusterName: string;
  now?: () => number;
  /** Fixed size for tests; otherwise the terminal's, live on resize. */
  size?: { columns: number; rows: number };
}

const TITLES: Record<PanelId, string> = { endpoints: '1 Endpoints', queue: '2 Queue', issues: '3 Issues', telemetry: '4 Telemetry', alerts: '5 Alerts' };

function useTerminalSize(fixed?: { columns: number; rows: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout, fixed]);
  return size;
}

export function App({ monitor, actions, readOnly, clusterName, now = Date.now, size: fixedSize }: AppProps): React.ReactElement {
  const snap = useSyncExternalStore(monitor.subscribe, monitor.getSnapshot);
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  const [ui, dispatch] = useReducer(uiReducer, undefined, initialUi);
  const [detail, setDetail] = useState<{ title: string; lines: string[] } | null>(null);
  const t = now();
  const view = useMemo(() => deriveView(snap, t), [snap]); // eslint-disable-line react-hooks/exhaustive-deps

  const filtered = useMemo(() => {
    const f = (id: PanelId) => applyFilter(view[id].rows as unknown[], ui.filters[id], rowText[id] as (r: unknown) => string);
    return { endpoints: f('endpoints'), queue: f('queue'), issues: f('issues'), telemetry: f('telemetry'), alerts: f('alerts') } as Record<PanelId, unknown[]>;
  }, [view, ui.filters]);

  const rowsOf = useCallback((p: PanelId) => filtered[p], [filtered]);
  useConsoleInput({
    ui,
    dispatch,
    rowsOf,
    actions,
    readOnly,
    refresh: () => monitor.refresh(),
    quit: () => exit(),
    showDetail: setDetail,
    selectedDetail: () => {
      const row = filtered[ui.focused][ui.selected[ui.focused]];
      return row === undefined ? null : detailLines(ui.focused, row, now());
    },
  });

  const layout = layoutFor(size.columns, size.rows, ui.focused);
  const bodyHeight = size.rows - 3;
  const overlay = (() => {
    switch (ui.mode.kind) {
      case 'help':
        return <HelpOverlay readOnly={readOnly} width={size.columns} />;
      case 'confirm':
        return <ConfirmDialog title={ui.mode.title} commands={ui.mode.commands} width={size.columns} />;
      case 'detail':
        return detail ? <DetailView title={detail.title} lines={detail.lines} height={bodyHeight} width={size.columns} /> : null;
      case 'log':
        return <CommandLog entries={ui.log} height={bodyHeight} width={size.columns} />;
      default:
        return null;
    }
  })();

  const panel = (box: PanelBox) => (
    <PanelFrame key={box.id} box={box} title={TITLES[box.id]} focused={ui.focused === box.id} filter={ui.filters[box.id]} view={view[box.id] as PanelView<unknown>}>
      <Table
        columns={columnsFor(box.id, t) as TableColumn<unknown>[]}
        rows={filtered[box.id]}
        selected={ui.selected[box.id]}
        width={box.width}
        height={box.height - 3}
        focused={ui.focused === box.id}
        empty={emptyText(view[box.id] as PanelView<unknown>)}
      />
    </PanelFrame>
  );

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Header clusterName={clusterName} view={view} readOnly={readOnly} layoutMode={layout.mode} focused={ui.focused} />
      <Text wrap="truncate" color={ui.status.startsWith('✗') ? 'red' : undefined}>
        {ui.mode.kind === 'filter' ? `/${ui.mode.draft}█  (Enter apply, Esc clear)` : ui.status || ' '}
      </Text>
      {overlay ?? <Body boxes={layout.boxes} mode={layout.mode} render={panel} />}
      <Text dimColor wrap="truncate">{footerText(readOnly)}</Text>
    </Box>
  );
}

function columnsFor(id: PanelId, now: number): TableColumn<never>[] {
  switch (id) {
    case 'endpoints':
      return endpointColumns(now) as TableColumn<never>[];
    case 'queue':
      return queueColumns as TableColumn<never>[];
    case 'issues':
      return issueColumns(now) as TableColumn<never>[];
    case 'telemetry':
      return telemetryColumns as TableColumn<never>[];
    case 'alerts':
      return alertColumns as TableColumn<never>[];
  }
}

function emptyText(v: PanelView<unknown>): string {
  if (!v.health.loaded && v.health.error) return `load failed: ${v.health.error}`;
  if (!v.health.loaded) return 'loading…';
  return 'nothing here';
}

function Body({ boxes, mode, render }: { boxes: PanelBox[]; mode: string; render: (b: PanelBox) => React.ReactElement }): React.ReactElement {
  if (mode === 'tabs') return <Box>{boxes.map(render)}</Box>;
  // Columns of stacked panels, grouped by x.
  const cols = [...new Set(boxes.map((b) => b.x))].sort((a, b) => a - b);
  return (
    <Box>
      {cols.map((x) => (
        <Box key={x} flexDirection="column">
          {boxes.filter((b) => b.x === x).map(render)}
        </Box>
      ))}
    </Box>
  );
}

function PanelFrame({ box, title, focused, filter, view, children }: { box: PanelBox; title: string; focused: boolean; filter: string | undefined; view: PanelView<unknown>; children: React.ReactNode }): React.ReactElement {
  const h = view.health;
  const banner = h.error ? (h.stale ? `STALE ${h.ageMs === null ? '' : formatAge(h.ageMs)}: ${h.error}` : `LOAD FAILED: ${h.error}`) : null;
  return (
    <Box flexDirection="column" borderStyle={focused ? 'double' : 'single'} borderColor={focused ? 'cyan' : 'gray'} width={box.width} height={box.height} paddingX={0}>
      <Text bold wrap="truncate">
        {title} <Text dimColor>({view.rows.length}){filter ? ` /${filter}/` : ''}{h.loading ? ' ⟳' : ''}</Text>
      </Text>
      {banner ? (
        <Text color="red" bold wrap="truncate">{banner}</Text>
      ) : null}
      {children}
    </Box>
  );
}

function Header({ clusterName, view, readOnly, layoutMode, focused }: { clusterName: string; view: ConsoleView; readOnly: boolean; layoutMode: string; focused: PanelId }): React.ReactElement {
  const counts = { up: 0, down: 0, other: 0 };
  for (const e of view.endpoints.rows) counts[e.status === 'up' ? 'up' : e.status === 'down' ? 'down' : 'other']++;
  const running = view.queue.rows.filter((j) => j.state === 'RUNNING').length;
  const pending = view.queue.rows.filter((j) => j.state === 'PENDING').length;
  const crit = view.alerts.rows.filter((a) => a.severity === 'crit').length;
  return (
    <Text wrap="truncate">
      <Text bold inverse> swarmctl </Text> <Text bold>{clusterName}</Text>
      {'  '}endpoints <Text color="green">✓{counts.up}</Text> <Text color="red">✗{counts.down}</Text> <Text color="yellow">!{counts.other}</Text>
      {'  '}jobs {running} running {pending} pending
      {'  '}alerts {crit ? <Text color="red" bold>{crit} crit</Text> : <Text color="green">0 crit</Text>}
      {readOnly ? <Text color="yellow">  READ-ONLY</Text> : null}
      {layoutMode === 'tabs' ? <Text dimColor>  [{focused}]  Tab/1-5 switch</Text> : null}
    </Text>
  );
}
