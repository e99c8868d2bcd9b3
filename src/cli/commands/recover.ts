// `swarmctl recover ISSUE [--dry-run] [--yes] [--auto] [--json]`: diagnose, show the plan
// (exact argv, variables, files), apply after y/N (TTY) or --yes; --auto for job
// wrappers (no prompt, safe actions only, bounded by recovery.max_attempts).
import type { Command } from 'commander';
import { CliError, EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

interface Opts {
  dryRun?: boolean;
  yes?: boolean;
  auto?: boolean;
  json?: boolean;
  job?: string;
  assumeNotRunning?: boolean;
}

export function register(program: Command): void {
  program
    .command('recover')
    .argument('<issue>', 'issue id')
    .description('apply the recovery ladder to an issue (resubmit with a remedy, clean the worktree, archive the resume file, or return it to the tracker); audited')
    .option('--dry-run', 'show the plan only')
    .option('--yes', 'apply without asking')
    .option('--auto', 'for job wrappers: no prompt, only recovery.auto_actions, bounded by recovery.max_attempts')
    .option('--job <jobid>', 'which job log to diagnose from')
    .option('--assume-not-running', "act although the queue cannot be read (squeue failed or was cut): you vouch that the issue's job is not running; audited")
    .option('--json', 'one JSON document')
    .addHelpText(
      'after',
      examples('swarmctl recover beefcake-wb42 --dry-run', 'swarmctl recover beefcake-wb42 --yes', 'swarmctl recover --auto beefcake-wb42 --json') +
        '\nExit: 0 applied (or nothing to do), 1 refused/skipped (e.g. its job is queued or running), 2 an action failed, or refused because the queue could not be read (its job may be running; nothing touched: --assume-not-running overrides), 64 bad id/config.\n',
    )
    .action(async (issue: string, opts: Opts, cmd: Command) => {
      const { openStoreFor } = await import('../context.js');
      const { issueContext } = await import('../recovery-context.js');
      const { prepareRecovery, executeRecovery } = await import('../../recovery/run.js');
      const { submit } = await import('../../submit/submit.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { cfg, profile } = await issueContext(global, issue);
      const store = await openStoreFor(global, cfg);
      try {
        const prepared = await prepareRecovery(cfg, profile, store, issue, { ...(opts.job ? { jobId: opts.job } : {}), ...(opts.assumeNotRunning ? { assumeNotRunning: true } : {}) });
        const { plan, diagnosis } = prepared;
        const showPlan = (): void => {
          say(`${issue}: ${plan.kind ?? 'no diagnosis'}`, opts.json);
          if (plan.refusal) say(`refused: ${plan.refusal}`, opts.json);
          for (const a of plan.actions) {
            say(`- ${a.type}${opts.auto && !a.safe ? ' (not auto-safe: skipped with --auto)' : ''}: ${a.description}`, opts.json);
            for (const argv of a.argv ?? []) say(`    $ ${argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w))).join(' ')}`, opts.json);
            for (const [k, v] of Object.entries(a.env ?? {})) say(`    env ${k}=${v}`, opts.json);
            for (const f of a.files ?? []) say(`    move ${f.from} -> ${f.to}`, opts.json);
          }
          for (const w of plan.warnings) say(`warning: ${w}`, opts.json);
        };
        showPlan();
        let confirmed = Boolean(opts.yes || opts.auto || opts.dryRun);
        if (!confirmed && !plan.refusal && plan.actions.length) {
          if (!process.stdin.isTTY) throw new CliError('not a terminal: pass --yes to apply, or --dry-run', EXIT.USAGE);
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question('apply this plan? [y/N] ');
          rl.close();
          confirmed = /^y(es)?$/i.test(answer.trim());
          if (!confirmed) say('not applied', opts.json);
        }
        const lock = confirmed && !opts.dryRun && !plan.refusal && plan.actions.length ? await (await import('../lock-context.js')).takeOperatorLock(cfg, `swarmctl recover ${issue}`) : null;
        let result;
        try {
          result = confirmed || plan.refusal ? await executeRecovery(cfg, profile, store, prepared, { submit, ...(opts.auto ? { auto: true } : {}), ...(opts.dryRun ? { dryRun: true } : {}) }) : null;
        } finally {
          lock?.release();
        }
        const outcome = result?.outcome ?? 'skipped';
        const code = prepared.livenessUnknown ? EXIT.FAILED : outcome === 'ok' || outcome === 'dry-run' ? EXIT.OK : outcome === 'failed' ? EXIT.FAILED : EXIT.DEGRADED;
        for (const a of result?.actions ?? []) say(`${a.outcome.padEnd(7)} ${a.type}: ${a.detail}`, opts.json);
        if (opts.json) printJson({ issue, diagnosis, plan, liveness: prepared.liveness, result, exit_code: code });
        process.exitCode = code;
      } finally {
        store.close();
      }
    });
}
