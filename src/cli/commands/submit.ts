// `swarmctl submit ISSUE...`: start swarm jobs through sbatch or direct SSH (submit/submit.ts).
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('submit')
    .description('submit swarm jobs for issues (sbatch, or SSH when SLURM is down); skips issues that already have a job')
    .argument('<issues...>', 'issue ids')
    .option('--via <mode>', 'slurm | ssh | auto (SSH when scontrol ping says the controller is down and swarm.allow_direct_fallback)', 'slurm')
    .option('--sequential', 'each job depends on the previous (--dependency=afterany:<id>)')
    .option('--env <K=V>', 'job variable (repeatable); values never go into --export=', collect, [])
    .option('--title <text>', 'issue title for SWARM_ISSUE_OBJECTIVE_B64 when the tracker has none (one issue only)')
    .option('--hold', 'submit held (release with swarmctl job release)')
    .option('--force', 'submit even when the issue has an active job or the queue cannot be read')
    .option('--dry-run', 'print the exact argv and env NAMES, run nothing')
    .option('--json', 'one JSON document: {outcomes:[{issueId,status,jobId,via,argv,reason}], summary}')
    .addHelpText(
      'after',
      examples('swarmctl submit beefcake-7xjmj --title "Fix the parser"', 'swarmctl submit a-1 a-2 a-3 --sequential --env SWARM_USE_CLOUD=0', 'swarmctl submit a-1 --dry-run --json') +
        '\nExit: 0 all submitted/skipped, 1 some failed, 2 all failed, 64 bad input (nothing ran).\n',
    )
    .action(async (issues: string[], opts: { via: string; sequential?: boolean; env: string[]; title?: string; hold?: boolean; force?: boolean; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const { withBatch } = await import('../batch-context.js');
      const { submit } = await import('../../submit/submit.js');
      const { parseEnvAssignment } = await import('../../config/validate.js');
      const { UsageError } = await import('../../core/usage-error.js');
      const outcomes = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), async (cfg, store) => {
        // A sequential chain is one operator's plan: two at once would interleave their dependencies.
        const lock = opts.sequential && !opts.dryRun ? await (await import('../lock-context.js')).takeOperatorLock(cfg, 'swarmctl submit --sequential') : null;
        try {
          const env: Record<string, string> = {};
          for (const a of opts.env) {
            const p = parseEnvAssignment(a);
            if (!p.ok) throw new UsageError(`--env ${JSON.stringify(a)}: ${p.reason}`);
            env[p.name] = p.value;
          }
          return submit(cfg, store, {
            issues,
            env,
            via: opts.via as 'slurm',
            ...(opts.sequential ? { sequential: true } : {}),
            ...(opts.force ? { force: true } : {}),
            ...(opts.dryRun ? { dryRun: true } : {}),
            ...(opts.hold ? { hold: true } : {}),
            ...(opts.title !== undefined ? { title: opts.title } : {}),
          });
        } finally {
          lock?.release();
        }
      });
      const summary = { submitted: 0, skipped: 0, failed: 0, 'dry-run': 0 };
      for (const o of outcomes) summary[o.status]++;
      const code = summary.failed === 0 ? EXIT.OK : summary.failed === outcomes.length ? EXIT.FAILED : EXIT.DEGRADED;
      if (opts.json) printJson({ outcomes, summary, exit_code: code });
      for (const o of outcomes) {
        say(`${o.status.padEnd(9)} ${o.issueId}${o.jobId ? ` job ${o.jobId}` : ''} via ${o.via}${o.reason ? `: ${o.reason}` : ''}`, opts.json);
        if (o.status === 'dry-run') say(`          argv: ${JSON.stringify(o.argv)}\n          env names: ${(o.envNames ?? []).join(' ')}`, opts.json);
        for (const n of o.notes ?? []) say(`          note: ${n}`, opts.json);
      }
      process.exitCode = code;
    });
}
