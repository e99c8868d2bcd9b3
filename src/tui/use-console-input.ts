// The console's one input hook: a key -> a command (from the keymap table)
// -> a reducer action, or a call to ConsoleActions for mutating commands
// (plan -> y/N -> run -> command log). Components stay render-only.
import { useRef } from 'react';
import { useInput } from 'ink';
import { commandFor } from './keymap.js';
import { PANELS, type PanelId } from '../console/view-model.js';
import { uiReducer, type UiAction, type UiState } from './state.js';
import type { ActionPlan, ConsoleActions } from '../console/actions.js';
import type { AlertRow, EndpointRow, IssueRow, JobRow } from '../console/view-model.js';
import type { NodeState } from '../console/node-rows.js';
import { reasonKey } from './reason-prompt.js';

/** squeue states of a job that still holds its issue (cancel acts on these). */
const ACTIVE_STATE = /^(PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|RESIZING|SIGNALING|STAGE_OUT)\b/;

export interface InputDeps {
  ui: UiState;
  dispatch: (a: UiAction) => void;
  rowsOf: (panel: PanelId) => readonly unknown[];
  actions: ConsoleActions;
  readOnly: boolean;
  refresh: () => Promise<void> | void;
  quit: () => void;
  showDetail: (d: { title: string; lines: string[] } | null) => void;
  /** The detail of the row selected in `ui` (the hook's latest state, maybe not rendered yet). */
  selectedDetail: (ui: UiState) => { title: string; lines: string[] } | null;
  /** Lines the open overlay cannot show at once (0: it fits): how far it scrolls. */
  overlayOverflow: (kind: 'help' | 'detail' | 'log' | 'restart' | 'confirm') => number;
}

