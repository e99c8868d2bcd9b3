// The restart view (O): the newest restart run, started here or by anyone (its
// record in SQLite), each step with its state and elapsed time, the current one
// marked, and the operator lock. Pure: the restart source's data and a clock in, lines out.
import { formatAge, type RestartStepView, type RestartView } from './view-model.js';

export type StepState = 'pending' | 'checking' | 'acting' | 'verifying' | 'running' | 'done' | 'failed' | 'skipped';

/** A step's state as the operator reads it: a running step says which phase it is in. */
export function stepState(s: Pick<RestartStepView, 'status' | 'action'>): StepState {
  switch (s.status) {
    case 'running':
      return s.action === 'check' ? 'checking' : s.action === 'act' ? 'acting' : s.action === 'verify' ? 'verifying' : 'running';
    case 'blocked':
      return 'skipped';
    case 'pending':
    case 'done':
    case 'failed':
    case 'skipped':
      return s.status;
    default:
      return 'running';
  }
}

export interface ViewLine {
  text: string;
  tone?: 'ok' | 'bad' | 'busy' | 'dim' | 'title';
}

const TONE: Record<StepState, ViewLine['tone']> = { pending: 'dim', checking: 'busy', acting: 'busy', verifying: 'busy', running: 'busy', done: 'ok', failed: 'bad', skipped: 'dim' };
const MARK: Record<StepState, string> = { pending: '·', checking: '▶', acting: '▶', verifying: '▶', running: '▶', done: '✓', failed: '✗', skipped: '-' };

function secs(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s` : formatAge(ms);
}

export function restartViewLines(r: RestartView | null, now: number, readOnly = false): ViewLine[] {
  const out: ViewLine[] = [];
  if (r?.lock) out.push({ text: `lock: held by ${r.lock.holder} (${r.lock.command}) for ${formatAge(r.lock.ageMs)}${r.lock.expired ? ', EXPIRED' : ''}`, tone: 'busy' });
  else if (r) out.push({ text: 'lock: free', tone: 'dim' });
  const run = r?.run;
  if (!run) {
    out.push({ text: r ? 'no restart run recorded here' : 'loading…', tone: 'dim' });
    if (!readOnly) out.push({ text: 'X plans one (restart --dry-run first, then y)', tone: 'dim' });
    return out;
  }
  const end = run.status === 'running' ? now : (run.finishedAt ?? now);
  const state = run.orphaned ? 'STOPPED (its process is gone): swarmctl restart --resume' : run.status;
  out.push({
    text: `run ${run.id} ${state}, ${formatAge(end - run.startedAt)}${run.actor ? `, by ${run.actor}` : ''}`,
    tone: run.orphaned || run.status === 'failed' ? 'bad' : run.status === 'done' ? 'ok' : 'busy',
  });
  const width = Math.max(4, ...run.steps.map((s) => s.service.length));
  for (const s of run.steps) {
    const st = stepState(s);
    const cur = run.current?.seq === s.seq && run.status === 'running';
    const t = s.startedAt ? secs((s.finishedAt ?? (st === 'pending' ? s.startedAt : now)) - s.startedAt) : '';
    const detail = st === 'pending' ? '' : (s.detail ?? '');
    out.push({
      text: `${cur ? '>' : ' '}${String(s.seq + 1).padStart(2)} ${MARK[st]} ${s.service.padEnd(width)} ${(s.host ?? 'local').padEnd(8)} ${st.padEnd(9)} ${t.padStart(6)}${detail ? `  ${detail}` : ''}`.trimEnd(),
      tone: TONE[st],
    });
  }
  const n = run.steps.length;
  const finished = run.steps.filter((s) => ['done', 'failed', 'skipped', 'blocked'].includes(s.status)).length;
  out.push({
    text: `${finished} of ${n} steps finished${run.current && run.status === 'running' ? `; now: step ${run.current.seq + 1} ${run.current.service} ${stepState(run.current)}` : ''}`,
    tone: 'dim',
  });
  return out;
}
