// `swarmctl job hold|release|requeue JOBID`: scontrol on one SLURM job, audited.
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  const job = program.command('job').description('hold, release or requeue one SLURM job');
  for (const action of ['hold', 'release', 'requeue'] as const) {
    job
      .command(action)
      .description(`scontrol ${action} JOBID`)
      .argument('<jobid>', 'SLURM job id')
      .option('--dry-run', 'print the argv, run nothing')
      .option('--json', 'one JSON document: {ok, argv, error?}')
      .addHelpText('after', examples(`swarmctl job ${action} 1234`) + '\nExit: 0 done, 2 scontrol failed, 64 not a job id.\n')
      .action(async (jobId: string, opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
        const { withBatch } = await import('../batch-context.js');
        const { jobControl } = await import('../../slurm/cancel.js');
        const r = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), (cfg, store) => jobControl(cfg, store, action, jobId, { ...(opts.dryRun ? { dryRun: true } : {}) }));
        const code = r.ok ? EXIT.OK : EXIT.FAILED;
        if (opts.json) printJson({ ...r, exit_code: code });
        say(`${opts.dryRun ? 'would run' : r.ok ? 'ok' : 'failed'}: ${JSON.stringify(r.argv)}${r.error ? `: ${r.error}` : ''}`, opts.json);
        process.exitCode = code;
      });
  }
}
