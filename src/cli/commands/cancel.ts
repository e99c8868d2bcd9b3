// `swarmctl cancel ISSUE|JOBID|ssh:HOST:PID` (slurm/cancel.ts).
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  program
    .command('cancel')
    .description("cancel an issue's jobs (SLURM and direct SSH), or one job by id")
    .argument('<target>', 'issue id, SLURM job id, or ssh:<host>:<pid>')
    .option('--dry-run', 'print the exact commands, run nothing')
    .option('--json', 'one JSON document: {target, cancelled, argv, error?}')
    .addHelpText(
      'after',
      examples('swarmctl cancel beefcake-7xjmj', 'swarmctl cancel 1234', 'swarmctl cancel ssh:local:4242 --json') +
        '\nExit: 0 cancelled (or --dry-run found it cancellable), 1 some cancelled, 2 nothing cancelled: an error, or refused (ssh:HOST:PID with no state file or whose process is no longer the one swarmctl started; an ISSUE while the queue cannot be read), 64 bad target (e.g. ssh PID 0, 1, negative or not a number).\n',
    )
    .action(async (target: string, opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const { withBatch } = await import('../batch-context.js');
      const { cancel } = await import('../../slurm/cancel.js');
      const r = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), (cfg, store) => cancel(cfg, store, target, { ...(opts.dryRun ? { dryRun: true } : {}) }));
      const code = r.refused ? EXIT.FAILED : opts.dryRun ? (r.error ? EXIT.FAILED : EXIT.OK) : r.cancelled.length === 0 ? EXIT.FAILED : r.error ? EXIT.DEGRADED : EXIT.OK;
      if (opts.json) printJson({ ...r, exit_code: code });
      for (const a of r.argv) say(`${opts.dryRun ? 'would run' : 'ran'}: ${JSON.stringify(a)}`, opts.json);
      if (r.cancelled.length) say(`cancelled ${r.cancelled.join(' ')}`, opts.json);
      if (r.error) say(`error: ${r.error}`, true);
      process.exitCode = code;
    });
}
