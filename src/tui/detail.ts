// The lines of the detail view (Enter) for a selected row: everything known
// about it, as text. Pure.
import type { PanelId } from '../console/view-model.js';
import type { AlertRow, EndpointRow, IssueRow, JobRow, TelemetryRow } from '../console/view-model.js';
import { formatAge } from '../console/view-model.js';
import { STATUS_SYMBOL } from '../core/probe.js';
import { runDetailLines } from './run-detail.js';

/** With readOnly, the hints name no key that changes the cluster (--read-only hides them). */
export function detailLines(panel: PanelId, row: unknown, now: number, readOnly = false): { title: string; lines: string[] } {
  switch (panel) {
    case 'endpoints': {
      const r = row as EndpointRow;
      return {
        title: `endpoint ${r.name}`,
        lines: [
          `status    ${STATUS_SYMBOL[r.status]} ${r.status}${r.since !== null ? ` for ${formatAge(now - r.since)}` : ''}`,
          `kind      ${r.kind}`,
          `latency   ${r.latencyMs === null ? '-' : `${Math.round(r.latencyMs)} ms`}`,
          `reason    ${r.reason}`,
          ...(r.jobId ? [`job       ${r.jobId}`, `tier      ${r.tier ?? '-'}`, `discovery ${r.discovery ?? '-'}`] : []),
          ...(r.node
            ? [
                `state     ${r.node.state} (sinfo)`,
                `drain     ${r.node.drained ? `yes: ${r.node.reason ?? 'no reason given'}` : 'no'}`,
                `partition ${r.node.partitions.join(', ') || '-'}`,
                ...(readOnly ? [] : ['', 'D drains it (asks a reason, then y/N)   U resumes it (y/N)']),
              ]
            : []),
        ],
      };
    }
    case 'queue': {
      const r = row as JobRow;
      return {
        title: `job ${r.jobId}`,
        lines: [
          `issue     ${r.issueId ?? '-'}`,
          `name      ${r.name}`,
          `state     ${r.state}`,
          `reason    ${r.reason}`,
          `elapsed   ${r.elapsed}`,
          `node      ${r.node}`,
          `via       ${r.via}`,
          '',
          readOnly ? 'd diagnoses its issue' : 'c cancels this job (asks y/N); d diagnoses its issue',
        ],
      };
    }
    case 'issues': {
      const r = row as IssueRow;
      return {
        title: `issue ${r.issueId}`,
        lines: [
          `state       ${r.state ?? '-'}${r.iteration !== null ? ` (iteration ${r.iteration})` : ''}`,
          `last why    ${r.lastReason ?? '-'}`,
          `last result ${r.lastResult ?? '-'}`,
          `resume file ${r.resume ? (r.resume.present ? `present${r.resume.mtimeMs !== null ? `, ${formatAge(now - r.resume.mtimeMs)} old` : ''}${r.resume.corrupt ? ', CORRUPT' : ''}` : 'none') : '-'}`,
          `job         ${r.jobId ? `${r.jobId}${r.jobState ? ` (${r.jobState})` : ''}` : 'none known'}`,
          `silent      ${r.silent ? `YES: nothing written${r.silentSince ? ` for ${formatAge(now - r.silentSince)}` : ''} (longer than the stale threshold)` : 'no'}`,
          `diagnosis   ${r.diag ? r.diag.kind : (r.diagnosis ?? '-')}`,
          ...(r.diag
            ? [
                `cause       ${r.diag.cause ?? '-'}${r.diag.node ? ` on node ${r.diag.node}` : ''}`,
                `summary     ${r.diag.summary}`,
                `retryable   ${r.diag.retryable ? 'yes' : 'no'}${r.diag.since !== null ? `; since ${formatAge(now - r.diag.since)} ago` : ''}`,
              ]
            : []),
          ...(r.attempts !== undefined
            ? [`recoveries  ${r.attempts} of ${r.maxAttempts ?? '?'} attempts used${r.maxAttempts !== undefined && r.attempts >= r.maxAttempts ? ' (BUDGET EXHAUSTED)' : ''}`]
            : []),
          ...(r.run ? runDetailLines(r.run) : []),
          ...(r.origin ? [`listed from ${r.origin}`] : []),
          '',
          readOnly ? 'd diagnose (evidence)' : 'd diagnose (evidence)   R recover (plan, then y)   s submit',
        ],
      };
    }
    case 'telemetry': {
      const r = row as TelemetryRow;
      return { title: `telemetry ${r.issueId}`, lines: [`time    ${r.at}`, `summary ${r.summary}`] };
    }
    case 'alerts': {
      const r = row as AlertRow;
      return {
        title: `alert from ${r.source}`,
        lines: [`${r.severity}: ${r.message}`, `since ${r.since ? `${new Date(r.since).toISOString()} (${formatAge(now - r.since)} ago)` : 'unknown'}`, ...(r.evidence ?? [])],
      };
    }
  }
}
