// `swarmctl smoke`: does each model really generate? One tiny chat completion each.
import type { Command } from 'commander';
import { examples } from '../output.js';

export function register(program: Command): void {
  program
    .command('smoke')
    .description('POST a one-word chat completion to each model service; report reply, latency, context overflow or parse failure')
    .argument('[service...]', 'llama-server / vllm / openai-proxy services (default: all of them)')
    .option('--json', 'one JSON document {checked_at, services[], summary}')
    .option('--timeout <seconds>', 'per-service limit (default: max(30, probe_timeout_s))')
    .addHelpText('after', examples('swarmctl smoke', 'swarmctl smoke llama-01 --json') + '\nExit: 0 all replied, 1 any degraded/loading, 2 any down, 64 unknown service.\n')
    .action(async (names: string[], opts: { json?: boolean; timeout?: string }, cmd: Command) => {
      const { runSmokeCommand } = await import('../probe-cli.js');
      await runSmokeCommand(names, opts, cmd);
    });
}
