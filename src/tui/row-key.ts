// What a row is, across refreshes: the selection follows its row when rows are added, removed
// or reordered (as k9s does), so a key pressed on an issue acts on that issue, not on whatever
// a refresh moved under the cursor. Pure.
import type { AlertRow, EndpointRow, IssueRow, JobRow, TelemetryRow } from '../console/view-model.js';
import type { PanelId } from '../console/view-model.js';

export function rowKey(panel: PanelId, row: unknown): string {
  switch (panel) {
    case 'endpoints':
      return (row as EndpointRow).name;
    case 'queue':
      return (row as JobRow).jobId;
    case 'issues':
      return (row as IssueRow).issueId;
    case 'telemetry': {
      const t = row as TelemetryRow;
      return `${t.issueId}\u0000${t.at}`;
    }
    case 'alerts': {
      const a = row as AlertRow;
      return a.target ? `${a.source}\u0000${a.target.panel}\u0000${a.target.key}` : `${a.source}\u0000${a.message}`;
    }
  }
}

/** The index the selected row has now, or null when it should stay where it is (gone, or not moved). */
export function followSelection(panel: PanelId, before: readonly unknown[], index: number, after: readonly unknown[]): number | null {
  const was = before[index];
  if (was === undefined) return null;
  const key = rowKey(panel, was);
  if (after[index] !== undefined && rowKey(panel, after[index]) === key) return null;
  const now = after.findIndex((r) => rowKey(panel, r) === key);
  return now >= 0 ? now : null;
}
