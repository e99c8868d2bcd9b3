// Runs a restart plan step by step in plan order, recording every step in SQLite
// as it goes (so a run killed with SIGKILL can be resumed) and emitting events.
// A failed step blocks only its dependents; independent services go on.
// I/O comes in through RestartDeps, so the bench can time the runner alone.
import { actor } from '../store/audit.js';
import type { Store } from '../store/db.js';
import { adoptRun, createRun, finishRun, runSteps, updateStep, type StepRow } from '../store/restart-runs.js';
import type { RunResult } from '../io/run.js';
import type { ProbeResult } from '../core/probe.js';
import type { EventSink, RestartEvent } from './events.js';
import { dependentsOf, SWARM_JOBS_STEP, type PlanOptions, type PlanStep } from './plan.js';
import { DEFAULT_BACKOFF, isHealthy, outputTail, verifyUntil, type Backoff } from './step.js';

export interface SwarmJobsDeps {
  /** Issues that had PENDING/RUNNING jobs in the last good queue and have no active job now. */
  pending(): Promise<{ issues: string[]; note: string }>;
  /** The idempotent submit: issues with an active job are skipped, not doubled. */
  submit(issues: string[]): Promise<{ issue: string; status: string; reason?: string; jobId?: string }[]>;
}

export interface RestartDeps {
  probe(step: PlanStep): Promise<ProbeResult>;
  run(step: PlanStep, argv: string[]): Promise<RunResult>;
  swarmJobs: SwarmJobsDeps;
  /** Asked once, before the first action; false ends the run. */
  confirm?: (step: PlanStep, argv: string[][]) => Promise<boolean>;
  /** Run before every action; a throw (lost lock, say) fails the step. */
  beforeAction?: () => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  backoff?: Backoff;
  /** Scrub secrets from output tails before they are stored or printed. */
  scrub?: (text: string) => string;
}

export interface RunSummary {
  runId: number;
  status: 'done' | 'failed';
  done: string[];
  failed: string[];
  skipped: string[];
  declined: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The issues a swarm-jobs step recorded (`swarmctl submit ISSUE...`), or null when it recorded none. */
function recordedIssues(argv: string[][] | null | undefined): string[] | null {
  const a = argv?.[0];
  return a && a[0] === 'swarmctl' && a[1] === 'submit' && a.length > 2 ? a.slice(2) : null;
}

export async function runRestart(store: Store, plan: PlanStep[], options: PlanOptions, deps: RestartDeps, emit: EventSink, resume?: { runId: number; steps: StepRow[] }): Promise<RunSummary> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const scrub = deps.scrub ?? ((t: string) => t);
  const t0 = now();
  let runId: number;
  if (resume) {
    runId = resume.runId;
    adoptRun(store, runId);
  } else {
    runId = createRun(store, { actor: actor(), options, plan, steps: plan.map((s) => ({ service: s.name, ...(s.host ? { host: s.host } : {}) })) });
  }
  const before = new Map((resume?.steps ?? []).map((s) => [s.service, s] as const));
  const e = (ev: RestartEvent) => emit(ev);
  e({ event: 'run_start', run_id: runId, resumed: Boolean(resume), steps: plan.map((s) => s.name), at: iso(now()) });
  const blocked = new Map<string, string>();
  const done: string[] = [];
  const failed: string[] = [];
  const skipped: string[] = [];
  let confirmed = !deps.confirm;
  let declined = false;

