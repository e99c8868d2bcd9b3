// `swarmctl lock status|release [--force]`: the cluster-wide operator lock that
// restart, recover and submit --sequential take. A forced release is audited and
// the lock file is kept in the archive.
import type { Command } from 'commander';
import { CliError, EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  const lock = program.command('lock').description('the cluster-wide operator lock on the share (restart, recover, submit --sequential)');
  lock
    .command('status')
    .option('--json', 'one JSON document')
    .description('who holds the operator lock, since when, and whether it expired')
    .addHelpText('after', examples('swarmctl lock status', 'swarmctl lock status --json') + '\nExit: 0 free, 1 held, 2 cannot read.\n')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { loadConfigOrExit } = await import('../context.js');
      const { readLock, fmtAge } = await import('../../lock/operator-lock.js');
      const cfg = await loadConfigOrExit(cmd.optsWithGlobals<GlobalOptions>());
      let st;
      try {
        st = readLock(cfg.paths.shared_root);
      } catch (e) {
        throw new CliError(`cannot read the operator lock: ${(e as Error).message}`, EXIT.FAILED, 'check the shared root is mounted');
      }
      if (opts.json) printJson(st);
      else if (!st.held) say(`free (${st.path})`);
      else
        say(
          `held by ${st.holder.user}@${st.holder.host} pid ${st.holder.pid} "${st.holder.command}" for ${fmtAge(st.ageMs)}${st.expired ? `, EXPIRED: ${st.reason}` : `, TTL ${st.holder.ttl_s} s`} (${st.path})`,
        );
      process.exitCode = st.held ? EXIT.DEGRADED : EXIT.OK;
    });
  lock
    .command('release')
    .option('--force', "remove another holder's lock (audited; the file is kept in the archive)")
    .option('--json', 'one JSON document')
    .description('remove the operator lock: an expired one, or any with --force')
    .addHelpText('after', examples('swarmctl lock release', 'swarmctl lock release --force') + '\nExit: 0 released or free, 1 refused (held; use --force), 2 failed.\n')
    .action(async (opts: { force?: boolean; json?: boolean }, cmd: Command) => {
      const { loadConfigOrExit, openStoreFor } = await import('../context.js');
      const { releaseLock } = await import('../../lock/operator-lock.js');
      const { recordAudit } = await import('../../store/audit.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const cfg = await loadConfigOrExit(global);
      const store = await openStoreFor(global, cfg);
      try {
        const r = releaseLock(cfg.paths.shared_root, { ...(opts.force ? { force: true } : {}), archiveDir: cfg.paths.archive_dir });
        if (r.refused) {
          say(`refused: ${r.refused}`, opts.json);
          if (opts.json) printJson({ released: false, refused: r.refused });
          process.exitCode = EXIT.DEGRADED;
          return;
        }
        if (r.released) {
          const h = r.released;
          recordAudit(store, {
            action: opts.force ? 'lock.release.force' : 'lock.release',
            argv: ['swarmctl', 'lock', 'release', ...(opts.force ? ['--force'] : [])],
            archived: r.archivedTo ? { lock: r.archivedTo } : null,
            outcome: 'ok',
            detail: `removed the lock of ${h.user}@${h.host} pid ${h.pid} "${h.command}"`,
          });
          say(`released the lock of ${h.user}@${h.host} pid ${h.pid} "${h.command}"${r.archivedTo ? `; kept as ${r.archivedTo}` : ''}`, opts.json);
        } else say('the operator lock is free', opts.json);
        if (opts.json) printJson({ released: Boolean(r.released), holder: r.released, archived_to: r.archivedTo ?? null });
        process.exitCode = EXIT.OK;
      } catch (e) {
        throw new CliError(`cannot release the operator lock: ${(e as Error).message}`, EXIT.FAILED);
      } finally {
        store.close();
      }
    });
}
