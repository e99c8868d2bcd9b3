// What the console can DO, behind one interface: each mutating action is
// first a plan (the exact argv it will run, shown in the y/N confirmation),
// then run. The input hook calls these; components never do. The real
// implementation (actions-batch.ts) uses the batch layer; tests may pass fakes.
import type { IssueRow, JobRow } from './view-model.js';

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
  run(): Promise<ActionResult>;
}

export interface ConsoleActions {
  planCancel(job: JobRow): Promise<ActionPlan | string>;
  planSubmit(issue: { issueId: string }): Promise<ActionPlan | string>;
  planRecover(issue: IssueRow): Promise<ActionPlan | string>;
  /** Read-only: returns lines for the detail view. */
  diagnose(issueId: string): Promise<string[]>;
}

/** Actions when nothing is wired (or --read-only): every mutating action explains itself. */
export const noActions: ConsoleActions = {
  planCancel: async () => 'cancel is not available in this console',
  planSubmit: async () => 'submit is not available in this console',
  planRecover: async () => 'recover is not available in this console',
  diagnose: async () => ['diagnose is not available in this console'],
};
