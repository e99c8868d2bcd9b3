// `swarmctl probe`: probe services now (or --watch), debounced, kept as history.
import type { Command } from 'commander';
import { examples } from '../output.js';

export function register(program: Command): void {
  program
    .command('probe')
    .description('probe services (llama-server, vllm, proxy, nfs, ssh, slurm, http) concurrently; debounced status with reasons')
    .argument('[service...]', 'services to probe (default: all)')
    .option('--json', 'one JSON document {checked_at, services[], summary}; with --watch one NDJSON line per sweep')
    .option('--prom', 'Prometheus text exposition (for node_exporter textfile collector)')
    .option('--all', 'table: list every service; by default the healthy ones are summed in one line')
    .option('--watch', 'probe every probe_interval_s (down_interval_s while anything is down) until Ctrl-C')
    .addHelpText(
      'after',
      examples('swarmctl probe', 'swarmctl probe llama-01 proxy --json', 'swarmctl probe --prom > /var/lib/node_exporter/swarmctl.prom', 'swarmctl probe --watch --json') +
        '\nExit: 0 all up, 1 any loading/degraded/unknown, 2 any down, 64 unknown service or config error.\n',
    )
    .action(async (names: string[], opts: { json?: boolean; prom?: boolean; watch?: boolean; all?: boolean }, cmd: Command) => {
      const { runProbeCommand } = await import('../probe-cli.js');
      await runProbeCommand(names, opts, cmd);
    });
}
