// `swarmctl audit [--issue X] [--json]`: what swarmctl changed, when, by whom.
import type { Command } from 'commander';
import { examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  program
    .command('audit')
    .description('the action audit: who did what to which issue, with which argv, what was archived where, and the outcome')
    .option('--issue <id>', 'only this issue')
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'one JSON document')
    .addHelpText('after', examples('swarmctl audit --issue beefcake-wb42', 'swarmctl audit --json'))
    .action(async (opts: { issue?: string; limit: string; json?: boolean }, cmd: Command) => {
      const { loadConfigOrExit, openStoreFor } = await import('../context.js');
      const { listAudit } = await import('../../store/audit.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const cfg = await loadConfigOrExit(global);
      const store = await openStoreFor(global, cfg);
      try {
        const limit = Math.max(1, Number(opts.limit) || 50);
        const { otherHostsEntries, journalHost } = await import('../../journal/journal.js');
        // This machine's SQLite plus what other hosts appended to their journal files on the share.
        const local = listAudit(store, { ...(opts.issue ? { issueId: opts.issue } : {}), limit }).map((r) => ({ ...r, host: journalHost() }));
        const others = otherHostsEntries(cfg.paths.shared_root)
          .filter((e) => !opts.issue || e.issue_id === opts.issue)
          .map((e) => ({
            id: null,
            at: e.at,
            actor: e.actor,
            issue_id: e.issue_id,
            action: e.action,
            argv: e.argv ?? null,
            archived: e.archived ?? null,
            outcome: e.outcome,
            detail: e.detail ?? null,
            host: e.host,
          }));
        const rows = [...local, ...others].sort((a, b) => b.at - a.at).slice(0, limit);
        if (opts.json) printJson({ rows });
        else
          for (const r of rows)
            say(`${new Date(r.at).toISOString()}  ${r.actor}  ${r.issue_id ?? '-'}  ${r.action}  ${r.outcome}  ${r.detail ?? ''}${r.archived ? `  archived=${JSON.stringify(r.archived)}` : ''}`);
      } finally {
        store.close();
      }
    });
}
