// `swarmctl queue`: swarm jobs from ONE squeue plus direct-SSH jobs (slurm/queue.ts).
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  program
    .command('queue')
    .description('swarm jobs (SLURM and direct SSH); when squeue fails: UNKNOWN with the last known queue, marked stale')
    .option('--all', 'every job of the user, not only swarm job names')
    .option('--json', 'one JSON document: {ok, jobs:[...], error?, stale?:{takenAt,ageMs}, skipped}')
    .addHelpText(
      'after',
      examples('swarmctl queue', 'swarmctl queue --json --all') +
        '\nExit: 0 read ok, 1 SSH hosts could not be checked, 2 squeue failed or its output was over the 16 MiB cap (state UNKNOWN, partial: true; stale jobs shown).\n',
    )
    .action(async (opts: { all?: boolean; json?: boolean }, cmd: Command) => {
      const { withBatchOpening } = await import('../batch-context.js');
      const { readQueue } = await import('../../slurm/queue.js');
      const q = await withBatchOpening(cmd.optsWithGlobals<GlobalOptions>(), (cfg, store) => readQueue(cfg, store, { ...(opts.all ? { all: true } : {}) }));
      const code = !q.ok ? EXIT.FAILED : q.sshErrors?.length ? EXIT.DEGRADED : EXIT.OK;
      if (opts.json) printJson({ ...q, state: q.ok ? 'known' : 'unknown', exit_code: code });
      if (!q.ok) {
        say(`queue UNKNOWN${q.partial ? ' (partial read)' : ''}: ${q.error}`, true);
        say(q.stale ? `showing the last known queue, ${Math.round(q.stale.ageMs / 1000)} s old (stale)` : 'no earlier queue is known', true);
      }
      for (const e of q.sshErrors ?? []) say(`ssh jobs unknown: ${e}`, true);
      if (!opts.json) {
        say(`${'JOBID'.padEnd(22)} ${'NAME'.padEnd(28)} ${'STATE'.padEnd(11)} ${'TIME'.padEnd(10)} ${'VIA'.padEnd(5)} REASON/NODE`);
        for (const j of q.jobs) {
          say(
            `${j.jobId.padEnd(22)} ${j.name.padEnd(28)} ${j.state.padEnd(11)} ${(j.timeUsedRaw || '-').padEnd(10)} ${j.via.padEnd(5)} ${j.phase === 'running' ? (j.nodeList ?? '') : (j.reason ?? '')}`,
          );
        }
        if (q.skipped) say(`${q.skipped} malformed squeue lines skipped`, true);
      }
      process.exitCode = code;
    });
}
