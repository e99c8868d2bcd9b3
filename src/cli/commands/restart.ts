// `swarmctl restart [--dry-run] [--only S] [--from S] [--skip S] [--resume] [--yes] [--json]`:
// the seed's restart order as one command: services in depends_on order, each
// checked, started if down on its host, and verified; then the swarm jobs.
import type { Command } from 'commander';
import { CliError, EXIT, examples, printJsonLine, say, usageError } from '../output.js';
import type { GlobalOptions } from '../context.js';

interface Opts {
  dryRun?: boolean;
  only?: string[];
  from?: string;
  skip?: string[];
  resume?: boolean;
  yes?: boolean;
  json?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];

/** --json promises NDJSON events only: a run that cannot start ends with one run_done line saying why. */
function refused(e: CliError): void {
  const holder = (e.details as { holder?: unknown } | undefined)?.holder;
  printJsonLine({
    event: 'run_done',
    run_id: null,
    status: 'refused',
    reason: e.message,
    exit_code: e.exitCode,
    ...(holder ? { holder } : {}),
    done: 0,
    failed: 0,
    skipped: 0,
    elapsed_ms: 0,
    at: new Date().toISOString(),
  });
  say(`swarmctl: ${e.message}`, true);
  if (e.hint) say(`  next: ${e.hint}`, true);
  process.exitCode = e.exitCode;
}

