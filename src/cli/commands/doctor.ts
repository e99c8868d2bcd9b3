// `swarmctl doctor`: is this machine ready to operate the swarm?
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check config, state DB, SLURM tools and controller, SSH hosts, shared dirs and secret file modes')
    .option('--json', 'one JSON document: {checks:[{name,status,message,fix}], summary}')
    .addHelpText('after', examples('swarmctl doctor', 'swarmctl --config fixtures/config/loopback.yaml doctor --json') + '\nExit: 0 all ok, 1 warnings, 2 a check failed, 64 config error.\n')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { loadConfigOrExit, openStoreFor } = await import('../context.js');
      const { runDoctor } = await import('../doctor-checks.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const cfg = await loadConfigOrExit(global);
      const store = await openStoreFor(global, cfg).catch((e: Error) => e);
      const checks = await runDoctor(cfg, store);
      if (!(store instanceof Error)) store.close();
      const summary = { ok: 0, warn: 0, fail: 0 };
      for (const c of checks) summary[c.status]++;
      const code = summary.fail ? EXIT.FAILED : summary.warn ? EXIT.DEGRADED : EXIT.OK;
      if (opts.json) printJson({ config: cfg.source, checks, summary, exit_code: code });
      const { default: chalk } = await import('chalk');
      const mark = { ok: chalk.green('✓ ok  '), warn: chalk.yellow('! warn'), fail: chalk.red('✗ fail') };
      for (const c of checks) {
        say(`${mark[c.status]}  ${c.name.padEnd(22)} ${c.message}`, opts.json);
        if (c.fix) say(`        ${''.padEnd(22)} fix: ${c.fix}`, opts.json);
      }
      say(`${summary.ok} ok, ${summary.warn} warnings, ${summary.fail} failed`, opts.json);
      process.exitCode = code;
    });
}
