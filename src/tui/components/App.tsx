// The console's root: subscribes to the monitor's snapshots, holds UI state in
// a reducer, lays panels out with layoutFor, and hands keys to the input hook.
// No backend call happens here or below.
import React, { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Text, useApp, useStdout } from 'ink';
import type { Monitor } from '../../console/monitor.js';
import { layoutFor, overlayRows, type PanelBox } from '../layout.js';
import { PANELS, type PanelId } from '../../console/view-model.js';
import { followSelection } from '../row-key.js';
import { applyFilter, initialUi, uiReducer, type UiState } from '../state.js';
import { deriveView, formatAge, type ConsoleView, type PanelView } from '../../console/view-model.js';
import { footerText, visibleBindings } from '../keymap.js';
import { rowText } from './panels.js';
import { CLOCKED, Panel } from './Panel.js';
import { CommandLog, ConfirmDialog, confirmOverflow, DetailView, detailOverflow, HelpOverlay } from './Overlays.js';
import { RestartOverlay, restartOverflow } from './RestartOverlay.js';
import { useConsoleInput } from '../use-console-input.js';
import type { ConsoleActions } from '../../console/actions.js';
import { detailLines } from '../detail.js';
import { useFrameDump } from '../frame-dump.js';
import { headerParts } from '../header.js';
import { clockTime } from '../../console/failure-text.js';

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

/**
 * The size to draw in: the terminal's, one row short. When a frame is as tall
 * as the terminal, Ink clears the whole screen and redraws every line on each
 * change (ink.js, the "fullscreen" path), which flickers and resends the whole
 * screen over a slow SSH link; one row shorter, it rewrites only the lines
 * that changed (incrementalRendering in run.tsx).
 */
function useTerminalSize(fixed?: { columns: number; rows: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: Math.max(1, (stdout.rows || 24) - 1) };
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
  const view = useMemo(() => deriveView(snap, t, { readOnly }), [snap]); // eslint-disable-line react-hooks/exhaustive-deps

  // Per panel, the filtered rows keep their identity while the panel's rows
  // and filter are unchanged, so the memoised panels of other sources skip.
  const lastFiltered = useRef(new Map<PanelId, { rows: readonly unknown[]; filter: string | undefined; out: readonly unknown[] }>());
  const filtered = useMemo(() => {
    const f = (id: PanelId) => {
      const rows = view[id].rows as readonly unknown[];
      const filter = ui.filters[id];
      const prev = lastFiltered.current.get(id);
      if (prev && prev.rows === rows && prev.filter === filter) return prev.out;
      const out = applyFilter(rows, filter, rowText[id] as (r: unknown) => string);
      lastFiltered.current.set(id, { rows, filter, out });
      return out;
    };
    return { endpoints: f('endpoints'), queue: f('queue'), issues: f('issues'), telemetry: f('telemetry'), alerts: f('alerts') } as Record<PanelId, readonly unknown[]>;
  }, [view, ui.filters]);

  // The selection follows its row through a refresh, before the next key is read.
  const before = useRef({ rows: filtered, filters: ui.filters });
  useLayoutEffect(() => {
    const was = before.current;
    before.current = { rows: filtered, filters: ui.filters };
    if (was.rows === filtered) return;
    for (const p of PANELS) {
      // A new filter selects its first match; only a refresh's moves are followed.
      if (was.rows[p] === filtered[p] || was.filters[p] !== ui.filters[p]) continue;
      const index = followSelection(p, was.rows[p], ui.selected[p], filtered[p]);
      if (index !== null) dispatch({ type: 'reselect', panel: p, index });
    }
  }, [filtered]); // eslint-disable-line react-hooks/exhaustive-deps

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
    overlayOverflow: (kind) => {
      const body = size.rows - 3 - view.banner.length;
      if (kind === 'detail') return detail ? detailOverflow(detail.lines, size.columns, body) : 0;
      if (kind === 'restart') return restartOverflow(view.restart, now(), body, readOnly);
      if (kind === 'confirm') return ui.mode.kind === 'confirm' ? confirmOverflow(ui.mode.notes, ui.mode.commands, size.columns, body) : 0;
      const total = kind === 'help' ? visibleBindings(readOnly).length : ui.log.length;
      return Math.max(0, total - overlayRows(kind, body));
    },
    selectedDetail: (u) => {
      const row = filtered[u.focused][u.selected[u.focused]];
      return row === undefined ? null : detailLines(u.focused, row, now(), readOnly);
    },
  });

  const screen = <Screen clusterName={clusterName} view={view} readOnly={readOnly} ui={ui} size={size} detail={detail} filtered={filtered} t={t} />;
  useFrameDump(screen, size.columns);
  return screen;
}