export function register(program: Command): void {
  program
    .command('restart')
    .description(
      'restart the cluster in depends_on order: check each service, start it on its host if down, verify it (deadline + backoff); then resubmit the swarm jobs that were queued; recorded, resumable, under the operator lock',
    )
    .option('--dry-run', 'print the ordered plan with the exact argv per host; touch nothing')
    .option('--only <service>', 'only these steps (repeatable, or comma-separated)', collect)
    .option('--from <service>', 'start the plan at this step')
    .option('--skip <service>', 'leave these steps out (repeatable)', collect)
    .option('--resume', 'continue the last unfinished run (verified steps are re-checked, not redone)')
    .option('--yes', 'act without asking')
    .option('--json', 'NDJSON events only on stdout')
    .addHelpText(
      'after',
      examples('swarmctl restart --dry-run', 'swarmctl restart --yes --json', 'swarmctl restart --only qwen35 --yes', 'swarmctl restart --resume --yes') +
        '\nExit: 0 every step healthy, 1 some steps failed (their dependents blocked), 2 the run could not start (lock held, store), 64 bad usage.\n',
    )
    .action(async (opts: Opts, cmd: Command) => {
      const { loadConfigOrExit, openStoreFor } = await import('../context.js');
      const { buildPlan, PlanError } = await import('../../restart/plan.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const cfg = await loadConfigOrExit(global);
      if (opts.resume && (opts.only || opts.from || opts.skip)) throw usageError('--resume continues the last run with its own plan: leave out --only/--from/--skip');
      const planOpts = { ...(opts.only ? { only: opts.only } : {}), ...(opts.from ? { from: opts.from } : {}), ...(opts.skip ? { skip: opts.skip } : {}) };
      const { quoteForRemoteShell } = await import('../../io/remote-quote.js');
      if (opts.dryRun) {
        let plan;
        try {
          plan = buildPlan(cfg, planOpts);
        } catch (e) {
          if (e instanceof PlanError) throw usageError(e.message);
          throw e;
        }
        if (opts.json) {
          for (const [i, s] of plan.entries())
            printJsonLine({
              event: 'plan_step',
              n: i + 1,
              of: plan.length,
              step: s.name,
              kind: s.kind,
              host: s.host ?? 'local',
              checks: s.checks,
              argv: s.start,
              depends_on: s.dependsOn,
              verify_timeout_s: s.verifyTimeoutS,
              ...(s.noStart ? { no_start: s.noStart } : {}),
            });
        } else {
          say(`restart plan (${plan.length} steps, dry run: nothing is touched)`);
          for (const line of (await import('../../restart/plan-text.js')).planLines(plan)) say(line);
        }
        process.exitCode = EXIT.OK;
        return;
      }
      if (!opts.yes && !process.stdin.isTTY) throw new CliError('not a terminal: pass --yes to act, or --dry-run to see the plan', EXIT.USAGE);
      const store = await openStoreFor(global, cfg);
      const { recordAudit } = await import('../../store/audit.js');
      let lock;
      try {
        lock = await (await import('../lock-context.js')).takeOperatorLock(cfg, `swarmctl restart${opts.resume ? ' --resume' : ''}`);
      } catch (e) {
        store.close();
        if (opts.json && e instanceof CliError) return refused(e);
        throw e;
      }
      try {
        if (lock.tookOver) recordAudit(store, { action: 'lock.takeover', outcome: 'ok', detail: lock.tookOver });
        const { latestRun, runSteps } = await import('../../store/restart-runs.js');
        let plan;
        let resume: { runId: number; steps: import('../../store/restart-runs.js').StepRow[] } | undefined;
        let options: object = planOpts;
        if (opts.resume) {
          const last = latestRun(store, { unfinished: true });
          if (!last || !Array.isArray(last.plan)) {
            const e = new CliError('no unfinished restart run to resume', EXIT.FAILED, 'start one: swarmctl restart --dry-run, then swarmctl restart');
            if (opts.json) return refused(e);
            throw e;
          }
          plan = last.plan as import('../../restart/plan.js').PlanStep[];
          options = (last.options as object) ?? {};
          resume = { runId: last.id, steps: runSteps(store, last.id) };
          say(`resuming restart run ${last.id} (started ${new Date(last.startedAt).toISOString()} by ${last.actor})`, opts.json);
        } else {
          try {
            plan = buildPlan(cfg, planOpts);
          } catch (e) {
            if (e instanceof PlanError) throw usageError(e.message);
            throw e;
          }
        }
        const { realDeps } = await import('../../restart/real-deps.js');
        const { runRestart } = await import('../../restart/run.js');
        const { submit } = await import('../../submit/submit.js');
        const deps = realDeps(cfg, store, async (issues) => {
          const outs = await submit(cfg, store, { issues });
          return outs.map((o) => ({ issue: o.issueId, status: o.status, ...(o.reason ? { reason: o.reason } : {}), ...(o.jobId ? { jobId: o.jobId } : {}) }));
        });
        deps.beforeAction = () => lock.assertHeld();
        const { redactSecrets } = await import('../../probes/classify-common.js');
        deps.scrub = redactSecrets;
        if (!opts.yes) {
          deps.confirm = async (step, argvs) => {
            say(`first action: ${step.name} on ${step.host ?? 'local'}:`, opts.json);
            for (const a of argvs) say(`  $ ${quoteForRemoteShell(a)}`, opts.json);
            const { createInterface } = await import('node:readline/promises');
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            const answer = await rl.question('run the restart (this and every later step)? [y/N] ');
            rl.close();
            return /^y(es)?$/i.test(answer.trim());
          };
        }
        const { progressPrinter } = await import('../../restart/progress.js');
        const emit = opts.json ? printJsonLine : progressPrinter(process.stderr);
        const summary = await runRestart(store, plan, options, deps, emit, resume);
        recordAudit(store, {
          action: opts.resume ? 'restart.resume' : 'restart.run',
          argv: ['swarmctl', 'restart', ...(opts.resume ? ['--resume'] : [])],
          outcome: summary.failed.length ? 'failed' : summary.declined ? 'skipped' : 'ok',
          detail: `run ${summary.runId}: done ${summary.done.join(',') || '-'}; failed ${summary.failed.join(',') || '-'}; skipped ${summary.skipped.join(',') || '-'}`,
        });
        // Nothing came up: failed (2), as the exit-code table says; some did: partly done (1).
        process.exitCode = summary.failed.length ? (summary.done.length ? EXIT.DEGRADED : EXIT.FAILED) : EXIT.OK;
      } finally {
        lock.release();
        store.close();
      }
    });
}
