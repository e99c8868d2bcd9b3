// `swarmctl config check [PATH]` and `swarmctl config show`.
import type { Command } from 'commander';
import { EXIT, examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  const config = program.command('config').description('check or show the cluster config (swarmctl.yaml)');

  config
    .command('check [path]')
    .description('validate a config file and report EVERY problem with file:line:column and key path (exit 64 on any)')
    .option('--json', 'one JSON document: {ok, file, problems:[{file,line,column,key,message}]}')
    .addHelpText('after', examples('swarmctl config check fixtures/config/beefcake.yaml', 'swarmctl config check --json'))
    .action(async (path: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      const { findAndLoadConfig } = await import('../../config/load.js');
      const { formatProblem } = await import('../../config/parse.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const r = findAndLoadConfig(path ?? global.config);
      const file = r.path ?? null;
      if (opts.json) {
        printJson(r.ok ? { ok: true, file, problems: [] } : { ok: false, file, problems: r.problems });
      }
      if (r.ok) {
        const c = r.config;
        say(`${file}: ok (${Object.keys(c.hosts).length} hosts, ${Object.keys(c.services).length} services, profile ${c.swarm.profile})`, opts.json);
        process.exitCode = EXIT.OK;
      } else {
        for (const p of r.problems) say(formatProblem(p), true);
        say(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} found`, true);
        process.exitCode = EXIT.USAGE;
      }
    });

  config
    .command('show')
    .description('print the effective config (defaults filled in, paths resolved)')
    .option('--json', 'as JSON (default: YAML)')
    .addHelpText('after', examples('swarmctl config show', 'swarmctl --config fixtures/config/loopback.yaml config show --json'))
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { loadConfigOrExit } = await import('../context.js');
      const cfg = await loadConfigOrExit(cmd.optsWithGlobals<GlobalOptions>());
      if (opts.json) printJson(cfg);
      else {
        const { renderYaml } = await import('../../config/render-yaml.js');
        process.stdout.write(renderYaml(cfg));
      }
    });
}
