// The recovery drills' common course (stuck-loop, parse-failure, cloud-failure): wait until
// `diagnose` names the sandbox issue's incident with evidence, stop its job if it never ends by
// itself, `recover --yes`, then look at the resubmitted job's real process (/proc environ and
// argv) for the remedy the plan promised, and at `audit` for the record. Every job it causes is
// cancelled afterwards.
import { runLocal } from '../io/run.js';
import { jobWorker, type JobProcess } from './job-process.js';
import { swarmctlForCleanup, swarmctlJson, waitFor } from './cli-json.js';
import type { SandboxState } from '../sandbox/records.js';
import type { DrillContext } from './types.js';

export interface RecoveryDrillSpec {
  /** The sandbox story's issue that has the incident. */
  issue: string;
  /** The diagnosis kinds that are this incident. */
  kinds: readonly string[];
  /** How long the incident may take to show up (a run has to reach it). */
  waitMs: number;
}

interface Evidence {
  file: string;
  line?: number;
  text: string;
}
interface DiagnoseDoc {
  status: string;
  diagnoses: Array<{ kind: string; summary: string; evidence: Evidence[] }>;
  activeJob: { jobId: string; state: string } | null;
  notes: string[];
}
interface PlanAction {
  type: string;
  description: string;
  env?: Record<string, string>;
  args?: string[];
}
interface RecoverDoc {
  plan: { kind: string | null; actions: PlanAction[]; refusal?: string };
  result: { outcome: string; actions: Array<{ type: string; outcome: string; detail: string; jobId?: string }> } | null;
  exit_code: number;
}
interface AuditDoc {
  rows: Array<{ id: number; issue_id: string | null; action: string; outcome: string; detail: string | null }>;
}

const RESUBMITS = new Set(['resubmit', 'resubmit_with_env']);

