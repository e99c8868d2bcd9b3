// The console's UI state (focus, selection, filter, overlays, the command
// log) in one reducer: every key becomes an action, so behaviour is testable
// without a terminal. Pure.
import { PANELS, type PanelId } from '../console/view-model.js';
import type { NodeState } from '../console/node-rows.js';

export type Mode =
  | { kind: 'normal' }
  | { kind: 'help' }
  | { kind: 'filter'; draft: string }
  | { kind: 'detail' }
  | { kind: 'log' }
  | { kind: 'confirm'; title: string; commands: string[][]; notes?: string[]; actionId: string }
  | { kind: 'restart' }
  /** Typing the reason for draining `node` (Enter: the plan; Esc: cancel). */
  | { kind: 'reason'; node: NodeState; draft: string };

export interface LogEntry {
  at: number;
  title: string;
  argv: string[][];
  outcome: 'ok' | 'failed' | 'running' | 'cancelled';
  detail: string;
}

export interface UiState {
  focused: PanelId;
  selected: Record<PanelId, number>;
  filters: Partial<Record<PanelId, string>>;
  mode: Mode;
  status: string;
  log: LogEntry[];
  /** First line shown of the open overlay (help, detail, log): they scroll with j/k, g/G. */
  scroll: number;
}

export type UiAction =
  | { type: 'focus'; panel: PanelId }
  | { type: 'focus-step'; delta: 1 | -1 }
  /** The selected row moved in its panel (a refresh): select it there, focus unchanged. */
  | { type: 'reselect'; panel: PanelId; index: number }
  | { type: 'move'; delta: number; rowCount: number }
  /** Focus a panel with one row selected (Enter on an alert goes to its issue or endpoint). */
  | { type: 'select'; panel: PanelId; index: number }
  | { type: 'jump'; to: 'top' | 'bottom'; rowCount: number }
  | { type: 'mode'; mode: Mode }
  | { type: 'scroll'; to: number; max: number }
  | { type: 'filter-type'; text: string }
  | { type: 'filter-backspace' }
  /** Ctrl-U: the whole draft; Ctrl-W: the last word (and the spaces after it), as in a shell. */
  | { type: 'filter-kill'; what: 'line' | 'word' }
  | { type: 'filter-commit' }
  | { type: 'filter-clear' }
  | { type: 'status'; text: string; /** only if the status line still says this */ ifCurrent?: string }
  | { type: 'log'; entry: LogEntry }
  | { type: 'log-update'; at: number; outcome: LogEntry['outcome']; detail: string };

export const initialUi = (): UiState => ({
  focused: 'endpoints',
  selected: { endpoints: 0, queue: 0, issues: 0, telemetry: 0, alerts: 0 },
  filters: {},
  mode: { kind: 'normal' },
  status: '',
  log: [],
  scroll: 0,
});

const LOG_MAX = 200;

export function uiReducer(s: UiState, a: UiAction): UiState {
  switch (a.type) {
    case 'focus':
      return { ...s, focused: a.panel };
    case 'focus-step': {
      const i = PANELS.indexOf(s.focused);
      return { ...s, focused: PANELS[(i + a.delta + PANELS.length) % PANELS.length]! };
    }
    case 'move': {
      const max = Math.max(0, a.rowCount - 1);
      const next = Math.min(max, Math.max(0, s.selected[s.focused] + a.delta));
      return { ...s, selected: { ...s.selected, [s.focused]: next } };
    }
    case 'reselect':
      return { ...s, selected: { ...s.selected, [a.panel]: Math.max(0, a.index) } };
    case 'select':
      return { ...s, focused: a.panel, selected: { ...s.selected, [a.panel]: Math.max(0, a.index) } };
    case 'jump':
      return { ...s, selected: { ...s.selected, [s.focused]: a.to === 'top' ? 0 : Math.max(0, a.rowCount - 1) } };
    case 'mode':
      return { ...s, mode: a.mode, scroll: 0 };
    case 'scroll':
      return { ...s, scroll: Math.max(0, Math.min(a.max, a.to)) };
    // Relative to the current draft: keys can arrive faster than renders.
    case 'filter-type':
      return s.mode.kind === 'filter' ? { ...s, mode: { kind: 'filter', draft: s.mode.draft + a.text } } : s;
    case 'filter-backspace':
      return s.mode.kind === 'filter' ? { ...s, mode: { kind: 'filter', draft: s.mode.draft.slice(0, -1) } } : s;
    case 'filter-kill':
      return s.mode.kind === 'filter' ? { ...s, mode: { kind: 'filter', draft: a.what === 'line' ? '' : s.mode.draft.replace(/\S*\s*$/, '') } } : s;
    case 'filter-commit': {
      if (s.mode.kind !== 'filter') return s;
      const draft = s.mode.draft;
      const err = regexError(draft);
      if (err) return { ...s, status: `filter: ${err}` };
      const filters = { ...s.filters };
      if (draft) filters[s.focused] = draft;
      else delete filters[s.focused];
      return { ...s, filters, mode: { kind: 'normal' }, selected: { ...s.selected, [s.focused]: 0 }, status: draft ? `filter /${draft}/ on ${s.focused}` : '' };
    }
    case 'filter-clear': {
      const filters = { ...s.filters };
      delete filters[s.focused];
      return { ...s, filters, mode: { kind: 'normal' } };
    }
    case 'status':
      return a.ifCurrent !== undefined && s.status !== a.ifCurrent ? s : { ...s, status: a.text };
    case 'log':
      return { ...s, log: [a.entry, ...s.log].slice(0, LOG_MAX) };
    case 'log-update':
      return { ...s, log: s.log.map((e) => (e.at === a.at ? { ...e, outcome: a.outcome, detail: a.detail } : e)) };
  }
}

export function regexError(src: string): string | null {
  try {
    new RegExp(src, 'i');
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Rows whose text matches the panel's filter (case-insensitive regex). Without
 * a (valid) filter it returns `rows` itself: an unchanged source then keeps
 * its identity and its panel skips re-rendering.
 */
export function applyFilter<T>(rows: readonly T[], filter: string | undefined, text: (r: T) => string): readonly T[] {
  if (!filter) return rows;
  let re: RegExp;
  try {
    re = new RegExp(filter, 'i');
  } catch {
    return rows;
  }
  return rows.filter((r) => re.test(text(r)));
}
