// The restart plan: services in depends_on order (ties by config order), each
// with the argvs its step would run and where, filtered by --only/--from/--skip.
// Pure: the config in, the plan out.
import type { ResolvedConfig } from '../config/resolve.js';
import { defaultDetach, defaultStart, defaultVerifyTimeoutS, detachedArgv } from './defaults.js';

/** The last step: the swarm jobs that were queued before the outage, resubmitted. */
export const SWARM_JOBS_STEP = 'swarm-jobs';

export interface PlanStep {
  /** A service name, or SWARM_JOBS_STEP. */
  name: string;
  kind: string;
  /** Config host name the start runs on; undefined = this machine. */
  host?: string;
  /** What the check looks at, for the dry-run (a URL, a mount, a host). */
  checks: string;
  /** The exact argvs `act` runs (after any detaching). Empty: nothing to run (swarm-jobs submits). */
  start: string[][];
  /** Why there is no start command, when there is none for a service. */
  noStart?: string;
  dependsOn: string[];
  verifyTimeoutS: number;
}

export interface PlanOptions {
  only?: string[];
  from?: string;
  skip?: string[];
  /** Include the swarm-jobs step (default true). */
  swarmJobs?: boolean;
}

export class PlanError extends Error {}

/** Kahn's algorithm; among the ready services the one first in the config goes next. */
export function topoOrder(names: readonly string[], deps: (n: string) => readonly string[]): string[] {
  const index = new Map(names.map((n, i) => [n, i] as const));
  const pending = new Map(names.map((n) => [n, deps(n).filter((d) => index.has(d)).length] as const));
  const out: string[] = [];
  while (out.length < names.length) {
    const ready = names.find((n) => pending.get(n) === 0 && !out.includes(n));
    if (ready === undefined) throw new PlanError(`depends_on has a cycle among: ${names.filter((n) => !out.includes(n)).join(', ')}`);
    out.push(ready);
    pending.set(ready, -1);
    for (const n of names) if (deps(n).includes(ready)) pending.set(n, (pending.get(n) ?? 1) - 1);
  }
  return out;
}

function describeCheck(svc: ResolvedConfig['services'][string]): string {
  switch (svc.kind) {
    case 'nfs':
      return `stat -f ${svc.mount ?? '(no mount)'} in a child with a timeout`;
    case 'llama-server':
      return `${svc.health_url ?? `${svc.url ?? '(no url)'}/health`} (503 loading = progress)`;
    case 'openai-proxy':
      return `${svc.health_url ?? `${svc.url ?? '(no url)'}/healthz`} then /v1/models with the key in a header`;
    case 'ssh':
      return `ssh ${svc.host ?? '(no host)'} true${svc.process_check ? ` + ${svc.process_check.join(' ')}` : ''}`;
    case 'slurm':
      return 'scontrol ping, sinfo -N';
    default:
      return svc.health_url ?? svc.url ?? '(no url)';
  }
}

export function buildPlan(cfg: Pick<ResolvedConfig, 'services' | 'paths' | 'hosts'>, opts: PlanOptions = {}): PlanStep[] {
  const names = Object.keys(cfg.services);
  const known = new Set([...names, SWARM_JOBS_STEP]);
  for (const n of [...(opts.only ?? []), ...(opts.skip ?? []), ...(opts.from ? [opts.from] : [])]) {
    if (!known.has(n)) throw new PlanError(`no service named "${n}" (services: ${names.join(', ') || 'none'})`);
  }
  const order = topoOrder(names, (n) => cfg.services[n]!.depends_on);
  const all: PlanStep[] = order.map((n) => {
    const svc = cfg.services[n]!;
    const start = defaultStart(svc);
    const log = svc.log ?? `${cfg.paths.logs_dir}/restart-${n}.log`;
    const host = svc.host && cfg.hosts[svc.host] ? svc.host : undefined;
    if (svc.host && !host) throw new PlanError(`service ${n}: host "${svc.host}" is not under hosts:`);
    return {
      name: n,
      kind: svc.kind,
      ...(host ? { host } : {}),
      checks: describeCheck(svc),
      start: start ? (defaultDetach(svc) ? start.map((a) => detachedArgv(a, log)) : start) : [],
      ...(start ? {} : { noStart: `no start command for kind ${svc.kind}: add start: [...] to services.${n}` }),
      dependsOn: svc.depends_on.filter((d) => cfg.services[d]),
      verifyTimeoutS: defaultVerifyTimeoutS(svc),
    };
  });
  if (opts.swarmJobs !== false) {
    all.push({
      name: SWARM_JOBS_STEP,
      kind: 'swarm-jobs',
      checks: 'issues PENDING/RUNNING in the last good queue (SQLite) without an active job now',
      start: [],
      dependsOn: [...order],
      verifyTimeoutS: 60,
    });
  }
  let steps = all;
  if (opts.from) steps = steps.slice(steps.findIndex((s) => s.name === opts.from));
  if (opts.only?.length) steps = steps.filter((s) => opts.only!.includes(s.name));
  if (opts.skip?.length) steps = steps.filter((s) => !opts.skip!.includes(s.name));
  // A dependency outside the plan is taken as it is (the operator chose the plan).
  const inPlan = new Set(steps.map((s) => s.name));
  return steps.map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => inPlan.has(d)) }));
}

/** The steps a failed step blocks: its dependents, transitively. */
export function dependentsOf(plan: readonly PlanStep[], failed: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of plan) {
      if (out.has(s.name)) continue;
      if (s.dependsOn.some((d) => d === failed || out.has(d))) {
        out.add(s.name);
        grew = true;
      }
    }
  }
  return out;
}