/** recover resubmits through SLURM here (the sandbox has no direct host): elsewhere the drill does not apply. */
export function needsSlurmJobs(state: SandboxState): string | null {
  return state.jobs.mode === 'slurm' ? null : `recover resubmits through SLURM; this sandbox runs ${state.jobs.mode} jobs (${state.jobs.reason})`;
}
const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export async function runRecoveryDrill(ctx: DrillContext, spec: RecoveryDrillSpec): Promise<boolean> {
  const { issue } = spec;
  const noSlurm = needsSlurmJobs(ctx.state);
  if (noSlurm) throw new Error(noSlurm);
  const story = ctx.state.slurmJobs.find((j) => j.issue === issue);
  if (!story) throw new Error(`the sandbox has no job for ${issue} (sandbox.json): run \`swarmctl sandbox reset\``);
  // --job: this sandbox's job, not another sandbox's job of the same issue id on a shared SLURM.
  const job = ['--job', story.jobId];

  // 1. The diagnosis, with evidence from a file line.
  let last = 'nothing yet';
  const found = await waitFor(
    () => `diagnose ${issue} to report ${spec.kinds.join(' or ')} (last: ${last})`,
    async () => {
      const { doc } = await swarmctlJson<DiagnoseDoc>(ctx, ['diagnose', issue, ...job], 30_000);
      if (doc.diagnoses.some((d) => d.kind === 'budget_exhausted'))
        throw new Error(`${issue}'s recovery budget is used up (earlier drills recovered it): \`swarmctl sandbox reset\` starts the story again`);
      last = `${doc.status}${doc.diagnoses.length ? `: ${doc.diagnoses.map((d) => d.kind).join(', ')}` : ''}${doc.activeJob ? `, job ${doc.activeJob.jobId} ${doc.activeJob.state}` : ''}`;
      const d = doc.diagnoses.find((x) => spec.kinds.includes(x.kind) && x.evidence.some((e) => e.line !== undefined));
      return d ? { doc, d } : null;
    },
    spec.waitMs,
    1500,
    ctx.signal,
  );
  const ev = [...found.d.evidence].reverse().find((e) => e.line !== undefined) as Evidence;
  ctx.observe(`diagnose ${issue}: ${found.d.kind} (${found.d.summary})`);
  ctx.observe(`evidence ${ev.file}:${ev.line}: ${clip(ev.text)}`);

  // 2. A run that never ends by itself (beefcake's stuck loop: its worker still alive) is stopped
  // first, as recover refuses while it runs. One whose worker is done (the job's failure hook
  // still running, as after the python worker's no_change run) is given a moment to end.
  let active = found.doc.activeJob;
  if (active && active.jobId === story.jobId && !jobWorker(story.jobId, issue)) {
    const end = Date.now() + 15_000;
    while (active && Date.now() < end && !ctx.signal.aborted) {
      await new Promise((r) => setTimeout(r, 1500));
      active = (await swarmctlJson<DiagnoseDoc>(ctx, ['diagnose', issue, ...job], 30_000)).doc.activeJob;
    }
  }
  if (active && active.jobId === story.jobId) {
    const { run } = await swarmctlJson<{ cancelled: string[] }>(ctx, ['cancel', story.jobId], 30_000);
    if (run.code === 0) ctx.observe(`job ${story.jobId} was ${active.state} in the loop: cancelled it (swarmctl cancel), as recover refuses while it runs`);
    else {
      // It may have ended between the read and the cancel: only a job still active is a failure.
      const now = (await swarmctlJson<DiagnoseDoc>(ctx, ['diagnose', issue, ...job], 30_000)).doc.activeJob;
      if (now && now.jobId === story.jobId) throw new Error(`swarmctl cancel ${story.jobId} failed (exit ${run.code}): ${run.stderr.trim().split('\n').pop() ?? ''}`);
      ctx.observe(`job ${story.jobId} ended by itself before the cancel (swarmctl cancel: ${run.stderr.trim().split('\n').pop() ?? `exit ${run.code}`})`);
    }
  }

  // 3. recover --yes; a job of the same issue still queued or running (ours ending, or another
  // sandbox's on the same SLURM) makes it refuse: wait for it, bounded.
  let refusal = '';
  const rec = await waitFor(
    () => `recover ${issue} to act (last refusal: ${refusal})`,
    async () => {
      const { doc } = await swarmctlJson<RecoverDoc>(ctx, ['recover', issue, ...job, '--yes'], 90_000);
      if (doc.plan.refusal && /queued or running/.test(doc.plan.refusal)) {
        refusal = doc.plan.refusal;
        return null;
      }
      return doc;
    },
    60_000,
    2000,
    ctx.signal,
  );
  if (rec.plan.refusal) throw new Error(`recover ${issue} refused: ${rec.plan.refusal}`);
  if (!spec.kinds.includes(rec.plan.kind ?? '')) throw new Error(`recover ${issue} acted on ${rec.plan.kind ?? 'nothing'}, not on ${spec.kinds.join('/')}`);
  const planned = rec.plan.actions.find((a) => RESUBMITS.has(a.type));
  if (!planned) throw new Error(`recover ${issue} planned no resubmit: ${rec.plan.actions.map((a) => a.type).join(', ') || 'no action'}`);
  const env = planned.env ?? {};
  const args = planned.args ?? [];
  if (Object.keys(env).length === 0 && args.length === 0) throw new Error(`recover ${issue} resubmits without a remedy: ${planned.description}`);
  const done = rec.result?.actions.find((a) => RESUBMITS.has(a.type));
  if (!done || done.outcome !== 'ok' || !done.jobId) throw new Error(`recover ${issue} did not resubmit (exit ${rec.exit_code}): ${done?.detail ?? rec.result?.outcome ?? 'no result'}`);
  const newJob = done.jobId;
  ctx.cleanup(() => cancelIfActive(ctx, newJob));
  ctx.observe(`recover --yes: ${planned.description}; new job ${newJob}`);

  // 4. The new job's process, as the kernel has it.
  const proc = await waitFor(`job ${newJob}'s worker process for ${issue} (SLURM_JOB_ID=${newJob} in /proc/*/environ)`, () => jobWorker(newJob, issue), 60_000, 200, ctx.signal);
  const missing = [
    ...Object.entries(env)
      .filter(([k, v]) => proc.env[k] !== v)
      .map(([k, v]) => `${k}=${v} (has ${proc.env[k] ?? 'nothing'})`),
    ...args.filter((a) => !proc.argv.includes(a)),
  ];
  if (missing.length) throw new Error(`job ${newJob} (pid ${proc.pid}) did not receive the remedy: missing ${missing.join(', ')}; argv ${proc.argv.join(' ')}`);
  ctx.observe(`job ${newJob}: pid ${proc.pid} (${clip(proc.argv.join(' '), 120)}) received ${remedyText(env, args, proc)}`);

  // 5. The audit has it.
  const { doc: audit } = await swarmctlJson<AuditDoc>(ctx, ['audit', '--issue', issue, '--limit', '20'], 30_000);
  const row = audit.rows.find((r) => RESUBMITS.has(r.action.replace(/^recover\./, '')) && r.outcome === 'ok' && (r.detail ?? '').includes(`job ${newJob}`));
  const attempt = audit.rows.find((r) => r.action === 'recover.attempt' && (r.detail ?? '').startsWith(`${rec.plan.kind}:`));
  if (!row || !attempt) throw new Error(`swarmctl audit has no ${row ? 'recover.attempt' : `recover.resubmit row for job ${newJob}`} for ${issue}`);
  ctx.observe(`audit #${row.id} ${row.action} ${row.outcome}: ${clip(row.detail ?? '')}; #${attempt.id} ${attempt.action}: ${clip(attempt.detail ?? '')}`);
  return true;
}

function remedyText(env: Record<string, string>, args: string[], p: JobProcess): string {
  const parts = Object.keys(env).map((k) => `${k}=${p.env[k] ?? ''} in /proc/${p.pid}/environ`);
  if (args.length) parts.push(`${args.join(' ')} in /proc/${p.pid}/cmdline`);
  return parts.join(', ');
}

/** The job this drill caused is cancelled unless it already ended (a resolved run ends by itself). */
async function cancelIfActive(ctx: DrillContext, jobId: string): Promise<void> {
  const env = Object.fromEntries(Object.entries(ctx.env).filter((e): e is [string, string] => e[1] !== undefined));
  const q = await runLocal({ argv: ['squeue', '-h', '-j', jobId, '-o', '%T'], env, timeoutMs: 15_000 });
  // A finished job is listed as COMPLETED/CANCELLED for a while, then squeue calls its id invalid.
  if (!q.ok && /Invalid job id/i.test(q.stderr)) return;
  if (q.ok && !/\b(PENDING|RUNNING|CONFIGURING|SUSPENDED|REQUEUED|RESIZING)\b/.test(q.stdout)) return;
  await swarmctlForCleanup(ctx, ['cancel', jobId]);
}
