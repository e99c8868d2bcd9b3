// `swarmctl resume show|clear ISSUE`: the issue's resume file, and archiving it
// (moved to <archive>/<issue>/<timestamp>.swarm-resume.json, audited; never deleted).
// Both refuse a resume path whose real path (symlinks followed) leaves its root: show
// must not print a file from outside the share that a symlink points to (exit 2, as clear).
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  const resume = program.command('resume').description("an issue's resume file (.swarm-resume.json)");
  resume
    .command('show')
    .argument('<issue>', 'issue id')
    .description('show the resume file for ISSUE (the shared real one only counts when its issue.id is ISSUE)')
    .option('--json', 'one JSON document')
    .addHelpText(
      'after',
      examples('swarmctl resume show beefcake-7xjmj', 'swarmctl resume show beefcake-7xjmj --json') +
        '\nExit: 0 found, 1 none for this issue (or it belongs to another issue, or the profile has no resume file), 2 corrupt, unreadable or refused (a symlink leading out of its root; nothing read), 64 bad id/config.\n',
    )
    .action(async (issue: string, opts: { json?: boolean }, cmd: Command) => {
      const { issueContext } = await import('../recovery-context.js');
      const { readResume } = await import('../../issues/state.js');
      const { cfg, profile } = await issueContext(cmd.optsWithGlobals<GlobalOptions>(), issue);
      const r = await readResume(cfg, profile, issue);
      const code = r.status === 'ok' ? EXIT.OK : r.status === 'missing' || r.status === 'other_issue' || r.status === 'n/a' ? EXIT.DEGRADED : EXIT.FAILED;
      if (opts.json) printJson({ issue, ...r, exit_code: code });
      else if (r.status === 'ok' && r.value) {
        const v = r.value;
        say(`${r.path}${r.shared ? ' (shared file at the repo root)' : ''}`);
        say(`issue ${v.issueId}${v.issueTitle ? ` — ${v.issueTitle}` : ''}`);
        for (const [k, val] of [
          ['iteration', v.iteration],
          ['total iterations', v.totalIterations],
          ['tier', v.currentTier],
          ['phase', v.phase],
          ['saved at', v.savedAt],
          ['worktree', v.worktreePath],
          ['summary', v.escalationSummary],
        ] as const) {
          if (val !== undefined) say(`  ${String(k).padEnd(17)} ${val}`);
        }
      } else if (r.status === 'other_issue') say(`${r.path} belongs to ${r.ownerIssueId}, not ${issue}`);
      else if (r.status === 'missing') say(`no resume file for ${issue} (${r.path})`);
      else if (r.status === 'n/a') say(`n/a: the ${profile.name} profile has no resume file`);
      else if (r.status === 'refused') say(`refused: ${r.error}`);
      else say(`${r.path ?? 'resume file'}: ${r.status}: ${r.error}`);
      process.exitCode = code;
    });
  resume
    .command('clear')
    .argument('<issue>', 'issue id')
    .description('move the resume file of ISSUE to <archive>/<issue>/<timestamp>.swarm-resume.json (audited)')
    .option('--dry-run', 'say what would be moved')
    .option('--assume-not-running', "move it although the queue cannot be read: you vouch that the issue's job is not running (it would lose its resume point); audited")
    .option('--json', 'one JSON document')
    .addHelpText(
      'after',
      examples('swarmctl resume clear beefcake-7xjmj', 'swarmctl resume clear beefcake-7xjmj --dry-run --json') +
        '\nExit: 0 moved, 1 nothing to move for this issue, 2 failed or refused (also: its job is queued or running, or the queue could not be read), 64 bad id/config.\n',
    )
    .action(async (issue: string, opts: { json?: boolean; dryRun?: boolean; assumeNotRunning?: boolean }, cmd: Command) => {
      const { openStoreFor } = await import('../context.js');
      const { issueContext } = await import('../recovery-context.js');
      const { clearResume } = await import('../../issues/resume-clear.js');
      const { livenessRefusal } = await import('../../slurm/job-liveness.js');
      const { readIssueLiveness } = await import('../../slurm/job-liveness-read.js');
      const { recordAudit } = await import('../../store/audit.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { cfg, profile } = await issueContext(global, issue);
      const store = await openStoreFor(global, cfg);
      try {
        // A running job reads and rewrites its resume file: never move it from under one.
        const gate = async (): Promise<string | null> => {
          const liveness = await readIssueLiveness(cfg, store, issue);
          const refusal = livenessRefusal(liveness, `clear the resume file of ${issue}`, opts.assumeNotRunning ? { assumeNotRunning: true } : {});
          if (!refusal && liveness.verdict === 'unknown' && !opts.dryRun)
            recordAudit(store, { issueId: issue, action: 'resume.clear.assume-not-running', outcome: 'ok', detail: `operator override: ${liveness.reason}` });
          return refusal;
        };
        const r = await clearResume(cfg, profile, store, issue, { dryRun: Boolean(opts.dryRun), gate });
        const code = r.outcome === 'ok' || r.outcome === 'dry-run' ? EXIT.OK : r.outcome === 'skipped' ? EXIT.DEGRADED : EXIT.FAILED;
        if (opts.json) printJson({ ...r, exit_code: code });
        say(r.reason, opts.json);
        process.exitCode = code;
      } finally {
        store.close();
      }
    });
}
