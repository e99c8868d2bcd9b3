// `swarmctl discovery write|remove`: the calls inference job wrappers make (discovery/discovery.ts).
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  const d = program.command('discovery').description("write or remove this job's endpoint discovery record");
  d.command('write')
    .description('wait until http://HOST:PORT/health answers ok, then write <endpoints_dir>/<JOBID>-<TIER>.json atomically')
    .requiredOption('--tier <tier>', 'fast, reasoning, ... (several joined by +)')
    .requiredOption('--port <port>', 'server port')
    .requiredOption('--model <model>', 'model name')
    .option('--host <host>', 'host clients connect to (default: hostname)')
    .option('--job-id <id>', 'default: $SLURM_JOB_ID')
    .option('--pid <pid>', 'server pid (default: the calling process)')
    .option('--wait-s <seconds>', 'how long to wait for /health', '60')
    .option('--json', 'one JSON document: {ok, path, record?, error?}')
    .addHelpText('after', examples('swarmctl discovery write --tier fast --port 8080 --model qwen-14b') + '\nExit: 0 written, 2 not healthy in time (nothing written), 64 bad input.\n')
    .action(async (opts: { tier: string; port: string; model: string; host?: string; jobId?: string; pid?: string; waitS: string; json?: boolean }, cmd: Command) => {
      const { withBatch } = await import('../batch-context.js');
      const { writeDiscovery } = await import('../../discovery/discovery.js');
      const { UsageError } = await import('../../core/usage-error.js');
      const { hostname } = await import('node:os');
      const r = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), async (cfg) => {
        const jobId = opts.jobId ?? process.env['SLURM_JOB_ID'];
        if (!jobId) throw new UsageError('no job id: pass --job-id or run inside a SLURM job (SLURM_JOB_ID)');
        const waitS = Number(opts.waitS);
        if (!Number.isFinite(waitS) || waitS < 0) throw new UsageError('--wait-s must be a number of seconds');
        return writeDiscovery(
          cfg,
          { jobId, tier: opts.tier, host: opts.host ?? hostname(), port: Number(opts.port), model: opts.model, pid: opts.pid ? Number(opts.pid) : process.ppid, startedAt: new Date() },
          { waitMs: waitS * 1000 },
        );
      });
      const code = r.ok ? EXIT.OK : EXIT.FAILED;
      if (opts.json) printJson({ ...r, exit_code: code });
      say(r.ok ? `wrote ${r.path}` : `not written: ${r.error}`, opts.json);
      process.exitCode = code;
    });
  d.command('remove')
    .description("remove <endpoints_dir>/<JOBID>-<TIER>.json (a wrapper's EXIT/TERM trap)")
    .requiredOption('--tier <tier>', 'tier the record was written with')
    .option('--job-id <id>', 'default: $SLURM_JOB_ID')
    .option('--json', 'one JSON document: {removed, path}')
    .addHelpText('after', examples('swarmctl discovery remove --tier fast') + '\nExit: 0 removed or already gone, 64 bad input.\n')
    .action(async (opts: { tier: string; jobId?: string; json?: boolean }, cmd: Command) => {
      const { withBatch } = await import('../batch-context.js');
      const { removeDiscovery } = await import('../../discovery/discovery.js');
      const { UsageError } = await import('../../core/usage-error.js');
      const r = await withBatch(cmd.optsWithGlobals<GlobalOptions>(), async (cfg) => {
        const jobId = opts.jobId ?? process.env['SLURM_JOB_ID'];
        if (!jobId) throw new UsageError('no job id: pass --job-id or run inside a SLURM job (SLURM_JOB_ID)');
        return removeDiscovery(cfg, jobId, opts.tier);
      });
      if (opts.json) printJson({ ...r, exit_code: 0 });
      say(r.removed ? `removed ${r.path}` : `${r.path} was not there`, opts.json);
    });
}
