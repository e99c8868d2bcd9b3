// What the console can DO, behind one interface: each mutating action is
// first a plan (the exact argv it will run, shown in the y/N confirmation),
// then run. The input hook calls these; components never do. The real
// implementation (actions-batch.ts) uses the batch layer; tests may pass fakes.
import type { IssueRow, JobRow } from './view-model.js';
import type { NodeState } from './node-rows.js';

export interface ActionResult {
  ok: boolean;
  detail: string;
}

export interface ActionPlan {
  id: string;
  title: string;
  /** Exactly what will run, one argv per command. */
  commands: string[][];
  /** Extra lines shown above the commands (diagnosis, files touched). */
  notes?: string[];
  /** The view to open once it ran (a started restart: its steps). */
  opens?: 'restart';
  run(): Promise<ActionResult>;
}

export interface ConsoleActions {
  planCancel(job: JobRow): Promise<ActionPlan | string>;
  planSubmit(issue: { issueId: string }): Promise<ActionPlan | string>;
  planRecover(issue: IssueRow): Promise<ActionPlan | string>;
  /** Read-only: returns lines for the detail view. */
  diagnose(issueId: string): Promise<string[]>;
  /** The restart plan (restart --dry-run's lines), run as `swarmctl restart --yes --json` in the background. Optional: fakes may lack it. */
  planRestart?(): Promise<ActionPlan | string>;
  /** scontrol update state=drain|resume on one node, audited as the CLI's `node` command. */
  planNodeState?(node: NodeState, state: 'drain' | 'resume', reason?: string): Promise<ActionPlan | string>;
}

/** Actions when nothing is wired (or --read-only): every mutating action explains itself. */
export const noActions: ConsoleActions = {
  planCancel: async () => 'cancel is not available in this console',
  planSubmit: async () => 'submit is not available in this console',
  planRecover: async () => 'recover is not available in this console',
  diagnose: async () => ['diagnose is not available in this console'],
};
