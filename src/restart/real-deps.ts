// The real world a restart run acts on: the service's probe (as `swarmctl probe`
// does it; a llama-server also answers the one-word smoke completion), its start
// argvs on its host over OpenSSH or here, and the swarm jobs from SQLite's last
// good queue resubmitted through the idempotent submit.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { createRunner } from '../io/run.js';
import { probeService } from '../probes/probe-service.js';
import { probeSmoke } from '../probes/smoke.js';
import { serviceTimeoutMs, type ProbeContext } from '../probes/context.js';
import type { ProbeResult } from '../core/probe.js';
import { readQueueCache } from '../store/jobs.js';
import { SQUEUE_FORMAT } from '../slurm/squeue-format.js';
import { parseSqueue } from '../slurm/squeue-parse.js';
import { issueFromJobName } from '../slurm/job-name.js';
import { readQueue } from '../slurm/queue.js';
import type { RestartDeps, SwarmJobsDeps } from './run.js';
import type { PlanStep } from './plan.js';

const ACT_TIMEOUT_MS = 120_000;

export async function probeForRestart(cfg: ResolvedConfig, name: string): Promise<ProbeResult> {
  const svc = cfg.services[name];
  if (!svc) return { status: 'unknown', reason: `no service ${name}`, latencyMs: null };
  const ctx: ProbeContext = { timeoutMs: serviceTimeoutMs(svc, cfg), cfg };
  const r = await probeService(svc, ctx);
  // The seed's verify: /health, then a one-word completion (a server can be healthy and still not answer).
  if (svc.kind === 'llama-server' && r.status === 'up' && svc.url) {
    const s = await probeSmoke(svc, ctx);
    if (s.status !== 'up') return { ...s, status: s.status === 'degraded' ? 'degraded' : 'down', reason: `health ok but smoke completion: ${s.reason}` };
  }
  return r;
}

/** Issues whose jobs were PENDING/RUNNING in the last good queue and are not active now. */
export function swarmJobsFrom(cfg: ResolvedConfig, store: Store, submit: SwarmJobsDeps['submit']): SwarmJobsDeps {
  return {
    async pending() {
      const c = readQueueCache(store, 'slurm', SQUEUE_FORMAT);
      if (!c) return { issues: [], note: 'no last good queue in SQLite: nothing to resubmit' };
      const jobs = c.kind === 'squeue' ? parseSqueue(c.stdout).jobs : (c.jobs as Array<{ name: string; state: string }>);
      const before = new Set<string>();
      for (const j of jobs) {
        if (j.state !== 'PENDING' && j.state !== 'RUNNING') continue;
        const issue = issueFromJobName(j.name, cfg.swarm.job_name_template);
        if (issue) before.add(issue);
      }
      const taken = new Date(c.takenAt).toISOString();
      if (!before.size) return { issues: [], note: `no PENDING/RUNNING swarm jobs in the queue of ${taken}` };
      // What is active now is not resubmitted (the submit would skip it too; this keeps the check honest).
      const now = await readQueue(cfg, store, { slurmOnly: true, all: true });
      if (!now.ok) return { issues: [...before], note: `queue of ${taken} had ${before.size}; squeue now fails (${now.error}): the submit decides` };
      const active = new Set<string>();
      for (const j of now.jobs)
        if (j.active) {
          const i = issueFromJobName(j.name, cfg.swarm.job_name_template);
          if (i) active.add(i);
        }
      const issues = [...before].filter((i) => !active.has(i));
      return { issues, note: `queue of ${taken}: ${before.size} issue(s) had jobs; ${issues.length} without an active job now` };
    },
    submit,
  };
}

export function realDeps(cfg: ResolvedConfig, store: Store, submit: SwarmJobsDeps['submit']): RestartDeps {
  const runner = createRunner({ connectTimeoutS: Math.max(2, cfg.thresholds.probe_timeout_s) });
  return {
    probe: (step: PlanStep) => probeForRestart(cfg, step.name),
    run: (step: PlanStep, argv: string[]) => runner.run({ argv, timeoutMs: ACT_TIMEOUT_MS, ...(step.host ? { host: cfg.hosts[step.host]! } : {}) }),
    swarmJobs: swarmJobsFrom(cfg, store, submit),
  };
}
