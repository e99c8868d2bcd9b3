// `swarmctl endpoints [list|gc|resolve]`: discovery records joined with the queue and health (discovery/discovery.ts).
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  const e = program.command('endpoints').description('inference endpoints from the discovery folder: live / stale / unhealthy / unknown / invalid');
  e.command('list', { isDefault: true })
    .description('every discovery record with its status')
    .option('--json', 'one JSON document: {ok, entries:[{file,status,reason,url}], queueError?}')
    .addHelpText('after', examples('swarmctl endpoints', 'swarmctl endpoints list --json') + '\nExit: 0 all live, 1 some not live, 2 endpoints dir unreadable or queue unknown.\n')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { withBatch } = await import('../batch-context.js');
      const { listEndpoints } = await import('../../discovery/discovery.js');
      const r = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), (cfg, store) => listEndpoints(cfg, store));
      const code = r.error || !r.ok ? EXIT.FAILED : r.entries.every((x) => x.status === 'live') ? EXIT.OK : EXIT.DEGRADED;
      if (opts.json) printJson({ ...r, exit_code: code });
      if (r.error) say(`error: ${r.error}`, true);
      if (r.queueError) say(`queue unknown: ${r.queueError}`, true);
      if (!opts.json) for (const x of r.entries) say(`${x.status.padEnd(10)} ${x.file.padEnd(28)} ${x.url ?? ''}  ${x.reason}`);
      process.exitCode = code;
    });
  e.command('gc')
    .description('move stale records (job gone) to <archive_dir>/endpoints/; delete partial writes (.*.json.tmp-*) over a minute old')
    .option('--dry-run', 'list what would move or be deleted')
    .option('--json', 'one JSON document: {ok, moved, wouldMove, tmpRemoved, tmpWouldRemove, error?}')
    .addHelpText('after', examples('swarmctl endpoints gc --dry-run', 'swarmctl endpoints gc') + '\nExit: 0 done, 2 queue unknown (nothing moved) or a move failed.\n')
    .action(async (opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const { withBatch } = await import('../batch-context.js');
      const { gcEndpoints } = await import('../../discovery/discovery.js');
      const { gcDiscoveryTempFiles } = await import('../../discovery/tmp-gc.js');
      const { r, t } = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), async (cfg, store) => ({
        // Temp files of killed writes are never records, whatever the queue says: removed first.
        t: await gcDiscoveryTempFiles(cfg, store, { ...(opts.dryRun ? { dryRun: true } : {}) }),
        r: await gcEndpoints(cfg, store, { ...(opts.dryRun ? { dryRun: true } : {}) }),
      }));
      const code = r.ok && t.errors.length === 0 ? EXIT.OK : EXIT.FAILED;
      if (opts.json) printJson({ ...r, tmpRemoved: t.removed, tmpWouldRemove: t.wouldRemove, ...(t.errors.length ? { tmpErrors: t.errors } : {}), exit_code: code });
      for (const f of t.wouldRemove) say(`would delete partial write ${f}`, opts.json);
      for (const f of t.removed) say(`deleted partial write ${f}`, opts.json);
      for (const f of r.wouldMove) say(`would move ${f}`, opts.json);
      for (const m of r.moved) say(`moved ${m.from} -> ${m.to}`, opts.json);
      if (r.error) say(`error: ${r.error}`, true);
      for (const err of t.errors) say(`error: ${err}`, true);
      process.exitCode = code;
    });
  e.command('resolve')
    .description('print the URL of the best live endpoint of a tier (swarm.fallback_urls when none)')
    .requiredOption('--tier <tier>', 'fast, reasoning, ...')
    .option('--json', 'one JSON document: {url, source, file?, candidates}')
    .addHelpText('after', examples('swarmctl endpoints resolve --tier fast') + '\nExit: 0 a URL was printed, 2 none (and no fallback configured).\n')
    .action(async (opts: { tier: string; json?: boolean }, cmd: Command) => {
      const { withBatch } = await import('../batch-context.js');
      const { resolveTier } = await import('../../discovery/discovery.js');
      const r = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), (cfg, store) => resolveTier(cfg, store, opts.tier));
      const code = r.url ? EXIT.OK : EXIT.FAILED;
      if (opts.json) printJson({ ...r, exit_code: code });
      else if (r.url) process.stdout.write(`${r.url}\n`);
      if (!r.url) say(`no live ${opts.tier} endpoint (${r.candidates} records of that tier) and no swarm.fallback_urls.${opts.tier}`, true);
      else if (r.source !== 'live') say(`note: ${r.source === 'fallback' ? 'static fallback URL' : 'queue unknown; the endpoint answers /health'}`, true);
      process.exitCode = code;
    });
}
