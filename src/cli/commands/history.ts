// `swarmctl history`: uptime, latency percentiles and transitions from stored probes.
import type { Command } from 'commander';
import { examples } from '../output.js';

export function register(program: Command): void {
  program
    .command('history')
    .description('probe history: uptime %, p50/p95/p99 latency, status transitions with reasons')
    .argument('[service]', 'one service (default: all)')
    .option('--since <duration>', 'window, e.g. 30m, 24h, 7d', '24h')
    .option('--json', 'one JSON document {since, services:[{service, uptime_percent, latency_ms, transitions}]}')
    .addHelpText('after', examples('swarmctl history', 'swarmctl history llama-01 --since 7d --json'))
    .action(async (service: string | undefined, opts: { json?: boolean; since?: string }, cmd: Command) => {
      const { runHistoryCommand } = await import('../probe-cli.js');
      await runHistoryCommand(service, opts, cmd);
    });
}
