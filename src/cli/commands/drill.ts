// `swarmctl drill [NAME…]`: seed 000's failure drills against the running sandbox, each PASS/FAIL
// with what it observed; every drill undoes what it broke.
import type { Command } from 'commander';
import { CliError, EXIT, examples, printJson, say, usageError } from '../output.js';

interface Opts {
  dir?: string;
  json?: boolean;
  list?: boolean;
}

const LABEL = { pass: 'PASS', fail: 'FAIL', not_applicable: 'N/A' } as const;

async function action(names: string[], opts: Opts): Promise<void> {
  const { resolve } = await import('node:path');
  const { defaultSandboxDir } = await import('../../sandbox/paths.js');
  const { DRILLS } = await import('../../drill/registry.js');
  const { runDrills, selectDrills, NoSandboxError, UnknownDrillError } = await import('../../drill/run.js');
  const dir = resolve(opts.dir ?? defaultSandboxDir());
  try {
    selectDrills(names);
  } catch (e) {
    if (e instanceof UnknownDrillError) throw usageError(e.message, 'see `swarmctl drill --list`');
    throw e;
  }
  if (opts.list) {
    const list = DRILLS.map((d) => ({ name: d.name, summary: d.summary, profiles: d.profiles }));
    if (opts.json) printJson({ drills: list });
    else for (const d of list) say(`${d.name.padEnd(16)} ${d.summary} (${d.profiles.join(', ')})`);
    return;
  }
  // Ctrl-C: the running drill stops waiting and its cleanups still run; then exit 130.
  const ac = new AbortController();
  const onInt = () => ac.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onInt);
  let results;
  try {
    results = await runDrills({
      dir,
      names,
      env: process.env,
      signal: ac.signal,
      onResult: (r) => {
        if (opts.json) return;
        const head = r.status === 'not_applicable' ? `N/A  ${r.name} (${r.observed[0] ?? ''})` : `${LABEL[r.status]} ${r.name} (${(r.ms / 1000).toFixed(1)} s)`;
        say([head, ...(r.status === 'not_applicable' ? [] : r.observed.map((l) => `  ${l}`))].join('\n'));
      },
    });
  } catch (e) {
    if (e instanceof NoSandboxError) throw new CliError(`no sandbox up: ${e.message}; start one with \`swarmctl sandbox up${opts.dir ? ` --dir ${dir}` : ''}\``, EXIT.FAILED);
    throw e;
  } finally {
    process.removeListener('SIGINT', onInt);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  if (opts.json)
    printJson({ dir, passed: failed === 0 && !ac.signal.aborted, drills: results.map((r) => ({ name: r.name, status: r.status, seconds: Math.round(r.ms / 100) / 10, observed: r.observed })) });
  else say(`${results.filter((r) => r.status === 'pass').length} passed, ${failed} failed, ${results.filter((r) => r.status === 'not_applicable').length} not applicable`);
  process.exitCode = ac.signal.aborted ? EXIT.INTERRUPTED : failed ? EXIT.DEGRADED : EXIT.OK;
}

export function register(program: Command): void {
  program
    .command('drill')
    .argument('[names...]', 'drills to run (default: all, in order)')
    .description('failure drills against the running sandbox: break one thing, watch swarmctl notice and fix it, PASS/FAIL with what was observed, undo')
    .option('--dir <path>', 'sandbox folder (default: $XDG_STATE_HOME/swarmctl/sandbox)')
    .option('--json', 'one JSON document on stdout')
    .option('--list', 'list the drills and what each checks')
    .addHelpText(
      'after',
      examples('swarmctl drill', 'swarmctl drill endpoint-down two-operators', 'swarmctl drill --list', 'swarmctl drill --json --dir /tmp/sbx') +
        '\nExit: 0 every drill run passed (or does not apply), 1 some failed, 2 no sandbox up, 64 unknown drill name, 130 interrupted (cleanups ran).\n',
    )
    .action((names: string[], opts: Opts) => action(names, opts));
}
