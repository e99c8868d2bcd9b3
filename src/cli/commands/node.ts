// `swarmctl node drain NODE --reason R` / `node resume NODE`: scontrol update on one
// SLURM node (seeds 002, 003), audited.
import type { Command } from 'commander';
import { CliError, EXIT, examples, printJson, say, usageError } from '../output.js';
import type { GlobalOptions } from '../context.js';

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

async function update(cmd: Command, node: string, state: 'drain' | 'resume', reason: string | undefined, json: boolean | undefined): Promise<void> {
  if (!NODE_NAME.test(node)) throw usageError(`bad node name ${JSON.stringify(node)}: letters, digits, ".", "_", "-"`);
  if (state === 'drain' && (!reason || !reason.trim())) throw usageError('node drain needs --reason "why" (SLURM requires one, and the next operator needs it)');
  const { loadConfigOrExit, openStoreFor } = await import('../context.js');
  const { updateNodeState } = await import('../../restart/node-update.js');
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const cfg = await loadConfigOrExit(global);
  const store = await openStoreFor(global, cfg);
  try {
    const { argv, error } = await updateNodeState(cfg, store, node, state, reason);
    if (json) printJson({ node, state, argv, ok: error === null, error });
    if (error !== null) throw new CliError(error, EXIT.FAILED, 'check the node name (sinfo -N) and that you may run scontrol update');
    say(`${node}: ${state === 'drain' ? `draining (${reason})` : 'resumed'}`, json);
    process.exitCode = EXIT.OK;
  } finally {
    store.close();
  }
}

export function register(program: Command): void {
  const node = program.command('node').description('drain or resume a SLURM node (scontrol update), audited');
  node
    .command('drain')
    .argument('<node>', 'SLURM node name')
    .requiredOption('--reason <text>', 'why (shown by sinfo -R and the console)')
    .option('--json', 'one JSON document')
    .description('scontrol update nodename=NODE state=drain reason=R')
    .addHelpText('after', examples('swarmctl node drain vasp-03 --reason "GPU ECC errors"') + '\nExit: 0 done, 2 scontrol failed, 64 bad name or no reason.\n')
    .action((n: string, opts: { reason: string; json?: boolean }, cmd: Command) => update(cmd, n, 'drain', opts.reason, opts.json));
  node
    .command('resume')
    .argument('<node>', 'SLURM node name')
    .option('--json', 'one JSON document')
    .description('scontrol update nodename=NODE state=resume')
    .addHelpText('after', examples('swarmctl node resume vasp-03') + '\nExit: 0 done, 2 scontrol failed, 64 bad name.\n')
    .action((n: string, opts: { json?: boolean }, cmd: Command) => update(cmd, n, 'resume', undefined, opts.json));
}
