// Column specs of each panel: which facts, in what order, how important.
// Status is always a symbol AND a word AND a colour, so it reads without colour.
import type { AlertRow, EndpointRow, IssueRow, JobRow, TelemetryRow } from '../../console/view-model.js';
import { formatAge } from '../../console/view-model.js';
import { shortState } from '../../console/node-rows.js';
import { STATUS_SYMBOL } from '../../core/probe.js';
import type { TableColumn } from '../table-model.js';
import type { ProbeStatus } from '../../core/probe.js';

export const STATUS_COLOR: Record<ProbeStatus, string> = { up: 'green', loading: 'cyan', degraded: 'yellow', down: 'red', unknown: 'gray' };

const JOB_STATE_COLOR: Record<string, string> = { RUNNING: 'green', PENDING: 'yellow', COMPLETING: 'cyan', FAILED: 'red', TIMEOUT: 'red', NODE_FAIL: 'red', OUT_OF_MEMORY: 'red', CANCELLED: 'gray' };

export function endpointColumns(now: number): TableColumn<EndpointRow>[] {
  return [
    { id: 'status', title: 'STATUS', priority: 0, width: 10, cell: (r) => ({ text: `${STATUS_SYMBOL[r.status]} ${r.node ? shortState(r.node.state) : r.status}`, color: STATUS_COLOR[r.status] }) },
    { id: 'name', title: 'SERVICE', priority: 0, width: 14, flex: true, cell: (r) => ({ text: r.name, bold: true }) },
    { id: 'kind', title: 'KIND', priority: 3, width: 12, cell: (r) => ({ text: r.jobId ? `job ${r.jobId}` : r.kind, dim: true }) },
    { id: 'latency', title: 'LATENCY', priority: 1, width: 8, cell: (r) => ({ text: r.latencyMs === null ? '-' : `${Math.round(r.latencyMs)}ms` }) },
    { id: 'since', title: 'SINCE', priority: 4, width: 7, cell: (r) => ({ text: r.since === null ? '-' : formatAge(now - r.since), dim: true }) },
    {
      id: 'reason',
      title: 'REASON',
      priority: 2,
      width: 16,
      flex: true,
      cell: (r) => ({ text: r.discovery ? `${r.discovery} ${r.reason}` : r.reason, ...(r.status !== 'up' ? { color: STATUS_COLOR[r.status] } : { dim: true }) }),
    },
  ];
}

export const queueColumns: TableColumn<JobRow>[] = [
  { id: 'job', title: 'JOB', priority: 0, width: 8, cell: (r) => ({ text: r.jobId }) },
  { id: 'issue', title: 'ISSUE', priority: 0, width: 14, flex: true, cell: (r) => ({ text: r.issueId ?? r.name, bold: true }) },
  { id: 'state', title: 'STATE', priority: 0, width: 11, cell: (r) => ({ text: r.state, color: JOB_STATE_COLOR[r.state] ?? 'white' }) },
  { id: 'elapsed', title: 'ELAPSED', priority: 1, width: 10, cell: (r) => ({ text: r.elapsed }) },
  {
    id: 'reason',
    title: 'REASON',
    priority: 2,
    width: 14,
    flex: true,
    cell: (r) => ({ text: r.reason === 'None' ? '' : r.reason, ...(r.reason.startsWith('Dependency') ? { color: 'yellow' } : { dim: true }) }),
  },
  { id: 'node', title: 'NODE', priority: 3, width: 10, cell: (r) => ({ text: r.node, dim: true }) },
  { id: 'via', title: 'VIA', priority: 4, width: 5, cell: (r) => ({ text: r.via, dim: true }) },
];

// The resume age is drawn from the file's mtime at frame time: the rows stay equal while nothing changes.
export const issueColumns = (now: number): TableColumn<IssueRow>[] => [
  { id: 'issue', title: 'ISSUE', priority: 0, width: 16, flex: true, cell: (r) => ({ text: r.issueId, bold: true }) },
  { id: 'state', title: 'STATE', priority: 0, width: 12, cell: (r) => ({ text: r.state ?? '-' }) },
  { id: 'iter', title: 'IT', priority: 2, width: 3, cell: (r) => ({ text: r.iteration === null ? '-' : String(r.iteration) }) },
  { id: 'flags', title: 'FLAGS', priority: 1, width: 10, cell: (r) => ({ text: [r.silent ? 'SILENT' : '', r.resume?.corrupt ? 'CORRUPT' : ''].filter(Boolean).join(' '), color: 'red' }) },
  { id: 'diag', title: 'DIAGNOSIS', priority: 1, width: 14, flex: true, cell: (r) => ({ text: r.diagnosis ?? '', color: 'yellow' }) },
  { id: 'resume', title: 'RESUME', priority: 3, width: 8, cell: (r) => ({ text: r.resume?.present ? (r.resume.mtimeMs === null ? 'yes' : formatAge(now - r.resume.mtimeMs)) : '-', dim: true }) },
  { id: 'last', title: 'LAST', priority: 3, width: 10, cell: (r) => ({ text: r.lastResult ?? '-', dim: true }) },
  { id: 'why', title: 'LAST TRANSITION', priority: 4, width: 18, flex: true, cell: (r) => ({ text: r.lastReason ?? '', dim: true }) },
];

export const telemetryColumns: TableColumn<TelemetryRow>[] = [
  { id: 'at', title: 'TIME', priority: 2, width: 19, cell: (r) => ({ text: r.at.replace('T', ' ').slice(0, 19), dim: true }) },
  { id: 'issue', title: 'ISSUE', priority: 0, width: 14, cell: (r) => ({ text: r.issueId, bold: true }) },
  { id: 'summary', title: 'SESSION', priority: 0, width: 20, flex: true, cell: (r) => ({ text: r.summary }) },
];

export const alertColumns: TableColumn<AlertRow>[] = [
  { id: 'sev', title: 'SEV', priority: 0, width: 6, cell: (r) => ({ text: r.severity === 'crit' ? '✗ crit' : '! warn', color: r.severity === 'crit' ? 'red' : 'yellow' }) },
  { id: 'msg', title: 'ALERT', priority: 0, width: 20, flex: true, cell: (r) => ({ text: r.message }) },
];

/** Text of a row for `/` filtering (what the operator can see of it). */
export const rowText = {
  endpoints: (r: EndpointRow) => `${r.name} ${r.kind} ${r.status} ${r.reason} ${r.jobId ?? ''} ${r.tier ?? ''}`,
  queue: (r: JobRow) => `${r.jobId} ${r.issueId ?? ''} ${r.name} ${r.state} ${r.reason} ${r.node} ${r.via}`,
  issues: (r: IssueRow) => `${r.issueId} ${r.state ?? ''} ${r.diagnosis ?? ''} ${r.silent ? 'silent' : ''}`,
  telemetry: (r: TelemetryRow) => `${r.issueId} ${r.summary}`,
  alerts: (r: AlertRow) => `${r.source} ${r.message}`,
};