export function useConsoleInput(deps: InputDeps): { pending: ActionPlan | null } {
  const pending = useRef<ActionPlan | null>(null);
  // Keys can arrive faster than React re-renders. The hook therefore keeps
  // its own copy of the UI state, advanced by the same reducer on every
  // dispatch, so each key sees the state the previous key left (a "/" opens
  // the filter prompt for the very next character, rendered or not).
  const latest = useRef(deps);
  latest.current = deps;
  const ui = useRef(deps.ui);
  ui.current = deps.ui; // a render always includes every dispatched action
  const dispatch = (a: UiAction) => {
    ui.current = uiReducer(ui.current, a);
    latest.current.dispatch(a);
  };
  const d = new Proxy({} as InputDeps, {
    get: (_t, k: keyof InputDeps) => (k === 'ui' ? ui.current : k === 'dispatch' ? dispatch : latest.current[k]),
  });

  const selectedRow = () => d.rowsOf(d.ui.focused)[d.ui.selected[d.ui.focused]];
  const selectedIssue = (): IssueRow | null => {
    const row = selectedRow();
    if (!row) return null;
    if (d.ui.focused === 'issues') return row as IssueRow;
    if (d.ui.focused === 'queue') {
      const j = row as JobRow;
      return j.issueId ? { issueId: j.issueId, state: null, iteration: null, lastReason: null, lastResult: null, resume: null, silent: false, diagnosis: null, jobId: j.jobId } : null;
    }
    return null;
  };

  const propose = async (make: () => Promise<ActionPlan | string>) => {
    const plan = await make();
    if (typeof plan === 'string') return d.dispatch({ type: 'status', text: plan });
    pending.current = plan;
    d.dispatch({ type: 'mode', mode: { kind: 'confirm', title: plan.title, commands: plan.commands, ...(plan.notes ? { notes: plan.notes } : {}), actionId: plan.id } });
  };

  const runPending = async () => {
    const plan = pending.current;
    pending.current = null;
    d.dispatch({ type: 'mode', mode: { kind: 'normal' } });
    if (!plan) return;
    const at = Date.now();
    d.dispatch({ type: 'log', entry: { at, title: plan.title, argv: plan.commands, outcome: 'running', detail: '' } });
    d.dispatch({ type: 'status', text: `running: ${plan.title}` });
    const r = await plan.run().catch((e: Error) => ({ ok: false, detail: e.message }));
    d.dispatch({ type: 'log-update', at, outcome: r.ok ? 'ok' : 'failed', detail: r.detail });
    d.dispatch({ type: 'status', text: `${r.ok ? '✓' : '✗'} ${plan.title}: ${r.detail}` });
    if (r.ok && plan.opens === 'restart' && d.ui.mode.kind === 'normal') d.dispatch({ type: 'mode', mode: { kind: 'restart' } });
    d.refresh();
  };

  /** The node of the selected endpoints row (the nodes section), if it is one. */
  const selectedNode = (): NodeState | null => (d.ui.focused === 'endpoints' ? ((selectedRow() as EndpointRow | undefined)?.node ?? null) : null);
  const planNode = (node: NodeState, state: 'drain' | 'resume', reason?: string) =>
    propose(async () =>
      d.actions.planNodeState ? d.actions.planNodeState(node, state, reason).catch((e: Error) => `${state} ${node.name}: ${e.message}`) : `${state} is not available in this console`,
    );

  const onKey = (input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]): void => {
    const mode = d.ui.mode;
    if (mode.kind === 'reason') {
      const r = reasonKey(mode.draft, input, key);
      if (r === null) return;
      if ('draft' in r) return d.dispatch({ type: 'mode', mode: { ...mode, draft: r.draft } });
      d.dispatch({ type: 'mode', mode: { kind: 'normal' } });
      if ('cancel' in r) return d.dispatch({ type: 'status', text: 'cancelled: nothing was run' });
      return void planNode(mode.node, 'drain', r.submit);
    }
    if (mode.kind === 'filter') {
      if (key.return) return d.dispatch({ type: 'filter-commit' });
      if (key.escape) return d.dispatch({ type: 'filter-clear' });
      if (key.backspace || key.delete) return d.dispatch({ type: 'filter-backspace' });
      if (key.ctrl && input === 'u') return d.dispatch({ type: 'filter-kill', what: 'line' });
      if (key.ctrl && input === 'w') return d.dispatch({ type: 'filter-kill', what: 'word' });
      if (input && !key.ctrl && !key.meta) return d.dispatch({ type: 'filter-type', text: input });
      return;
    }
    const cmd = commandFor(input, key, { readOnly: d.readOnly, confirming: mode.kind === 'confirm' });
    if (cmd === null) return;
    if (mode.kind !== 'normal' && mode.kind !== 'confirm' && (cmd === 'back' || cmd === 'help' || cmd === 'log' || cmd === 'detail' || cmd === 'restart-view')) {
      d.showDetail(null);
      return d.dispatch({ type: 'mode', mode: { kind: 'normal' } });
    }
    if (
      (mode.kind === 'help' || mode.kind === 'detail' || mode.kind === 'log' || mode.kind === 'restart' || mode.kind === 'confirm') &&
      (cmd === 'up' || cmd === 'down' || cmd === 'top' || cmd === 'bottom')
    ) {
      const max = d.overlayOverflow(mode.kind);
      const to = cmd === 'up' ? d.ui.scroll - 1 : cmd === 'down' ? d.ui.scroll + 1 : cmd === 'top' ? 0 : max;
      return d.dispatch({ type: 'scroll', to, max });
    }
    const rows = d.rowsOf(d.ui.focused).length;
    switch (cmd) {
      case 'quit':
        return d.quit();
      case 'confirm-yes':
        return void runPending();
      case 'confirm-no':
        pending.current = null;
        d.dispatch({ type: 'mode', mode: { kind: 'normal' } });
        return d.dispatch({ type: 'status', text: 'cancelled: nothing was run' });
      case 'help':
        return d.dispatch({ type: 'mode', mode: { kind: 'help' } });
      case 'log':
        return d.dispatch({ type: 'mode', mode: { kind: 'log' } });
      case 'next-panel':
        return d.dispatch({ type: 'focus-step', delta: 1 });
      case 'prev-panel':
        return d.dispatch({ type: 'focus-step', delta: -1 });
      case 'panel-1':
      case 'panel-2':
      case 'panel-3':
      case 'panel-4':
      case 'panel-5':
        return d.dispatch({ type: 'focus', panel: PANELS[Number(cmd.slice(-1)) - 1]! });
      case 'up':
        return d.dispatch({ type: 'move', delta: -1, rowCount: rows });
      case 'down':
        return d.dispatch({ type: 'move', delta: 1, rowCount: rows });
      case 'top':
        return d.dispatch({ type: 'jump', to: 'top', rowCount: rows });
      case 'bottom':
        return d.dispatch({ type: 'jump', to: 'bottom', rowCount: rows });
      case 'detail': {
        // Enter on an alert goes to what it is about: its issue (or endpoint) selected, its detail open.
        const alert = d.ui.focused === 'alerts' ? (selectedRow() as AlertRow | undefined) : undefined;
        if (alert?.target) {
          const { panel, key: k } = alert.target;
          const rowsThere = d.rowsOf(panel) as ReadonlyArray<IssueRow | EndpointRow>;
          const index = rowsThere.findIndex((r) => ('issueId' in r ? r.issueId : r.name) === k);
          if (index < 0) return d.dispatch({ type: 'status', text: `${k} is not in the ${panel} panel (filtered out?)` });
          d.dispatch({ type: 'select', panel, index });
        }
        const det = d.selectedDetail(d.ui);
        if (!det) return d.dispatch({ type: 'status', text: 'nothing selected' });
        d.showDetail(det);
        return d.dispatch({ type: 'mode', mode: { kind: 'detail' } });
      }
      case 'back':
        return d.dispatch({ type: 'filter-clear' });
      case 'filter':
        return d.dispatch({ type: 'mode', mode: { kind: 'filter', draft: d.ui.filters[d.ui.focused] ?? '' } });
      case 'refresh':
        d.dispatch({ type: 'status', text: 'refreshing…' });
        // Cleared when the loads end, unless something else has used the status line since.
        return void Promise.resolve(d.refresh()).then(() => d.dispatch({ type: 'status', text: '', ifCurrent: 'refreshing…' }));
      case 'cancel': {
        if (d.ui.focused !== 'queue') {
          // On an issue (its row, its detail, an alert's target): the one job it has queued or running.
          const issue = selectedIssue();
          if (!issue) return d.dispatch({ type: 'status', text: 'select a job in the queue panel (2), or an issue (3), to cancel it' });
          const jobs = (d.rowsOf('queue') as readonly JobRow[]).filter((j) => j.issueId === issue.issueId && ACTIVE_STATE.test(j.state));
          if (jobs.length === 1) return void propose(() => d.actions.planCancel(jobs[0]!));
          return d.dispatch({
            type: 'status',
            text: jobs.length ? `${issue.issueId} has ${jobs.length} active jobs: pick one in the queue panel (2)` : `${issue.issueId} has no queued or running job in the queue panel`,
          });
        }
        const job = selectedRow() as JobRow | undefined;
        if (!job) return d.dispatch({ type: 'status', text: 'no job selected' });
        return void propose(() => d.actions.planCancel(job));
      }
      case 'submit': {
        const issue = selectedIssue();
        if (!issue) return d.dispatch({ type: 'status', text: 'select an issue (panel 3) to submit it' });
        return void propose(() => d.actions.planSubmit(issue));
      }
      case 'recover': {
        const issue = selectedIssue();
        if (!issue) return d.dispatch({ type: 'status', text: 'select an issue (panel 3) to recover it' });
        return void propose(() => d.actions.planRecover(issue));
      }
      case 'restart-view':
        return d.dispatch({ type: 'mode', mode: { kind: 'restart' } });
      case 'restart':
        d.dispatch({ type: 'status', text: 'planning the restart…' });
        return void propose(async () => (d.actions.planRestart ? d.actions.planRestart().catch((e: Error) => `restart: ${e.message}`) : 'restart is not available in this console')).then(() =>
          d.dispatch({ type: 'status', text: '', ifCurrent: 'planning the restart…' }),
        );
      case 'drain':
      case 'resume-node': {
        const node = selectedNode();
        if (!node) return d.dispatch({ type: 'status', text: 'select a node (panel 1, the rows of kind slurm node) to drain or resume it' });
        if (cmd === 'drain') return d.dispatch({ type: 'mode', mode: { kind: 'reason', node, draft: '' } });
        return void planNode(node, 'resume');
      }
      case 'diagnose': {
        const issue = selectedIssue();
        if (!issue) return d.dispatch({ type: 'status', text: 'select an issue or job to diagnose' });
        d.dispatch({ type: 'status', text: `diagnosing ${issue.issueId}…` });
        void d.actions.diagnose(issue.issueId).then((lines) => {
          d.showDetail({ title: `diagnosis of ${issue.issueId}`, lines });
          d.dispatch({ type: 'mode', mode: { kind: 'detail' } });
          d.dispatch({ type: 'status', text: '' });
        });
        return;
      }
    }
  };

  useInput((input, key) => {
    // Keys typed faster than we read arrive as one chunk ("2/abc\r"): each
    // character is its own key, read against the state the previous one left.
    if (input.length > 1 && !key.ctrl && !key.meta) {
      // DEL and BS are Backspace (two Backspaces in one chunk arrive as "\x7f\x7f");
      // no other control character is text.
      for (const ch of input) {
        const backspace = ch === '\x7f' || ch === '\b';
        if (!backspace && ch < ' ' && ch !== '\r' && ch !== '\n') continue;
        onKey(backspace ? '' : ch, { ...key, backspace, return: ch === '\r' || ch === '\n', shift: ch !== ch.toLowerCase() });
      }
      return;
    }
    onKey(input, key);
  });
  return { pending: pending.current };
}
