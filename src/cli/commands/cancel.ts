// `swarmctl cancel ISSUE|JOBID|ssh:HOST:PID` (batch/cancel.ts).
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
    .addHelpText('after', examples('swarmctl cancel beefcake-7xjmj', 'swarmctl cancel 1234', 'swarmctl cancel ssh:local:4242 --json') + '\nExit: 0 cancelled, 2 nothing cancelled or an error, 64 bad target.\n')
    .action(async (target: string, opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const { withBatch } = await import('../batch-context.js');
      const { cancel } = await import('../../batch/cancel.js');
      const r = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), (cfg, store) => cancel(cfg, store, target, { ...(opts.dryRun ? { dryRun: true } : {}) }));
      const code = opts.dryRun ? EXIT.OK : r.cancelled.length === 0 ? EXIT.FAILED : r.error ? EXIT.DEGRADED : EXIT.OK;
      if (opts.json) printJson({ ...r, exit_code: code });
      for (const a of r.argv) say(`${opts.dryRun ? 'would run' : 'ran'}: ${JSON.stringify(a)}`, opts.json);
      if (r.cancelled.length) say(`cancelled ${r.cancelled.join(' ')}`, opts.json);
      if (r.error) say(`error: ${r.error}`, true);
      process.exitCode = code;
    });
}