  for (const [i, step] of plan.entries()) {
    const seq = i;
    const st0 = now();
    if (declined) {
      updateStep(store, runId, seq, { status: 'skipped', detail: 'not confirmed' });
      e({ event: 'step_skipped', run_id: runId, step: step.name, reason: 'not confirmed', at: iso(now()) });
      skipped.push(step.name);
      continue;
    }
    const blocker = blocked.get(step.name);
    if (blocker) {
      updateStep(store, runId, seq, { status: 'blocked', detail: `${blocker} failed` });
      e({ event: 'step_skipped', run_id: runId, step: step.name, reason: `blocked: ${blocker} failed`, at: iso(now()) });
      skipped.push(step.name);
      continue;
    }
    e({ event: 'step_start', run_id: runId, step: step.name, n: i + 1, of: plan.length, host: step.host ?? 'local', at: iso(st0) });
    updateStep(store, runId, seq, { status: 'running', started: true, phase: 'check' });
    const fail = (reason: string) => {
      const blocks = [...dependentsOf(plan, step.name)];
      for (const b of blocks) if (!blocked.has(b)) blocked.set(b, step.name);
      updateStep(store, runId, seq, { status: 'failed', detail: reason });
      e({ event: 'step_failed', run_id: runId, step: step.name, reason, blocks, elapsed_ms: now() - st0, at: iso(now()) });
      failed.push(step.name);
    };
    const succeed = (outcome: 'healthy' | 'started' | 'rechecked', detail?: string) => {
      updateStep(store, runId, seq, { status: 'done', verified: true, ...(detail ? { detail } : {}) });
      e({ event: 'step_done', run_id: runId, step: step.name, outcome, elapsed_ms: now() - st0, at: iso(now()), ...(detail ? { detail } : {}) });
      done.push(step.name);
    };
    const wasVerified = before.get(step.name)?.status === 'done';

    if (step.name === SWARM_JOBS_STEP && step.kind === 'swarm-jobs') {
      // Resumed mid-step: the list this run decided on is in its record. The queue now
      // no longer shows the jobs the outage took (a newer queue read replaced the cache).
      const recorded = wasVerified ? null : recordedIssues(before.get(step.name)?.argv);
      const p = recorded ? { issues: recorded, note: `from run ${runId}'s record: ${recorded.length} issue(s) to resubmit (the submit skips any with an active job)` } : await deps.swarmJobs.pending();
      // Recorded before anything is submitted, so a run killed mid-submit resumes with the same list.
      if (p.issues.length) updateStep(store, runId, seq, { status: 'running', argv: [['swarmctl', 'submit', ...p.issues]] });
      e({ event: 'check', run_id: runId, step: step.name, status: p.issues.length ? 'down' : 'up', reason: p.note, at: iso(now()) });
      if (!p.issues.length) {
        succeed(wasVerified ? 'rechecked' : 'healthy', p.note);
        continue;
      }
      if (!confirmed && deps.confirm) {
        confirmed = await deps.confirm(step, [['swarmctl', 'submit', ...p.issues]]);
        if (!confirmed) {
          declined = true;
          updateStep(store, runId, seq, { status: 'skipped', detail: 'not confirmed' });
          e({ event: 'step_skipped', run_id: runId, step: step.name, reason: 'not confirmed', at: iso(now()) });
          skipped.push(step.name);
          continue;
        }
      }
      try {
        deps.beforeAction?.();
      } catch (err) {
        fail((err as Error).message);
        continue;
      }
      updateStep(store, runId, seq, { status: 'running', phase: 'act' });
      const t = now();
      const outs = await deps.swarmJobs.submit(p.issues);
      const bad = outs.filter((o) => o.status === 'failed');
      const tail = outs.map((o) => `${o.issue} ${o.status}${o.jobId ? ` ${o.jobId}` : ''}${o.reason ? `: ${o.reason}` : ''}`).join('\n');
      updateStep(store, runId, seq, { status: 'running', argv: [['swarmctl', 'submit', ...p.issues]], exitCode: bad.length ? 2 : 0, outputTail: scrub(tail) });
      e({
        event: 'action',
        run_id: runId,
        step: step.name,
        argv: ['swarmctl', 'submit', ...p.issues],
        host: 'local',
        exit_code: bad.length ? 2 : 0,
        ok: !bad.length,
        duration_ms: now() - t,
        at: iso(now()),
        output_tail: scrub(tail),
      });
      if (bad.length) fail(`submit failed for ${bad.map((o) => o.issue).join(', ')}`);
      else succeed('started', tail);
      continue;
    }

    const checked = await deps.probe(step);
    e({ event: 'check', run_id: runId, step: step.name, status: checked.status, reason: checked.reason, at: iso(now()) });
    if (isHealthy(checked.status)) {
      succeed(wasVerified ? 'rechecked' : 'healthy', checked.reason);
      continue;
    }
    if (checked.status === 'unknown') {
      // Unknown state means refuse: a restart of something we cannot see is a guess.
      fail(`cannot tell whether ${step.name} is up (${checked.reason}): not restarted; fix the probe first (swarmctl probe ${step.name})`);
      continue;
    }
    // loading: the start already happened (a resumed run, or someone else); wait for it.
    if (checked.status !== 'loading') {
      if (!step.start.length) {
        fail(`${step.name} is ${checked.status} (${checked.reason}) and ${step.noStart ?? 'has no start command'}`);
        continue;
      }
      if (!confirmed && deps.confirm) {
        confirmed = await deps.confirm(step, step.start);
        if (!confirmed) {
          declined = true;
          updateStep(store, runId, seq, { status: 'skipped', detail: 'not confirmed' });
          e({ event: 'step_skipped', run_id: runId, step: step.name, reason: 'not confirmed', at: iso(now()) });
          skipped.push(step.name);
          continue;
        }
      }
      let actFailed: string | null = null;
      updateStep(store, runId, seq, { status: 'running', phase: 'act' });
      for (const argv of step.start) {
        try {
          deps.beforeAction?.();
        } catch (err) {
          actFailed = (err as Error).message;
          break;
        }
        const r = await deps.run(step, argv);
        const tail = scrub(outputTail(r));
        updateStep(store, runId, seq, { status: 'running', argv: step.start, exitCode: r.exitCode ?? -1, outputTail: tail });
        e({
          event: 'action',
          run_id: runId,
          step: step.name,
          argv,
          host: step.host ?? 'local',
          exit_code: r.exitCode,
          ok: r.ok,
          duration_ms: Math.round(r.durationMs),
          at: iso(now()),
          ...(tail ? { output_tail: tail } : {}),
        });
        if (!r.ok) {
          actFailed = `${argv.join(' ')} ${r.spawnError ? `could not start: ${r.spawnError}` : r.timedOut ? 'timed out' : `exited ${r.exitCode ?? r.signal}`}${tail ? `: ${tail.split('\n').pop()}` : ''}`;
          break;
        }
      }
      if (actFailed) {
        fail(actFailed);
        continue;
      }
    }
    updateStep(store, runId, seq, { status: 'running', phase: 'verify' });
    const v = await verifyUntil({ probe: () => deps.probe(step), sleep, now }, step.verifyTimeoutS * 1000, deps.backoff ?? DEFAULT_BACKOFF, (r, attempt, elapsed) =>
      e({ event: 'verify', run_id: runId, step: step.name, status: r.status, reason: r.reason, attempt, elapsed_ms: elapsed, at: iso(now()) }),
    );
    if (v.ok) succeed('started', `verified after ${v.attempts} probe(s): ${v.last.reason}`);
    else fail(`not healthy after ${step.verifyTimeoutS} s: ${v.last.status} (${v.last.reason})`);
  }
  const status = failed.length ? 'failed' : 'done';
  // A declined run is finished: nothing was changed, there is nothing to resume.
  finishRun(store, runId, status);
  e({ event: 'run_done', run_id: runId, status, done: done.length, failed: failed.length, skipped: skipped.length, elapsed_ms: now() - t0, at: iso(now()) });
  return { runId, status, done, failed, skipped, declined };
}

/** The run to resume: the newest one still marked running, with its steps. */
export { latestRun, runSteps } from '../store/restart-runs.js';
