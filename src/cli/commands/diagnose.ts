// `swarmctl diagnose ISSUE [--job JOBID] [--json]`: what went wrong with an issue, with
// evidence (file:line and the text) and the recommended recovery.
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  program
    .command('diagnose')
    .argument('<issue>', 'issue id')
    .description('diagnose an issue from its job log, state files, the queue and the audit (stuck loop, parse failure, overflow, cloud, dead job, budget)')
    .option('--job <jobid>', 'which job log to read (default: the newest job of the issue)')
    .option('--json', 'one JSON document')
    .addHelpText('after', examples('swarmctl diagnose beefcake-wb42', 'swarmctl diagnose beefcake-wb42 --job 2317 --json') + '\nA cloud escalation failure is confirmed with a live probe of each openai-proxy service\n(key rejected now / quota and its reset / proxy down / healthy now, so transient): the\nverdict is evidence line probe:<service> and details.proxy_check in --json.\n' + '\nExit: 0 nothing wrong found, 1 a diagnosis, 2 cannot read what is needed, 64 bad id/config.\n')
    .action(async (issue: string, opts: { json?: boolean; job?: string }, cmd: Command) => {
      const { openStoreFor } = await import('../context.js');
      const { issueContext } = await import('../recovery-context.js');
      const { runDiagnose } = await import('../../batch/diagnose-run.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { cfg, profile } = await issueContext(global, issue);
      if (opts.job !== undefined && !/^\d+$/.test(opts.job)) {
        const { usageError } = await import('../output.js');
        throw usageError(`--job ${opts.job}: a SLURM job id is digits`);
      }
      const store = await openStoreFor(global, cfg);
      try {
        const r = await runDiagnose(cfg, profile, store, issue, opts.job ? { jobId: opts.job } : {});
        const code = r.status === 'diagnosed' ? EXIT.DEGRADED : r.status === 'unknown' ? EXIT.FAILED : EXIT.OK;
        if (opts.json) printJson({ ...r, exit_code: code });
        else {
          if (r.diagnoses.length === 0) say(r.status === 'unknown' ? `${issue}: cannot tell (see notes)` : `${issue}: nothing wrong found`);
          for (const d of r.diagnoses) {
            say(`${d.kind}: ${d.summary}${d.retryable ? '' : ' (not retryable as is)'}`);
            for (const e of d.evidence) say(`  ${e.file}${e.line !== undefined ? `:${e.line}` : ''}  ${e.text}`);
          }
          for (const n of r.notes) say(`note: ${n}`);
          if (r.diagnoses.length) say(`next: swarmctl recover ${issue} --dry-run`);
        }
        process.exitCode = code;
      } finally {
        store.close();
      }
    });
}
