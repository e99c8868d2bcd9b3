// `swarmctl diagnose ISSUE [--job JOBID [--ending]] [--json]`: what went wrong with an issue,
// with evidence (file:line and the text) and the recommended recovery. --ending is for
// the job's own failure hook: the job is still RUNNING while it asks, yet is over.
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  program
    .command('diagnose')
    .argument('<issue>', 'issue id')
    .description('diagnose an issue from its job log, state files, the queue and the audit (stuck loop, parse failure, overflow, cloud, dead job, budget)')
    .option('--job <jobid>', 'which job log to read (default: the newest job of the issue)')
    .option('--ending', 'the --job job is ending (its own failure hook runs this): read it as gone from the queue; also SWARMCTL_JOB_ENDING=1')
    .option('--json', 'one JSON document')
    .addHelpText(
      'after',
      examples('swarmctl diagnose beefcake-wb42', 'swarmctl diagnose beefcake-wb42 --job 2317 --json') +
        '\nA cloud escalation failure is confirmed with a live probe of each openai-proxy service\n(key rejected now / quota and its reset / proxy down / healthy now, so transient): the\nverdict is evidence line probe:<service> and details.proxy_check in --json.\n' +
        "\nA job SLURM ended is read from slurmstepd's notice in the job log when sacct has nothing:\njob_died with cause TIMEOUT / NODE_FAIL (and the node) / PREEMPTED / CANCELLED (not an\nincident) / unknown (the log just stops), out_of_memory with cause OUT_OF_MEMORY.\n" +
        '\nslurm/swarm-job.sbatch runs `swarmctl diagnose ISSUE --job $SLURM_JOB_ID --json` with\nSWARMCTL_JOB_ENDING=1 when its command exits non-zero: the job log then names the failure\n(a job that is still RUNNING would otherwise read as "being worked on", never as dead).\n' +
        '\nExit: 0 nothing wrong found (or only a plain scancel), 1 a diagnosis, 2 cannot tell (job log\nmissing, empty, binary, or the failure may lie before the window read; the queue unreadable), 64 bad id/config.\n',
    )
    .action(async (issue: string, opts: { json?: boolean; job?: string; ending?: boolean }, cmd: Command) => {
      const { issueContext } = await import('../recovery-context.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { cfg, profile } = await issueContext(global, issue);
      if (opts.job !== undefined && !/^\d+$/.test(opts.job)) {
        const { usageError } = await import('../output.js');
        throw usageError(`--job ${opts.job}: a SLURM job id is digits`);
      }
      // The env form lets the job script say it to a swarmctl too old for --ending (it ignores the variable).
      const ending = opts.ending === true || (process.env['SWARMCTL_JOB_ENDING'] === '1' && opts.job !== undefined);
      if (ending && opts.job === undefined) {
        const { usageError } = await import('../output.js');
        throw usageError('--ending needs --job JOBID (the job that is ending)');
      }
      // squeue and the run-summary scan first, then the recovery code and SQLite load while they run (job wrappers call this often).
      const [{ issueQueue }, { issueRuns }] = await Promise.all([import('../../recovery/issue-queue.js'), import('../../recovery/issue-runs.js')]);
      const slurmQueue = issueQueue(cfg, profile, issue, cfg.slurm.command_timeout_s * 1000);
      const summaryRuns = profile.paths.run_summary.length > 0 ? issueRuns(cfg, profile, issue) : undefined;
      const [{ openStoreFor }, { runDiagnose }] = await Promise.all([import('../context.js'), import('../../recovery/diagnose-run.js')]);
      const store = await openStoreFor(global, cfg);
      try {
        const r = await runDiagnose(cfg, profile, store, issue, { ...(opts.job ? { jobId: opts.job, ending } : {}), slurmQueue, ...(summaryRuns ? { summaryRuns } : {}) });
        if (ending) r.notes.push(`job ${opts.job} is ending (its failure hook asked): read as finished, whatever the queue still says`);
        const code = r.status === 'diagnosed' ? EXIT.DEGRADED : r.status === 'unknown' ? EXIT.FAILED : EXIT.OK;
        if (opts.json) printJson({ ...r, exit_code: code });
        else {
          if (r.diagnoses.length === 0) say(r.status === 'unknown' ? `${issue}: cannot tell (see notes)` : `${issue}: nothing wrong found`);
          else if (r.status === 'unknown') say(`${issue}: cannot tell for sure (see notes)`);
          for (const d of r.diagnoses) {
            const cause = d.cause ? ` [${d.cause}${d.node ? ` ${d.node}` : ''}]` : '';
            say(`${d.kind}${cause}: ${d.summary}${d.retryable ? '' : ' (not retryable as is)'}${d.incident === false ? ' (not an incident)' : ''}`);
            for (const e of d.evidence) say(`  ${e.file}${e.line !== undefined ? `:${e.line}` : ''}  ${e.text}`);
          }
          for (const n of r.notes) say(`note: ${n}`);
          if (r.diagnoses.some((d) => d.incident !== false)) say(`next: swarmctl recover ${issue} --dry-run`);
        }
        process.exitCode = code;
      } finally {
        store.close();
      }
    });
}
