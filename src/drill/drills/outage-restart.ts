// outage-restart: everything the sandbox runs stops at once, as in a power cut (its endpoint
// processes killed, its own SLURM jobs cancelled). `swarmctl restart --yes --json` must bring the
// services back in dependency order (they really listen again, recorded in sandbox.json) and
// resubmit the swarm jobs that were running (new job ids). Undo: any endpoint still down is
// started again, and the new jobs are recorded so `sandbox down` cancels them.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { parse } from 'yaml';
import { jobNameTemplate } from '../../sandbox/config-yaml.js';
import { withDirLock } from '../../sandbox/dir-lock.js';
import { stillSame } from '../../io/proc.js';
import { readState, writeState } from '../../sandbox/records.js';
import { startEndpoint } from '../../sandbox/start-endpoint.js';
import { storyFor } from '../../sandbox/story.js';
import { jsonOf, secs, waitFor } from '../helpers.js';
import type { Drill, DrillContext } from '../types.js';

interface QueueJob {
  jobId: string;
  name: string;
  state: string;
  active: boolean;
  stdout?: string | null;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port, timeout: 1000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });

/** squeue directly (not `swarmctl queue`: that would replace the last good queue restart resubmits from). */
function anyActive(ids: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) =>
    execFile('squeue', ['-h', '-j', ids.join(','), '-o', '%T'], { env, timeout: 15_000 }, (err, stdout) => resolve(!err && /PENDING|RUNNING|CONFIGURING|COMPLETING/.test(String(stdout)))),
  );
}

function scancel(jobId: string, jobName: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => execFile('scancel', [`--name=${jobName}`, jobId], { env, timeout: 15_000 }, (err) => resolve(!err)));
}

/** The sandbox's own active jobs (their logs go to its folder; other sandboxes use the same names). */
async function ourJobs(ctx: DrillContext): Promise<QueueJob[]> {
  const q = jsonOf<{ ok: boolean; error?: string; jobs: QueueJob[] }>(await ctx.swarmctl(['queue', '--json']), 'queue');
  if (!q.ok) throw new Error(`the queue cannot be read: ${q.error}`);
  return q.jobs.filter((j) => j.active && (j.stdout ?? '').startsWith(`${ctx.dir}/`));
}

