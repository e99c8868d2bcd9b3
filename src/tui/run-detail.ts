// The detail lines of a python-worker run (issue 17 point 4), from the run summary. Pure.
import type { IssueRunView } from '../console/view-model.js';

const yesNo = (b: boolean | null) => (b === null ? '-' : b ? 'yes' : 'no');

export function runDetailLines(r: IssueRunView): string[] {
  const wall = r.wallS === null ? '-' : `${Math.floor(r.wallS / 60)}m${String(Math.round(r.wallS % 60)).padStart(2, '0')}s`;
  const verifier = r.failedGates.length ? `FAILED: ${r.failedGates.join(', ')}` : r.verifierGreen === true ? 'all gates green' : r.verifierGreen === false ? 'not green' : '-';
  return [
    `last run    ${r.status}${r.startedAt ? ` (started ${r.startedAt})` : ''}; ${r.runs} run${r.runs === 1 ? '' : 's'} in the summary`,
    `wall time   ${wall}${r.model ? `   model ${r.model}` : ''}`,
    ...(r.exitStatus ? [`exit status ${r.exitStatus}`] : []),
    `files       ${r.filesModified.length} modified${r.filesModified.length ? `: ${r.filesModified.join(', ')}` : ''}`,
    `verifier    ${verifier}`,
    `merged      ${yesNo(r.merged)}   closed ${yesNo(r.closed)}`,
    ...(r.reason ? [`reason      ${r.reason}`] : []),
    `summary     ${r.file}`,
  ];
}