interface ScreenProps {
  clusterName: string;
  view: ConsoleView;
  readOnly: boolean;
  ui: UiState;
  size: { columns: number; rows: number };
  detail: { title: string; lines: string[] } | null;
  filtered: Record<PanelId, readonly unknown[]>;
  t: number;
}

/** The whole screen as a pure function of its props (no hooks): what the App draws, and what --frame dumps compare against. */
function Screen({ clusterName, view, readOnly, ui, size, detail, filtered, t }: ScreenProps): React.ReactElement {
  const banner = view.banner;
  const layout = layoutFor(size.columns, size.rows - banner.length, ui.focused);
  const bodyHeight = size.rows - 3 - banner.length;
  const overlay = (() => {
    switch (ui.mode.kind) {
      case 'help':
        return <HelpOverlay readOnly={readOnly} width={size.columns} height={bodyHeight} scroll={ui.scroll} />;
      case 'confirm':
        return <ConfirmDialog title={ui.mode.title} commands={ui.mode.commands} notes={ui.mode.notes} width={size.columns} height={bodyHeight} scroll={ui.scroll} />;
      case 'restart':
        return <RestartOverlay restart={view.restart} now={t} width={size.columns} height={bodyHeight} scroll={ui.scroll} readOnly={readOnly} />;
      case 'detail':
        return detail ? <DetailView title={detail.title} lines={detail.lines} height={bodyHeight} width={size.columns} scroll={ui.scroll} /> : null;
      case 'log':
        return <CommandLog entries={ui.log} height={bodyHeight} width={size.columns} scroll={ui.scroll} />;
      default:
        return null;
    }
  })();

  const panel = (box: PanelBox) => {
    const v = view[box.id] as PanelView<unknown>;
    return (
      <Panel
        key={box.id}
        id={box.id}
        title={TITLES[box.id]}
        width={box.width}
        height={box.height}
        focused={ui.focused === box.id}
        filter={ui.filters[box.id]}
        count={v.rows.length}
        loading={v.health.loading}
        banner={bannerText(v, box.id, t)}
        rows={filtered[box.id]}
        selected={ui.selected[box.id]}
        empty={emptyText(v)}
        now={CLOCKED.has(box.id) ? t : 0}
      />
    );
  };

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Header clusterName={clusterName} view={view} readOnly={readOnly} layoutMode={layout.mode} focused={ui.focused} columns={size.columns} />
      {banner.map((line, i) => (
        <Text key={`banner${i}`} wrap="truncate" color="black" backgroundColor="yellow">
          {line}
        </Text>
      ))}
      <Text wrap="truncate" color={ui.status.startsWith('✗') ? 'red' : undefined}>
        {ui.mode.kind === 'filter'
          ? `/${ui.mode.draft}█  (Enter apply, Esc clear)`
          : ui.mode.kind === 'reason'
            ? `drain ${ui.mode.node.name}, reason: ${ui.mode.draft}█  (Enter: plan, Esc: cancel)`
            : ui.status || ' '}
      </Text>
      {/* The body never takes more than its rows, so the footer is always on screen. */}
      <Box height={bodyHeight} flexDirection="column" overflow="hidden">
        {overlay ?? <Body boxes={layout.boxes} mode={layout.mode} render={panel} />}
      </Box>
      <Text dimColor wrap="truncate">
        {footerText(readOnly)}
      </Text>
    </Box>
  );
}

function bannerText(v: PanelView<unknown>, id: PanelId, t: number): string | null {
  const h = v.health;
  if (!h.error) return null;
  if (!h.stale) return `LOAD FAILED: ${h.error}`;
  // The reason first, then what is shown instead: from when, and how old.
  const from = h.ageMs === null ? '' : ` — showing ${id === 'queue' ? 'the queue' : 'data'} from ${clockTime(t - h.ageMs)}, ${formatAge(h.ageMs)} old`;
  return `STALE: ${h.error}${from}`;
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

function Header({
  clusterName,
  view,
  readOnly,
  layoutMode,
  focused,
  columns,
}: {
  clusterName: string;
  view: ConsoleView;
  readOnly: boolean;
  layoutMode: string;
  focused: PanelId;
  columns: number;
}): React.ReactElement {
  // Which parts fit is decided in header.ts: the crit count and STALE survive any width.
  const parts = headerParts(view, { clusterName, readOnly, layoutMode, focused, columns });
  return (
    <Text wrap="truncate">
      {parts.map((p, i) => (
        <Text key={i} {...(p.color ? { color: p.color } : {})} bold={Boolean(p.bold)} inverse={Boolean(p.inverse)} dimColor={Boolean(p.dim)}>
          {p.text}
        </Text>
      ))}
    </Text>
  );
}
