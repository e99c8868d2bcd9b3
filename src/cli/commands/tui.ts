// `swarmctl tui` (and plain `swarmctl` on a terminal): the full-screen console.
// `swarmctl status`: the same data once, as text or JSON, for non-TTY use.
import type { Command } from 'commander';
import { examples, printJson, say } from '../output.js';
import type { GlobalOptions } from '../context.js';

async function openConsole(global: GlobalOptions, readOnly: boolean): Promise<void> {
  // React's development build is several times slower and chatty; the console runs production,
  // also from a shell (or a tmux server started by a test runner) that exports NODE_ENV=test/development.
  process.env['NODE_ENV'] = 'production';
  // Ink + React take ~0.5 s to import: start now, in parallel with the config and the store.
  const consoleModule = import('../../tui/run.js');
  consoleModule.catch(() => {}); // surfaced by the await below
  const { loadConfigOrExit, openStoreFor } = await import('../context.js');
  const cfg = await loadConfigOrExit(global);
  const store = await openStoreFor(global, cfg);
  const { realBackends, realActions, consoleIntervals } = await import('../../console/backends.js');
  const { createConsoleMonitor } = await import('../../console/sources.js');
  const { runConsole } = await consoleModule;
  const backends = realBackends(cfg, store);
  const monitor = createConsoleMonitor(backends, consoleIntervals(cfg));
  // The restart key starts this very swarmctl (same config, same state database) as its own process.
  const self = [process.execPath, process.argv[1]!, ...(global.config ? ['--config', global.config] : []), '--db', store.path];
  const actions = readOnly ? (await import('../../console/actions.js')).noActions : realActions(cfg, store, { self, sharedDown: backends.sharedDown });
  try {
    await runConsole({ monitor, actions, readOnly, clusterName: cfg.cluster_name });
  } finally {
    store.close();
  }
}

async function printStatus(global: GlobalOptions, json: boolean): Promise<void> {
  const { loadConfigOrExit, openStoreFor } = await import('../context.js');
  const cfg = await loadConfigOrExit(global);
  const store = await openStoreFor(global, cfg);
  try {
    const { collectStatus, formatStatus } = await import('../status.js');
    const st = await collectStatus(cfg, store);
    if (json) printJson(st);
    else say(formatStatus(st));
    process.exitCode = st.exit_code;
  } finally {
    store.close();
  }
}

export function register(program: Command): void {
  program
    .command('tui')
    .description('full-screen console: endpoints, queue, issues, telemetry, alerts; actions one key away (? for keys)')
    .option('--read-only', 'hide every mutating action (submit, cancel, recover, restart, drain, resume)')
    .addHelpText('after', examples('swarmctl tui', 'swarmctl tui --read-only', 'swarmctl          # same, when stdout is a terminal'))
    .action(async (opts: { readOnly?: boolean }, cmd: Command) => {
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        say('swarmctl tui needs a terminal; printing the status instead (swarmctl status)', true);
        return printStatus(cmd.optsWithGlobals<GlobalOptions>(), false);
      }
      await openConsole(cmd.optsWithGlobals<GlobalOptions>(), Boolean(opts.readOnly));
    });

  program
    .command('status')
    .description('one-shot summary: endpoints, queue, alerts (what the console shows, as text)')
    .option('--json', 'one JSON document')
    .addHelpText('after', examples('swarmctl status', 'swarmctl status --json') + '\nExit: 0 healthy, 1 degraded, 2 something down or the queue unreadable.\n')
    .action(async (opts: { json?: boolean }, cmd: Command) => printStatus(cmd.optsWithGlobals<GlobalOptions>(), Boolean(opts.json)));
}