/** No job of the sandbox runs any more (the story's runs ended): one long run is submitted, recorded, so the outage has a job to lose. */
async function submitStuck(ctx: DrillContext): Promise<void> {
  const story = storyFor(ctx.state.profile);
  const stuck = story.find((i) => i.id === 'sbx-stuck-loop') ?? story[0]!;
  const issue = ctx.state.slurmJobs.find((j) => j.issue.endsWith(stuck.id))?.issue ?? stuck.id;
  const env = { SIM_OUTCOME: stuck.outcome, ...stuck.env, ...('SIM_SECONDS' in stuck.env ? { SIM_SECONDS: '900' } : {}) };
  const r = await ctx.swarmctl(['submit', issue, '--force', '--json', ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`])]);
  const out = jsonOf<{ outcomes: Array<{ status: string; jobId?: string | number; reason?: string }> }>(r, 'submit').outcomes[0];
  if (out?.status !== 'submitted' || out.jobId === undefined) throw new Error(`no job of the sandbox was running, and submitting ${issue} failed: ${out?.status}: ${out?.reason ?? ''}`);
  const jobId = String(out.jobId);
  await withDirLock(ctx.dir, async () => {
    const s = readState(ctx.dir)!;
    s.slurmJobs.push({ name: `worker:${issue}`, jobId, jobName: jobNameTemplate(ctx.dir).replace('{issue}', issue), issue });
    await writeState(s);
  });
  ctx.observe(`no job of the sandbox was running (the story's runs ended): submitted ${issue} (${stuck.outcome}) as job ${jobId}, recorded in sandbox.json`);
  await waitFor(async () => ((await anyActive([jobId], ctx.env)) ? true : undefined), 30_000, ctx.signal, 500);
}

export const outageRestart: Drill = {
  name: 'outage-restart',
  summary: 'stop every endpoint and swarm job: `swarmctl restart` brings them back in dependency order and resubmits the jobs',
  profiles: ['beefcake', 'python-worker', 'runbook'],
  timeoutS: 300,
  async run(ctx) {
    const services = (parse(readFileSync(ctx.config, 'utf8')) as { services: Record<string, { start?: unknown; depends_on?: string[] }> }).services;
    const endpoints = Object.keys(ctx.state.endpoints);
    const noStart = endpoints.filter((n) => !services[n]?.start);
    if (noStart.length) throw new Error(`the sandbox config gives no restart \`start\` for ${noStart.join(', ')} (made by an older swarmctl): run \`swarmctl sandbox reset\``);
    const slurm = ctx.state.jobs.mode === 'slurm';

    // What ran before: the queue read now is also the "last good queue" restart resubmits from.
    let before = slurm ? await ourJobs(ctx) : [];
    if (slurm && !before.length) {
      await submitStuck(ctx);
      before = await ourJobs(ctx);
    }
    const prefix = jobNameTemplate(ctx.dir).replace('{issue}', '');
    const issuesBefore = [...new Set(before.map((j) => (j.name.startsWith(prefix) ? j.name.slice(prefix.length) : '')).filter((x) => !!x))];
    if (slurm && !before.length) throw new Error('no job of the sandbox is running, so none can be shown resubmitted (`swarmctl sandbox reset` starts the story again)');
    ctx.observe(
      slurm
        ? `before: ${before.length} running job(s) of the sandbox: ${before.map((j) => `${j.jobId} ${j.name}`).join(', ') || 'none'}`
        : `jobs mode ${ctx.state.jobs.mode}: restart resubmits SLURM jobs only, so its workers are left running and only the services are drilled`,
    );

    // Undo, whatever happens below: endpoints still down start again; new jobs get recorded.
    ctx.cleanup(async () => {
      const back: string[] = [];
      for (const n of endpoints) {
        const r = await startEndpoint(ctx.dir, n);
        if (r.started) back.push(`${n} (pid ${r.rec.pid})`);
      }
      if (back.length) ctx.observe(`undo: started again ${back.join(', ')}`);
    });

    // The outage.
    const state = readState(ctx.dir)!;
    const killed: string[] = [];
    for (const p of state.processes.filter((q) => q.name.startsWith('endpoint:'))) {
      if (!stillSame(p.pid, p.startTime)) continue;
      process.kill(p.pgid === p.pid ? -p.pid : p.pid, 'SIGKILL');
      killed.push(`${p.name} pid ${p.pid}`);
    }
    const cancelled: string[] = [];
    for (const j of before) if (await scancel(j.jobId, j.name, ctx.env)) cancelled.push(j.jobId);
    const t0 = Date.now();
    const allDown = await waitFor(async () => ((await Promise.all(endpoints.map((n) => listening(ctx.state.endpoints[n]!.port)))).some(Boolean) ? undefined : true), 10_000, ctx.signal);
    const ids = before.map((j) => j.jobId);
    const jobsGone = ids.length ? await waitFor(async () => ((await anyActive(ids, ctx.env)) ? undefined : true), 60_000, ctx.signal, 1000) : true;
    ctx.observe(
      `outage: killed ${killed.join(', ')}; scancel ${cancelled.join(', ') || 'none'}; ports closed: ${allDown ? 'yes' : 'NO'}; jobs gone: ${jobsGone ? 'yes' : 'NO'} (${secs(Date.now() - t0)})`,
    );
    if (!allDown || !jobsGone) return false;

    // The restart, as an operator runs it after an outage.
    // dead-host plays a host that hangs (never answers): an operator skips it, or its failed verify
    // would block everything after it (swarm-jobs depends on every service). The undo starts it.
    const skip = endpoints.includes('dead-host') ? ['--skip', 'dead-host'] : [];
    const back = endpoints.filter((n) => n !== 'dead-host');
    const r = await ctx.swarmctl(['restart', '--yes', '--json', ...skip], { timeoutMs: 240_000 });
    const events = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    const runStart = events.find((e) => e['event'] === 'run_start');
    const order: string[] = runStart?.['steps'] ?? [];
    const doneAt = new Map<string, number>();
    events.forEach((e, i) => {
      if (e['event'] === 'step_done' || e['event'] === 'step_failed') doneAt.set(e['step'], i);
    });
    const outcome = (s: string) => events.find((e) => (e['event'] === 'step_done' || e['event'] === 'step_failed') && e['step'] === s);
    ctx.observe(`restart --yes --json ${skip.join(' ')}: exit ${r.code} in ${secs(r.ms)}; steps in order: ${order.join(' -> ')}`);
    ctx.observe(`  outcomes: ${order.map((s) => `${s} ${outcome(s)?.['outcome'] ?? (outcome(s) ? `FAILED (${String(outcome(s)?.['reason']).slice(0, 60)})` : 'none')}`).join('; ')}`);

    // Dependency order: every service after what it depends on, and the swarm jobs last.
    const orderBad = order.flatMap((s) =>
      (services[s]?.depends_on ?? []).filter((d) => order.indexOf(d) > order.indexOf(s) || (doneAt.get(d) ?? -1) > (doneAt.get(s) ?? Infinity)).map((d) => `${s} before ${d}`),
    );
    const lastOk = order[order.length - 1] === 'swarm-jobs';
    ctx.observe(`  dependency order: ${orderBad.length ? `VIOLATED: ${orderBad.join(', ')}` : 'kept (each service after what it depends on)'}; swarm-jobs last: ${lastOk ? 'yes' : 'no'}`);

    // The services really listen again, and sandbox.json knows the new processes.
    const after = readState(ctx.dir)!;
    const live = back.map((n) => {
      const rec = [...after.processes].reverse().find((p) => p.name === `endpoint:${n}`);
      return { n, rec, recorded: !!rec && stillSame(rec.pid, rec.startTime) };
    });
    const ports = await Promise.all(back.map((n) => listening(ctx.state.endpoints[n]!.port)));
    ctx.observe(
      `  listening again: ${back.map((n, i) => `${n}:${ctx.state.endpoints[n]!.port} ${ports[i] ? 'yes' : 'NO'}`).join(', ')}; recorded in sandbox.json: ${live.map((l) => `${l.n} ${l.recorded ? `pid ${l.rec!.pid}` : 'NO'}`).join(', ')}`,
    );
    const stepsOk = order.every((s) => outcome(s)?.['event'] === 'step_done');

    let jobsOk = true;
    if (slurm) {
      const act = events.find((e) => e['event'] === 'action' && e['step'] === 'swarm-jobs');
      const tail = String(act?.['output_tail'] ?? '');
      const newIds = new Map<string, string>();
      for (const line of tail.split('\n')) {
        const m = /^(\S+) submitted (\d+)/.exec(line);
        if (m) newIds.set(m[1]!, m[2]!);
      }
      // Record them at once, so `sandbox down` cancels them whatever comes next.
      await withDirLock(ctx.dir, async () => {
        const s = readState(ctx.dir)!;
        for (const [issue, jobId] of newIds) s.slurmJobs.push({ name: `worker:${issue}`, jobId, jobName: jobNameTemplate(ctx.dir).replace('{issue}', issue), issue });
        await writeState(s);
      });
      const missing = issuesBefore.filter((i) => !newIds.has(i) || before.some((b) => b.jobId === newIds.get(i)));
      const all = jsonOf<{ jobs: QueueJob[] }>(await ctx.swarmctl(['queue', '--json']), 'queue').jobs;
      const nowRunning = all.filter((j) => j.active && (j.stdout ?? '').startsWith(`${ctx.dir}/`));
      // Restart resubmits by job name: another sandbox's active job of the same name hides ours (said, still a FAIL).
      const why = (i: string) => {
        const other = all.find((j) => j.active && j.name === jobNameTemplate(ctx.dir).replace('{issue}', i) && !(j.stdout ?? '').startsWith(`${ctx.dir}/`));
        return other ? `${i} (another sandbox's job ${other.jobId} of the same name is active)` : i;
      };
      const queued = [...newIds.values()].filter((id) => nowRunning.some((j) => j.jobId === id));
      ctx.observe(
        `  swarm jobs resubmitted: ${[...newIds].map(([i, id]) => `${i} -> ${id}`).join(', ') || 'none'}; still active a moment later: ${queued.length}/${newIds.size}${missing.length ? `; NOT resubmitted: ${missing.map(why).join(', ')}` : ''}`,
      );
      jobsOk = issuesBefore.length > 0 && missing.length === 0;
    }
    return r.code === 0 && orderBad.length === 0 && lastOk && ports.every(Boolean) && live.every((l) => l.recorded) && stepsOk && jobsOk;
  },
};
