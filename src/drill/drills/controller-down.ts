// controller-down: the SLURM controller becomes unreachable for the swarmctl under test. The
// sandbox does not own the test cluster's slurmctld (others use it), so it is never stopped: the
// runs below get a copy of slurm.conf naming a dead SlurmctldPort (MessageTimeout 2 s). Then
// `queue` and `status` must say UNKNOWN with the last known jobs (never "no jobs"), and `recover`
// and `submit` must refuse (exit 2) rather than resubmit. Nothing to undo: only copies were made.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { configCopy, freePort, jsonOf } from '../helpers.js';
import type { Drill } from '../types.js';

interface QueueDoc {
  ok: boolean;
  state?: string;
  error?: string;
  jobs: Array<{ jobId: string; name: string; state: string; stdout?: string | null }>;
}

export const controllerDown: Drill = {
  name: 'controller-down',
  summary: 'SLURM controller unreachable: queue/status say UNKNOWN with the last known jobs, recover and submit refuse',
  profiles: ['beefcake', 'python-worker', 'runbook'],
  timeoutS: 150,
  notApplicable: (s) => (s.jobs.mode !== 'slurm' || !s.slurmConf ? `jobs mode ${s.jobs.mode}: there is no SLURM controller to lose` : null),
  async run(ctx) {
    const conf = ctx.state.slurmConf!;
    const deadPort = await freePort();
    const deadConf = join(ctx.dir, 'run', 'drill-controller-down.slurm.conf');
    const text = readFileSync(conf, 'utf8');
    if (!/^SlurmctldPort=/m.test(text)) throw new Error(`${conf} has no SlurmctldPort line to point elsewhere`);
    await writeFileAtomic(deadConf, `${text.replace(/^SlurmctldPort=.*$/m, `SlurmctldPort=${deadPort}`).replace(/^MessageTimeout=.*$/m, '')}\nMessageTimeout=2\n`);
    const cfg = await configCopy(ctx, 'controller-down', (d) => {
      d['slurm'] = { ...d['slurm'], conf: deadConf };
    });
    const env = { SLURM_CONF: deadConf };
    ctx.observe(
      `the test cluster's slurmctld is shared and not the sandbox's: left running; the runs below use ${deadConf} (SlurmctldPort=${deadPort}, nobody listening; MessageTimeout=2) through ${cfg}`,
    );

    // The last good read first (what the queue knew), with the real controller.
    const good = jsonOf<QueueDoc>(await ctx.swarmctl(['queue', '--json']), 'queue');
    if (!good.ok) throw new Error(`the queue could not be read before the drill: ${good.error}`);
    const ids = good.jobs.map((j) => j.jobId);
    ctx.observe(`before: queue ok, ${good.jobs.length} job(s): ${good.jobs.map((j) => `${j.jobId} ${j.name} ${j.state}`).join(', ') || 'none'}`);

    const q = await ctx.swarmctl(['queue', '--json'], { config: cfg, env });
    const qd = jsonOf<QueueDoc>(q, 'queue');
    const lastKnown = qd.jobs.map((j) => j.jobId);
    const queueOk = q.code === 2 && qd.ok === false && qd.state === 'unknown' && ids.every((i) => lastKnown.includes(i));
    ctx.observe(
      `queue: exit ${q.code} in ${(q.ms / 1000).toFixed(1)} s, state ${qd.state}, ${qd.jobs.length} last known job(s) shown${ids.length ? ` (all ${ids.length} from before: ${ids.every((i) => lastKnown.includes(i)) ? 'yes' : 'no'})` : ''}; error: ${(qd.error ?? '').replace(/^.*: exit/, 'exit')}`,
    );

    const s = await ctx.swarmctl(['status', '--json'], { config: cfg, env });
    const sd = jsonOf<{ queue: QueueDoc; exit_code: number }>(s, 'status');
    const statusOk = s.code === 2 && sd.queue.ok === false && ids.every((i) => sd.queue.jobs.some((j) => j.jobId === i));
    ctx.observe(`status: exit ${s.code}, queue ${sd.queue.ok ? 'ok' : 'UNKNOWN'} with ${sd.queue.jobs.length} last known job(s)`);

    // A mutating command on an issue that has a job: must refuse, not resubmit.
    // (one of this sandbox's issues: its logs go to the sandbox folder; other sandboxes share the cluster)
    const ours = good.jobs.find((j) => (j.stdout ?? '').startsWith(`${ctx.dir}/`));
    const issue = (ours && /^swarm-(.+)$/.exec(ours.name)?.[1]) ?? ctx.state.slurmJobs[0]?.issue;
    if (!issue) throw new Error('the sandbox records no swarm job to try recover and submit on');
    const rec = await ctx.swarmctl(['recover', issue, '--yes'], { config: cfg, env, timeoutMs: 90_000 });
    const recLine = `${rec.stdout}\n${rec.stderr}`.split('\n').find((l) => /refus/i.test(l)) ?? `${rec.stderr}`.trim().split('\n').pop() ?? '';
    ctx.observe(`recover ${issue} --yes: exit ${rec.code}: ${recLine.slice(0, 160)}`);
    const sub = await ctx.swarmctl(['submit', issue, '--json'], { config: cfg, env, timeoutMs: 60_000 });
    const sj = jsonOf<{ outcomes: Array<{ status: string; reason?: string }> }>(sub, 'submit');
    ctx.observe(`submit ${issue}: exit ${sub.code}, ${sj.outcomes.map((o) => `${o.status}: ${(o.reason ?? '').slice(0, 100)}`).join('; ')}`);
    const refuseOk = rec.code === 2 && sub.code === 2 && sj.outcomes.every((o) => o.status !== 'submitted');

    // Nothing was resubmitted behind the operator's back: the real queue has the same jobs.
    const after = jsonOf<QueueDoc>(await ctx.swarmctl(['queue', '--json']), 'queue');
    // Only this sandbox's jobs count (their logs go to its folder): other sandboxes on the test cluster use the same job names.
    const added = after.jobs.filter((j) => (j.stdout ?? '').startsWith(`${ctx.dir}/`) && !ids.includes(j.jobId));
    ctx.observe(`after (real controller): ${after.jobs.length} job(s), ${added.length} new with logs in the sandbox${added.length ? `: ${added.map((j) => `${j.jobId} ${j.name}`).join(', ')}` : ''}`);
    return queueOk && statusOk && refuseOk && added.length === 0;
  },
};
